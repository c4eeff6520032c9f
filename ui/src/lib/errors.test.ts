import { describe, expect, it, vi } from "vitest";
import { FormError, errorField, placeField, shownMessage, toApiError, underField, withoutField } from "./errors";

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

describe("field errors", () => {
  it("toApiError keeps the field a daemon error names, and drops an empty one", () => {
    expect(toApiError({ code: "invalid_input", message: "bad", field: "schedule" })).toEqual({ code: "invalid_input", message: "bad", field: "schedule" });
    expect(toApiError({ code: "invalid_input", message: "bad", field: null })).toEqual({ code: "invalid_input", message: "bad" });
    expect(toApiError({ code: "invalid_input", message: "bad", field: " " })).toEqual({ code: "invalid_input", message: "bad" });
    expect(toApiError({ code: "invalid_input", message: "bad", field: 3 })).toEqual({ code: "invalid_input", message: "bad" });
  });

  it("a FormError carries its field", () => {
    const e = new FormError("Give it a name.", "name");
    expect(e.field).toBe("name");
    expect(new FormError("x").field).toBeNull();
    expect(errorField(e)).toBe("name");
    expect(toApiError(e)).toEqual({ code: "invalid_input", message: "Give it a name.", field: "name" });
    expect(errorField("text")).toBeNull();
    expect(errorField(null)).toBeNull();
  });

  it("placeField finds the field itself or its nearest shown parent", () => {
    const shown = ["name", "restart", "options.0", "email.to"];
    expect(placeField("name", shown)).toBe("name");
    expect(placeField("restart.max_restarts", shown)).toBe("restart");
    expect(placeField("options.0.name", shown)).toBe("options.0");
    expect(placeField("options.1.name", shown)).toBeNull();
    expect(placeField("email.to.2", shown)).toBe("email.to");
    expect(placeField("email", shown)).toBeNull();
    expect(placeField("", shown)).toBeNull();
    expect(placeField("nam", shown)).toBeNull();
    expect(placeField("options.3.kind", (p) => p.startsWith("options."))).toBe("options.3.kind");
  });

  it("underField and withoutField go by whole path parts", () => {
    expect(underField("options.0.name", "options.0")).toBe(true);
    expect(underField("options.0", "options.0")).toBe(true);
    expect(underField("options.10", "options.1")).toBe(false);
    const fields = { a: "1", "a.b": "2", ab: "3" };
    expect(withoutField(fields, "a")).toEqual({ ab: "3" });
    expect(withoutField(fields, "zzz")).toBe(fields);
  });
});
