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
