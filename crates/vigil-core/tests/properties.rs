//! Property tests over vigil-core's pure rules: cron next fires against a brute-force walk of
//! the clock, dependency graphs against a cycle check and layering of their own, the one
//! template renderer, retry delays, and the argv built from typed options.
//!
//! The default case counts keep the file to a few seconds in a debug build; `PROPTEST_CASES`
//! overrides them for a longer run, as proptest does by default.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::Duration;

use chrono::{
    DateTime, Datelike, DurationRound, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeDelta, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;
use proptest::prelude::*;
use serde_json::{Value, json};
use vigil_core::template::{placeholders, render};
use vigil_core::{
    ApiError, Backoff, CMD_METACHARACTERS, ErrorCode, ExecutionPolicy, Job, MAX_RETRY_DELAY_MS,
    check_graph, next_fires, parse_cron, plan, resolve_template, retry_delay_ms,
};

/// A config with `cases` cases unless `PROPTEST_CASES` says otherwise. An explicit case count
/// in a config would hide the variable, so it is read here the way proptest reads it.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Cron next fires
// ---------------------------------------------------------------------------------------------

/// One field of a generated cron expression.
#[derive(Debug, Clone)]
enum Field {
    /// `*`: every value.
    Star,
    /// `*/k`: every k-th value from the lowest.
    Every(u32),
    /// `a`: one value.
    One(u32),
    /// `a,b`: a list of two (maybe equal) values.
    Pair(u32, u32),
    /// `a-b`: a range, `a <= b`.
    Range(u32, u32),
    /// `a-b/k`: every k-th value of a range.
    RangeEvery(u32, u32, u32),
}

impl Field {
    fn text(&self) -> String {
        match self {
            Self::Star => "*".into(),
            Self::Every(k) => format!("*/{k}"),
            Self::One(a) => a.to_string(),
            Self::Pair(a, b) => format!("{a},{b}"),
            Self::Range(a, b) => format!("{a}-{b}"),
            Self::RangeEvery(a, b, k) => format!("{a}-{b}/{k}"),
        }
    }

    /// The values it selects within `lo..=hi`.
    fn values(&self, lo: u32, hi: u32) -> BTreeSet<u32> {
        match self {
            Self::Star => (lo..=hi).collect(),
            Self::Every(k) => (lo..=hi).step_by(*k as usize).collect(),
            Self::One(a) => [*a].into(),
            Self::Pair(a, b) => [*a, *b].into(),
            Self::Range(a, b) => (*a..=*b).collect(),
            Self::RangeEvery(a, b, k) => (*a..=*b).step_by(*k as usize).collect(),
        }
    }

    /// Whether croner counts the field as fixed: one value, not from `*`, no step.
    fn fixed(&self, lo: u32, hi: u32) -> bool {
        let stepped = matches!(self, Self::RangeEvery(_, _, k) if *k != 1);
        !matches!(self, Self::Star | Self::Every(_)) && !stepped && self.values(lo, hi).len() == 1
    }
}

fn field(lo: u32, hi: u32) -> impl Strategy<Value = Field> {
    prop_oneof![
        4 => Just(Field::Star),
        2 => (1..=hi - lo + 2).prop_map(Field::Every),
        3 => (lo..=hi).prop_map(Field::One),
        1 => (lo..=hi, lo..=hi).prop_map(|(a, b)| Field::Pair(a, b)),
        1 => (lo..=hi, lo..=hi).prop_map(|(a, b)| Field::Range(a.min(b), a.max(b))),
        1 => (lo..=hi, lo..=hi, 1..=hi - lo + 1)
            .prop_map(|(a, b, k)| Field::RangeEvery(a.min(b), a.max(b), k)),
    ]
}

/// A generated expression: seconds only for the 6-field form.
#[derive(Debug, Clone)]
struct CronCase {
    seconds: Option<Field>,
    minute: Field,
    hour: Field,
    dom: Field,
    month: Field,
    dow: Field,
}

impl CronCase {
    fn text(&self) -> String {
        let mut fields = Vec::new();
        if let Some(s) = &self.seconds {
            fields.push(s.text());
        }
        for f in [&self.minute, &self.hour, &self.dom, &self.month, &self.dow] {
            fields.push(f.text());
        }
        fields.join(" ")
    }

    fn model(&self) -> Model {
        let set = |f: &Field, lo: u32, hi: u32, len: usize| {
            let mut v = vec![false; len];
            for x in f.values(lo, hi) {
                v[x as usize] = true;
            }
            v
        };
        let seconds = self.seconds.clone().unwrap_or(Field::One(0));
        let mut dow = set(&self.dow, 0, 7, 8);
        // 7 is another name for Sunday.
        dow[0] |= dow[7];
        Model {
            sec: set(&seconds, 0, 59, 60),
            min: set(&self.minute, 0, 59, 60),
            hour: set(&self.hour, 0, 23, 24),
            dom: set(&self.dom, 1, 31, 32),
            month: set(&self.month, 1, 12, 13),
            dow,
            star_dom: matches!(self.dom, Field::Star),
            star_dow: matches!(self.dow, Field::Star),
            fixed: seconds.fixed(0, 59) && self.minute.fixed(0, 59) && self.hour.fixed(0, 23),
        }
    }
}

fn cron_case() -> impl Strategy<Value = CronCase> {
    (
        proptest::option::of(field(0, 59)),
        field(0, 59),
        // Clocks change between 01:00 and 03:00 in these zones, so those hours come up often.
        prop_oneof![
            2 => field(0, 23),
            1 => (0u32..=3).prop_map(Field::One),
            1 => (0u32..=3, 0u32..=3).prop_map(|(a, b)| Field::Range(a.min(b), a.max(b))),
        ],
        prop_oneof![3 => Just(Field::Star), 1 => field(1, 31)],
        prop_oneof![3 => Just(Field::Star), 1 => field(1, 12)],
        prop_oneof![3 => Just(Field::Star), 1 => field(0, 7)],
    )
        .prop_map(|(seconds, minute, hour, dom, month, dow)| CronCase {
            seconds,
            minute,
            hour,
            dom,
            month,
            dow,
        })
}

/// What an expression matches, written out field by field.
#[derive(Debug)]
struct Model {
    sec: Vec<bool>,
    min: Vec<bool>,
    hour: Vec<bool>,
    dom: Vec<bool>,
    month: Vec<bool>,
    dow: Vec<bool>,
    star_dom: bool,
    star_dow: bool,
    /// One second, minute and hour: croner's "fixed-time job", which fires once in a repeated
    /// hour and is moved to the end of a skipped one.
    fixed: bool,
}

impl Model {
    /// Vixie cron's day rule: with both day fields restricted either may match, otherwise both
    /// must (a `*` matches every day).
    fn day(&self, date: NaiveDate) -> bool {
        if !self.month[date.month() as usize] {
            return false;
        }
        let dom = self.dom[date.day() as usize];
        let dow = self.dow[date.weekday().num_days_from_sunday() as usize];
        if !self.star_dom && !self.star_dow {
            dom || dow
        } else {
            dom && dow
        }
    }

    fn matches(&self, wall: NaiveDateTime) -> bool {
        self.day(wall.date())
            && self.hour[wall.hour() as usize]
            && self.min[wall.minute() as usize]
            && self.sec[wall.second() as usize]
    }

    /// The one wall clock time of a fixed-time job.
    fn fixed_time(&self) -> Option<NaiveTime> {
        let first = |v: &[bool]| v.iter().position(|b| *b);
        NaiveTime::from_hms_opt(
            first(&self.hour)? as u32,
            first(&self.min)? as u32,
            first(&self.sec)? as u32,
        )
    }
}

const ZONES: [Tz; 5] = [
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Asia::Kolkata,
    chrono_tz::UTC,
];

fn offset_secs(tz: Tz, t: DateTime<Utc>) -> i64 {
    i64::from(
        tz.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// The instants around which `after` is drawn for a zone: its offset changes from mid-2029 to
/// mid-2031 (found by a half-hour walk), and a few ordinary instants (year and month ends).
fn anchors(tz: Tz) -> &'static [DateTime<Utc>] {
    static ALL: OnceLock<Vec<(Tz, Vec<DateTime<Utc>>)>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        ZONES
            .iter()
            .map(|&tz| {
                let mut out = vec![
                    Utc.with_ymd_and_hms(2030, 1, 15, 10, 0, 0).unwrap(),
                    Utc.with_ymd_and_hms(2030, 2, 28, 23, 59, 59).unwrap(),
                    Utc.with_ymd_and_hms(2030, 12, 31, 23, 30, 0).unwrap(),
                    Utc.with_ymd_and_hms(2032, 2, 28, 12, 0, 0).unwrap(),
                ];
                let mut t = Utc.with_ymd_and_hms(2029, 6, 1, 0, 0, 0).unwrap();
                let end = Utc.with_ymd_and_hms(2031, 6, 1, 0, 0, 0).unwrap();
                let mut previous = offset_secs(tz, t);
                while t < end {
                    t += TimeDelta::minutes(30);
                    let now = offset_secs(tz, t);
                    if now != previous {
                        // The brute force assumes offsets change on whole minutes.
                        assert_ne!(
                            offset_secs(tz, t - TimeDelta::seconds(1)),
                            now,
                            "{tz} changes its offset between half hours near {t}"
                        );
                        out.push(t);
                        previous = now;
                    }
                }
                (tz, out)
            })
            .collect()
    });
    all.iter()
        .find(|(z, _)| *z == tz)
        .map(|(_, a)| a.as_slice())
        .unwrap_or_default()
}

