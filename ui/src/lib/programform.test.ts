import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MatchPreview, PreviewMatch, Program } from "./types";
import { FormError } from "./errors";
import { DEFAULT_RESTART } from "./labels";
import {
  DEFAULT_LIMITS,
  MatchPreviewer,
  emptyProgramForm,
  formToProgram,
  matchWarning,
  pickedValue,
  previewRows,
  withPick,
  ProcessSearch,
  type SearchState,
  previewRequest,
  previewSummary,
  programToForm,
  type PreviewState,
} from "./programform";
import { deferred } from "./deferred.test-util";

const PROGRAM: Program = {
  id: 7,
  name: "api",
  path: "/srv/api/bin/api",
  args: ["--port", "8080", "two words"],
  cwd: "/srv/api",
  env: { RUST_LOG: "info", EMPTY: "" },
  launch: true,
  autostart: true,
  match_by: { by: "exe" },
  tags: ["web", "prod"],
  restart: { mode: "always", success_codes: [0, 3], backoff_initial_ms: 500, backoff_max_ms: 30_000, reset_after_secs: 120, max_restarts: 3, window_secs: 600 },
  limits: { cpu_percent: 150, memory_mb: 512, sustain_secs: 20, restart_on_memory: true },
  created_at: 1,
};

describe("program form <-> NewProgram", () => {
  it("round-trips a program with every field", () => {
    const { id: _id, created_at: _c, ...rest } = PROGRAM;
    expect(formToProgram(programToForm(PROGRAM))).toEqual(rest);
  });

  it("starts with the daemon's defaults", () => {
    const f = emptyProgramForm();
    expect(f.launch).toBe(true);
    expect(f.env).toEqual({});
    f.name = " job ";
    f.path = " /bin/job ";
    expect(formToProgram(f)).toEqual({
      name: "job",
      path: "/bin/job",
      args: [],
      cwd: null,
      env: {},
      launch: true,
      autostart: false,
      match_by: { by: "exe" },
      tags: [],
      restart: DEFAULT_RESTART,
      limits: DEFAULT_LIMITS,
    });
  });

  it("needs a name and a path", () => {
    const f = emptyProgramForm();
    expect(() => formToProgram(f)).toThrow("Name is required.");
    f.name = "x";
    expect(() => formToProgram(f)).toThrow("Executable path is required.");
  });

  it("watching: no autostart, no restarts, the match rule trimmed", () => {
    const f = programToForm(PROGRAM);
    f.launch = false;
    f.match_by = "name";
    f.match_value = " node.exe ";
    const p = formToProgram(f);
    expect(p.autostart).toBe(false);
    expect(p.restart?.mode).toBe("never");
    expect(p.match_by).toEqual({ by: "name", value: "node.exe" });
    f.match_by = "cmdline";
    f.match_value = "server.js";
    expect(formToProgram(f).match_by).toEqual({ by: "cmdline", value: "server.js" });
  });

  it("reads a watched program's rule back into the form", () => {
    const f = programToForm({ ...PROGRAM, launch: false, match_by: { by: "cmdline", value: "--serve" } });
    expect(f.match_by).toBe("cmdline");
    expect(f.match_value).toBe("--serve");
  });

  it("the environment goes as the editor hands it on", () => {
    const f = programToForm(PROGRAM);
    expect(f.env).toEqual({ RUST_LOG: "info", EMPTY: "" });
    f.env = { A: " 1 " };
    expect(formToProgram(f).env).toEqual({ A: " 1 " });
  });

  it("names the field of what it refuses", () => {
    const f = emptyProgramForm();
    const fieldOf = (g: typeof f) => {
      try {
        formToProgram(g);
      } catch (e) {
        return (e as FormError).field;
      }
      return "nothing refused";
    };
    expect(fieldOf(f)).toBe("name");
    f.name = "x";
    expect(fieldOf(f)).toBe("path");
    f.path = "/bin/x";
    f.max_restarts = "many";
    expect(fieldOf(f)).toBe("restart.max_restarts");
    f.max_restarts = "3";
    f.memory_mb = "-1";
    expect(fieldOf(f)).toBe("limits.memory_mb");
    f.memory_mb = "";
    f.launch = false;
    f.match_by = "cmdline";
    f.match_value = " ";
    expect(fieldOf(f)).toBe("match_by");
    f.match_value = "--serve";
    expect(fieldOf(f)).toBe("nothing refused");
  });

  it("limits: empty is no limit, numbers otherwise", () => {
    const f = programToForm(PROGRAM);
    f.cpu_percent = "";
    f.memory_mb = " 256 ";
    f.sustain_secs = "5";
    expect(formToProgram(f).limits).toEqual({ cpu_percent: null, memory_mb: 256, sustain_secs: 5, restart_on_memory: true });
    f.cpu_percent = "12.5";
    expect(formToProgram(f).limits?.cpu_percent).toBe(12.5);
    f.cpu_percent = "lots";
    expect(() => formToProgram(f)).toThrow(FormError);
    f.cpu_percent = "";
    f.sustain_secs = "";
    expect(() => formToProgram(f)).toThrow(/Sustained for/);
  });

  it("restart policy: success codes as a list, numbers checked", () => {
    const f = programToForm(PROGRAM);
    f.success_codes = "0, 1,,2";
    expect(formToProgram(f).restart?.success_codes).toEqual([0, 1, 2]);
    f.success_codes = "";
    expect(formToProgram(f).restart?.success_codes).toEqual([0]);
    f.success_codes = "0, x";
    expect(() => formToProgram(f)).toThrow(/x is not a whole number/);
    f.success_codes = "0";
    f.max_restarts = "-1";
    expect(() => formToProgram(f)).toThrow(/Crash-loop limit/);
  });

  it("builds the preview request from the rule", () => {
    expect(previewRequest({ match_by: "exe", match_value: "ignored", path: " /bin/x " })).toEqual({ by: "exe", path: "/bin/x" });
    expect(previewRequest({ match_by: "name", match_value: " node ", path: "/bin/x" })).toEqual({ by: "name", value: "node" });
  });

  it("summarises a preview", () => {
    expect(previewSummary({ count: 0, processes: [] })).toBe("matches no process now");
    expect(previewSummary({ count: 1, processes: [{ pid: 1, name: "a", exe: null, cmd: [] }] })).toBe("matches 1 process now");
    expect(previewSummary({ count: 12, processes: [] })).toBe("matches 12 processes now");
  });
});

