//! What is usual for a job: its typical duration and spread, learned from its last successful
//! runs, and when a running attempt has become unusual enough to say so.

#[allow(unused_imports)]
use super::*;

/// Successful runs a job's usual duration is learned from (the latest ones).
pub const LEARN_FROM: u32 = 20;
/// Fewer successful runs than this teach nothing: no warning before then.
pub const MIN_SAMPLES: usize = 5;
/// A run is unusual once it has run this much longer than the longest of the learned runs
/// (percent of it).
pub const OVER_LONGEST_PERCENT: i64 = 125;
/// ... and at least this much longer than the median (short jobs jitter by more than 25%).
pub const MIN_MARGIN_MS: i64 = 1_000;

/// A job's learned duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Usual {
    /// The median duration, ms.
    #[ts(type = "number")]
    pub median_ms: i64,
    /// The 95th percentile (nearest rank), ms.
    #[ts(type = "number")]
    pub p95_ms: i64,
    /// The longest learned run, ms.
    #[ts(type = "number")]
    pub longest_ms: i64,
    /// A running attempt older than this is unusual (`run_overran`), ms.
    #[ts(type = "number")]
    pub warn_after_ms: i64,
    /// How many runs it was learned from.
    pub samples: u32,
}

impl Usual {
    /// Learns from durations (ms, any order; negative ones, from a clock set back, are
    /// ignored). `None` with fewer than [`MIN_SAMPLES`]: a job is not judged before then.
    ///
    /// The warning point is past everything the job has done lately: 125% of its longest
    /// learned run, and at least a second past its median. A steady job (every run within its
    /// own range) never warns, and a job that varies a lot warns only beyond its variation.
    pub fn learn(durations: &[i64]) -> Option<Self> {
        let mut d: Vec<i64> = durations.iter().copied().filter(|v| *v >= 0).collect();
        if d.len() < MIN_SAMPLES {
            return None;
        }
        d.sort_unstable();
        let n = d.len();
        let median = if n % 2 == 1 {
            d[n / 2]
        } else {
            d[n / 2 - 1] + (d[n / 2] - d[n / 2 - 1]) / 2
        };
        // Nearest rank: the smallest value with at least 95% of the values at or below it.
        let rank = (n * 95).div_ceil(100).max(1);
        let p95 = d[rank - 1];
        let longest = d[n - 1];
        let warn_after = (longest.saturating_mul(OVER_LONGEST_PERCENT) / 100)
            .max(median.saturating_add(MIN_MARGIN_MS))
            .max(longest.saturating_add(1));
        Some(Self {
            median_ms: median,
            p95_ms: p95,
            longest_ms: longest,
            warn_after_ms: warn_after,
            samples: u32::try_from(n).unwrap_or(u32::MAX),
        })
    }

    /// When a running attempt should raise `run_overran`, ms after its start: never when the
    /// timeout comes first (the timeout speaks for itself then).
    pub fn warn_at(&self, timeout_secs: Option<u64>) -> Option<i64> {
        let timeout_ms = timeout_secs.map(|t| i64::try_from(t).unwrap_or(i64::MAX / 1000) * 1000);
        match timeout_ms {
            Some(t) if self.warn_after_ms >= t => None,
            _ => Some(self.warn_after_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn too_few_runs_teach_nothing() {
        assert_eq!(Usual::learn(&[5000, 5000, 5000, 5000]), None);
        assert_eq!(Usual::learn(&[5000, 5000, 5000, 5000, -1]), None);
        assert_eq!(Usual::learn(&[]), None);
    }

    #[test]
    fn a_steady_five_second_job() {
        let u = Usual::learn(&[4900, 5000, 5100, 5050, 4950]).unwrap();
        assert_eq!(u.median_ms, 5000);
        assert_eq!(u.p95_ms, 5100);
        assert_eq!(u.warn_after_ms, 6375);
        assert_eq!(u.samples, 5);
        // A timeout before the warning point: the timeout speaks, no warning.
        assert_eq!(u.warn_at(Some(6)), None);
        assert_eq!(u.warn_at(Some(60)), Some(6375));
        assert_eq!(u.warn_at(None), Some(6375));
    }

    #[test]
    fn short_jobs_get_at_least_a_second() {
        let u = Usual::learn(&[10, 12, 11, 9, 10, 10]).unwrap();
        assert_eq!(u.median_ms, 10);
        assert_eq!(u.warn_after_ms, 1010);
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let u = Usual::learn(&[i64::MAX; 6]).unwrap();
        assert_eq!(u.warn_after_ms, i64::MAX);
    }

    proptest! {
        /// The class the issue names: a run that takes no longer than the job's own runs did
        /// never warns, whatever the spread; and the warning point is past the median.
        #[test]
        fn a_run_within_the_learned_range_never_warns(
            durations in proptest::collection::vec(0i64..10_000_000, MIN_SAMPLES..60),
            pick in any::<proptest::sample::Index>(),
        ) {
            let u = Usual::learn(&durations).unwrap();
            let run = durations[pick.index(durations.len())];
            prop_assert!(run < u.warn_after_ms);
            prop_assert!(u.median_ms < u.warn_after_ms);
            prop_assert!(u.median_ms <= u.p95_ms);
            prop_assert!(u.p95_ms <= *durations.iter().max().unwrap());
        }
    }
}
