// The program log view's rules: lines with the time they arrived (the log files keep none),
// search with highlighting (escaped: a log line is never HTML), the downloaded file, and
// following the end until the reader scrolls up.
import { formatClockMs } from "./format";
import { fileSlug, fileStamp } from "./export";

export type LogLine = {
  /** The line as the engine gave it (stamp included): what lines are matched by. */
  raw: string;
  /** The program's text, without the stamp. */
  text: string;
  /** When the line was printed (unix ms): the engine's stamp, or when it arrived here; null: unknown. */
  at: number | null;
  /** Where `at` comes from: the engine's stamp, this page's clock, or nowhere. */
  from: "engine" | "arrival" | "none";
};

/** `2026-11-28T18:22:05.123+09:00 text`: the stamp the engine writes before each line. */
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (.*)$/s;

/**
 * One line as the engine gives it. Lines are stamped with the time Vigil received them;
 * lines written before it did so have no stamp: `arrivedAt` (the page's clock, for live
 * lines) stands in, or nothing.
 */
export function parseLine(raw: string, arrivedAt: number | null = null): LogLine {
  const m = STAMP.exec(raw);
  if (m) {
    const at = Date.parse(m[1]);
    if (Number.isFinite(at)) return { raw, text: m[2], at, from: "engine" };
  }
  return arrivedAt === null ? { raw, text: raw, at: null, from: "none" } : { raw, text: raw, at: arrivedAt, from: "arrival" };
}

/** Lines read from the log file. */
export function fromTail(lines: readonly string[]): LogLine[] {
  return lines.map((l) => parseLine(l));
}

/**
 * The tail read again: lines at its end that are the same as the ones shown keep the time
 * they arrived (matched from the end, line by line, as long as they agree).
 */
export function reread(shown: readonly LogLine[], tail: readonly string[]): LogLine[] {
  const out = fromTail(tail);
  let i = shown.length - 1;
  let j = out.length - 1;
  while (i >= 0 && j >= 0 && shown[i].raw === out[j].raw) {
    if (out[j].from === "none") out[j] = shown[i];
    i--;
    j--;
  }
  return out;
}

/** Appends live lines that arrived at `at`, keeping at most `cap` (the newest). */
export function appendLive(lines: readonly LogLine[], raws: readonly string[], at: number, cap: number): LogLine[] {
  const next = [...lines, ...raws.map((r) => parseLine(r, at))];
  return next.length > cap ? next.slice(next.length - cap) : next;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Whether `text` contains `query` (case-insensitive); an empty query matches everything. */
export function matches(text: string, query: string): boolean {
  const q = query.trim().toLowerCase();
  return q === "" || text.toLowerCase().includes(q);
}

/**
 * `text` as HTML with each case-insensitive occurrence of `query` in `<mark>`; everything
 * else escaped, so a line holding markup shows as text.
 */
export function highlight(text: string, query: string): string {
  const q = query.trim();
  if (q === "") return escapeHtml(text);
  const lower = text.toLowerCase();
  const needle = q.toLowerCase();
  let out = "";
  let from = 0;
  for (;;) {
    const i = lower.indexOf(needle, from);
    // toLowerCase may change a string's length (rare letters): fall back to no marks.
    if (i === -1 || lower.length !== text.length) break;
    out += escapeHtml(text.slice(from, i)) + "<mark>" + escapeHtml(text.slice(i, i + needle.length)) + "</mark>";
    from = i + needle.length;
  }
  return out + escapeHtml(text.slice(from));
}

/** The lines shown: all, or only those matching the search. */
export function visibleLines(lines: readonly LogLine[], query: string, onlyMatching: boolean): LogLine[] {
  if (!onlyMatching || query.trim() === "") return [...lines];
  return lines.filter((l) => matches(l.text, query));
}

/** A line's time column in local 24-hour time, "14:03:22.120"; blanks when it has none. */
export function stamp(l: LogLine): string {
  return l.at === null ? "--:--:--.---" : formatClockMs(l.at);
}

/** What the time column means, for the note under the search: null when every line has the engine's stamp. */
export function timesNote(lines: readonly LogLine[]): string | null {
  const none = lines.some((l) => l.from === "none");
  const arrival = lines.some((l) => l.from === "arrival");
  if (!none && !arrival) return null;
  const parts: string[] = [];
  if (arrival) parts.push("lines without Vigil's stamp show when they arrived on this page");
  if (none) parts.push("older lines without a stamp have no time (--:--:--)");
  const text = parts.join("; ");
  return text.charAt(0).toUpperCase() + text.slice(1) + ".";
}

/**
 * The downloaded file: the lines shown, one per line. With `withTimes`, each as the engine
 * wrote it (its RFC 3339 stamp first); a line that arrived without one gets the time it
 * arrived here in the same form, an older unstamped line stays as it was. Without, only the
 * program's text.
 */
export function logFileText(lines: readonly LogLine[], withTimes: boolean): string {
  if (lines.length === 0) return "";
  const line = (l: LogLine) => {
    if (!withTimes) return l.text;
    if (l.from === "arrival" && l.at !== null) return `${new Date(l.at).toISOString()} ${l.text}`;
    return l.raw;
  };
  return lines.map(line).join("\n") + "\n";
}

/** "vigil-web-api-log-20261128-1403.log". */
export function logFilename(name: string, now: number): string {
  return `vigil-${fileSlug(name)}-log-${fileStamp(now)}.log`;
}

/** Whether a scrolled box shows its end (within `slack` pixels). */
export function atEnd(box: { scrollHeight: number; scrollTop: number; clientHeight: number }, slack = 24): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight < slack;
}

/**
 * Following after the reader scrolled: scrolling up (away from the end) turns it off,
 * scrolling back down to the end turns it on again; otherwise it stays as it was.
 */
export function followAfterScroll(following: boolean, prevTop: number, box: { scrollHeight: number; scrollTop: number; clientHeight: number }): boolean {
  if (atEnd(box)) return box.scrollTop > prevTop ? true : following;
  if (box.scrollTop < prevTop) return false;
  return following;
}

/**
 * The tail joined with the live lines that arrived while it was read: the live lines may
 * repeat the tail's last lines (printed before the tail was read, pushed after the follow
 * began), so the longest end of the tail that the live lines begin with is counted once.
 * Lines printed between the two are kept either way: the follow starts before the tail is
 * read.
 */
export function joinLive(tail: readonly LogLine[], live: readonly LogLine[]): LogLine[] {
  for (let k = Math.min(tail.length, live.length); k > 0; k--) {
    let same = true;
    for (let i = 0; i < k; i++) {
      if (tail[tail.length - k + i].raw !== live[i].raw) {
        same = false;
        break;
      }
    }
    if (same) return [...tail.slice(0, tail.length - k), ...live];
  }
  return [...tail, ...live];
}
