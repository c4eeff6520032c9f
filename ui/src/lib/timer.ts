/**
 * One timer at a time: `start` puts its call in place of a pending one, `startIfIdle`
 * leaves a pending one be (calls that come meanwhile fold into it), `stop` drops it.
 */
export class Timer {
  #handle: ReturnType<typeof setTimeout> | null = null;

  /** Whether a call is waiting. */
  get pending(): boolean {
    return this.#handle !== null;
  }

  /** Call `fn` in `ms`, instead of any call still waiting. */
  start(ms: number, fn: () => void): void {
    this.stop();
    this.#handle = setTimeout(() => {
      this.#handle = null;
      fn();
    }, ms);
  }

  /** Call `fn` in `ms`, unless a call is waiting already (then only that one is made). */
  startIfIdle(ms: number, fn: () => void): void {
    if (this.#handle === null) this.start(ms, fn);
  }

  stop(): void {
    if (this.#handle !== null) clearTimeout(this.#handle);
    this.#handle = null;
  }
}
