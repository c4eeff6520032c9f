@echo off
rem A Nagios-protocol check for Vigil on Windows: is a file younger than a number of seconds?
rem
rem   check_file_age.cmd --path FILE [--warn SECONDS] [--crit SECONDS]
rem
rem Exit code: 0 OK, 1 WARNING (older than --warn), 2 CRITICAL (older than --crit, or missing),
rem 3 UNKNOWN (bad arguments, or the file's time cannot be read).
rem First line of output: the message, then performance data: age=<N>s;<warn>;<crit>
rem
rem cmd has no locale-independent way to read a file's time in seconds, so that one number is
rem asked of Windows PowerShell (present on every supported Windows). cmd compares whole
rem numbers only: thresholds with decimals are cut to whole seconds ("300.5" counts as 300).
setlocal EnableExtensions DisableDelayedExpansion

set "FA_PATH="
set "WARN=300"
set "CRIT=900"

:args
if "%~1"=="" goto parsed
if /i "%~1"=="--path" goto arg_path
if /i "%~1"=="--warn" goto arg_warn
if /i "%~1"=="--crit" goto arg_crit
set "MSG=unexpected argument %1"
goto unknown
:arg_path
if "%~2"=="" (set "MSG=--path needs a value" & goto unknown)
set "FA_PATH=%~2"
shift & shift & goto args
:arg_warn
if "%~2"=="" (set "MSG=--warn needs a value" & goto unknown)
set "WARN=%~2"
shift & shift & goto args
:arg_crit
if "%~2"=="" (set "MSG=--crit needs a value" & goto unknown)
set "CRIT=%~2"
shift & shift & goto args

:parsed
if not defined FA_PATH (set "MSG=no file given (--path)" & goto unknown)

rem Whole seconds: cut anything from the first "." on, then accept digits only.
for /f "tokens=1 delims=." %%n in ("%WARN%") do set "WARN_S=%%n"
for /f "tokens=1 delims=." %%n in ("%CRIT%") do set "CRIT_S=%%n"
if not defined WARN_S set "WARN_S=0"
if not defined CRIT_S set "CRIT_S=0"
call :digits "%WARN_S%"
if errorlevel 1 (set "MSG=--warn must be a number of seconds" & goto unknown)
call :digits "%CRIT_S%"
if errorlevel 1 (set "MSG=--crit must be a number of seconds" & goto unknown)

rem From here on, the path is only read through delayed expansion, so & ) ^ ! and spaces in it
rem are harmless (Windows file names cannot hold | or ", so the message line stays intact).
setlocal EnableDelayedExpansion
set "BAR=|"

if not exist "!FA_PATH!" (
    echo FILE_AGE CRITICAL - !FA_PATH! does not exist
    exit /b 2
)

set "AGE="
for /f "usebackq delims=" %%a in (`powershell -NoProfile -NonInteractive -Command "$i = Get-Item -LiteralPath $env:FA_PATH -Force; [long][Math]::Floor(([DateTime]::UtcNow - $i.LastWriteTimeUtc).TotalSeconds)"`) do set "AGE=%%a"
if not defined AGE (
    echo FILE_AGE UNKNOWN - cannot read the modification time of !FA_PATH!
    exit /b 3
)
call :digits "!AGE!"
if errorlevel 1 (
    echo FILE_AGE UNKNOWN - cannot read the modification time of !FA_PATH!
    exit /b 3
)
rem A file dated in the future counts as brand new.
if !AGE! LSS 0 set "AGE=0"

set "RC=0"
set "WORD=OK"
if !AGE! GTR !WARN_S! (set "RC=1" & set "WORD=WARNING")
if !AGE! GTR !CRIT_S! (set "RC=2" & set "WORD=CRITICAL")
echo FILE_AGE !WORD! - !FA_PATH! is !AGE! seconds old !BAR! age=!AGE!s;!WARN!;!CRIT!
exit /b !RC!

:unknown
setlocal EnableDelayedExpansion
echo FILE_AGE UNKNOWN - !MSG!
exit /b 3

rem Succeeds when %1 is a whole number that cmd reads back unchanged (no letters, no leading
rem zeros, at most 2147483647).
:digits
setlocal
if "%~1"=="" exit /b 1
set "N="
set /a "N=%~1" >nul 2>nul
if "%N%"=="%~1" exit /b 0
exit /b 1
