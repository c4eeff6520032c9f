import type { Program } from "./types";
import { naturalCompare } from "./sort";

/** Programs in natural order of their names (p2 before p10), ties by id. A new array. */
export function sortPrograms(programs: readonly Program[]): Program[] {
  return [...programs].sort((a, b) => naturalCompare(a.name, b.name) || a.id - b.id);
}

/** The words of a search, lower case; empty for a blank one. */
export function searchTerms(query: string): string[] {
  return query.normalize("NFC").toLowerCase().split(/\s+/).filter(Boolean);
}

/**
 * Whether a program matches every term: each one is part of its name, one of its tags, its
 * path or its arguments (case-insensitive). `tag:x` matches tags only, `watched` and
 * `launched` also match how Vigil runs it.
 */
export function matchesTerms(p: Program, terms: readonly string[]): boolean {
  const low = (s: string) => s.normalize("NFC").toLowerCase();
  for (const t of terms) {
    if (t.startsWith("tag:") && t.length > 4) {
      const want = t.slice(4);
      if (!p.tags.some((x) => low(x).includes(want))) return false;
      continue;
    }
    const hit =
      low(p.name).includes(t) ||
      p.tags.some((x) => low(x).includes(t)) ||
      low(p.path).includes(t) ||
      p.args.some((a) => low(a).includes(t)) ||
      (t === "watched" && !p.launch) ||
      (t === "launched" && p.launch);
    if (!hit) return false;
  }
  return true;
}

/** The programs a search shows (all of them, the same array, for a blank search). */
export function filterPrograms(programs: readonly Program[], query: string): readonly Program[] {
  const terms = searchTerms(query);
  return terms.length === 0 ? programs : programs.filter((p) => matchesTerms(p, terms));
}

/**
 * The selection after a click on the checkbox of `ids[index]` (now `on`): with `shift` and
 * an earlier click (`anchor`, an index into the same list), every row between the two takes
 * the same value. A new set; ids not in `ids` stay as they were.
 */
export function clickSelect(
  selected: ReadonlySet<number>,
  ids: readonly number[],
  index: number,
  on: boolean,
  shift: boolean,
  anchor: number | null,
): Set<number> {
  const next = new Set(selected);
  const [from, to] = shift && anchor !== null && anchor >= 0 && anchor < ids.length ? [Math.min(anchor, index), Math.max(anchor, index)] : [index, index];
  for (let i = from; i <= to; i++) {
    if (on) next.add(ids[i]);
    else next.delete(ids[i]);
  }
  return next;
}

/** "All" when every shown row is selected, "some", or "none" (for the header's checkbox). */
export function selectionState(selected: ReadonlySet<number>, ids: readonly number[]): "all" | "some" | "none" {
  let n = 0;
  for (const id of ids) if (selected.has(id)) n++;
  return n === 0 ? "none" : n === ids.length ? "all" : "some";
}
