/**
 * Whether this page can reach the Vigil daemon, for the whole page: the banner across the
 * top, live rows marked stale and action buttons disabled while it cannot.
 *
 * The HTTP transport reports to it (`connect.ts`): every answer from the daemon, whatever
 * its status, is `reached()`; a request that could not be made is `unreachable()`. The
 * transport's reconnect waits go through `wait`, so the page knows when the next attempt is
 * due (`retryAt`, the banner's countdown) and `retryNow()` cuts every wait short.
 */
export class Connection {
  /** The daemon could not be reached and has not answered since. */
  lost = $state(false);
  /** When the connection was lost (unix ms): what is on the page is as of then. */
  lostAt = $state<number | null>(null);
  /** When the next reconnect attempt is due (unix ms), while one is waiting. */
  retryAt = $state<number | null>(null);

  readonly #now: () => number;
  readonly #waits = new Set<Wait>();
  readonly #onRetry = new Set<() => void>();

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The daemon answered (any HTTP status: it is there). */
  reached = (): void => {
    if (!this.lost) return;
    this.lost = false;
    this.lostAt = null;
  };

  /** A request could not reach the daemon. */
  unreachable = (): void => {
    if (this.lost) return;
    this.lost = true;
    this.lostAt = this.#now();
  };

  /**
   * A reconnect wait: resolves after `ms`, when `signal` aborts, or at `retryNow()`.
   * Meanwhile `retryAt` is the soonest attempt due.
   */
  wait = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const w: Wait = {
        until: this.#now() + ms,
        wake: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", w.wake);
          if (this.#waits.delete(w)) this.#soonest();
          resolve();
        },
      };
      const timer = setTimeout(w.wake, ms);
      signal?.addEventListener("abort", w.wake);
      this.#waits.add(w);
      this.#soonest();
    });

  /** Try again at once: every reconnect wait ends now, and whoever listens (`onRetry`) reloads. */
  retryNow = (): void => {
    for (const w of [...this.#waits]) w.wake();
    for (const fn of [...this.#onRetry]) fn();
  };

  /** Call `fn` at each `retryNow()`; returns the function that stops it. */
  onRetry(fn: () => void): () => void {
    this.#onRetry.add(fn);
    return () => this.#onRetry.delete(fn);
  }

  #soonest(): void {
    let t: number | null = null;
    for (const w of this.#waits) if (t === null || w.until < t) t = w.until;
    this.retryAt = t;
  }
}

type Wait = { until: number; wake: () => void };

/** The page's one connection (the HTTP client reports to it; the desktop app never loses it). */
export const connection = new Connection();

/** Whole seconds until `retryAt` (at least 0), or null when no attempt is waiting. */
export function secondsLeft(retryAt: number | null, now: number): number | null {
  if (retryAt === null) return null;
  return Math.max(0, Math.ceil((retryAt - now) / 1000));
}

/** The banner's sentence: "Lost connection to Vigil. Reconnecting in 4 s" (or "Reconnecting…" during an attempt). */
export function lostText(retryAt: number | null, now: number): string {
  const s = secondsLeft(retryAt, now);
  return s === null || s === 0 ? "Lost connection to Vigil. Reconnecting…" : `Lost connection to Vigil. Reconnecting in ${s} s`;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * `fetch` that tells `conn` what happened: an answer (any status) is `reached`, a failure
 * that is not this page's own abort is `unreachable`.
 */
export function reportingFetch(conn: Pick<Connection, "reached" | "unreachable">, inner: Fetch = (i, n) => globalThis.fetch(i, n)): Fetch {
  return async (input, init) => {
    try {
      const res = await inner(input, init);
      conn.reached();
      return res;
    } catch (e) {
      if (!init?.signal?.aborted) conn.unreachable();
      throw e;
    }
  };
}
