#!/bin/sh
# A Nagios-protocol check for Vigil (and for any Nagios-compatible monitor): is a file younger
# than a number of seconds?
#
#   check_file_age.sh --path FILE [--warn SECONDS] [--crit SECONDS]
#
# Exit code: 0 OK, 1 WARNING (older than --warn), 2 CRITICAL (older than --crit, or missing),
# 3 UNKNOWN (bad arguments, or the file's time cannot be read).
# First line of output: the message, then performance data: age=<N>s;<warn>;<crit>
#
# POSIX sh only. The file's modification time is read with `stat -c %Y` (GNU, busybox),
# `stat -f %m` (BSD, macOS) or `date -r FILE +%s`, whichever works first.

PATH_ARG=
WARN=300
CRIT=900

unknown() {
    printf 'FILE_AGE UNKNOWN - %s\n' "$1"
    exit 3
}

usage="usage: check_file_age.sh --path FILE [--warn SECONDS] [--crit SECONDS]"

while [ $# -gt 0 ]; do
    case $1 in
        --path) [ $# -ge 2 ] || unknown "--path needs a value; $usage"; PATH_ARG=$2; shift 2 ;;
        --path=*) PATH_ARG=${1#--path=}; shift ;;
        --warn) [ $# -ge 2 ] || unknown "--warn needs a value; $usage"; WARN=$2; shift 2 ;;
        --warn=*) WARN=${1#--warn=}; shift ;;
        --crit) [ $# -ge 2 ] || unknown "--crit needs a value; $usage"; CRIT=$2; shift 2 ;;
        --crit=*) CRIT=${1#--crit=}; shift ;;
        -h|--help) printf '%s\n' "$usage"; exit 3 ;;
        *) unknown "unexpected argument '$1'; $usage" ;;
    esac
done

[ -n "$PATH_ARG" ] || unknown "no file given (--path); $usage"

# Thresholds are numbers of seconds, whole or not ("300", "300.5", "1e3": Vigil writes a number
# option as its JSON text). awk does the arithmetic, so decimals work in every POSIX shell.
is_number() {
    awk -v x="$1" 'BEGIN { exit !(x ~ /^[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/ || x ~ /^\.[0-9]+$/) }'
}
is_number "$WARN" || unknown "--warn must be a number of seconds, got '$WARN'"
is_number "$CRIT" || unknown "--crit must be a number of seconds, got '$CRIT'"

# The message is one line and must not contain '|' (it starts the performance data).
shown=$(printf '%s' "$PATH_ARG" | tr '|\n\r' '???')

if [ ! -e "$PATH_ARG" ]; then
    # No performance data: a missing file has no age (a 0 would draw a false point on the chart).
    printf 'FILE_AGE CRITICAL - %s does not exist\n' "$shown"
    exit 2
fi

mtime=$(stat -c %Y -- "$PATH_ARG" 2>/dev/null) ||
    mtime=$(stat -f %m -- "$PATH_ARG" 2>/dev/null) ||
    mtime=$(date -r "$PATH_ARG" +%s 2>/dev/null) ||
    mtime=
case $mtime in
    ''|*[!0-9]*) unknown "cannot read the modification time of $shown" ;;
esac
now=$(date +%s)
case $now in
    ''|*[!0-9]*) unknown "cannot read the current time" ;;
esac

age=$((now - mtime))
# A file dated in the future (clock change, copied from another machine) counts as brand new.
[ "$age" -ge 0 ] || age=0

# status: 2 when age > crit, 1 when age > warn, else 0.
status=$(awk -v a="$age" -v w="$WARN" -v c="$CRIT" 'BEGIN { if (a + 0 > c + 0) print 2; else if (a + 0 > w + 0) print 1; else print 0 }')
case $status in
    0) word=OK ;;
    1) word=WARNING ;;
    2) word=CRITICAL ;;
    *) unknown "cannot compare the age with the thresholds" ;;
esac

printf 'FILE_AGE %s - %s is %s seconds old | age=%ss;%s;%s\n' "$word" "$shown" "$age" "$age" "$WARN" "$CRIT"
exit "$status"
