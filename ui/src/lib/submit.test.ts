import { describe, expect, it, vi } from "vitest";
import { Submitter } from "./submit.svelte";
import { FormError, apiError } from "./errors";
import { deferred } from "./deferred.test-util";

describe("Submitter", () => {
  it("is busy while the call runs and resolves with its result", async () => {
    const s = new Submitter(() => {});
    const d = deferred<number>();
    expect(s.busy).toBe(false);
    const p = s.run(() => d.promise);
    expect(s.busy).toBe(true);
    d.resolve(42);
    await expect(p).resolves.toBe(42);
    expect(s.busy).toBe(false);
    expect(s.error).toBeNull();
  });

  it("captures the message of an ApiError-shaped rejection and resolves with null", async () => {
    const s = new Submitter(() => {});
    const r = await s.run(() => Promise.reject(apiError("conflict", "job backup exists")));
    expect(r).toBeNull();
    expect(s.error).toBe("job backup exists");
    expect(s.busy).toBe(false);
  });

  it("captures thrown Errors and strings too", async () => {
    const s = new Submitter(() => {});
    await s.run(async () => {
      throw new Error("boom");
    });
    expect(s.error).toBe("boom");
    await s.run(() => Promise.reject("plain text"));
    expect(s.error).toBe("plain text");
  });

  it("hands unauthorized to the callback and shows no error", async () => {
    const onunauthorized = vi.fn();
    const s = new Submitter(onunauthorized);
    s.error = "an older message";
    const r = await s.run(() => Promise.reject(apiError("unauthorized", "bad token")));
    expect(r).toBeNull();
    expect(onunauthorized).toHaveBeenCalledOnce();
    expect(s.error).toBeNull();
    expect(s.busy).toBe(false);
  });

  it("does not call the callback for other errors", async () => {
    const onunauthorized = vi.fn();
    const s = new Submitter(onunauthorized);
    await s.run(() => Promise.reject(apiError("unavailable", "daemon down")));
    expect(onunauthorized).not.toHaveBeenCalled();
    expect(s.error).toBe("daemon down");
  });

  it("refuses a second run while one is going", async () => {
    const s = new Submitter(() => {});
    const d = deferred<string>();
    const first = s.run(() => d.promise);
    const second = vi.fn(() => Promise.resolve("second"));
    await expect(s.run(second)).resolves.toBeNull();
    expect(second).not.toHaveBeenCalled();
    expect(s.busy).toBe(true);
    d.resolve("first");
    await expect(first).resolves.toBe("first");
    expect(s.busy).toBe(false);
    // Free again afterwards.
    await expect(s.run(second)).resolves.toBe("second");
    expect(second).toHaveBeenCalledOnce();
  });

  it("clears the previous error when a run starts, and on success", async () => {
    const s = new Submitter(() => {});
    await s.run(() => Promise.reject(apiError("invalid_input", "bad cron")));
    expect(s.error).toBe("bad cron");
    const d = deferred<void>();
    const p = s.run(() => d.promise);
    expect(s.error).toBeNull();
    d.resolve();
    await p;
    expect(s.error).toBeNull();
  });

  it("keeps the shown error during the call with clearError: false", async () => {
    const s = new Submitter(() => {});
    s.error = "save failed";
    const d = deferred<void>();
    const p = s.run(() => d.promise, { clearError: false });
    expect(s.error).toBe("save failed");
    d.reject(apiError("not_found", "no endpoint 3"));
    await p;
    expect(s.error).toBe("no endpoint 3");
  });

  it("catches a failure in the success handling inside fn", async () => {
    const s = new Submitter(() => {});
    const r = await s.run(async () => {
      await Promise.resolve(1);
      throw apiError("internal", "handler failed");
    });
    expect(r).toBeNull();
    expect(s.error).toBe("handler failed");
  });
});

describe("Submitter.checked", () => {
  it("returns what the conversion builds and leaves the error alone", () => {
    const s = new Submitter(() => {});
    s.error = "earlier";
    expect(s.checked(() => 7)).toBe(7);
    expect(s.error).toBe("earlier");
  });

  it("shows a FormError's message and returns undefined", () => {
    const s = new Submitter(() => {});
    const got = s.checked((): number => {
      throw new FormError("Timeout must be a whole number");
    });
    expect(got).toBeUndefined();
    expect(s.error).toBe("Timeout must be a whole number");
    expect(s.busy).toBe(false);
  });

  it("throws anything else on", () => {
    const s = new Submitter(() => {});
    const bug = () => {
      throw new TypeError("bug");
    };
    expect(() => s.checked(bug)).toThrow(TypeError);
    expect(s.error).toBeNull();
  });
});