fn zone_and_after() -> impl Strategy<Value = (Tz, DateTime<Utc>)> {
    (0..ZONES.len(), any::<prop::sample::Index>(), after_shift()).prop_map(|(z, i, shift)| {
        let tz = ZONES[z];
        let a = anchors(tz);
        (tz, a[i.index(a.len())] + shift)
    })
}

/// How far `after` lies from its anchor: exactly on it, whole seconds, minutes or hours, or
/// milliseconds (a clock read between two seconds).
fn after_shift() -> impl Strategy<Value = TimeDelta> {
    prop_oneof![
        2 => Just(TimeDelta::zero()),
        2 => (-7200i64..7200).prop_map(TimeDelta::seconds),
        2 => (-180i64..180).prop_map(TimeDelta::minutes),
        1 => (-4i64..=4).prop_map(TimeDelta::hours),
        2 => (-10_800_000i64..10_800_000).prop_map(TimeDelta::milliseconds),
        1 => (-100i64..100).prop_map(TimeDelta::days),
    ]
}

/// The later of two instants that share a wall clock time when the clock goes back.
fn is_repeat(tz: Tz, wall: NaiveDateTime, t: DateTime<Utc>) -> bool {
    matches!(tz.from_local_datetime(&wall), LocalResult::Ambiguous(_, later) if later.with_timezone(&Utc) == t)
}

