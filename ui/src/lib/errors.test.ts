import { describe, expect, it, vi } from "vitest";
import { shownMessage } from "./errors";

describe("shownMessage", () => {
  it("returns the server's message for ordinary errors", () => {
    const onUnauthorized = vi.fn();
    expect(shownMessage({ code: "conflict", message: "already exists" }, onUnauthorized)).toBe("already exists");
    expect(onUnauthorized).not.toHaveBeenCalled();
  });
  it("hands unauthorized errors to the token screen and shows nothing", () => {
    const onUnauthorized = vi.fn();
    expect(shownMessage({ code: "unauthorized", message: "bad token" }, onUnauthorized)).toBeNull();
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });
});
