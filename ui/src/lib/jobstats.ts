// A job's statistics (`get_job_stats`): the success rate in words and the duration chart's
// data, with the learned usual duration, the warning threshold and the timeout as lines.
import type { JobStats, RunPoint, RunStatus, Usual } from "./types";
import { formatDuration } from "./jobs";

/** "92%" (whole percent; "99.5%" near the top so that one failure in many still shows). */
export function formatRate(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return "–";
  const p = Math.min(1, Math.max(0, rate)) * 100;
  if (p > 99 && p < 100) return `${(Math.floor(p * 10) / 10).toString()}%`;
  return `${Math.round(p)}%`;
}

/** "23 of 25 runs succeeded in the last 30 days" / "No runs in the last 30 days". */
export function rateSentence(s: Pick<JobStats, "runs" | "succeeded" | "since">, now: number): string {
  const days = Math.max(1, Math.round((now - s.since) / 86_400_000));
  const span = `in the last ${days} day${days === 1 ? "" : "s"}`;
  if (s.runs === 0) return `No runs ${span}`;
  return `${s.succeeded} of ${s.runs} run${s.runs === 1 ? "" : "s"} succeeded ${span}`;
}

/** "usually 1.2 s (95% within 2.0 s, from 40 runs); a run past 3.1 s is unusual". */
export function usualSentence(u: Usual | null): string {
  if (!u) return "Not enough runs yet to learn how long it usually takes.";
  return `Usually ${formatDuration(u.median_ms)} (95% within ${formatDuration(u.p95_ms)}, from ${u.samples} run${u.samples === 1 ? "" : "s"}); a run past ${formatDuration(u.warn_after_ms)} is unusual.`;
}

export type PointKind = "ok" | "bad" | "other";

export function pointKind(status: RunStatus): PointKind {
  if (status === "succeeded") return "ok";
  if (status === "failed" || status === "timed_out" || status === "interrupted") return "bad";
  return "other";
}

/** A horizontal line of the chart. */
export type RefLine = { key: "median" | "warn" | "timeout"; label: string; ms: number };

export type DurationChart = {
  /** uPlot data: x (unix seconds), then the duration (ms) of succeeded, failed and other runs. */
  data: [number[], (number | null)[], (number | null)[], (number | null)[]];
  /** The runs, in the order of x. */
  points: RunPoint[];
  /** The lines inside the y range. */
  lines: RefLine[];
  /** Lines above the chart's top (a timeout far above every run): named, not drawn. */
  above: RefLine[];
  /** The y axis' top, ms. */
  top: number;
};

/**
 * The duration chart: one point per run that ended (runs that never started have no
 * duration and are left out), coloured by how it ended; the usual (median), the warning
 * threshold and the timeout as lines. The y axis spans the runs and the usual lines; a
 * timeout more than twice above them would flatten every point, so it is named instead.
 */
export function durationChart(s: Pick<JobStats, "recent" | "usual" | "timeout_ms">): DurationChart {
  const points = s.recent.filter((p) => p.duration_ms !== null && Number.isFinite(p.duration_ms)).sort((a, b) => a.ended_at - b.ended_at);
  const data: DurationChart["data"] = [[], [], [], []];
  for (const p of points) {
    const k = pointKind(p.status);
    data[0].push(p.ended_at / 1000);
    data[1].push(k === "ok" ? p.duration_ms : null);
    data[2].push(k === "bad" ? p.duration_ms : null);
    data[3].push(k === "other" ? p.duration_ms : null);
  }
  const lines: RefLine[] = [];
  if (s.usual) {
    lines.push({ key: "median", label: `usual ${formatDuration(s.usual.median_ms)}`, ms: s.usual.median_ms });
    lines.push({ key: "warn", label: `unusual after ${formatDuration(s.usual.warn_after_ms)}`, ms: s.usual.warn_after_ms });
  }
  const base = Math.max(1, ...points.map((p) => p.duration_ms ?? 0), ...lines.map((l) => l.ms));
  const above: RefLine[] = [];
  if (s.timeout_ms !== null && s.timeout_ms > 0) {
    const t: RefLine = { key: "timeout", label: `timeout ${formatDuration(s.timeout_ms)}`, ms: s.timeout_ms };
    if (t.ms <= base * 2) lines.push(t);
    else above.push(t);
  }
  const top = Math.max(base, ...lines.map((l) => l.ms)) * 1.1;
  return { data, points, lines, above, top };
}

/** The hover line of run `i`: "run #12 · failed · 1.2 s · 14:03:22 · 2 attempts". */
export function pointText(p: RunPoint | undefined, clock: (ms: number) => string): string | null {
  if (!p) return null;
  const parts = [`run #${p.run_id}`, p.status.replace("_", " "), p.duration_ms === null ? "–" : formatDuration(p.duration_ms), clock(p.ended_at)];
  if (p.attempts > 1) parts.push(`${p.attempts} attempts`);
  return parts.join(" · ");
}