/// Every fire in `(after, end]`, at most `limit`, found by walking every minute of real time
/// and every second of it whose wall clock minute matches. It encodes croner's documented DST
/// rules: an interval job fires at every instant whose wall clock matches (twice in a repeated
/// hour, never in a skipped one); a fixed-time job fires only at the first of two repeated
/// instants, and a wall clock time the clock skips fires at the first instant after the skip
/// when the day matches.
fn brute_force(
    m: &Model,
    tz: Tz,
    after: DateTime<Utc>,
    end: DateTime<Utc>,
    limit: usize,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let mut minute = after.duration_trunc(TimeDelta::minutes(1)).unwrap();
    let mut previous = offset_secs(tz, minute - TimeDelta::minutes(1));
    while minute <= end && out.len() < limit {
        let offset = offset_secs(tz, minute);
        let wall = minute.naive_utc() + TimeDelta::seconds(offset);
        if m.fixed && offset > previous && minute > after {
            let skipped_from = wall - TimeDelta::seconds(offset - previous);
            if let Some(time) = m.fixed_time() {
                let missing = NaiveDateTime::new(wall.date(), time);
                if skipped_from <= missing && missing < wall && m.day(wall.date()) {
                    out.push(minute);
                }
            }
        }
        if m.day(wall.date()) && m.hour[wall.hour() as usize] && m.min[wall.minute() as usize] {
            for s in (0..60).filter(|s| m.sec[*s as usize]) {
                let t = minute + TimeDelta::seconds(s);
                let w = wall + TimeDelta::seconds(s);
                if t > after && t <= end && !(m.fixed && is_repeat(tz, w, t)) {
                    out.push(t);
                }
            }
        }
        previous = offset;
        minute += TimeDelta::minutes(1);
    }
    out.sort();
    out.dedup();
    out.truncate(limit);
    out
}

/// Whether `t` is an instant the clock jumped to (the first instant after skipped wall times).
fn after_a_skip(tz: Tz, t: DateTime<Utc>) -> bool {
    offset_secs(tz, t) > offset_secs(tz, t - TimeDelta::seconds(1))
}

const FIRES: usize = 40;

/// Compares `next_fires` with the brute force over the next 3 days, and checks the weaker
/// properties (strictly increasing, after `after`, matching) on every fire.
fn check_next_fires(case: &CronCase, tz: Tz, after: DateTime<Utc>) -> Result<(), TestCaseError> {
    let text = case.text();
    let cron =
        parse_cron(&text).map_err(|e| TestCaseError::fail(format!("{text:?} must parse: {e}")))?;
    let m = case.model();
    let fires = next_fires(&cron, tz, after, FIRES);
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();

    // The weaker properties hold for every fire, in or out of the brute force's window.
    let mut last = after;
    for (i, &t) in fires.iter().enumerate() {
        prop_assert!(
            t > last,
            "{text:?} in {tz} after {after}: fire {i} at {t} is not after {last}: {fires:?}"
        );
        last = t;
        prop_assert!(
            m.matches(local(t)) || (m.fixed && after_a_skip(tz, t)),
            "{text:?} in {tz}: fire {t} (local {}) does not match the expression",
            local(t)
        );
    }

    let end = after + TimeDelta::days(3);
    let expected = brute_force(&m, tz, after, end, FIRES);
    let within: Vec<_> = fires.iter().copied().take_while(|t| *t <= end).collect();
    prop_assert_eq!(
        within,
        expected,
        "{:?} in {} after {} (local {}): next_fires must list exactly the fires a walk of the clock finds in the next 3 days",
        text,
        tz,
        after,
        local(after)
    );
    Ok(())
}

