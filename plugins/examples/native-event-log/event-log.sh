#!/bin/sh
# A Vigil action plugin (Vigil's protocol) in POSIX sh: appends one line per event to a file.
#
# Vigil writes one JSON request on stdin:
#   {"kind":"action","config":{"file":"events.log"},
#    "event":{"id":42,"ts":1714557600123,"kind":"program_crashed","program_id":3,"job_id":null,
#             "message":"web exited with code 1","detail":"..."}}
# and reads one JSON result on stdout: {"status":"ok","message":"appended"} when it worked;
# anything else (here {"status":"critical",...} and exit code 1) is a failure.
#
# The line appended, tab-separated:
#   2024-05-01T10:00:00.123Z<TAB>program_crashed<TAB>web exited with code 1
# The time is UTC (the event's raw unix milliseconds when this system's `date` cannot convert).
#
# No jq needed: the fields are picked out with sed. Limitations of that (on purpose, to stay
# dependency-free):
# - the message is written as it stands in the JSON, escapes included (\" \\ \n \u00e9), which
#   also keeps every event on one line;
# - the file name may use the JSON escapes \\ \" \/ only (no \n, \t, \uXXXX);
# - it relies on "ts", "message" and "file" being keys only where Vigil puts them (true of the
#   request Vigil sends: event fields and this plugin's one config value).
#
# Try it by hand:
#   echo '{"kind":"action","config":{},"event":{"id":1,"ts":0,"kind":"program_crashed","message":"hi"}}' | sh event-log.sh

json_escape() {
    printf '%s' "$1" | tr '\n\r\t' '   ' | sed 's/\\/\\\\/g; s/"/\\"/g'
}

fail() {
    printf 'event-log: %s\n' "$1" >&2
    printf '{"status":"critical","message":"%s"}\n' "$(json_escape "$1")"
    exit 1
}

# The whole request on one line (raw newlines in JSON only separate tokens; newlines inside
# strings arrive escaped as \n).
req=$(tr '\n\r' '  ')
[ -n "$req" ] || fail "no request on stdin"

# The (still JSON-escaped) text of the string value of "KEY", empty when absent.
string_value() {
    printf '%s\n' "$req" |
        sed -n 's/.*"'"$1"'"[[:space:]]*:[[:space:]]*"\([^"\\]*\(\\.[^"\\]*\)*\)".*/\1/p'
}

# The event's kind: the request's own "kind" is "action", the event's is the other one.
kind=$(printf '%s\n' "$req" |
    sed 's/"kind"[[:space:]]*:[[:space:]]*"action"//g' |
    sed -n 's/.*"kind"[[:space:]]*:[[:space:]]*"\([a-z0-9_]*\)".*/\1/p')
ts=$(printf '%s\n' "$req" | sed -n 's/.*"ts"[[:space:]]*:[[:space:]]*\(-\{0,1\}[0-9][0-9]*\).*/\1/p')
message=$(string_value message)
[ -n "$kind" ] && [ -n "$ts" ] || fail "the request has no event (kind and ts not found)"

file=$(string_value file)
if [ -z "$file" ]; then
    file=events.log
else
    # Only \\ \" \/ are understood in the file name; anything else is refused, not guessed.
    case $(printf '%s' "$file" | sed 's/\\\\//g; s/\\["\/]//g') in
        *\\*) fail "the file name in config holds a JSON escape this script cannot read (only \\\\ \\\" \\/)" ;;
    esac
    file=$(printf '%s' "$file" | sed 's/\\\(["\\/]\)/\1/g')
fi

# UTC time with milliseconds: GNU/busybox `date -d @S`, then BSD/macOS `date -r S`.
secs=$((ts / 1000))
millis=$((ts % 1000))
if [ "$ts" -ge 0 ] && when=$(date -u -d "@$secs" '+%Y-%m-%dT%H:%M:%S' 2>/dev/null ||
    date -u -r "$secs" '+%Y-%m-%dT%H:%M:%S' 2>/dev/null) && [ -n "$when" ]; then
    when=$(printf '%s.%03dZ' "$when" "$millis")
else
    when=$ts
fi

# One printf, so one write for any ordinary line: lines of actions running at the same moment
# do not mix.
if ! printf '%s\t%s\t%s\n' "$when" "$kind" "$message" 2>/dev/null >>"$file"; then
    fail "cannot append to $file"
fi

printf '{"status":"ok","message":"appended"}\n'
