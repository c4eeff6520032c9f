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

export function apiError(code: ErrorCode, message: string): ApiError {
  return { code, message };
}

/**
 * Normalise anything thrown or rejected into an ApiError.
 * Objects that already carry a known `code` and string `message` pass through;
 * everything else becomes `internal` (or `fallback`).
 */
export function toApiError(v: unknown, fallback: ErrorCode = "internal"): ApiError {
  if (isApiError(v)) return { code: v.code, message: v.message };
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

/** Thrown by a form's conversion (`formToJob`, `formToRule`, …) for input the form itself can tell is wrong. */
export class FormError extends Error {}
