/**
 * Fuzzy matching for search boxes (the command palette, the pickers): the query's letters
 * must appear in the text in order; a match scores higher when it is a whole prefix, starts at
 * word starts, or runs without gaps. Case and accents do not matter.
 */

/** Lower case without accents ("Élan" → "elan"), same length as `s` when no letter decomposes oddly. */
export function fold(s: string): string {
  return s
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

function isWordStart(text: string, i: number): boolean {
  if (i === 0) return true;
  const prev = text[i - 1];
  const cur = text[i];
  if (/[\s\-_./:()[\],]/.test(prev)) return true;
  // camelCase and digit boundaries
  return (/[a-z]/.test(prev) && /[A-Z]/.test(cur)) || (/\D/.test(prev) && /\d/.test(cur));
}

/**
 * The score of `query` against `text` (higher is better), or null when it does not match.
 * An empty query matches everything with score 0.
 */
export function fuzzyScore(query: string, text: string): number | null {
  const q = fold(query).replace(/\s+/g, " ").trim();
  if (q === "") return 0;
  const original = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  const t = original.toLowerCase();
  if (t.length !== original.length) return substringOnly(q, t);

  // Whole-text and substring matches first: what people type is usually a piece of the name.
  if (t === q) return 1000;
  const at = t.indexOf(q);
  if (at === 0) return 900 - t.length;
  if (at > 0) {
    let words = at;
    for (let i = at; i > 0; i--) if (isWordStart(original, i)) { words = i; break; }
    return (isWordStart(original, at) ? 800 : 600) - at - t.length / 10 - (words === at ? 0 : 1);
  }

  // Every word of the query at the start of some word, in order ("new job" ~ "New scheduled job").
  const parts = q.split(" ");
  if (parts.length > 1) {
    let from = 0;
    let ok = true;
    for (const p of parts) {
      let found = -1;
      for (let i = t.indexOf(p, from); i >= 0; i = t.indexOf(p, i + 1)) {
        if (isWordStart(original, i)) {
          found = i;
          break;
        }
      }
      if (found < 0) {
        ok = false;
        break;
      }
      from = found + p.length;
    }
    if (ok) return 500 - t.length / 10;
  }

  // Letters in order, favouring word starts and runs.
  const letters = q.replace(/ /g, "");
  let score = 0;
  let ti = 0;
  let prev = -2;
  for (const c of letters) {
    let found = -1;
    // prefer the next word start holding c, else the next c
    for (let i = ti; i < t.length; i++) {
      if (t[i] === c && isWordStart(original, i)) {
        found = i;
        break;
      }
    }
    const plain = t.indexOf(c, ti);
    if (plain < 0) return null;
    if (found < 0 || (prev >= 0 && plain === prev + 1)) found = plain;
    score += found === prev + 1 ? 6 : isWordStart(original, found) ? 5 : 1;
    score -= Math.min(3, found - ti) * 0.5;
    prev = found;
    ti = found + 1;
  }
  return Math.max(1, 100 + score * 3 - t.length / 5);
}

function substringOnly(q: string, t: string): number | null {
  const at = t.indexOf(q);
  if (at < 0) return null;
  return at === 0 ? 900 - t.length : 600 - at;
}

/** The items whose text matches, best first (ties keep their order); `limit` caps the list. */
export function fuzzyFilter<T>(items: readonly T[], query: string, text: (item: T) => string | readonly string[], limit = Infinity): T[] {
  const scored: { item: T; score: number; i: number }[] = [];
  items.forEach((item, i) => {
    const texts = text(item);
    let best: number | null = null;
    for (const s of typeof texts === "string" ? [texts] : texts) {
      const sc = fuzzyScore(query, s);
      if (sc !== null && (best === null || sc > best)) best = sc;
    }
    if (best !== null) scored.push({ item, score: best, i });
  });
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  return scored.slice(0, limit).map((s) => s.item);
}