/// Fixed-time jobs (one second, minute and hour) at the hours clocks change, with `after` in
/// the day before a change in a zone that has them: the cases croner treats specially.
fn fixed_case_near_a_change() -> impl Strategy<Value = (CronCase, Tz, DateTime<Utc>)> {
    let fixed = (
        proptest::option::of((0u32..60).prop_map(Field::One)),
        prop_oneof![(0u32..60).prop_map(Field::One), Just(Field::Range(30, 30))],
        (0u32..=3).prop_map(Field::One),
    );
    let zone = proptest::sample::select(vec![
        chrono_tz::Europe::Berlin,
        chrono_tz::America::New_York,
        chrono_tz::Australia::Lord_Howe,
    ]);
    (
        fixed,
        zone,
        any::<prop::sample::Index>(),
        -26 * 3600i64..3 * 3600,
    )
        .prop_map(|((seconds, minute, hour), tz, i, shift)| {
            // The first anchors are ordinary instants; the rest are the offset changes.
            let changes = &anchors(tz)[4..];
            let case = CronCase {
                seconds,
                minute,
                hour,
                dom: Field::Star,
                month: Field::Star,
                dow: Field::Star,
            };
            (
                case,
                tz,
                changes[i.index(changes.len())] + TimeDelta::seconds(shift),
            )
        })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn next_fires_agree_with_a_walk_of_the_clock(case in cron_case(), (tz, after) in zone_and_after()) {
        check_next_fires(&case, tz, after)?;
    }

    #[test]
    fn fixed_time_jobs_follow_the_documented_dst_rules((case, tz, after) in fixed_case_near_a_change()) {
        prop_assert!(case.model().fixed, "the strategy makes fixed-time jobs: {}", case.text());
        check_next_fires(&case, tz, after)?;
    }
}

