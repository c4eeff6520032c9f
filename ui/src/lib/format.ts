/** Human uptime: "42s", "3m 07s", "5h 02m", "2d 4h". */
export function formatUptime(totalSecs: number): string {
  const s = Number.isFinite(totalSecs) && totalSecs > 0 ? Math.floor(totalSecs) : 0;
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(sec)}s`;
  return `${sec}s`;
}

/**
 * Arguments from the form's textarea: one argument per line. Surrounding
 * whitespace of each line is removed and blank lines are skipped; spaces
 * inside a line stay part of that single argument.
 */
export function parseArgs(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** Local wall-clock time of a unix-milliseconds timestamp, "HH:MM:SS". */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** Human bytes in binary units: "512 B", "1.5 KiB", "12 MiB", "3.25 GiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return "0 B";
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  // Three significant digits at most, without trailing zeros.
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  let text = v.toFixed(digits);
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  // Rounding may reach 1024 ("1024 KiB"): carry into the next unit.
  if (Number(text) >= 1024 && u < BYTE_UNITS.length - 1) return `1 ${BYTE_UNITS[u + 1]}`;
  return `${text} ${BYTE_UNITS[u]}`;
}

/** CPU percent of one core: "0%", "0.4%", "12.3%", "187%". */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p) || p <= 0) return "0%";
  if (p >= 100) return `${Math.round(p)}%`;
  return `${(Math.round(p * 10) / 10).toString()}%`;
}

/** Tags from "a, b,,c ,a": trimmed, non-empty, first occurrence kept. */
/** The comma-separated tag text with `tag` added at the end, unless it is there already. */
export function withTag(text: string, tag: string): string {
  const tags = parseTags(text);
  if (tags.includes(tag)) return text;
  return [...tags, tag].join(", ");
}

export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  for (const t of text.split(",")) {
    const tag = t.trim();
    if (tag) seen.add(tag);
  }
  return [...seen];
}

/** "123", "123, 456", "1, 2, 3 +4" (at most `max` shown). */
export function formatPids(pids: number[], max = 3): string {
  if (pids.length === 0) return "–";
  const shown = pids.slice(0, max).join(", ");
  return pids.length > max ? `${shown} +${pids.length - max}` : shown;
}

/** Local date and time of a unix-milliseconds timestamp, "YYYY-MM-DD HH:MM:SS". */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatClock(ms)}`;
}

/** Local wall-clock time with milliseconds, "HH:MM:SS.mmm" (24-hour). */
export function formatClockMs(ms: number): string {
  if (!Number.isFinite(ms)) return "";
  return `${formatClock(ms)}.${String(new Date(ms).getMilliseconds()).padStart(3, "0")}`;
}

/** An RFC 3339 stamp (as run output carries) in local 24-hour time, "HH:MM:SS.mmm"; "" if unreadable. */
export function formatStamp(rfc3339: string): string {
  return rfc3339 ? formatClockMs(Date.parse(rfc3339)) : "";
}
