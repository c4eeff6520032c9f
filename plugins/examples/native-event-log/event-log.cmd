@echo off
rem A Vigil action plugin (Vigil's protocol) in cmd: appends each event to a file.
rem
rem Vigil writes one JSON request on stdin, on one line:
rem   {"kind":"action","config":{"file":"events.log"},"event":{"id":42,"ts":...,"kind":"program_crashed",...}}
rem and reads one JSON result on stdout: {"status":"ok","message":"appended"} when it worked.
rem
rem cmd cannot take JSON apart safely (quotes, & | < > ^ ! in messages), so this version writes
rem the request line as it was received: the file is a JSON Lines file, one request (with its
rem event: ts, kind, message...) per line. The sh version writes "time TAB kind TAB message".
rem Limits: the request must be on one line (Vigil sends it so) and at most 8191 characters
rem (cmd's line limit: a longer one, an event with a long detail, is cut); the file name in
rem config must not contain "!" (Windows names cannot hold " or |).
setlocal EnableExtensions DisableDelayedExpansion

rem The first line of stdin, read with delayed expansion off so ! and ^ stay as they are.
set "REQ="
for /f "usebackq delims=" %%L in (`findstr "^"`) do if not defined REQ set "REQ=%%L"
if not defined REQ (
    echo event-log: no request on stdin 1>&2
    echo {"status":"critical","message":"no request on stdin"}
    exit /b 1
)

rem From here on the request is only read through delayed expansion, which never parses its
rem text again: its quotes and & | < > cannot break the commands.
setlocal EnableDelayedExpansion

rem config.file: the text after "file":" up to the next quote, cut there by turning quotes into
rem "?" (no Windows file name holds one); an empty value leaves the default; "\\" in JSON is
rem one "\".
set "FILE="
set "REST=!REQ:*"file":"=!"
if not "!REST!"=="!REQ!" (
    set "REST=!REST:"=?!"
    if not "!REST:~0,1!"=="?" for /f "tokens=1 delims=?" %%f in ("!REST!") do set "FILE=%%f"
)
if not defined FILE set "FILE=events.log"
set "FILE=!FILE:\\=\!"

(echo !REQ!)>>"!FILE!" || goto cannot
echo {"status":"ok","message":"appended"}
exit /b 0

:cannot
set "JFILE=!FILE:\=\\!"
echo event-log: cannot append to !FILE! 1>&2
echo {"status":"critical","message":"cannot append to !JFILE!"}
exit /b 1
