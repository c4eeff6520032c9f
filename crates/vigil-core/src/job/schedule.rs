//! Schedules: cron expressions, time zones and next fires.

#[allow(unused_imports)]
use super::*;

/// Parses a cron expression (5 or 6 fields), with an error naming it.
/// Years are refused: the documented format is 5 or 6 fields, and a year field (which croner
/// would take as a 7th) makes a schedule that fires in one year only, then searches to the year
/// 5000 on every lookup.
pub fn parse_cron(expr: &str) -> Result<croner::Cron, ApiError> {
    croner::parser::CronParser::builder()
        .year(croner::parser::Year::Disallowed)
        .build()
        .parse(expr.trim())
        .map_err(|e| {
            ApiError::invalid(format!(
                "schedule {expr:?} is not a valid cron expression: {e}"
            ))
        })
}

/// Parses a cron expression for a job's schedule: valid, and firing at all. `0 0 30 2 *`
/// (February 30th) parses but never fires, and every lookup of its next fire searches to
/// croner's year-5000 limit (40 ms each in release); it is refused once, here, instead.
pub fn parse_schedule(expr: &str) -> Result<croner::Cron, ApiError> {
    let cron = parse_cron(expr)?;
    // Any schedule that fires at all fires within 28 years of any instant (the calendar
    // repeats), so one lookup from a fixed instant tells; core reads no clock.
    let from = Utc
        .with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    if next_fires(&cron, chrono_tz::UTC, from, 1).is_empty() {
        return Err(ApiError::invalid(format!(
            "schedule {expr:?} never fires (no such date)"
        )));
    }
    Ok(cron)
}

/// Parses an IANA time zone name.
pub fn parse_tz(name: &str) -> Result<chrono_tz::Tz, ApiError> {
    chrono_tz::Tz::from_str(name.trim())
        .map_err(|_| ApiError::invalid(format!("timezone {name:?} is not a known IANA time zone")))
}

/// The next `n` fires of `cron` in `tz` strictly after `after`.
pub fn next_fires(
    cron: &croner::Cron,
    tz: chrono_tz::Tz,
    after: DateTime<Utc>,
    n: usize,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::with_capacity(n);
    let mut t = after.with_timezone(&tz);
    for _ in 0..n {
        match cron.find_next_occurrence(&t, false) {
            Ok(next) => {
                out.push(next.with_timezone(&Utc));
                t = next;
            }
            Err(_) => break,
        }
    }
    out
}

/// Characters cmd.exe interprets on a command line (quoting, command separators, pipes,
/// redirection, escapes, variable expansion, grouping, line ends).
///
/// The fullwidth forms are there too: a program that reads its command line in the ANSI code
/// page gets them "best fit" mapped to the ASCII ones ("WorstFit"), so `＂` would become `"`.
pub const CMD_METACHARACTERS: &[char] = &[
    '"', '&', '|', '<', '>', '^', '%', '!', '(', ')', '\r', '\n', '\0', '＂', '＆', '｜', '＜',
    '＞', '＾', '％', '！', '（', '）',
];

/// Converts unix milliseconds to a UTC time (out-of-range values clamp to the epoch).
pub fn utc_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}
