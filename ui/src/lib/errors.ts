import type { ApiError, ErrorCode } from "./types";

export const ERROR_CODES: readonly ErrorCode[] = [
  "invalid_input",
  "not_found",
  "conflict",
  "unauthorized",
  "payload_too_large",
  "unavailable",
  "internal",
];

export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === "string" && (ERROR_CODES as readonly string[]).includes(v);
}

export function isApiError(v: unknown): v is ApiError {
  return (
    typeof v === "object" &&
    v !== null &&
    isErrorCode((v as { code?: unknown }).code) &&
    typeof (v as { message?: unknown }).message === "string"
  );
}

export function apiError(code: ErrorCode, message: string, field?: string | null): ApiError {
  return field ? { code, message, field } : { code, message };
}

/** The field an error is about, when it names one. */
export function errorField(v: unknown): string | null {
  if (v instanceof FormError) return v.field;
  const f = typeof v === "object" && v !== null ? (v as { field?: unknown }).field : undefined;
  return typeof f === "string" && f.trim() !== "" ? f.trim() : null;
}

/**
 * Normalise anything thrown or rejected into an ApiError.
 * Objects that already carry a known `code` and string `message` pass through;
 * everything else becomes `internal` (or `fallback`).
 */
export function toApiError(v: unknown, fallback: ErrorCode = "internal"): ApiError {
  if (isApiError(v)) return apiError(v.code, v.message, errorField(v));
  if (v instanceof FormError) return apiError("invalid_input", v.message, v.field);
  if (typeof v === "string") return { code: fallback, message: v };
  if (v instanceof Error) return { code: fallback, message: v.message || String(v) };
  if (typeof v === "object" && v !== null && typeof (v as { message?: unknown }).message === "string") {
    return { code: fallback, message: (v as { message: string }).message };
  }
  return { code: fallback, message: "unexpected error" };
}

/**
 * The text to show for a failed call, or `null` after handing an `unauthorized` error to
 * `onunauthorized` (the page then asks for the token instead of showing an error).
 */
export function shownMessage(e: unknown, onunauthorized: () => void): string | null {
  const err = toApiError(e);
  if (err.code === "unauthorized") {
    onunauthorized();
    return null;
  }
  return err.message;
}

/**
 * Thrown by a form's conversion (`formToJob`, `formToRule`, …) for input the form itself can
 * tell is wrong; `field` (a dotted path like the daemon's) puts the message next to that field.
 */
export class FormError extends Error {
  readonly field: string | null;
  constructor(message: string, field?: string | null) {
    super(message);
    this.field = field ?? null;
  }
}

/**
 * Where a form shows the message for `path`: the path itself when the form shows it, else
 * the nearest parent it shows ("options.0.name" → "options.0" → "options"), else null (the
 * message then goes with the whole form). `shown` is the list of fields the form shows, or
 * a test (for paths with indexes).
 */
export function placeField(path: string, shown: readonly string[] | ((p: string) => boolean)): string | null {
  const has = typeof shown === "function" ? shown : (p: string) => shown.includes(p);
  const parts = path.split(".").filter((x) => x !== "");
  for (let n = parts.length; n > 0; n--) {
    const p = parts.slice(0, n).join(".");
    if (has(p)) return p;
  }
  return null;
}

/** Whether `path` is `field` or lies under it ("options.0.name" under "options.0", not under "option"). */
export function underField(path: string, field: string): boolean {
  return path === field || path.startsWith(field + ".");
}

/** The field messages without those for `field` and what lies under it (the same object when none). */
export function withoutField(fields: Readonly<Record<string, string>>, field: string): Record<string, string> {
  const keys = Object.keys(fields).filter((k) => underField(k, field));
  if (keys.length === 0) return fields as Record<string, string>;
  const next = { ...fields };
  for (const k of keys) delete next[k];
  return next;
}
