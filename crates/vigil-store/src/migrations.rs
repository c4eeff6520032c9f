use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use crate::StoreError;

/// Forward-only schema steps. Never edit a released step: add a new one.
const STEPS: &[&str] = &[
    // 1: programs and the event log.
    "CREATE TABLE programs (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
        path       TEXT NOT NULL,
        args       TEXT NOT NULL,
        cwd        TEXT,
        env        TEXT NOT NULL,
        created_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE events (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        ts         INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        program_id INTEGER,
        message    TEXT NOT NULL
    ) STRICT;
    CREATE INDEX events_program ON events (program_id, id) WHERE program_id IS NOT NULL;",
    // 2: supervision options, event details, and the sample history. Samples are keyed by
    // (program, time) in WITHOUT ROWID tables so a range read for one program is one b-tree
    // walk; values are small integers (CPU in permille of one core, memory in KiB) so a row
    // stays near 20 bytes.
    "ALTER TABLE programs ADD COLUMN options TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE events ADD COLUMN detail TEXT;
    CREATE TABLE samples (
        program_id INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
        ts         INTEGER NOT NULL,
        cpu        INTEGER NOT NULL,
        mem        INTEGER NOT NULL,
        PRIMARY KEY (program_id, ts)
    ) WITHOUT ROWID, STRICT;
    CREATE TABLE samples_minute (
        program_id INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
        ts         INTEGER NOT NULL,
        n          INTEGER NOT NULL,
        cpu_min    INTEGER NOT NULL,
        cpu_sum    INTEGER NOT NULL,
        cpu_max    INTEGER NOT NULL,
        mem_min    INTEGER NOT NULL,
        mem_sum    INTEGER NOT NULL,
        mem_max    INTEGER NOT NULL,
        PRIMARY KEY (program_id, ts)
    ) WITHOUT ROWID, STRICT;
    CREATE TABLE samples_hour (
        program_id INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
        ts         INTEGER NOT NULL,
        n          INTEGER NOT NULL,
        cpu_min    INTEGER NOT NULL,
        cpu_sum    INTEGER NOT NULL,
        cpu_max    INTEGER NOT NULL,
        mem_min    INTEGER NOT NULL,
        mem_sum    INTEGER NOT NULL,
        mem_max    INTEGER NOT NULL,
        PRIMARY KEY (program_id, ts)
    ) WITHOUT ROWID, STRICT;",
    // 3: jobs and their runs. A job's definition is one JSON document (its shape is owned by
    // vigil-core and versioned by serde defaults); runs are columns because they are queried.
    // Runs keep their job id as text, not a foreign key: history outlives a deleted job.
    "CREATE TABLE jobs (
        id         TEXT PRIMARY KEY,
        spec       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE runs (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id     TEXT NOT NULL,
        trigger    TEXT NOT NULL,
        status     TEXT NOT NULL,
        attempt    INTEGER NOT NULL,
        options    TEXT NOT NULL,
        argv       TEXT NOT NULL,
        queued_at  INTEGER NOT NULL,
        started_at INTEGER,
        ended_at   INTEGER,
        exit_code  INTEGER,
        pid        INTEGER,
        pid_start  INTEGER,
        error      TEXT
    ) STRICT;
    CREATE INDEX runs_job ON runs (job_id, id);
    CREATE INDEX runs_open ON runs (status) WHERE status IN ('queued', 'running');
    ALTER TABLE events ADD COLUMN job_id TEXT;",
    // 4: telling people. Endpoints and rules are JSON documents like jobs. Deliveries are the
    // transactional outbox: a row is written in the same transaction as the event it tells, and
    // waits here (not in memory) until it is delivered or dead-lettered. `fold_key` groups
    // repeats of one event for one rule and channel; `lead_at` is when the folding window of
    // the group began. `round_tries` counts attempts since the last replay, `attempts` all.
    "CREATE TABLE endpoints (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
        spec       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE rules (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        spec       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE deliveries (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id        INTEGER NOT NULL,
        rule_id         INTEGER,
        endpoint_id     INTEGER,
        channel         TEXT NOT NULL,
        status          TEXT NOT NULL,
        fold_key        TEXT NOT NULL,
        lead_at         INTEGER NOT NULL,
        folded          INTEGER NOT NULL,
        count           INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        round_tries     INTEGER NOT NULL DEFAULT 0,
        next_at         INTEGER NOT NULL,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        idempotency_key TEXT NOT NULL,
        summary         TEXT NOT NULL,
        body            TEXT NOT NULL,
        last_error      TEXT
    ) STRICT;
    CREATE INDEX deliveries_due ON deliveries (next_at, id) WHERE status = 'pending';
    CREATE INDEX deliveries_fold ON deliveries (fold_key, id);
    CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);
    CREATE INDEX deliveries_status ON deliveries (status, id);
    CREATE TABLE attempts (
        delivery_id INTEGER NOT NULL,
        n           INTEGER NOT NULL,
        ts          INTEGER NOT NULL,
        status_code INTEGER,
        error       TEXT,
        latency_ms  INTEGER NOT NULL,
        PRIMARY KEY (delivery_id, n)
    ) WITHOUT ROWID, STRICT;
    CREATE TABLE triggers (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id       TEXT NOT NULL,
        name         TEXT NOT NULL,
        kind         TEXT NOT NULL,
        secret       TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        last_used_at INTEGER
    ) STRICT;
    CREATE INDEX triggers_job ON triggers (job_id);",
    // 5: the identity (pid + start time) of each launched program's process while it runs, so
    // a Vigil that crashed can find and end what it left running before it launches again.
    "CREATE TABLE launched (
        program_id INTEGER PRIMARY KEY,
        pid        INTEGER NOT NULL,
        pid_start  INTEGER NOT NULL,
        at         INTEGER NOT NULL
    ) STRICT;",
    // 6: settings documents by key (the engine's settings, first-run marks).
    "CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;",
    // 7: an attempt that a retry followed is marked, so counts and notifications see one run
    // per logical run (its final attempt), not one per attempt.
    "ALTER TABLE runs ADD COLUMN retried INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX runs_job_final ON runs (job_id, id) WHERE retried = 0;",
    // 8: plugins: checks and actions (JSON documents, like rules), the check invocation log,
    // the metrics checks report (raw, per-minute and per-hour, keyed like the samples), and
    // the action log. A check goes with its program.
    "CREATE TABLE checks (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
        program_id INTEGER REFERENCES programs (id) ON DELETE CASCADE,
        spec       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX checks_program ON checks (program_id) WHERE program_id IS NOT NULL;
    CREATE TABLE check_results (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        check_id    INTEGER NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
        ts          INTEGER NOT NULL,
        status      TEXT NOT NULL,
        message     TEXT NOT NULL,
        error       TEXT,
        duration_ms INTEGER NOT NULL,
        attempts    INTEGER NOT NULL,
        metrics     TEXT NOT NULL
    ) STRICT;
    CREATE INDEX check_results_check ON check_results (check_id, id);
    CREATE TABLE metric_series (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        check_id INTEGER NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
        label    TEXT NOT NULL,
        unit     TEXT NOT NULL,
        UNIQUE (check_id, label)
    ) STRICT;
    CREATE TABLE metrics (
        series_id INTEGER NOT NULL REFERENCES metric_series (id) ON DELETE CASCADE,
        ts        INTEGER NOT NULL,
        value     REAL NOT NULL,
        PRIMARY KEY (series_id, ts)
    ) WITHOUT ROWID, STRICT;
    CREATE TABLE metrics_minute (
        series_id INTEGER NOT NULL REFERENCES metric_series (id) ON DELETE CASCADE,
        ts        INTEGER NOT NULL,
        n         INTEGER NOT NULL,
        vmin      REAL NOT NULL,
        vsum      REAL NOT NULL,
        vmax      REAL NOT NULL,
        PRIMARY KEY (series_id, ts)
    ) WITHOUT ROWID, STRICT;
    CREATE TABLE metrics_hour (
        series_id INTEGER NOT NULL REFERENCES metric_series (id) ON DELETE CASCADE,
        ts        INTEGER NOT NULL,
        n         INTEGER NOT NULL,
        vmin      REAL NOT NULL,
        vsum      REAL NOT NULL,
        vmax      REAL NOT NULL,
        PRIMARY KEY (series_id, ts)
    ) WITHOUT ROWID, STRICT;
    CREATE TABLE actions (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
        spec       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE action_runs (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        action_id   INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
        event_id    INTEGER,
        ts          INTEGER NOT NULL,
        ok          INTEGER NOT NULL,
        message     TEXT NOT NULL,
        duration_ms INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX action_runs_action ON action_runs (action_id, id);",
];

/// The schema version this binary writes (SQLite's `user_version`).
pub const SCHEMA_VERSION: i64 = STEPS.len() as i64;

/// Brings the database to [`SCHEMA_VERSION`]. All pending steps run in one transaction, so a
/// failure leaves the file exactly as it was. A database from a newer binary is refused before
/// anything is written.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_with(conn, STEPS)
}