#[test]
fn a_fire_at_the_start_of_a_repeated_hour_is_not_returned_again() {
    // 02:00 in Berlin on 2030-10-27 happens twice: 00:00 and 01:00 UTC. An interval job that
    // fires at 02:00 fires at both; asked for the fires after the first, the next is the
    // second, never the first again.
    let cron = parse_cron("0 0 2,5 * * *").unwrap();
    let first = Utc.with_ymd_and_hms(2030, 10, 27, 0, 0, 0).unwrap();
    let fires = next_fires(&cron, chrono_tz::Europe::Berlin, first, 3);
    assert!(
        fires.iter().all(|t| *t > first),
        "fires after {first} must all be later: {fires:?}"
    );
    assert_eq!(
        fires.first(),
        Some(&Utc.with_ymd_and_hms(2030, 10, 27, 1, 0, 0).unwrap()),
        "the second 02:00 comes next: {fires:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Dependency graphs
// ---------------------------------------------------------------------------------------------

/// Out-edges of one job: `depends_on`, `on_success`, `on_failure`, as indexes.
type Edges = (Vec<usize>, Vec<usize>, Vec<usize>);

fn graph() -> impl Strategy<Value = Vec<Edges>> {
    (1usize..8, any::<bool>()).prop_flat_map(|(n, acyclic)| {
        let list = proptest::collection::vec(0..n, 0..3);
        proptest::collection::vec((list.clone(), list.clone(), list), n).prop_map(
            move |mut edges| {
                // Half of the graphs only point at lower indexes, which cannot close a cycle.
                if acyclic {
                    for (i, (d, s, f)) in edges.iter_mut().enumerate() {
                        for l in [d, s, f] {
                            l.retain(|j| *j < i);
                        }
                    }
                }
                edges
            },
        )
    })
}

fn id(i: usize) -> String {
    format!("j{i}")
}

fn jobs_of(edges: &[Edges]) -> Vec<Job> {
    let ids = |l: &Vec<usize>| l.iter().map(|&j| id(j)).collect::<Vec<_>>();
    edges
        .iter()
        .enumerate()
        .map(|(i, (d, s, f))| {
            serde_json::from_value(json!({
                "id": id(i), "name": id(i), "command": "x",
                "depends_on": ids(d), "on_success": ids(s), "on_failure": ids(f),
            }))
            .unwrap()
        })
        .collect()
}

/// Whether the edges chosen by `pick` that are reachable from `from` (all nodes when `None`)
/// close a cycle, by repeatedly removing nodes without remaining out-edges (Kahn).
fn has_cycle(edges: &[Edges], pick: fn(&Edges) -> Vec<usize>, from: Option<usize>) -> bool {
    let n = edges.len();
    let mut nodes: BTreeSet<usize> = match from {
        None => (0..n).collect(),
        Some(r) => reachable(edges, pick, r),
    };
    loop {
        let sink = nodes
            .iter()
            .copied()
            .find(|&i| pick(&edges[i]).iter().all(|j| !nodes.contains(j)));
        match sink {
            Some(i) => {
                nodes.remove(&i);
            }
            None => return !nodes.is_empty(),
        }
    }
}

fn reachable(edges: &[Edges], pick: fn(&Edges) -> Vec<usize>, root: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::from([root]);
    let mut todo = vec![root];
    while let Some(i) = todo.pop() {
        for j in pick(&edges[i]) {
            if seen.insert(j) {
                todo.push(j);
            }
        }
    }
    seen
}

fn all_edges(e: &Edges) -> Vec<usize> {
    e.0.iter().chain(&e.1).chain(&e.2).copied().collect()
}

fn depends_on(e: &Edges) -> Vec<usize> {
    e.0.clone()
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn graphs_are_refused_exactly_when_they_have_a_cycle_and_name_a_real_one(edges in graph()) {
        let jobs = jobs_of(&edges);
        let cyclic = has_cycle(&edges, all_edges, None);
        match check_graph(&jobs) {
            Ok(()) => prop_assert!(!cyclic, "check_graph accepted a graph with a cycle: {edges:?}"),
            Err(e) => {
                prop_assert!(cyclic, "check_graph refused an acyclic graph: {e} {edges:?}");
                let path = e
                    .message
                    .split_once("jobs form a cycle: ")
                    .map(|(_, p)| p)
                    .ok_or_else(|| TestCaseError::fail(format!("the refusal must name the cycle: {e}")))?;
                let steps: Vec<usize> = path
                    .split(" -> ")
                    .map(|s| s.trim_start_matches('j').parse().unwrap())
                    .collect();
                prop_assert!(steps.len() >= 2 && steps.first() == steps.last(),
                    "a cycle path starts and ends at the same job: {path}");
                for pair in steps.windows(2) {
                    prop_assert!(all_edges(&edges[pair[0]]).contains(&pair[1]),
                        "{} -> {} in the cycle {path} is not an edge of {edges:?}", id(pair[0]), id(pair[1]));
                }
            }
        }
    }

    #[test]
    fn plans_layer_every_needed_job_after_its_dependencies(edges in graph()) {
        let jobs = jobs_of(&edges);
        for root in 0..edges.len() {
            let result = plan(&id(root), &jobs);
            if has_cycle(&edges, depends_on, Some(root)) {
                prop_assert!(result.is_err(), "a dependency cycle under {} must be refused, got {result:?}", id(root));
                continue;
            }
            let levels = result.map_err(|e| TestCaseError::fail(format!("plan({}) of an acyclic graph: {e}", id(root))))?;
            let mut level_of = BTreeMap::new();
            for (l, level) in levels.iter().enumerate() {
                prop_assert!(!level.is_empty(), "level {l} of {} is empty: {levels:?}", id(root));
                for job in level {
                    let i: usize = job.trim_start_matches('j').parse().unwrap();
                    prop_assert!(level_of.insert(i, l).is_none(), "{job} is planned twice: {levels:?}");
                }
            }
            let needed = reachable(&edges, depends_on, root);
            prop_assert_eq!(level_of.keys().copied().collect::<BTreeSet<_>>(), needed,
                "the plan of {} holds exactly it and its transitive dependencies", id(root));
            prop_assert_eq!(levels.last(), Some(&vec![id(root)]), "the root runs last, alone");
            for (&i, &l) in &level_of {
                let deps = &edges[i].0;
                let earliest = deps.iter().map(|d| level_of[d] + 1).max().unwrap_or(0);
                prop_assert_eq!(l, earliest,
                    "{} runs at the first level after all of its dependencies {:?}: {:?}", id(i), deps, levels);
            }
        }
    }

    #[test]
    fn unknown_ids_are_refused_by_name(edges in graph(), kind in 0usize..3, at in any::<prop::sample::Index>()) {
        let mut jobs = jobs_of(&edges);
        let j = at.index(jobs.len());
        let list = match kind {
            0 => &mut jobs[j].depends_on,
            1 => &mut jobs[j].on_success,
            _ => &mut jobs[j].on_failure,
        };
        list.push("ghost".into());
        let err = check_graph(&jobs).expect_err("an unknown id must be refused");
        prop_assert!(err.message.contains("unknown job \"ghost\""), "the refusal names the id: {err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

const NAMES: [&str; 5] = ["a", "b", "c", "", "a b"];

fn template_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{{".to_owned()),
        Just("}}".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("{{a}}".to_owned()),
        Just("{{ b }}".to_owned()),
        Just("{{c}}".to_owned()),
        Just("{{}}".to_owned()),
        Just("{{nope}}".to_owned()),
        "[abc ]{0,3}",
        ".{0,6}",
    ];
    proptest::collection::vec(piece, 0..14).prop_map(|p| p.concat())
}

fn template_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{{a}}".to_owned()),
        Just("{{b}}{{b}}".to_owned()),
        Just("{{".to_owned()),
        Just("}}".to_owned()),
        Just("a".to_owned()),
        ".{0,8}",
    ]
}

fn template_values() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map(
        proptest::sample::select(NAMES.to_vec()).prop_map(str::to_owned),
        template_value(),
        0..NAMES.len(),
    )
}

fn unknown(name: &str) -> ApiError {
    ApiError::invalid(format!("no value for {name:?}"))
}

/// Stands for each value in a skeleton rendering; texts holding it are skipped.
const MARK: char = '\u{10FFFF}';

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn values_are_copied_verbatim_and_never_expanded(text in template_text(), values in template_values()) {
        prop_assume!(!text.contains(MARK));
        let names = placeholders(&text);
        let rendered = render(&text, |n| values.get(n).cloned().ok_or_else(|| unknown(n)));
        match names.iter().find(|n| !values.contains_key(n.as_str())) {
            Some(missing) => prop_assert_eq!(rendered, Err(unknown(missing)),
                "the first unknown name's error is returned unchanged"),
            None => {
                let out = rendered.map_err(|e| TestCaseError::fail(format!("every name is known: {e}")))?;
                let budget = text.len() + names.iter().map(|n| values[n].len()).sum::<usize>();
                prop_assert!(out.len() <= budget, "{} bytes from {text:?} exceed the template plus its values ({budget})", out.len());
                // The same text rendered with a mark for every value shows where values go; put
                // back, the values must give the real output, so none was looked at again.
                let mut calls = 0;
                let skeleton = render(&text, |_| { calls += 1; Ok(MARK.to_string()) }).unwrap();
                prop_assert_eq!(calls, names.len(), "one lookup per placeholder");
                let mut parts = skeleton.split(MARK);
                let mut rebuilt = parts.next().unwrap_or_default().to_owned();
                for (name, part) in names.iter().zip(parts) {
                    rebuilt.push_str(&values[name]);
                    rebuilt.push_str(part);
                }
                prop_assert_eq!(out, rebuilt, "every value appears verbatim where its placeholder was");
            }
        }
    }

    #[test]
    fn text_without_an_opening_pair_is_returned_unchanged(text in any::<String>()) {
        prop_assume!(!text.contains("{{"));
        let out = render(&text, |n| Err(unknown(n)));
        prop_assert_eq!(out, Ok(text.clone()), "nothing to replace, and no lookup");
        prop_assert!(placeholders(&text).is_empty(), "no placeholders in {:?}", text);
    }
}

fn run_with_timeout<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(5)).ok()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn resolving_a_template_with_self_referring_vars_ends(
        x in template_value(), y in template_value(), with_y in any::<bool>(),
    ) {
        let template = json!({
            "id": "t", "name": "t", "template": true,
            "command": "{{x}}/{{y}}", "args": ["{{x}}", "{{ y }}{{x}}"],
        });
        let templates = HashMap::from([("t".to_owned(), template)]);
        let mut vars = BTreeMap::from([("x".to_owned(), x.clone())]);
        if with_y {
            vars.insert("y".into(), y.clone());
        }
        let job = json!({"id": "j", "name": "j", "extends": "t", "vars": vars});
        let result = run_with_timeout(move || resolve_template(job, &templates))
            .ok_or_else(|| TestCaseError::fail("resolve_template did not end within 5 s"))?;
        if with_y {
            let v = result.map_err(|e| TestCaseError::fail(format!("every var has a value: {e}")))?;
            prop_assert_eq!(&v["command"], &Value::String(format!("{x}/{y}")), "values are copied once");
            prop_assert_eq!(&v["args"], &json!([x, format!("{y}{x}")]), "values are copied once");
        } else {
            let err = result.expect_err("an unfilled variable is refused");
            prop_assert!(err.message.contains("{{y}}"), "the refusal names the variable: {}", err);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Retry delays
// ---------------------------------------------------------------------------------------------

fn backoff() -> impl Strategy<Value = Backoff> {
    prop_oneof![
        Just(Backoff::Fixed),
        Just(Backoff::Linear),
        Just(Backoff::Exponential)
    ]
}

fn base_ms() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..10_000, any::<u64>(), Just(u64::MAX), Just(3_600_000)]
}

fn jitter() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.0f64..1.0,
        1 => Just(0.0),
        1 => Just(1.0),
        1 => any::<f64>(),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(-1.0),
    ]
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn job_retry_delays_never_shrink_and_stop_at_an_hour(
        base in base_ms(), kind in backoff(), a in 0u32..300, b in 0u32..300,
    ) {
        let p = ExecutionPolicy { retry_delay_ms: base, backoff: kind, ..ExecutionPolicy::default() };
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(p.retry_delay(lo) <= p.retry_delay(hi),
            "{kind:?} from {base} ms: attempt {lo} waits {} ms, more than attempt {hi} ({} ms)", p.retry_delay(lo), p.retry_delay(hi));
        prop_assert!(p.retry_delay(hi) <= 3_600_000, "capped at an hour");
        prop_assert_eq!(p.retry_delay(2), base.min(3_600_000), "the first retry waits the base delay");
        if kind == Backoff::Fixed {
            prop_assert_eq!(p.retry_delay(hi), base.min(3_600_000), "a fixed delay never grows");
        }
    }

    #[test]
    fn delivery_retry_delays_never_shrink_and_keep_their_jitter_in_bounds(
        base in base_ms(), a in 0u32..300, b in 0u32..300, j in jitter(), k in jitter(),
    ) {
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(retry_delay_ms(base, lo, j) <= retry_delay_ms(base, hi, j),
            "with jitter {j}, attempt {lo} must not wait longer than attempt {hi}");
        let (jl, jh) = if k.partial_cmp(&j) == Some(std::cmp::Ordering::Less) { (k, j) } else { (j, k) };
        if !jl.is_nan() && !jh.is_nan() {
            prop_assert!(retry_delay_ms(base, hi, jl) <= retry_delay_ms(base, hi, jh),
                "more jitter never waits less ({jl} vs {jh})");
        }
        let exp = base
            .saturating_mul(2u64.saturating_pow(hi.saturating_sub(1)))
            .min(MAX_RETRY_DELAY_MS);
        let d = retry_delay_ms(base, hi, j);
        prop_assert!(exp / 2 <= d && d <= exp,
            "attempt {hi} from {base} ms with jitter {j}: {d} ms is outside [{}, {exp}]", exp / 2);
        prop_assert!(d <= MAX_RETRY_DELAY_MS, "capped at MAX_RETRY_DELAY_MS");
    }
}

