//! The scheduler: sleeps until the next cron fire of any enabled job, starts those runs, and
//! recomputes when jobs change. Time comes from a [`Clock`], so tests drive it by hand.

use std::collections::{BTreeMap, HashMap};
use vigil_core::sync::lock;

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use vigil_core::{JobId, Missed, Trigger};

use super::RunRequest;
use crate::Engine;

/// How early the scheduler wakes before a fire: the run is recorded and its slot taken by the
/// instant, and only the process start waits for it (measured: p50 3 ms late without, see
/// docs/BENCHMARKS.md for with).
const LEAD: chrono::Duration = chrono::Duration::milliseconds(50);

/// Runs until the engine stops.
pub(crate) async fn run(
    engine: Engine,
    mut changed: watch::Receiver<u64>,
    mut stop: watch::Receiver<bool>,
) {
    let clock = engine.config().clock.clone();
    // The last instant each job fired for: a job is never fired twice for one instant.
    let mut fired: HashMap<JobId, DateTime<Utc>> = HashMap::new();
    catch_up(&engine, clock.now()).await;
    loop {
        let jobs = engine.jobs().all();
        let origins = lock(&engine.jobs().scheduled_from).clone();
        let mut due: BTreeMap<DateTime<Utc>, Vec<JobId>> = BTreeMap::new();
        for job in jobs
            .iter()
            .filter(|j| j.enabled && !j.template && j.schedule.is_some())
        {
            let from = match (fired.get(&job.id).copied(), origins.get(&job.id).copied()) {
                (Some(f), Some(o)) => f.max(o),
                (f, o) => f.or(o).unwrap_or_else(|| clock.now()),
            };
            if let Some(next) = job.next_fires(from, 1).first() {
                due.entry(*next).or_default().push(job.id.clone());
            }
        }
        let next = due.into_iter().next();
        let sleep = match &next {
            Some((at, _)) => clock.sleep_until(*at - LEAD),
            None => Box::pin(std::future::pending()),
        };
        tokio::select! {
            () = sleep => {
                if let Some((at, ids)) = next {
                    let now = clock.now();
                    // Paused schedules skip their fires (they are not made up on resume).
                    let paused = engine.settings().schedules_paused;
                    for id in ids {
                        // Every instant up to now counts as handled: a PC that slept through
                        // a hundred fires (or a clock that jumped) never fires them back to back.
                        fired.insert(id.clone(), at.max(now));
                        if paused {
                            tracing::info!(job = %id, "schedules are paused; a fire was skipped");
                            continue;
                        }
                        match lateness(at, now) {
                            Lateness::OnTime => fire(&engine, id, Some(at)),
                            Lateness::Missed => {
                                let missed = jobs.iter().find(|j| j.id == id).map(|j| j.missed);
                                if missed == Some(Missed::RunOnce) {
                                    fire(&engine, id, None);
                                } else {
                                    tracing::info!(job = %id, late_ms = (now - at).num_milliseconds(),
                                        "a fire was missed (the PC slept or the clock jumped); skipped");
                                }
                            }
                        }
                    }
                }
            }
            _ = changed.changed() => {}
            _ = stop.changed() => return,
        }
    }
}

/// A fire later than this is missed (the PC slept, the clock jumped forward), and the job's
/// `missed` policy decides whether it runs once or not at all. Below it, the fire runs at once.
const MISSED_AFTER: chrono::Duration = chrono::Duration::seconds(60);

/// Whether a fire woken for at `now` is still on time.
#[derive(Debug, PartialEq, Eq)]
enum Lateness {
    OnTime,
    Missed,
}

fn lateness(at: DateTime<Utc>, now: DateTime<Utc>) -> Lateness {
    if now - at > MISSED_AFTER {
        Lateness::Missed
    } else {
        Lateness::OnTime
    }
}

fn fire(engine: &Engine, job_id: JobId, at: Option<DateTime<Utc>>) {
    let engine = engine.clone();
    tokio::spawn(async move {
        let req = RunRequest {
            job_id,
            options: BTreeMap::new(),
            trigger: Trigger::Schedule,
            not_before: at,
        };
        if let Err(e) = super::start(&engine, req).await {
            tracing::warn!(error = %e, "a scheduled run could not start");
        }
    });
}

/// Fires missed while Vigil was away: jobs that say `missed: run_once` and whose schedule had
/// a fire between their last scheduled run and now get one run.
async fn catch_up(engine: &Engine, now: DateTime<Utc>) {
    if engine.settings().schedules_paused {
        return;
    }
    // Fires skipped during a pause are not made up: count from the last resume at the earliest.
    let resumed: i64 = engine
        .read(|c| vigil_store::get_setting(c, crate::settings::RESUMED_KEY))
        .await
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for job in engine.jobs().all() {
        if !job.enabled || job.template || job.missed != Missed::RunOnce || job.schedule.is_none() {
            continue;
        }
        let id = job.id.clone();
        let Ok(Some(last)) = engine
            .read(move |c| vigil_store::last_scheduled(c, &id))
            .await
        else {
            continue;
        };
        let missed = job
            .next_fires(vigil_core::utc_ms(last.max(resumed)), 1)
            .first()
            .is_some_and(|next| *next < now);
        if missed {
            fire(engine, job.id.clone(), None);
        }
    }
}
