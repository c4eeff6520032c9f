//! The sample history: raw samples and per-minute / per-hour rollups.
//!
//! Rollups are written as partial aggregates (count, min, sum, max) and merged by upsert, so a
//! flush of any batch of raw samples keeps every resolution consistent with what is stored.

use rusqlite::{Connection, OptionalExtension, params};
use vigil_core::ProgramId;

use crate::{StoreError, Tx};

/// One measurement of one program: CPU in permille of one core (1000 = one core busy), resident
/// memory in KiB, at a unix second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// The program measured.
    pub program_id: ProgramId,
    /// Unix seconds.
    pub ts: i64,
    /// CPU, permille of one core.
    pub cpu: i64,
    /// Resident memory, KiB.
    pub mem: i64,
}

/// An aggregate of samples over one bucket (a minute or an hour starting at `ts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rollup {
    /// The program.
    pub program_id: ProgramId,
    /// Bucket start, unix seconds.
    pub ts: i64,
    /// Samples aggregated.
    pub n: i64,
    /// Lowest CPU.
    pub cpu_min: i64,
    /// Sum of CPU (average = sum / n).
    pub cpu_sum: i64,
    /// Highest CPU.
    pub cpu_max: i64,
    /// Lowest memory.
    pub mem_min: i64,
    /// Sum of memory.
    pub mem_sum: i64,
    /// Highest memory.
    pub mem_max: i64,
}

impl Rollup {
    /// A rollup of one sample into the bucket of width `secs`.
    pub fn of(s: &Sample, secs: i64) -> Self {
        Self {
            program_id: s.program_id,
            ts: s.ts - s.ts.rem_euclid(secs),
            n: 1,
            cpu_min: s.cpu,
            cpu_sum: s.cpu,
            cpu_max: s.cpu,
            mem_min: s.mem,
            mem_sum: s.mem,
            mem_max: s.mem,
        }
    }

    /// Folds another partial aggregate of the same bucket into this one.
    pub fn merge(&mut self, o: &Rollup) {
        self.n += o.n;
        self.cpu_min = self.cpu_min.min(o.cpu_min);
        self.cpu_sum += o.cpu_sum;
        self.cpu_max = self.cpu_max.max(o.cpu_max);
        self.mem_min = self.mem_min.min(o.mem_min);
        self.mem_sum += o.mem_sum;
        self.mem_max = self.mem_max.max(o.mem_max);
    }
}

/// Which table a rollup lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Per-minute rollups.
    Minute,
    /// Per-hour rollups.
    Hour,
}

impl Resolution {
    /// Bucket width in seconds.
    pub fn secs(self) -> i64 {
        match self {
            Self::Minute => 60,
            Self::Hour => 3600,
        }
    }

    fn table(self) -> &'static str {
        match self {
            Self::Minute => "samples_minute",
            Self::Hour => "samples_hour",
        }
    }
}

/// Writes raw samples and merges their rollups, in the caller's transaction. Samples of a
/// program that was removed meanwhile are skipped rather than failing the batch.
pub fn insert_samples(tx: &mut Tx<'_>, samples: &[Sample]) -> Result<usize, StoreError> {
    let conn = tx.conn();
    // Samples of a program removed since its sweep are dropped. The registered ids are read
    // once per batch: a per-row `WHERE EXISTS` subquery made each insert about 3x dearer.
    let registered: std::collections::HashSet<ProgramId> = conn
        .prepare_cached("SELECT id FROM programs")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let samples: Vec<&Sample> = samples
        .iter()
        .filter(|s| registered.contains(&s.program_id))
        .collect();
    let mut raw = conn.prepare_cached(
        "INSERT INTO samples (program_id, ts, cpu, mem) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (program_id, ts) DO UPDATE SET cpu = excluded.cpu, mem = excluded.mem",
    )?;
    let mut written = 0;
    for s in &samples {
        written += raw.execute(params![s.program_id, s.ts, s.cpu, s.mem])?;
    }
    for res in [Resolution::Minute, Resolution::Hour] {
        // Keyed, not searched: a large batch (a flush after a lag) stays linear.
        let mut merged: std::collections::BTreeMap<(ProgramId, i64), Rollup> =
            std::collections::BTreeMap::new();
        for s in &samples {
            let r = Rollup::of(s, res.secs());
            match merged.entry((r.program_id, r.ts)) {
                std::collections::btree_map::Entry::Occupied(mut m) => m.get_mut().merge(&r),
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(r);
                }
            }
        }
        let merged: Vec<Rollup> = merged.into_values().collect();
        upsert_rollups(conn, res, &merged)?;
    }
    Ok(written)
}

