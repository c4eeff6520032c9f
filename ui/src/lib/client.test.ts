import { describe, expect, it } from "vitest";
import { isTauri } from "./client";
import { isApiError, toApiError } from "./errors";

describe("transport selection", () => {
  it("detects Tauri by __TAURI_INTERNALS__", () => {
    expect(isTauri({ __TAURI_INTERNALS__: {} })).toBe(true);
    expect(isTauri({ location: {} })).toBe(false);
  });
});

describe("toApiError", () => {
  it("keeps known ApiErrors and strips extra fields", () => {
    expect(toApiError({ code: "not_found", message: "x", extra: 1 })).toEqual({ code: "not_found", message: "x" });
  });
  it("maps strings, Errors and unknown values to the fallback code", () => {
    expect(toApiError("boom")).toEqual({ code: "internal", message: "boom" });
    expect(toApiError(new Error("bad"), "unavailable")).toEqual({ code: "unavailable", message: "bad" });
    expect(toApiError(undefined)).toMatchObject({ code: "internal" });
  });
  it("isApiError rejects unknown codes and missing messages", () => {
    expect(isApiError({ code: "conflict", message: "m" })).toBe(true);
    expect(isApiError({ code: "nope", message: "m" })).toBe(false);
    expect(isApiError({ code: "conflict" })).toBe(false);
    expect(isApiError(null)).toBe(false);
  });
});
