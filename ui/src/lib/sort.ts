/**
 * Natural ("human") order for names: runs of digits compare as numbers of any length
 * (p2 before p10, p99999999999999999999 before p100000000000000000000), the text between
 * them compares case-insensitively in the user's language (Intl.Collator). Names equal
 * but for case, accents or leading zeros still get a fixed order (fewer leading zeros
 * first, then lower case before upper case as the collator has it, then code units), so
 * a sort never depends on the order the items came in.
 */

// Base + accent sensitivity: "a" = "A", "a" ≠ "á". Numbers are handled here, not by the
// collator (its `numeric` option has a length limit and no leading-zero rule).
const loose = new Intl.Collator(undefined, { sensitivity: "accent", usage: "sort" });
const strict = new Intl.Collator(undefined, { sensitivity: "variant", usage: "sort" });

/** Full-width and other compatibility digits become ASCII digits. */
function prepare(s: string): string {
  return s.normalize("NFKC");
}

const CHUNK = /\d+|\D+/g;

function chunks(s: string): string[] {
  return s.match(CHUNK) ?? [];
}

function isDigits(c: string): boolean {
  const k = c.charCodeAt(0);
  return k >= 48 && k <= 57;
}

/** Two digit runs as numbers: shorter (without leading zeros) is smaller, else digit by digit. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, "");
  const y = b.replace(/^0+/, "");
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Negative when `a` sorts before `b`, positive after, 0 only when they are the same string. */
export function naturalCompare(a: string, b: string): number {
  if (a === b) return 0;
  const pa = prepare(a);
  const pb = prepare(b);
  const ca = chunks(pa);
  const cb = chunks(pb);
  let zeros = 0;
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = ca[i];
    const y = cb[i];
    const dx = isDigits(x);
    const dy = isDigits(y);
    let c: number;
    if (dx && dy) {
      c = compareDigits(x, y);
      if (c === 0 && zeros === 0 && x.length !== y.length) zeros = x.length < y.length ? -1 : 1;
    } else if (dx !== dy) {
      // A number before text ("p1" before "pa"), as the collator would order a digit.
      c = dx ? -1 : 1;
    } else {
      c = loose.compare(x, y);
    }
    if (c !== 0) return c;
  }
  if (ca.length !== cb.length) return ca.length < cb.length ? -1 : 1;
  if (zeros !== 0) return zeros;
  const s = strict.compare(pa, pb);
  if (s !== 0) return s;
  return a < b ? -1 : 1;
}

/** A copy of `items` in natural order of `key` (the input is left as it is). */
export function naturalSort<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((x, y) => naturalCompare(key(x), key(y)));
}