fn upsert_rollups(
    conn: &Connection,
    res: Resolution,
    rollups: &[Rollup],
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO {t} (program_id, ts, n, cpu_min, cpu_sum, cpu_max, mem_min, mem_sum, mem_max)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (program_id, ts) DO UPDATE SET
            n = n + excluded.n,
            cpu_min = min(cpu_min, excluded.cpu_min),
            cpu_sum = cpu_sum + excluded.cpu_sum,
            cpu_max = max(cpu_max, excluded.cpu_max),
            mem_min = min(mem_min, excluded.mem_min),
            mem_sum = mem_sum + excluded.mem_sum,
            mem_max = max(mem_max, excluded.mem_max)",
        t = res.table()
    ))?;
    for r in rollups {
        stmt.execute(params![
            r.program_id,
            r.ts,
            r.n,
            r.cpu_min,
            r.cpu_sum,
            r.cpu_max,
            r.mem_min,
            r.mem_sum,
            r.mem_max
        ])?;
    }
    Ok(())
}

/// Streams raw samples of one program in `[from, to)` (unix seconds), oldest first, without
/// collecting them.
pub fn for_each_sample(
    conn: &Connection,
    program_id: ProgramId,
    from: i64,
    to: i64,
    mut f: impl FnMut(Sample),
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT ts, cpu, mem FROM samples WHERE program_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts",
    )?;
    let mut rows = stmt.query(params![program_id, from, to])?;
    while let Some(row) = rows.next()? {
        f(Sample {
            program_id,
            ts: row.get(0)?,
            cpu: row.get(1)?,
            mem: row.get(2)?,
        });
    }
    Ok(())
}

/// Streams rollups of one program in `[from, to)`, oldest first.
pub fn for_each_rollup(
    conn: &Connection,
    res: Resolution,
    program_id: ProgramId,
    from: i64,
    to: i64,
    mut f: impl FnMut(Rollup),
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT ts, n, cpu_min, cpu_sum, cpu_max, mem_min, mem_sum, mem_max FROM {}
         WHERE program_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts",
        res.table()
    ))?;
    let mut rows = stmt.query(params![program_id, from, to])?;
    while let Some(row) = rows.next()? {
        f(Rollup {
            program_id,
            ts: row.get(0)?,
            n: row.get(1)?,
            cpu_min: row.get(2)?,
            cpu_sum: row.get(3)?,
            cpu_max: row.get(4)?,
            mem_min: row.get(5)?,
            mem_sum: row.get(6)?,
            mem_max: row.get(7)?,
        });
    }
    Ok(())
}

/// How long each resolution is kept, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Raw samples.
    pub raw_secs: i64,
    /// Per-minute rollups.
    pub minute_secs: i64,
    /// Per-hour rollups.
    pub hour_secs: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            raw_secs: 2 * 86_400,
            minute_secs: 30 * 86_400,
            hour_secs: 400 * 86_400,
        }
    }
}

/// Most samples one [`prune`] call deletes per program and table.
pub const PRUNE_SAMPLES: i64 = 20_000;

/// Deletes history older than the retention allows at `now` (unix seconds); returns rows
/// removed. Bounded: at most [`PRUNE_SAMPLES`] per program and table per call (after a weekend
/// away there may be millions due), so callers repeat it in separate writes until it returns 0
/// and other writes go in between.
///
/// Deletes go program by program through the `(program_id, ts)` key: each is a range at the
/// start of that program's b-tree, never a scan of the whole table (a `ts < ?` over the table
/// read every row, about a second per prune at 8 million samples).
pub fn prune(tx: &mut Tx<'_>, retention: Retention, now: i64) -> Result<usize, StoreError> {
    let conn = tx.conn();
    let programs: Vec<i64> = conn
        .prepare_cached("SELECT id FROM programs")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut removed = 0;
    for (table, keep) in [
        ("samples", retention.raw_secs),
        ("samples_minute", retention.minute_secs),
        ("samples_hour", retention.hour_secs),
    ] {
        // The bound: the timestamp of the first row past the batch, if the batch is full.
        let mut bound = conn.prepare_cached(&format!(
            "SELECT ts FROM {table} WHERE program_id = ?1 AND ts < ?2 ORDER BY ts LIMIT 1 OFFSET ?3"
        ))?;
        let mut delete = conn.prepare_cached(&format!(
            "DELETE FROM {table} WHERE program_id = ?1 AND ts < ?2"
        ))?;
        for id in &programs {
            let cutoff = now - keep;
            let upto: i64 = bound
                .query_row(params![id, cutoff, PRUNE_SAMPLES], |r| r.get(0))
                .optional()?
                .unwrap_or(cutoff);
            removed += delete.execute(params![id, upto])?;
        }
    }
    Ok(removed)
}