describe("match preview: debounced, latest answer wins", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const answer = (count: number): MatchPreview => ({ count, processes: [] });

  it("asks once after typing pauses, with the last rule", async () => {
    const fetch = vi.fn(async (_r: PreviewMatch) => answer(2));
    const shown: PreviewState[] = [];
    const p = new MatchPreviewer(fetch, (s) => shown.push(s), 400);
    p.request({ by: "name", value: "n" });
    await vi.advanceTimersByTimeAsync(200);
    p.request({ by: "name", value: "no" });
    await vi.advanceTimersByTimeAsync(200);
    p.request({ by: "name", value: "node" });
    await vi.advanceTimersByTimeAsync(399);
    expect(fetch).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch.mock.calls).toEqual([[{ by: "name", value: "node" }]]);
    expect(shown.at(-1)).toEqual({ kind: "ok", preview: answer(2) });
    // The same rule again asks nothing.
    p.request({ by: "name", value: "node" });
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("drops an older answer that arrives after a newer request", async () => {
    const first = deferred<MatchPreview>();
    const second = deferred<MatchPreview>();
    const fetch = vi.fn().mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
    const shown: PreviewState[] = [];
    const p = new MatchPreviewer(fetch, (s) => shown.push(s), 400);
    p.request({ by: "name", value: "a" });
    await vi.advanceTimersByTimeAsync(400);
    p.request({ by: "name", value: "ab" });
    await vi.advanceTimersByTimeAsync(400);
    second.resolve(answer(5));
    await vi.advanceTimersByTimeAsync(0);
    first.resolve(answer(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(shown.filter((s) => s.kind === "ok")).toEqual([{ kind: "ok", preview: answer(5) }]);
  });

  it("drops an answer still coming when the rule changes (before the next request is made)", async () => {
    const first = deferred<MatchPreview>();
    const fetch = vi.fn().mockReturnValueOnce(first.promise).mockResolvedValue(answer(9));
    const shown: PreviewState[] = [];
    const p = new MatchPreviewer(fetch, (s) => shown.push(s), 400);
    p.request({ by: "name", value: "a" });
    await vi.advanceTimersByTimeAsync(400);
    p.request({ by: "name", value: "b" });
    first.resolve(answer(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(shown.at(-1)).toEqual({ kind: "loading" });
    await vi.advanceTimersByTimeAsync(400);
    expect(shown.at(-1)).toEqual({ kind: "ok", preview: answer(9) });
  });

  it("shows the daemon's reason for an incomplete rule, and clears on null", async () => {
    const fetch = vi.fn(async () => {
      throw { code: "invalid_input", message: "value: a process name is required" };
    });
    const shown: PreviewState[] = [];
    const p = new MatchPreviewer(fetch, (s) => shown.push(s), 400);
    p.request({ by: "name", value: "" });
    await vi.advanceTimersByTimeAsync(400);
    expect(shown.at(-1)).toEqual({ kind: "error", code: "invalid_input", message: "value: a process name is required" });
    p.request(null);
    expect(shown.at(-1)).toEqual({ kind: "idle" });
  });

  it("stop drops the pending request and any answer", async () => {
    const d = deferred<MatchPreview>();
    const fetch = vi.fn().mockReturnValue(d.promise);
    const shown: PreviewState[] = [];
    const p = new MatchPreviewer(fetch, (s) => shown.push(s), 400);
    p.request({ by: "exe", path: "/x" });
    await vi.advanceTimersByTimeAsync(400);
    p.stop();
    d.resolve(answer(1));
    await vi.advanceTimersByTimeAsync(0);
    p.request({ by: "exe", path: "/y" });
    p.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(shown.some((s) => s.kind === "ok")).toBe(false);
  });
});

const PROC = {
  pid: 4242,
  parent: 1,
  name: "node",
  exe: "/usr/bin/node",
  cmd: ["node", "server.js", "--port", "8080"],
  cpu_percent: 1.5,
  memory_bytes: 1 << 20,
  started_at: 1,
  program_id: null,
};

describe("watching a picked process", () => {
  it("warns when the rule matches more than one process", () => {
    expect(matchWarning(0, "name")).toBeNull();
    expect(matchWarning(1, "exe")).toBeNull();
    expect(matchWarning(52, "name")).toBe(
      "This rule matches 52 processes: Stop would offer to end all of them; narrow it with the command line.",
    );
    expect(matchWarning(2, "cmdline")).toBe(
      "This rule matches 2 processes: Stop would offer to end all of them; make the command-line text more specific.",
    );
  });

  it("fills path, name and the rule from the pick", () => {
    const f = withPick(emptyProgramForm(), PROC);
    expect(f.launch).toBe(false);
    expect(f.path).toBe("/usr/bin/node");
    expect(f.name).toBe("node");
    expect(f.match_by).toBe("exe");
    const byLine = withPick({ ...emptyProgramForm(), name: "api" }, PROC, "cmdline");
    expect(byLine.name).toBe("api");
    expect(byLine.match_by).toBe("cmdline");
    expect(byLine.match_value).toBe("node server.js --port 8080");
    expect(formToProgram(byLine).match_by).toEqual({ by: "cmdline", value: "node server.js --port 8080" });
    // Without an executable (access denied): by name, the path as it was.
    const noExe = withPick({ ...emptyProgramForm(), path: "/typed" }, { ...PROC, exe: null, name: "svc.exe" });
    expect(noExe.match_by).toBe("name");
    expect(noExe.match_value).toBe("svc.exe");
    expect(noExe.path).toBe("/typed");
    expect(noExe.name).toBe("svc");
    expect(pickedValue(PROC, "exe")).toBe("");
  });

  it("reads the preview's processes with or without command lines", () => {
    expect(previewRows({ count: 2, processes: [{ pid: 1, name: "a" } as never, { pid: 2, name: "b", cmd: ["b", "-x"], exe: "/b" }] })).toEqual([
      { pid: 1, name: "a", cmd: [], exe: null },
      { pid: 2, name: "b", cmd: ["b", "-x"], exe: "/b" },
    ]);
  });
});

describe("process search: first at once, then debounced, latest answer wins", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("asks at once the first time, then after typing pauses", async () => {
    const fetch = vi.fn(async (q: string) => [{ ...PROC, name: q || "all" }]);
    const shown: SearchState[] = [];
    const s = new ProcessSearch(fetch, (x) => shown.push(x), 300);
    s.search("");
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch.mock.calls).toEqual([[""]]);
    s.search("no");
    s.search("node ");
    await vi.advanceTimersByTimeAsync(299);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch.mock.calls.at(-1)).toEqual(["node"]);
    expect(shown.at(-1)).toMatchObject({ kind: "ok", processes: [{ name: "node" }] });
    s.search("node");
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).toHaveBeenCalledTimes(2);
    s.refresh();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(3);
    s.stop();
  });

  it("shows the failure", async () => {
    const s: SearchState[] = [];
    const search = new ProcessSearch(async () => Promise.reject({ code: "unavailable", message: "cannot reach" }), (x) => s.push(x));
    search.search("x");
    await vi.advanceTimersByTimeAsync(0);
    expect(s.at(-1)).toEqual({ kind: "error", code: "unavailable", message: "cannot reach" });
  });
});
