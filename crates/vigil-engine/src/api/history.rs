use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use ts_rs::TS;
use vigil_core::{ApiError, ProgramId};
use vigil_store::{Resolution, Rollup, Sample};

use crate::{Engine, Request};

/// Most buckets one chart query returns.
pub const MAX_POINTS: u32 = 2_000;

/// Longest range one query may cover, in days.
pub const MAX_RANGE_DAYS: i64 = 400;

/// Ranges up to this many seconds read raw samples; up to [`MINUTE_UP_TO`] per-minute
/// rollups; anything longer per-hour rollups. A 30-day chart thus reads 720 rows, not 2.6 M.
const RAW_UP_TO: i64 = 6 * 3600;
const MINUTE_UP_TO: i64 = 8 * 86_400;

/// One chart bucket: min / average / max of CPU and memory over `[ts, ts + width)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SampleBucket {
    /// Bucket start, unix milliseconds.
    #[ts(type = "number")]
    pub ts: i64,
    /// Lowest CPU, percent of one core.
    pub cpu_min: f64,
    /// Average CPU.
    pub cpu_avg: f64,
    /// Highest CPU.
    pub cpu_max: f64,
    /// Lowest resident memory, bytes.
    #[ts(type = "number")]
    pub mem_min: u64,
    /// Average memory.
    #[ts(type = "number")]
    pub mem_avg: u64,
    /// Highest memory.
    #[ts(type = "number")]
    pub mem_max: u64,
}

/// CPU and memory history of one program in at most `points` buckets, read from the
/// resolution that fits the range.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetSamples {
    /// The program.
    #[ts(type = "number")]
    pub id: ProgramId,
    /// Range start, unix milliseconds.
    #[ts(type = "number")]
    pub from: i64,
    /// Range end (exclusive), unix milliseconds.
    #[ts(type = "number")]
    pub to: i64,
    /// Most buckets wanted (default 500).
    #[serde(default)]
    #[ts(optional)]
    pub points: Option<u32>,
}

/// Buckets rows while they stream: memory is one accumulator per point, whatever the range.
struct Bucketer {
    from: i64,
    width: i64,
    acc: Vec<Option<Rollup>>,
}

impl Bucketer {
    fn new(from: i64, to: i64, points: u32, min_width: i64) -> Self {
        let span = to - from;
        let width = ((span + i64::from(points) - 1) / i64::from(points))
            .max(min_width)
            .max(1);
        let n = usize::try_from((span + width - 1) / width).unwrap_or(0);
        Self {
            from,
            width,
            acc: vec![None; n],
        }
    }

    fn add(&mut self, r: &Rollup) {
        let i = (r.ts - self.from).div_euclid(self.width);
        if let Some(acc) = usize::try_from(i).ok().and_then(|i| self.acc.get_mut(i)) {
            match acc {
                Some(a) => a.merge(r),
                None => *acc = Some(*r),
            }
        }
    }

    fn finish(self) -> Vec<SampleBucket> {
        let (from, width) = (self.from, self.width);
        self.acc
            .into_iter()
            .enumerate()
            .filter_map(|(i, a)| Some((i, a?)))
            .map(|(i, a)| SampleBucket {
                ts: (from + i as i64 * width) * 1000,
                cpu_min: a.cpu_min as f64 / 10.0,
                cpu_avg: a.cpu_sum as f64 / a.n as f64 / 10.0,
                cpu_max: a.cpu_max as f64 / 10.0,
                mem_min: u64::try_from(a.mem_min).unwrap_or(0) * 1024,
                mem_avg: u64::try_from(a.mem_sum / a.n).unwrap_or(0) * 1024,
                mem_max: u64::try_from(a.mem_max).unwrap_or(0) * 1024,
            })
            .collect()
    }
}