describe("Submitter field messages", () => {
  const fields = ["name", "schedule", "options", "restart"];

  it("puts a daemon error naming a shown field next to it, and leaves the form's message empty", async () => {
    const s = new Submitter(() => {}, { fields });
    await s.run(() => Promise.reject(apiError("invalid_input", "bad cron", "schedule")));
    expect(s.fieldError("schedule")).toBe("bad cron");
    expect(s.error).toBeNull();
    expect(s.failed).toBe(true);
  });

  it("places a nested path at its nearest shown parent", async () => {
    const s = new Submitter(() => {}, { fields });
    await s.run(() => Promise.reject(apiError("invalid_input", "too many", "restart.max_restarts")));
    expect(s.fieldError("restart")).toBe("too many");
    const t = new Submitter(() => {}, { fields: (p) => /^options\.\d+\.name$/.test(p) });
    await t.run(() => Promise.reject(apiError("invalid_input", "empty name", "options.2.name")));
    expect(t.fieldError("options.2.name")).toBe("empty name");
  });

  it("shows an unknown field, or none, with the whole form", async () => {
    const s = new Submitter(() => {}, { fields });
    await s.run(() => Promise.reject(apiError("invalid_input", "no such thing", "pids")));
    expect(s.error).toBe("no such thing");
    expect(s.fields).toEqual({});
    await s.run(() => Promise.reject(apiError("conflict", "exists")));
    expect(s.error).toBe("exists");
    // a Submitter without fields keeps every message with the form (as before)
    const plain = new Submitter(() => {});
    await plain.run(() => Promise.reject(apiError("invalid_input", "bad cron", "schedule")));
    expect(plain.error).toBe("bad cron");
  });

  it("clears the messages when a new call starts", async () => {
    const s = new Submitter(() => {}, { fields });
    await s.run(() => Promise.reject(apiError("invalid_input", "bad cron", "schedule")));
    await s.run(() => Promise.resolve(1));
    expect(s.fields).toEqual({});
    expect(s.failed).toBe(false);
  });

  it("a changed field loses its message (and those under and above it), the others stay", () => {
    const s = new Submitter(() => {}, { fields: () => true });
    s.show("a", "name");
    s.show("b", "schedule");
    s.show("c", "options.0.name");
    s.show("d", "options");
    s.show("e", "optionsx");
    s.clearField("schedule");
    expect(s.fields).toEqual({ name: "a", "options.0.name": "c", options: "d", optionsx: "e" });
    s.clearField("options.0.name");
    expect(s.fields).toEqual({ name: "a", optionsx: "e" });
    s.clearField("nothing");
    expect(s.fields).toEqual({ name: "a", optionsx: "e" });
  });

  it("oninput clears the field of the nearest data-field holder", () => {
    const s = new Submitter(() => {}, { fields });
    s.show("bad", "schedule");
    s.show("empty", "name");
    const holder = { getAttribute: (a: string) => (a === "data-field" ? "schedule" : null) };
    const target = { closest: (sel: string) => (sel === "[data-field]" ? holder : null) };
    s.oninput({ target } as unknown as Event);
    expect(s.fields).toEqual({ name: "empty" });
    // an element outside any field changes nothing
    s.oninput({ target: { closest: () => null } } as unknown as Event);
    s.oninput({ target: null } as unknown as Event);
    expect(s.fields).toEqual({ name: "empty" });
  });

  it("invalid() shows each of the form's own problems next to its field and says whether any", () => {
    const s = new Submitter(() => {}, { fields });
    expect(s.invalid({ name: null, schedule: false, options: undefined })).toBe(false);
    expect(s.failed).toBe(false);
    expect(s.invalid({ name: "Give it a name.", schedule: null, elsewhere: "Something else." })).toBe(true);
    expect(s.fields).toEqual({ name: "Give it a name." });
    expect(s.error).toBe("Something else.");
  });

  it("checked() shows a FormError naming a field next to it", () => {
    const s = new Submitter(() => {}, { fields });
    s.error = "older";
    const got = s.checked((): number => {
      throw new FormError("Enter a number.", "options.1.default");
    });
    expect(got).toBeUndefined();
    expect(s.fields).toEqual({ options: "Enter a number." });
    expect(s.error).toBeNull();
  });

  it("unauthorized still goes to the callback and shows nothing", async () => {
    const onunauthorized = vi.fn();
    const s = new Submitter(onunauthorized, { fields });
    s.show("x", "name");
    await s.run(() => Promise.reject(apiError("unauthorized", "bad token", "name")));
    expect(onunauthorized).toHaveBeenCalledOnce();
    expect(s.failed).toBe(false);
  });
});