// ---------------------------------------------------------------------------------------------
// Options to argv
// ---------------------------------------------------------------------------------------------

/// One generated option: its definition, the value a run gives (if any), and the arguments
/// the definition and value must make.
#[derive(Debug, Clone)]
struct Opt {
    def: Value,
    value: Option<Value>,
    expected: Vec<String>,
    /// Values of the wrong type for it.
    wrong: Vec<Value>,
}

fn with_flag(flag: &Option<String>, v: String) -> Vec<String> {
    flag.iter().cloned().chain([v]).collect()
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,12}",
        Just(String::new()),
        Just("a b".to_owned()),
        Just("\"quoted\" & more".to_owned()),
        Just("--flag".to_owned()),
        any::<String>(),
    ]
}

fn flag() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![Just("--x".to_owned()), text()])
}

fn option() -> impl Strategy<Value = Opt> {
    let boolean = (
        flag(),
        any::<bool>(),
        proptest::option::of(any::<bool>()),
        any::<bool>(),
    )
        .prop_map(|(flag, v, default, set)| {
            let used = if set { Some(v) } else { default };
            Opt {
                def: json!({"type": "boolean", "flag": flag, "default": default}),
                value: set.then_some(json!(v)),
                expected: if used == Some(true) {
                    flag.iter().cloned().collect()
                } else {
                    Vec::new()
                },
                wrong: vec![json!("true"), json!(1), Value::Null, json!([true])],
            }
        });
    let string = (
        flag(),
        text(),
        any::<i64>(),
        any::<bool>(),
        proptest::option::of(text()),
        any::<bool>(),
    )
        .prop_map(|(flag, s, n, number, default, set)| {
            let (value, shown) = if number {
                (json!(n), n.to_string())
            } else {
                (json!(s), s)
            };
            let used = if set { Some(shown) } else { default.clone() };
            Opt {
                def: json!({"type": "string", "flag": flag, "default": default}),
                value: set.then_some(value),
                expected: match used {
                    Some(u) if !u.is_empty() => with_flag(&flag, u),
                    _ => Vec::new(),
                },
                wrong: vec![json!(true), Value::Null, json!(["a"]), json!({"a": 1})],
            }
        });
    let select = (
        flag(),
        proptest::collection::vec(text(), 1..4),
        any::<prop::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(|(flag, choices, i, set)| {
            let choice = choices[i.index(choices.len())].clone();
            let outside = format!("{}-not-a-choice", choices.concat());
            Opt {
                def: json!({"type": "select", "flag": flag, "choices": choices}),
                value: set.then(|| json!(choice)),
                expected: if set {
                    with_flag(&flag, choice)
                } else {
                    Vec::new()
                },
                wrong: vec![json!(outside), json!(1), json!(true), Value::Null],
            }
        });
    let array = (
        flag(),
        proptest::collection::vec(text(), 0..4),
        any::<bool>(),
    )
        .prop_map(|(flag, items, set)| Opt {
            def: json!({"type": "array", "flag": flag}),
            value: set.then(|| json!(items)),
            expected: if set {
                items
                    .iter()
                    .flat_map(|s| with_flag(&flag, s.clone()))
                    .collect()
            } else {
                Vec::new()
            },
            wrong: vec![json!("a"), json!(1), json!(["a", 1]), json!([null])],
        });
    prop_oneof![boolean, string, select, array]
}

/// A valid job with these args (NUL, which a job refuses, dropped) and options `o0`, `o1`...
fn job_with(args: &[String], opts: &[Opt]) -> Job {
    let args: Vec<String> = args.iter().map(|a| a.replace('\0', "")).collect();
    let options: Vec<Value> = opts
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let mut d = o.def.clone();
            d["name"] = json!(format!("o{i}"));
            d
        })
        .collect();
    let job: Job = serde_json::from_value(json!({
        "id": "j", "name": "j", "command": "x", "args": args, "options": options,
    }))
    .unwrap();
    job.validate().unwrap()
}