fn resolution_for(span_secs: i64) -> Option<Resolution> {
    if span_secs <= RAW_UP_TO {
        None
    } else if span_secs <= MINUTE_UP_TO {
        Some(Resolution::Minute)
    } else {
        Some(Resolution::Hour)
    }
}

fn check_range(from: i64, to: i64) -> Result<(), ApiError> {
    if from >= to {
        return Err(ApiError::invalid("from must be before to"));
    }
    if to - from > MAX_RANGE_DAYS * 86_400_000 {
        return Err(ApiError::invalid(format!(
            "a range may cover at most {MAX_RANGE_DAYS} days"
        )));
    }
    Ok(())
}

impl Request for GetSamples {
    type Response = Vec<SampleBucket>;

    async fn handle(self, engine: &Engine) -> Result<Vec<SampleBucket>, ApiError> {
        engine
            .program(self.id)
            .ok_or_else(|| ApiError::not_found(format!("no program with id {}", self.id)))?;
        check_range(self.from, self.to)?;
        let points = match self.points {
            None => 500,
            Some(0) => return Err(ApiError::invalid("points must be at least 1")),
            Some(p) if p > MAX_POINTS => {
                return Err(ApiError::invalid(format!(
                    "points must be at most {MAX_POINTS}"
                )));
            }
            Some(p) => p,
        };
        let (from, to) = (self.from.div_euclid(1000), (self.to + 999).div_euclid(1000));
        let res = resolution_for(to - from);
        let min_width = res.map_or(1, Resolution::secs);
        let id = self.id;
        // Samples not flushed yet are served from memory, so a live chart has no gap.
        let recent = engine.statuses().get(id, usize::MAX).recent;
        let mut b = engine
            .read(move |c| {
                let mut b = Bucketer::new(from, to, points, min_width);
                let mut newest = i64::MIN;
                match res {
                    None => vigil_store::for_each_sample(c, id, from, to, |s| {
                        newest = newest.max(s.ts);
                        b.add(&Rollup::of(&s, 1));
                    })?,
                    Some(r) => vigil_store::for_each_rollup(c, r, id, from, to, |r| {
                        newest = newest.max(r.ts);
                        b.add(&r);
                    })?,
                }
                Ok((b, newest))
            })
            .await?;
        let newest = b.1;
        for (ms, cpu, mem) in recent {
            let ts = ms.div_euclid(1000);
            if ts > newest && ts >= from && ts < to {
                let s = Sample {
                    program_id: id,
                    ts,
                    cpu: (cpu * 10.0).round() as i64,
                    mem: i64::try_from(mem / 1024).unwrap_or(i64::MAX),
                };
                b.0.add(&Rollup::of(&s, 1));
            }
        }
        Ok(b.0.finish())
    }
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// Raw samples (or rollups for ranges beyond raw retention, see `resolution`).
    Samples,
    /// Events.
    Events,
}

/// How to write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// A streaming export of one program's history. Rows are read and written in chunks; the
/// whole range is never in memory.
#[derive(Debug, Clone, Deserialize)]
pub struct ExportRequest {
    /// The program.
    pub id: ProgramId,
    /// Samples or events.
    pub kind: ExportKind,
    /// CSV or JSON Lines.
    pub format: ExportFormat,
    /// Range start, unix milliseconds.
    pub from: i64,
    /// Range end (exclusive), unix milliseconds.
    pub to: i64,
}

/// Bytes per chunk handed to the writer of the response.
const EXPORT_CHUNK: usize = 64 * 1024;

