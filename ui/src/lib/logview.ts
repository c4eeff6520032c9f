// The program log view's rules: lines with the time they arrived (the log files keep none),
// search with highlighting (escaped: a log line is never HTML), the downloaded file, and
// following the end until the reader scrolls up.
import { formatClock } from "./format";
import { fileSlug, fileStamp } from "./export";

export type LogLine = {
  text: string;
  /** When the line arrived here (unix ms); null for lines read from the log file. */
  at: number | null;
};

/** Lines read from the log file: the engine records no time for them. */
export function fromTail(lines: readonly string[]): LogLine[] {
  return lines.map((text) => ({ text, at: null }));
}

/**
 * The tail read again: lines at its end that are the same as the ones shown keep the time
 * they arrived (matched from the end, line by line, as long as they agree).
 */
export function reread(shown: readonly LogLine[], tail: readonly string[]): LogLine[] {
  const out = fromTail(tail);
  let i = shown.length - 1;
  let j = out.length - 1;
  while (i >= 0 && j >= 0 && shown[i].text === out[j].text) {
    out[j] = { ...out[j], at: shown[i].at };
    i--;
    j--;
  }
  return out;
}

/** Appends live lines stamped `at`, keeping at most `cap` (the newest). */
export function appendLive(lines: readonly LogLine[], texts: readonly string[], at: number, cap: number): LogLine[] {
  const next = [...lines, ...texts.map((text) => ({ text, at }))];
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

/** A line's time column: "14:03:22" when it arrived here, blanks for a line from the file. */
export function stamp(l: LogLine): string {
  return l.at === null ? "--:--:--" : formatClock(l.at);
}

/** The downloaded file: the lines shown, with their times when `withTimes`, one per line. */
export function logFileText(lines: readonly LogLine[], withTimes: boolean): string {
  if (lines.length === 0) return "";
  return lines.map((l) => (withTimes ? `${stamp(l)} ${l.text}` : l.text)).join("\n") + "\n";
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
      if (tail[tail.length - k + i].text !== live[i].text) {
        same = false;
        break;
      }
    }
    if (same) return [...tail.slice(0, tail.length - k), ...live];
  }
  return [...tail, ...live];
}