fn migrate_with(conn: &mut Connection, steps: &[&'static str]) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let supported = steps.len() as i64;
    if found > supported {
        return Err(StoreError::TooNew { found, supported });
    }
    let migrations = Migrations::new(steps.iter().map(|s| M::up(s)).collect());
    migrations.to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_failing_step_leaves_the_database_untouched() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_with(&mut conn, &STEPS[..1]).unwrap();
        let steps = [
            STEPS[0],
            "CREATE TABLE extra (x INTEGER);",
            "THIS IS NOT SQL;",
        ];
        let err = migrate_with(&mut conn, &steps).expect_err("a broken step must fail");
        assert!(matches!(err, StoreError::Migration(_)), "{err}");
        assert_eq!(version(&conn), 1, "the version must not move on failure");
        migrate(&mut conn).unwrap();
        assert_eq!(
            version(&conn),
            SCHEMA_VERSION,
            "the real steps apply on top of step 1"
        );
        let extra: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'extra'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            extra, 0,
            "the good step before the broken one must be rolled back too"
        );
    }

    #[test]
    fn newer_schema_is_refused_without_writing() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 3)
            .unwrap();
        let err = migrate(&mut conn).expect_err("a newer database must be refused");
        assert!(
            matches!(err, StoreError::TooNew { found, supported } if found == SCHEMA_VERSION + 3 && supported == SCHEMA_VERSION),
            "{err}"
        );
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 0, "nothing may be created in a database we refused");
    }
}
