//! The Nagios / Monitoring-Plugins convention, read as it is: the exit code is the status
//! (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), the first line of output is the message, and
//! performance data follows a `|`: `'label'=value[unit];[warn];[crit];[min];[max]`, separated
//! by spaces, on the first line and after a `|` in the long output.

#[allow(unused_imports)]
use super::*;

/// Reads a Nagios plugin's output and exit code. An exit code outside 0..=3 is not an answer
/// (the plugin crashed or is not a Nagios plugin): refused with the reason.
pub fn parse_nagios(stdout: &str, exit_code: i32) -> Result<CheckAnswer, String> {
    let status = CheckStatus::from_exit(exit_code).ok_or_else(|| {
        format!(
            "exit code {exit_code} is not a Nagios status (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)"
        )
    })?;
    let mut lines = stdout.lines();
    let first = lines.next().unwrap_or("");
    let (message, perf) = match first.split_once('|') {
        Some((m, p)) => (m, p.to_owned()),
        None => (first, String::new()),
    };
    let mut perf_text = perf;
    // Long output: performance data may continue after a `|` on a later line.
    for line in lines {
        if let Some((_, p)) = line.split_once('|') {
            perf_text.push(' ');
            perf_text.push_str(p);
        }
    }
    let mut message = one_line(message, MAX_MESSAGE);
    if message.is_empty() {
        message = format!(
            "{} (the plugin printed no message)",
            status.as_str().to_uppercase()
        );
    }
    Ok(CheckAnswer {
        status,
        message,
        metrics: parse_perfdata(&perf_text),
        details: None,
    })
}

/// Reads performance data; items that do not parse are skipped (a plugin's odd metric must not
/// lose its status), at most [`MAX_METRICS`] kept.
pub fn parse_perfdata(text: &str) -> Vec<Metric> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() && out.len() < MAX_METRICS {
        // The label: quoted (with '' for a quote) or up to '='.
        let (label, after) = if let Some(q) = rest.strip_prefix('\'') {
            let mut label = String::new();
            let mut chars = q.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if q[i + 1..].starts_with('\'') {
                        label.push('\'');
                        chars.next();
                    } else {
                        end = Some(i + 1);
                        break;
                    }
                } else {
                    label.push(c);
                }
            }
            match end {
                Some(e) => (label, &q[e..]),
                None => break,
            }
        } else {
            match rest.find(['=', ' ']) {
                Some(i) => (rest[..i].to_owned(), &rest[i..]),
                None => break,
            }
        };
        // The item runs to the next space.
        let (item, next) = match after.find(char::is_whitespace) {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        rest = next.trim_start();
        let Some(fields) = item.strip_prefix('=') else {
            continue;
        };
        let mut parts = fields.split(';');
        let value_unit = parts.next().unwrap_or("");
        let split = value_unit
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
            .unwrap_or(value_unit.len());
        // "1e" / "5E" would eat a unit starting with e; units here never do, but be exact.
        let (num, unit) = value_unit.split_at(split);
        let Ok(value) = num.parse::<f64>() else {
            continue;
        };
        let label = one_line(&label, MAX_LABEL);
        if !value.is_finite() || label.is_empty() {
            continue;
        }
        let range = |s: Option<&str>| {
            s.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| one_line(s, 64))
        };
        let warn = range(parts.next());
        let crit = range(parts.next());
        out.push(Metric {
            label,
            value,
            unit: one_line(unit, 16),
            warn,
            crit,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_monitoring_plugins_output_reads_as_written() {
        let a = parse_nagios(
            "DISK WARNING - free space: / 9367MiB (10% inode=95%);| /=87749033984B;243497277849;257024904396;0;270552530944\n",
            1,
        )
        .unwrap();
        assert_eq!(a.status, CheckStatus::Warning);
        assert_eq!(
            a.message,
            "DISK WARNING - free space: / 9367MiB (10% inode=95%);"
        );
        assert_eq!(
            a.metrics,
            vec![Metric {
                label: "/".into(),
                value: 87749033984.0,
                unit: "B".into(),
                warn: Some("243497277849".into()),
                crit: Some("257024904396".into()),
            }]
        );
        let a = parse_nagios(
            "TCP OK - 0.000 second response time on 127.0.0.1 port 22|time=0.000123s;;;0.000000;10.000000",
            0,
        )
        .unwrap();
        assert_eq!(
            (
                a.status,
                a.metrics[0].label.as_str(),
                a.metrics[0].unit.as_str()
            ),
            (CheckStatus::Ok, "time", "s")
        );
        assert_eq!(a.metrics[0].warn, None);
        let a = parse_nagios(
            "PROCS OK: 62 processes | procs=62;1000;2000;0;\nlong text\nmore | 'disk c:'=10% 'it''s'=3c bad=x =4\n",
            0,
        )
        .unwrap();
        let labels: Vec<_> = a.metrics.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["procs", "disk c:", "it's"]);
        assert_eq!(a.metrics[1].unit, "%");
    }

    #[test]
    fn exit_codes_outside_the_convention_are_not_answers() {
        for code in [-1, 4, 127, 255] {
            assert!(parse_nagios("OK", code).is_err());
        }
        let a = parse_nagios("", 2).unwrap();
        assert_eq!(a.status, CheckStatus::Critical);
        assert!(a.message.contains("no message"));
    }

    proptest! {
        #[test]
        fn any_output_parses_without_panicking_and_stays_bounded(out in ".{0,2000}", code in -5i32..10) {
            if let Ok(a) = parse_nagios(&out, code) {
                prop_assert!(a.message.chars().count() <= MAX_MESSAGE);
                prop_assert!(a.metrics.len() <= MAX_METRICS);
                prop_assert!(a.metrics.iter().all(|m| m.value.is_finite() && !m.label.is_empty()));
            }
        }

        #[test]
        fn written_metrics_read_back(label in "[a-z][a-z0-9_ ]{0,20}", value in -1.0e9f64..1.0e9, unit in "(|s|ms|%|B|KB|c)") {
            let text = format!("'{label}'={value}{unit};1;2;0;100");
            let m = parse_perfdata(&text);
            prop_assert_eq!(m.len(), 1);
            prop_assert_eq!(&m[0].label, label.trim());
            prop_assert!((m[0].value - value).abs() <= value.abs() * 1e-12);
            prop_assert_eq!(&m[0].unit, &unit);
        }
    }
}