fn cmd_text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        3 => proptest::char::range('a', 'z'),
        1 => proptest::sample::select(CMD_METACHARACTERS.to_vec()),
        1 => any::<char>(),
    ];
    proptest::collection::vec(c, 0..8).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn option_values_become_arguments_byte_for_byte_in_option_order(
        args in proptest::collection::vec(text(), 0..3),
        opts in proptest::collection::vec(option(), 0..6),
    ) {
        let args: Vec<String> = args.iter().map(|a| a.replace('\0', "")).collect();
        let job = job_with(&args, &opts);
        let values: BTreeMap<String, Value> = opts
            .iter()
            .enumerate()
            .filter_map(|(i, o)| Some((format!("o{i}"), o.value.clone()?)))
            .collect();
        let expected: Vec<String> = args.iter().cloned().chain(opts.iter().flat_map(|o| o.expected.clone())).collect();
        let argv = job.argv(&values).map_err(|e| TestCaseError::fail(format!("values of the right types: {e}")))?;
        prop_assert_eq!(argv, expected, "the job's args, then each option's flag and value in option order");
    }

    #[test]
    fn wrong_types_and_unknown_names_are_refused(
        opts in proptest::collection::vec(option(), 1..6),
        at in any::<prop::sample::Index>(),
        which in any::<prop::sample::Index>(),
    ) {
        let job = job_with(&[], &opts);
        let i = at.index(opts.len());
        let wrong = &opts[i].wrong[which.index(opts[i].wrong.len())];
        let name = format!("o{i}");
        let values = BTreeMap::from([(name.clone(), wrong.clone())]);
        let err = job.argv(&values).expect_err("a value of the wrong type must be refused");
        prop_assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err);
        prop_assert!(err.message.contains(&format!("{name:?}")), "the refusal names the option: {err}");
        let values = BTreeMap::from([("zz".to_owned(), json!("x"))]);
        let err = job.argv(&values).expect_err("an unknown option must be refused");
        prop_assert!(err.message.contains("\"zz\""), "the refusal names the option: {err}");
    }

    #[test]
    fn cmd_safety_refuses_exactly_values_with_a_metacharacter(
        args in proptest::collection::vec(cmd_text(), 0..3),
        values in proptest::collection::vec(cmd_text(), 0..4),
    ) {
        let args: Vec<String> = args.iter().map(|a| a.replace('\0', "")).collect();
        let job = job_with(&args, &[]);
        let argv: Vec<String> = args.iter().chain(&values).cloned().collect();
        let unsafe_value = values.iter().any(|v| v.contains(CMD_METACHARACTERS));
        let result = job.check_cmd_safe(&argv);
        prop_assert_eq!(result.is_err(), unsafe_value,
            "values {:?} (after the trusted args {:?}) must be refused iff one holds a metacharacter: {:?}", values, args, result);
    }
}
