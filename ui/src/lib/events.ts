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