impl Engine {
    /// Starts an export; chunks of text arrive on the returned channel until the range is
    /// done. A slow reader slows the export down (the channel is small), never the engine.
    pub async fn export(
        &self,
        req: ExportRequest,
    ) -> Result<mpsc::Receiver<Result<String, ApiError>>, ApiError> {
        self.program(req.id)
            .ok_or_else(|| ApiError::not_found(format!("no program with id {}", req.id)))?;
        // Any range may be exported: rows stream, so a long range costs time, not memory.
        if req.from >= req.to {
            return Err(ApiError::invalid("from must be before to"));
        }
        let (tx, rx) = mpsc::channel(4);
        let engine = self.clone();
        tokio::spawn(async move {
            let sender = tx.clone();
            let result = engine
                .read(move |c| {
                    let mut chunk = String::with_capacity(EXPORT_CHUNK);
                    let push = |line: String, chunk: &mut String| {
                        chunk.push_str(&line);
                        chunk.push('\n');
                        if chunk.len() >= EXPORT_CHUNK {
                            let _ = sender.blocking_send(Ok(std::mem::take(chunk)));
                        }
                    };
                    match (req.kind, req.format) {
                        (ExportKind::Samples, format) => {
                            if format == ExportFormat::Csv {
                                push("ts,cpu_percent,memory_bytes".into(), &mut chunk);
                            }
                            vigil_store::for_each_sample(c, req.id, req.from.div_euclid(1000), (req.to + 999).div_euclid(1000), |s| {
                                let (cpu, mem) = (s.cpu as f64 / 10.0, s.mem * 1024);
                                let line = match format {
                                    ExportFormat::Csv => format!("{},{cpu:.1},{mem}", s.ts * 1000),
                                    ExportFormat::Jsonl => serde_json::json!({"ts": s.ts * 1000, "cpu_percent": cpu, "memory_bytes": mem}).to_string(),
                                };
                                push(line, &mut chunk);
                            })?;
                        }
                        (ExportKind::Events, format) => {
                            if format == ExportFormat::Csv {
                                push("id,ts,kind,message".into(), &mut chunk);
                            }
                            vigil_store::for_each_program_event(c, req.id, req.from, req.to, |e| {
                                let line = match format {
                                    ExportFormat::Csv => format!("{},{},{},{}", e.id, e.ts, e.kind.as_str(), csv_field(&e.message)),
                                    ExportFormat::Jsonl => serde_json::to_string(&e).unwrap_or_default(),
                                };
                                push(line, &mut chunk);
                            })?;
                        }
                    }
                    if !chunk.is_empty() {
                        let _ = sender.blocking_send(Ok(chunk));
                    }
                    Ok(())
                })
                .await;
            if let Err(e) = result {
                let _ = tx.send(Err(e)).await;
            }
        });
        Ok(rx)
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(ts: i64, cpu: i64, mem: i64) -> Rollup {
        Rollup::of(
            &Sample {
                program_id: 1,
                ts,
                cpu,
                mem,
            },
            1,
        )
    }

    #[test]
    fn buckets_hold_min_avg_max_and_skip_empty_ones() {
        let mut b = Bucketer::new(0, 100, 10, 1);
        for (ts, cpu) in [(0, 100), (5, 300), (25, 50)] {
            b.add(&sample(ts, cpu, 1024));
        }
        b.add(&sample(100, 999, 1)); // outside [from, to): ignored
        let out = b.finish();
        assert_eq!(out.len(), 2, "buckets without samples are left out");
        assert_eq!(out[0].ts, 0);
        assert_eq!(
            (out[0].cpu_min, out[0].cpu_avg, out[0].cpu_max),
            (10.0, 20.0, 30.0)
        );
        assert_eq!(out[0].mem_avg, 1024 * 1024);
        assert_eq!(out[1].ts, 20_000);
    }

    #[test]
    fn the_range_picks_the_resolution() {
        assert_eq!(resolution_for(3600), None);
        assert_eq!(resolution_for(86_400), Some(Resolution::Minute));
        assert_eq!(resolution_for(30 * 86_400), Some(Resolution::Hour));
        let b = Bucketer::new(0, 30 * 86_400, 500, 3600);
        assert!(b.acc.len() <= 500, "never more buckets than points");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b \"c\""), "\"a,b \"\"c\"\"\"");
    }
}
