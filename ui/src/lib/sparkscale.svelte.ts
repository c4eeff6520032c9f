import { SvelteMap } from "svelte/reactivity";

/**
 * The CPU peaks of the sparklines on screen, one entry per mounted sparkline: rows of the
 * programs list share one scale (the highest peak shown), so the same height means the same
 * load in every row.
 */
const peaks = new SvelteMap<symbol, number>();

/** Register a sparkline's peak; returns the function that removes it (on unmount). */
export function setPeak(id: symbol, peak: number): () => void {
  peaks.set(id, Number.isFinite(peak) ? peak : 0);
  return () => peaks.delete(id);
}

/**
 * The highest peak registered (0 for none): worked out once when one changes, not by every
 * sparkline over every other (that was a sparkline count squared per change).
 */
const highest = $derived.by(() => {
  let m = 0;
  for (const p of peaks.values()) if (p > m) m = p;
  return m;
});

/** The shared top: the highest peak on screen, at least `floor`. */
export function sharedPeak(floor: number): number {
  return Math.max(floor, highest);
}
