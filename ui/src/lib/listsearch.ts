// The search boxes of the lists (endpoints, rules, deliveries, a job's runs, events): every
// word of the search must be part of one of the columns the row shows, ignoring case. Plain
// text matching: characters like `.` `*` `(` mean themselves.
import type { Delivery, Endpoint, Rule, Run } from "./types";
import { presetLabel, describeRule, deliveryTarget, type Names } from "./notify";
import { STATUS_LABELS, TRIGGER_LABELS } from "./jobs";
import { eventLabel } from "./labels";

/** What a cell holds: text, a number, nothing, or several of them. */
export type Cell = string | number | null | undefined | readonly (string | number | null | undefined)[];

/** The same text in one form: composed accents (é typed or pasted alike), lower case. */
function norm(s: string): string {
  return s.normalize("NFC").toLowerCase();
}

/** The words of a search, lower case; none for a blank one. */
export function searchWords(query: string): string[] {
  return norm(query).split(/\s+/).filter(Boolean);
}

/** Whether the search is blank (all rows shown). */
export function searching(query: string): boolean {
  return searchWords(query).length > 0;
}

function cellText(c: Cell): string {
  if (c === null || c === undefined) return "";
  if (typeof c === "string") return c;
  if (typeof c === "number") return String(c);
  return c.map((x) => (x === null || x === undefined ? "" : String(x))).join("\n");
}

/** Whether every word is part of one of the cells (a word does not run from one cell into the next). */
export function matchesSearch(cells: readonly Cell[], words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const text = norm(cells.map(cellText).join("\n"));
  return words.every((w) => text.includes(w));
}

/** The items a search shows: all of them (the same array) for a blank search. */
export function filterList<T>(items: readonly T[], query: string, cells: (item: T) => readonly Cell[]): readonly T[] {
  const words = searchWords(query);
  if (words.length === 0) return items;
  return items.filter((x) => matchesSearch(cells(x), words));
}

/** The line shown when nothing matches: `No endpoint matches “smtp”.` */
export function noMatch(what: string, query: string): string {
  return `No ${what} matches “${query.trim()}”.`;
}

/** "3 of 10 shown". */
export function shownCount(shown: number, of: number): string {
  return `${shown} of ${of} shown`;
}

// ------------------------------------------------------------ each list's columns

/** An endpoint row: name, enabled, kind, where it sends (method and URL, or addresses and server). */
export function endpointCells(e: Endpoint, resting = false): Cell[] {
  const enabled = (e.enabled ?? true) ? "yes" : "no";
  const where =
    e.preset === "email" ? ["to", ...(e.email?.to ?? []), "via", e.url.replace(/^smtp:\/\//, "")] : [e.method ?? "POST", e.url];
  return [e.name, enabled, resting ? "failing, paused" : null, presetLabel(e.preset), where];
}

/** A rule row: name, enabled, its events, what of, channels, repeats (as the list words them). */
export function ruleCells(r: Rule, names: Names = {}): Cell[] {
  const d = describeRule(r, names);
  return [r.name, (r.enabled ?? true) ? "yes" : "no", d.events, d.scope, d.channels, d.fold];
}

/** A delivery row: where it went, what it said, its status and its last error. */
export function deliveryCells(d: Delivery, endpoints: ReadonlyMap<number, string>): Cell[] {
  return [deliveryTarget(d, endpoints), d.summary, d.status, d.last_error];
}

/**
 * A run row: its number ("#12" and "12"), trigger, status and exit code. Its start and duration
 * are left out: they are shown relative to now and change while you look.
 */
export function runCells(r: Run): Cell[] {
  return [`#${r.id}`, TRIGGER_LABELS[r.trigger] ?? r.trigger, STATUS_LABELS[r.status] ?? r.status, r.exit_code];
}

/** An event: its message and its kind as shown. */
export function eventCells(e: { kind: string; message: string }): Cell[] {
  return [e.message, eventLabel(e.kind)];
}
