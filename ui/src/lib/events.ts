import type { Event } from "./types";

/**
 * Delivers events exactly once and in increasing id order.
 * Anything with an id at or below the last delivered id is dropped, so a
 * catch-up batch and a live stream that overlap can both be pushed through.
 */
export class EventSequencer {
  constructor(
    private deliver: (e: Event) => void,
    /** Highest id already seen; events with id <= this are skipped. */
    public lastId = 0,
  ) {}

  /** Deliver one event if it is newer than everything delivered so far. */
  push(e: Event): boolean {
    if (!Number.isFinite(e.id) || e.id <= this.lastId) return false;
    this.lastId = e.id;
    this.deliver(e);
    return true;
  }

  /** Deliver a batch (any order, may contain duplicates) in id order. */
  pushMany(events: readonly Event[]): number {
    const sorted = [...events].sort((a, b) => a.id - b.id);
    let n = 0;
    for (const e of sorted) if (this.push(e)) n++;
    return n;
  }
}

// ---------------------------------------------------------------- reading the feed

export type Severity = "error" | "warning" | "info";

const ERROR_KINDS: ReadonlySet<string> = new Set([
  "program_crashed",
  "program_start_failed",
  "restart_given_up",
  "threshold_exceeded",
  "run_failed",
  "run_timed_out",
  "run_interrupted",
  "delivery_dead_lettered",
  "endpoint_failing",
  "check_critical",
  "plugin_breaker_opened",
  "action_failed",
]);

const WARNING_KINDS: ReadonlySet<string> = new Set([
  "engine_stopped",
  "program_restarted",
  "run_overran",
  "run_cancelled",
  "run_skipped",
  "run_retrying",
  "check_warning",
  "check_unknown",
]);

/** How bad an event is, from its kind (events carry no severity of their own). */
export function severityOf(kind: string): Severity {
  if (ERROR_KINDS.has(kind)) return "error";
  if (WARNING_KINDS.has(kind)) return "warning";
  return "info";
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** "all", or the least severity shown ("warning" shows warnings and errors). */
export type SeverityFilter = "all" | "warning" | "error";

export type EventFilter = { kind: string; severity: SeverityFilter };

export const NO_FILTER: EventFilter = { kind: "", severity: "all" };

/** The events that pass the filter: one kind ("" for any) and at least a severity. */
export function filterEvents<E extends { kind: string }>(events: readonly E[], f: EventFilter): E[] {
  const min = f.severity === "all" ? 0 : RANK[f.severity];
  return events.filter((e) => (f.kind === "" || e.kind === f.kind) && RANK[severityOf(e.kind)] >= min);
}

/** The kinds present in `events`, each once, in the order given by `order` (labels). */
export function kindsPresent(events: readonly { kind: string }[], order: (a: string, b: string) => number): string[] {
  return [...new Set(events.map((e) => e.kind))].sort(order);
}

/** A run of consecutive events of one kind about one program or job, newest first. */
export type EventGroup<E> = {
  /** The newest event's id: a stable key while older repeats join below it. */
  key: number;
  /** The newest event of the run (its message is shown). */
  newest: E;
  /** Every event of the run, newest first (one for an event that did not repeat). */
  events: E[];
};

type Groupable = { id: number; kind: string; program_id: number | null; job_id: string | null };

function sameSubject(a: Groupable, b: Groupable): boolean {
  return a.kind === b.kind && a.program_id === b.program_id && a.job_id === b.job_id;
}

/**
 * Collapses repeats: consecutive events (in the order given, newest first) of the same
 * kind about the same program and job become one group ("×12, last 14:03:22"). An event of
 * another kind or subject in between ends the run.
 */
export function groupRepeats<E extends Groupable>(events: readonly E[]): EventGroup<E>[] {
  const out: EventGroup<E>[] = [];
  for (const e of events) {
    const g = out[out.length - 1];
    if (g && sameSubject(g.newest, e)) g.events.push(e);
    else out.push({ key: e.id, newest: e, events: [e] });
  }
  return out;
}
