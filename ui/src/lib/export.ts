// Downloads of a program's history (samples or events as CSV or JSON Lines) through the
// daemon's streaming export route, `GET /api/programs/{id}/export` (not an operation: see
// crates/vigil-server/src/routes/streams.rs).
import { apiError } from "./errors";
import { errorFromResponse, type FetchLike } from "./http";

export type ExportKind = "samples" | "events";
export type ExportFormat = "csv" | "jsonl";

/** The export route's path and query, under the daemon's origin. */
export function exportPath(id: number, kind: ExportKind, format: ExportFormat, from: number, to: number): string {
  const q = new URLSearchParams({ kind, format, from: String(Math.floor(from)), to: String(Math.ceil(to)) });
  return `/api/programs/${id}/export?${q.toString()}`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "20261128-1403" in local time. */
export function fileStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}`;
}

/** A safe file name part: letters, digits, dot, dash and underscore; the rest become "-". */
export function fileSlug(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[^\w.-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 60);
  return s || "program";
}

/** "vigil-web-api-samples-20261128-1303-to-20261128-1403.csv". */
export function exportFilename(name: string, kind: ExportKind, format: ExportFormat, from: number, to: number): string {
  return `vigil-${fileSlug(name)}-${kind}-${fileStamp(from)}-to-${fileStamp(to)}.${format}`;
}

/** Hands `blob` to the browser as a download named `filename`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Fetches an export with the API token (the route needs it in a header, so a plain link
 * cannot be used) and returns it as a Blob; a refusal rejects with the daemon's ApiError.
 */
export async function fetchExport(path: string, token: string | null, fetchFn: FetchLike = fetch): Promise<Blob> {
  let res: Response;
  try {
    res = await fetchFn(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  } catch (e) {
    throw apiError("unavailable", `cannot reach the Vigil daemon${e instanceof Error && e.message ? `: ${e.message}` : ""}`);
  }
  if (!res.ok) throw await errorFromResponse(res);
  return await res.blob();
}
