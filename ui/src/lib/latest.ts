/**
 * Loads of which only the newest counts. `load` calls `fetch` and hands its answer to
 * `apply`, or what failed (in `fetch` or in `apply`) to `fail`; an answer or a failure
 * that comes after a newer `load` began, or after `cancel()`, is dropped.
 */
export class Latest {
  #seq = 0;

  async load<T>(fetch: () => Promise<T>, apply: (answer: T) => void, fail: (e: unknown) => void): Promise<void> {
    const mine = ++this.#seq;
    try {
      const answer = await fetch();
      if (mine === this.#seq) apply(answer);
    } catch (e) {
      if (mine === this.#seq) fail(e);
    }
  }

  /** Drops the answer of any load still going (the page closed). */
  cancel(): void {
    this.#seq++;
  }
}
