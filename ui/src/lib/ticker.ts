/**
 * Texts that follow the clock (a row's uptime), kept current by one timer for all of them:
 * each second the clock calls `tick`, which works each text out and writes only those that
 * changed, straight to the DOM. Hundreds of ticking cells then cost a loop, not a reactive
 * update each (the clock would otherwise wake every row's component once a second).
 */
type Entry = { el: { textContent: string | null }; text: (now: number) => string; shown: string };

export class Ticker {
  readonly #entries = new Set<Entry>();

  /** How many texts it keeps current. */
  get size(): number {
    return this.#entries.size;
  }

  /** Keep `el`'s text at `text(now)`, from now on (set at once); returns the function that stops it. */
  add(el: { textContent: string | null }, text: (now: number) => string, now = Date.now()): () => void {
    const shown = text(now);
    el.textContent = shown;
    const entry: Entry = { el, text, shown };
    this.#entries.add(entry);
    return () => void this.#entries.delete(entry);
  }

  /** Bring every text to `now`; writes only the ones that changed. Returns how many did. */
  tick(now = Date.now()): number {
    let written = 0;
    for (const e of this.#entries) {
      const t = e.text(now);
      if (t !== e.shown) {
        e.el.textContent = t;
        e.shown = t;
        written++;
      }
    }
    return written;
  }
}
