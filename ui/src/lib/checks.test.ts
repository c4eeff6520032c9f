import { describe, expect, it } from "vitest";
import type { JobOption, ProgramStatus } from "./types";
import { FormError } from "./errors";
import { severityOf } from "./events";
import { applyStatusUpdate } from "./monitor";
import {
  checkEditorShows,
  checkOf,
  checkToForm,
  configFieldError,
  configInputs,
  configProblems,
  configValues,
  emptyCheckForm,
  formToCheck,
  formToProbe,
  formatMetric,
  nextReloadMs,
  probeTarget,
  probeToForm,
  programHealth,
  programLabel,
  recordText,
  resultText,
  statusCounts,
  statusLabel,
  type Check,
  type CheckForm,
  type Probe,
} from "./checks";

const opt = (o: Partial<JobOption> & Pick<JobOption, "name" | "type">): JobOption => ({ label: "", flag: null, choices: [], default: null, ...o });

const OPTIONS: JobOption[] = [
  opt({ name: "port", label: "Port", type: "number", default: 5432 }),
  opt({ name: "host", type: "string", default: "localhost" }),
  opt({ name: "tls", type: "boolean", default: false }),
  opt({ name: "mode", type: "select", choices: ["fast", "full"] }),
  opt({ name: "dbs", type: "array" }),
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

function form(over: Partial<CheckForm> = {}, probe: Partial<CheckForm["probe"]> = {}): CheckForm {
  const f = emptyCheckForm();
  return { ...f, name: "web", ...over, probe: { ...f.probe, ...probe } };
}

describe("statuses in words", () => {
  it("labels each status, and says when a check has not answered", () => {
    expect(statusLabel("ok")).toBe("OK");
    expect(statusLabel("critical")).toBe("Critical");
    expect(statusLabel(null)).toBe("Not run yet");
  });

  it("shows a plugin failure instead of an empty message", () => {
    const answer = { status: "unknown" as const, message: "", metrics: [] };
    expect(resultText({ answer, error: "timed out after 10 s" })).toBe("The check could not run: timed out after 10 s");
    expect(resultText({ answer: { ...answer, status: "ok", message: "port open" } })).toBe("port open");
    expect(resultText({ answer })).toBe("(no message)");
    expect(recordText({ message: "slow", error: null })).toBe("slow");
    expect(recordText({ message: "", error: "exit 127" })).toBe("The check could not run: exit 127");
  });

  it("counts checks per status, worst first, with those not run yet last", () => {
    const r = (status: "ok" | "warning" | "critical") => ({ latest: { answer: { status, message: "", metrics: [] }, ts: 0, duration_ms: 1, attempts: 1 } });
    expect(statusCounts([r("ok"), { latest: null }, r("critical"), r("ok")])).toEqual([
      { status: "critical", count: 1 },
      { status: "ok", count: 2 },
      { status: null, count: 1 },
    ]);
  });

  it("gives the checks' events a severity", () => {
    expect(["check_critical", "plugin_breaker_opened", "action_failed"].map(severityOf)).toEqual(["error", "error", "error"]);
    expect(["check_warning", "check_unknown"].map(severityOf)).toEqual(["warning", "warning"]);
    expect(["check_recovered", "plugin_breaker_closed"].map(severityOf)).toEqual(["info", "info"]);
  });

  it("names where a check belongs", () => {
    const names = new Map([[3, "api"]]);
    expect(programLabel(3, names)).toBe("api");
    expect(programLabel(null, names)).toBe("standalone");
    expect(programLabel(undefined, names)).toBe("standalone");
    expect(programLabel(9, names)).toBe("program #9 (removed)");
  });

  it("reads a program's health, null when it has no checks", () => {
    expect(programHealth({ health: "degraded" } as unknown as ProgramStatus)).toBe("degraded");
    expect(programHealth({ health: null } as unknown as ProgramStatus)).toBeNull();
    expect(programHealth({} as ProgramStatus)).toBeNull();
    expect(programHealth(undefined)).toBeNull();
  });

  it("takes in a pushed status whose only change is its health", () => {
    const base: ProgramStatus = { program_id: 1, state: "stopped", processes: [], cpu_percent: 0, memory_bytes: 0, since: null, restarts: 0, last_exit: null, recent: [], health: "unknown" };
    const one = applyStatusUpdate({}, { full: true, statuses: [base], removed: [] });
    const two = applyStatusUpdate(one, { full: false, statuses: [{ ...base, health: "unhealthy" }], removed: [] });
    expect(programHealth(two[1])).toBe("unhealthy");
    // The same again keeps its object (nothing shown changed).
    expect(applyStatusUpdate(two, { full: false, statuses: [{ ...base, health: "unhealthy" }], removed: [] })[1]).toBe(two[1]);
  });

  it("writes metric values with their unit", () => {
    expect(formatMetric(12.3456, "ms")).toBe("12.35 ms");
    expect(formatMetric(42, "%")).toBe("42%");
    expect(formatMetric(7, "")).toBe("7");
  });

  it("says what a probe looks at", () => {
    expect(probeTarget({ type: "tcp", host: "db", port: 5432 })).toBe("db:5432");
    expect(probeTarget({ type: "plugin", plugin: "pg", config: {} })).toBe("plugin pg");
    expect(probeTarget({ type: "disk", path: "/", warn_free_percent: 20, crit_free_percent: 10 })).toBe("free space of /");
  });
});

describe("probe form", () => {
  const probes: Probe[] = [
    { type: "http", url: "https://x.test/health", expect_status: 204, body_contains: "ok", warn_ms: 200, crit_ms: 900 },
    { type: "http", url: "http://x.test" },
    { type: "tcp", host: "127.0.0.1", port: 8080, warn_ms: 50 },
    { type: "tcp", host: "db", port: 5432 },
    { type: "log_file", path: "/var/log/app.log", pattern: "ERROR|FATAL", status: "warning" },
    { type: "disk", path: "/", warn_free_percent: 15.5, crit_free_percent: 5 },
    { type: "hung_window" },
  ];

  it("turns every probe into the form and back unchanged", () => {
    for (const p of probes) expect(formToProbe(probeToForm(p), {}, {}, null)).toEqual(p.type === "log_file" ? { ...p, status: p.status ?? "critical" } : p);
  });

  it("keeps a log file match critical unless it says warning", () => {
    expect(probeToForm({ type: "log_file", path: "/l", pattern: "x" }).match_status).toBe("critical");
  });

  it("names the field of what it can tell is wrong", () => {
    expect(thrown(() => formToProbe(probeToForm({ type: "http", url: "  " }), {}, {}, null)).field).toBe("probe.url");
    const tcp = probeToForm({ type: "tcp", host: "h", port: 1 });
    expect(thrown(() => formToProbe({ ...tcp, port: "" }, {}, {}, null)).field).toBe("probe.port");
    expect(thrown(() => formToProbe({ ...tcp, port: "70000" }, {}, {}, null)).message).toBe("Port: 1 to 65535.");
    expect(thrown(() => formToProbe({ ...tcp, port: "80a" }, {}, {}, null)).message).toBe('Port: enter a whole number, not "80a".');
    expect(thrown(() => formToProbe({ ...tcp, host: " " }, {}, {}, null)).field).toBe("probe.host");
    const http = probeToForm({ type: "http", url: "http://x" });
    expect(thrown(() => formToProbe({ ...http, warn_ms: "900", crit_ms: "100" }, {}, {}, null)).field).toBe("probe.warn_ms");
    expect(thrown(() => formToProbe({ ...http, expect_status: "99" }, {}, {}, null)).field).toBe("probe.expect_status");
    const disk = probeToForm({ type: "disk", path: "/", warn_free_percent: 20, crit_free_percent: 10 });
    expect(thrown(() => formToProbe({ ...disk, crit_free_percent: "30" }, {}, {}, null)).field).toBe("probe.crit_free_percent");
    expect(thrown(() => formToProbe({ ...disk, warn_free_percent: "120" }, {}, {}, null)).message).toBe("Warning below: a percentage is 0 to 100.");
    const log = probeToForm({ type: "log_file", path: "/l", pattern: "x" });
    expect(thrown(() => formToProbe({ ...log, pattern: "" }, {}, {}, null)).field).toBe("probe.pattern");
    expect(thrown(() => formToProbe({ ...probeToForm({ type: "plugin", plugin: "", config: {} }) }, {}, {}, null)).field).toBe("probe.plugin");
  });

  it("leaves the URL's form to the daemon (it says so next to the field)", () => {
    expect(formToProbe(probeToForm({ type: "http", url: "ftp://example.com" }), {}, {}, null)).toEqual({ type: "http", url: "ftp://example.com" });
  });

  it("takes a plugin's config from its generated form, or keeps the saved one while its options are unknown", () => {
    const f = probeToForm({ type: "plugin", plugin: "pg", config: {} });
    const inputs = { ...configInputs(OPTIONS), port: "6543", dbs: "a\nb\n" };
    expect(formToProbe(f, inputs, {}, OPTIONS)).toEqual({ type: "plugin", plugin: "pg", config: { port: 6543, host: "localhost", tls: false, dbs: ["a", "b"] } });
    expect(formToProbe(f, {}, { port: 1 }, null)).toEqual({ type: "plugin", plugin: "pg", config: { port: 1 } });
  });
});

describe("config form", () => {
  it("starts from the saved values, the defaults for the rest", () => {
    expect(configInputs(OPTIONS)).toEqual({ port: "5432", host: "localhost", tls: false, mode: "", dbs: "" });
    expect(configInputs(OPTIONS, { port: 1, tls: true, mode: "full", dbs: ["x", "y"], gone: 3 })).toEqual({ port: "1", host: "localhost", tls: true, mode: "full", dbs: "x\ny" });
  });

  it("builds the values, leaving empty texts out so the plugin's default applies", () => {
    expect(configValues(OPTIONS, { port: "", host: "", tls: true, mode: "fast", dbs: "" })).toEqual({ tls: true, mode: "fast" });
    expect(configValues(OPTIONS, { port: "1,5" })).toEqual({ port: 1.5 });
  });

  it("says what is wrong at config.<name>", () => {
    expect(configProblems(OPTIONS, { port: "many", mode: "slow" })).toEqual({
      "config.port": "Enter a number (like 42 or 2.5), or leave it empty for the default.",
      "config.mode": "Pick one of: fast, full.",
    });
    const e = thrown(() => configValues(OPTIONS, { port: "many" }));
    expect(e.field).toBe("config.port");
    expect(e.message).toBe("Port: Enter a number (like 42 or 2.5), or leave it empty for the default.");
  });

  it("finds the daemon's message about an option under either path", () => {
    expect(configFieldError({ "config.port": "too big" }, "port")).toBe("too big");
    expect(configFieldError({ "probe.config.port": "too big" }, "port")).toBe("too big");
    expect(configFieldError({ "config.host": "x" }, "port")).toBeNull();
  });
});

describe("check form", () => {
  it("makes the check, defaults left out", () => {
    expect(formToCheck(form({}, { type: "tcp", host: "127.0.0.1", port: "9" }), null)).toEqual({
      name: "web",
      probe: { type: "tcp", host: "127.0.0.1", port: 9 },
      retries: 2,
      enabled: true,
    });
  });

  it("round-trips a saved check", () => {
    const c: Check = {
      id: 4,
      name: "db",
      program_id: 2,
      probe: { type: "plugin", plugin: "pg", config: { port: 6543, tls: true } },
      interval_secs: 30,
      timeout_secs: 5,
      retries: 0,
      enabled: false,
      restart_after: 3,
    };
    const f = checkToForm(c, OPTIONS);
    expect(f.config.port).toBe("6543");
    expect(formToCheck(f, OPTIONS, 4)).toEqual({ ...c, probe: { type: "plugin", plugin: "pg", config: { port: 6543, tls: true, host: "localhost" } } });
    // The plugin's options unknown (refused, removed): the saved config goes back as it was.
    expect(formToCheck(checkToForm(c), null, 4)).toEqual(c);
  });

  it("sends restart_after only with a program", () => {
    const f = form({ restart_after: "3" }, { type: "tcp", host: "h", port: "1" });
    expect(formToCheck(f, null).restart_after).toBeUndefined();
    expect(formToCheck({ ...f, program_id: "5" }, null)).toMatchObject({ program_id: 5, restart_after: 3 });
  });

  it("names the field of what it can tell is wrong", () => {
    expect(thrown(() => formToCheck(form({ name: " " }, { type: "tcp", host: "h", port: "1" }), null)).field).toBe("name");
    expect(thrown(() => formToCheck(form({}, { type: "hung_window" }), null)).field).toBe("program_id");
    expect(thrown(() => formToCheck(form({ retries: "11" }, { type: "tcp", host: "h", port: "1" }), null)).message).toBe("Retries: 0 to 10.");
    expect(thrown(() => formToCheck(form({ interval_secs: "0" }, { type: "tcp", host: "h", port: "1" }), null)).field).toBe("interval_secs");
    expect(thrown(() => formToCheck(form({ program_id: "1", restart_after: "x" }, { type: "tcp", host: "h", port: "1" }), null)).field).toBe("restart_after");
  });

  it("shows the daemon's messages next to its fields", () => {
    for (const p of ["name", "probe.url", "probe.port", "config.port", "probe.config.port", "restart_after", "program_id"]) expect(checkEditorShows(p)).toBe(true);
    for (const p of ["probe", "config", "config.a.b", "id"]) expect(checkEditorShows(p)).toBe(false);
  });
});

describe("reading again", () => {
  it("finds the check an event is about", () => {
    expect(checkOf('{"check_id":7,"status":"critical","previous":"ok"}')).toBe(7);
    expect(checkOf('{"status":"ok"}')).toBeNull();
    expect(checkOf("not json")).toBeNull();
    expect(checkOf(null)).toBeNull();
  });

  it("reads a second after the soonest next run, within 2 to 30 s", () => {
    expect(nextReloadMs([{ next_at: 10_000 }, { next_at: 5_000 }], 0)).toBe(6_000);
    expect(nextReloadMs([{ next_at: 100 }], 0)).toBe(2_000);
    expect(nextReloadMs([{ next_at: 1_000_000 }], 0)).toBe(30_000);
    expect(nextReloadMs([{ next_at: null }], 0)).toBe(30_000);
    expect(nextReloadMs([], 0)).toBe(30_000);
  });
});
