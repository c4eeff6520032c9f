import { describe, expect, it } from "vitest";
import type { EventKind, JobOption } from "./types";
import { FormError } from "./errors";
import { actionEditorShows, actionEventKinds, actionToForm, describeAction, emptyActionForm, formToAction, runText, type Action } from "./actions";

const OPTIONS: JobOption[] = [
  { name: "dir", label: "Folder", type: "string", flag: "--dir", choices: [], default: "/tmp" },
  { name: "keep", label: "", type: "number", flag: null, choices: [], default: null },
];

function thrown(fn: () => unknown): FormError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FormError) return e;
    throw e;
  }
  throw new Error("no FormError thrown");
}

describe("action form", () => {
  const action: Action = {
    id: 3,
    name: "dump",
    plugin: "collect-dump",
    config: { dir: "/var/dumps", keep: 5 },
    enabled: true,
    kinds: ["program_crashed"],
    programs: [7],
    jobs: ["nightly"],
    tags: ["db", "prod"],
    timeout_secs: 60,
  };

  it("round-trips a saved action", () => {
    const f = actionToForm(action, OPTIONS);
    expect(f.config).toEqual({ dir: "/var/dumps", keep: "5" });
    expect(f.tags).toBe("db, prod");
    expect(formToAction(f, OPTIONS, 3)).toEqual(action);
    expect(formToAction(actionToForm(action), null, 3)).toEqual(action);
  });

  it("needs a name, a plugin and an event", () => {
    const f = { ...emptyActionForm(), name: "x", plugin: "p", kinds: ["program_crashed" as EventKind] };
    expect(thrown(() => formToAction({ ...f, name: " " }, [])).field).toBe("name");
    expect(thrown(() => formToAction({ ...f, plugin: "" }, [])).field).toBe("plugin");
    const none = thrown(() => formToAction({ ...f, kinds: [] }, []));
    expect([none.field, none.message]).toEqual(["kinds", "Tick at least one event it runs on."]);
    expect(thrown(() => formToAction({ ...f, timeout_secs: "0" }, [])).field).toBe("timeout_secs");
    expect(thrown(() => formToAction({ ...f, config: { keep: "lots" } }, OPTIONS)).field).toBe("config.keep");
    expect(formToAction(f, [])).toEqual({ name: "x", plugin: "p", config: {}, enabled: true, kinds: ["program_crashed"], programs: [], jobs: [], tags: [] });
  });

  it("shows the daemon's messages next to its fields", () => {
    for (const p of ["name", "plugin", "kinds", "config.dir", "timeout_secs"]) expect(actionEditorShows(p)).toBe(true);
    expect(actionEditorShows("config")).toBe(false);
  });
});

describe("actions in words", () => {
  it("offers every event kind once, the checks' ones included", () => {
    const kinds = actionEventKinds() as string[];
    expect(kinds).toContain("program_crashed");
    expect(kinds).toContain("check_critical");
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  it("says what an action runs on", () => {
    const names = new Map([[7, "api"]]);
    expect(describeAction({ name: "a", plugin: "p", config: {}, kinds: ["program_crashed"], programs: [7], tags: ["db"] }, names)).toEqual({
      events: "crashed",
      scope: "programs api; tags db",
    });
    expect(describeAction({ name: "a", plugin: "p", config: {}, kinds: [] }, names)).toEqual({ events: "no events", scope: "everything" });
  });

  it("says how a run went", () => {
    expect(runText({ ok: true, message: "dump written" })).toBe("Done: dump written");
    expect(runText({ ok: false, message: "" })).toBe("Failed.");
  });
});
