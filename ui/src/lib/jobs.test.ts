import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { JobOption } from "./types";
import {
  shellOptionsNote,
  FormError,
  SchedulePreview,
  buildRunOptions,
  emptyJobForm,
  formToJob,
  formatDuration,
  formatFire,
  formatRelative,
  initialOptionInputs,
  isLive,
  jobToForm,
  parseOutput,
  runDuration,
  stampClock,
  type PreviewState,
} from "./jobs";
import { formatDateTime } from "./format";
import { makeJob } from "./jobfixtures.test-util";

const opt = (o: Partial<JobOption> & Pick<JobOption, "name" | "type">): JobOption => ({
  label: "",
  flag: null,
  choices: [],
  default: null,
  ...o,
});

const OPTIONS: JobOption[] = [
  opt({ name: "dry", type: "boolean", flag: "--dry-run" }),
  opt({ name: "date", type: "string", flag: "--date" }),
  opt({ name: "files", type: "array" }),
  opt({ name: "level", type: "select", choices: ["low", "high"] }),
];

describe("run options form", () => {
  it("turns a checkbox into a boolean, false included", () => {
    expect(buildRunOptions(OPTIONS, { dry: true })).toEqual({ dry: true });
    expect(buildRunOptions(OPTIONS, { dry: false })).toEqual({ dry: false });
  });

  it("splits an array textarea into one string per non-blank line, trimmed", () => {
    expect(buildRunOptions(OPTIONS, { files: "a.txt\n\n  b c.txt \r\nd" })).toEqual({ files: ["a.txt", "b c.txt", "d"] });
  });

  it("omits empty strings, empty selects and blank arrays so the job default applies", () => {
    expect(buildRunOptions(OPTIONS, { date: "", level: "", files: "\n \n" })).toEqual({});
  });

  it("keeps text as typed and select values", () => {
    expect(buildRunOptions(OPTIONS, { date: " 2026-01-02", level: "high" })).toEqual({ date: " 2026-01-02", level: "high" });
  });

  it("drops names the job does not have", () => {
    expect(buildRunOptions(OPTIONS, { nope: "x", date: "d" })).toEqual({ date: "d" });
  });

  it("starts from the defaults, in the input's own shape", () => {
    const withDefaults: JobOption[] = [
      opt({ name: "dry", type: "boolean", default: true }),
      opt({ name: "date", type: "string", default: "today" }),
      opt({ name: "n", type: "string", default: 5 }),
      opt({ name: "files", type: "array", default: ["x", "y"] }),
      opt({ name: "level", type: "select", choices: ["low", "high"], default: "high" }),
      opt({ name: "bad", type: "select", choices: ["low"], default: "gone" }),
      opt({ name: "none", type: "boolean" }),
    ];
    const init = initialOptionInputs(withDefaults);
    expect(init).toEqual({ dry: true, date: "today", n: "5", files: "x\ny", level: "high", bad: "", none: false });
    // Submitting the untouched form sends the defaults back in request shape.
    expect(buildRunOptions(withDefaults, init)).toEqual({
      dry: true,
      date: "today",
      n: "5",
      files: ["x", "y"],
      level: "high",
      none: false,
    });
  });
});

describe("job editor form", () => {
  it("builds a full Job from the fields", () => {
    const f = {
      ...emptyJobForm(),
      id: " fetch ",
      name: "Fetch",
      command: " /bin/fetch ",
      args: "print\n3\n",
      cwd: "  ",
      schedule: " 0 3 * * * ",
      timezone: "Europe/Berlin",
      timeout_secs: "30",
      retries: "2",
      retry_delay_ms: "500",
      backoff: "exponential" as const,
      depends_on: "a, b,,a",
      on_success: "",
      on_failure: "alert",
      options: [
        { name: "dry", label: "Dry run", type: "boolean" as const, flag: "--dry", choices: "x", default: "true" },
        { name: "lvl", label: "", type: "select" as const, flag: "", choices: "low, high", default: "low" },
        { name: "files", label: "", type: "array" as const, flag: "", choices: "", default: "a, b" },
        { name: "  ", label: "blank rows are dropped", type: "string" as const, flag: "", choices: "", default: "" },
      ],
    };
    const job = formToJob(f);
    expect(job).toEqual({
      id: "fetch",
      name: "Fetch",
      command: "/bin/fetch",
      args: ["print", "3"],
      shell: false,
      cwd: null,
      env: {},
      category: null,
      tags: [],
      enabled: true,
      options: [
        { name: "dry", label: "Dry run", type: "boolean", flag: "--dry", choices: [], default: true },
        { name: "lvl", label: "", type: "select", flag: null, choices: ["low", "high"], default: "low" },
        { name: "files", label: "", type: "array", flag: null, choices: [], default: ["a", "b"] },
      ],
      execution: { timeout_secs: 30, retries: 2, retry_delay_ms: 500, backoff: "exponential", retry_on: ["timeout", "failure", "start_error"], fix_command: null },
      schedule: "0 3 * * *",
      timezone: "Europe/Berlin",
      overlap: "skip",
      missed: "skip",
      depends_on: ["a", "b"],
      on_success: [],
      on_failure: ["alert"],
      template: false,
      extends: null,
      vars: {},
    });
  });

  it("maps empty schedule, timeout and defaults to null", () => {
    const job = formToJob({ ...emptyJobForm(), id: "x", command: "c", options: [{ name: "o", label: "", type: "string", flag: "", choices: "", default: "" }] });
    expect(job.schedule).toBeNull();
    expect(job.timezone).toBeNull();
    expect(job.execution.timeout_secs).toBeNull();
    expect(job.options[0].default).toBeNull();
  });

  it("round-trips a job and keeps the fields it does not show", () => {
    const job = makeJob({
      env: { A: "1" },
      category: "ops",
      tags: ["t"],
      schedule: "*/5 * * * *",
      options: [opt({ name: "files", type: "array", flag: "-f", default: ["a", "b"] })],
      execution: { timeout_secs: 9, retries: 1, retry_delay_ms: 10, backoff: "linear", retry_on: ["failure"], fix_command: ["fix"] },
      depends_on: ["x", "y"],
    });
    expect(formToJob(jobToForm(job), job)).toEqual(job);
  });

  it("refuses numbers it can tell are wrong", () => {
    const base = { ...emptyJobForm(), id: "x", command: "c" };
    expect(() => formToJob({ ...base, timeout_secs: "0" })).toThrow(FormError);
    expect(() => formToJob({ ...base, retries: "-1" })).toThrow(/Retries/);
    expect(() => formToJob({ ...base, retry_delay_ms: "1.5" })).toThrow(/Retry delay/);
    expect(() =>
      formToJob({ ...base, options: [{ name: "b", label: "", type: "boolean", flag: "", choices: "", default: "yes" }] }),
    ).toThrow(/true or false/);
  });
});

describe("run output", () => {
  it("splits stamp, stream and text", () => {
    const raw = "2026-11-22T01:02:03.456Z out line 1\n2026-11-22T01:02:03.500Z err  two  spaces \n";
    expect(parseOutput(raw)).toEqual([
      { ts: "2026-11-22T01:02:03.456Z", stream: "out", text: "line 1" },
      { ts: "2026-11-22T01:02:03.500Z", stream: "err", text: " two  spaces " },
    ]);
  });

  it("keeps empty lines of the program and lines without a stamp", () => {
    expect(parseOutput("2026-11-22T01:02:03.456Z out\n[output truncated]\r\n2026-11-22T01:02:03Z err x")).toEqual([
      { ts: "2026-11-22T01:02:03.456Z", stream: "out", text: "" },
      { ts: "", stream: "out", text: "[output truncated]" },
      { ts: "2026-11-22T01:02:03Z", stream: "err", text: "x" },
    ]);
  });

  it("does not take a word that only looks like a stream", () => {
    expect(parseOutput("2026-11-22T01:02:03.456Z outer space")).toEqual([
      { ts: "", stream: "out", text: "2026-11-22T01:02:03.456Z outer space" },
    ]);
    expect(parseOutput("")).toEqual([]);
  });

  it("shows the clock part of a stamp", () => {
    expect(stampClock("2026-11-22T01:02:03.456Z")).toBe("01:02:03.456");
    expect(stampClock("")).toBe("");
  });
});

describe("time formatting", () => {
  const now = 1_800_000_000_000;
  it.each([
    [0, "now"],
    [400, "now"],
    [5_000, "in 5s"],
    [-5_000, "5s ago"],
    [3 * 60_000 + 59_000, "in 3 min"],
    [2 * 3600_000, "in 2 h"],
    [2 * 3600_000 + 5 * 60_000, "in 2 h 5 min"],
    [-(3 * 86400_000 + 5), "3 d ago"],
  ])("relative %i ms -> %s", (d, text) => {
    expect(formatRelative(now + d, now)).toBe(text);
  });

  it.each([
    [850, "850 ms"],
    [12_345, "12.3 s"],
    [59_999, "59.9 s"],
    [4 * 60_000 + 5_000, "4 min 05 s"],
    [2 * 3600_000 + 3 * 60_000, "2 h 03 min"],
    [-1, "–"],
  ])("duration %i -> %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("measures finished runs to their end and running ones to now", () => {
    expect(runDuration({ started_at: 100, ended_at: 350 }, 9999)).toBe(250);
    expect(runDuration({ started_at: 100, ended_at: null }, 600)).toBe(500);
    expect(runDuration({ started_at: null, ended_at: null }, 600)).toBeNull();
  });

  it("formats a fire as local date-time and distance", () => {
    expect(formatFire(now + 3 * 3600_000, now)).toBe(`${formatDateTime(now + 3 * 3600_000)} (in 3 h)`);
  });

  it("knows which statuses are live", () => {
    expect(isLive("queued")).toBe(true);
    expect(isLive("running")).toBe(true);
    expect(isLive("cancelled")).toBe(false);
    expect(isLive("succeeded")).toBe(false);
  });
});

describe("schedule preview", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(answer: (s: string) => Promise<number[]>) {
    const fetch = vi.fn((s: string, _tz: string | null) => answer(s));
    const states: PreviewState[] = [];
    const p = new SchedulePreview(fetch, (s) => states.push(s), 300);
    return { fetch, states, p };
  }

  it("asks once for the last input after a quiet delay", async () => {
    const { fetch, states, p } = setup(async () => [1, 2]);
    p.update("*", "");
    await vi.advanceTimersByTimeAsync(200);
    p.update("*/5 *", "");
    await vi.advanceTimersByTimeAsync(200);
    p.update(" */5 * * * * ", " UTC ");
    expect(fetch).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(299);
    expect(fetch).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch.mock.calls).toEqual([["*/5 * * * *", "UTC"]]);
    await vi.runAllTimersAsync();
    expect(states.at(-1)).toEqual({ kind: "ok", fires: [1, 2] });
  });

  it("sends no time zone when the field is blank", async () => {
    const { fetch, p } = setup(async () => []);
    p.update("0 3 * * *", "  ");
    await vi.advanceTimersByTimeAsync(300);
    expect(fetch.mock.calls).toEqual([["0 3 * * *", null]]);
  });

  it("shows the server's message for an invalid expression", async () => {
    const { states, p } = setup(async (s) => {
      throw { code: "invalid_input", message: `invalid schedule "${s}": bad minute` };
    });
    p.update("61 * * * *", "");
    await vi.advanceTimersByTimeAsync(300);
    expect(states.at(-1)).toEqual({ kind: "error", message: 'invalid schedule "61 * * * *": bad minute' });
  });

  it("clears at once for an empty expression without asking", async () => {
    const { fetch, states, p } = setup(async () => [1]);
    p.update("0 * * * *", "");
    p.update("   ", "");
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).not.toHaveBeenCalled();
    expect(states).toEqual([{ kind: "loading" }, { kind: "empty" }]);
  });

  it("drops an answer to an older input that arrives late", async () => {
    const pending: Record<string, (v: number[]) => void> = {};
    const { states, p } = setup((s) => new Promise((r) => (pending[s] = r)));
    p.update("0 1 * * *", "");
    await vi.advanceTimersByTimeAsync(300);
    p.update("0 2 * * *", "");
    await vi.advanceTimersByTimeAsync(300);
    pending["0 2 * * *"]([2]);
    await vi.advanceTimersByTimeAsync(0);
    pending["0 1 * * *"]([1]);
    await vi.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toEqual({ kind: "ok", fires: [2] });
  });

  it("ignores everything after dispose", async () => {
    const { fetch, states, p } = setup(async () => [1]);
    p.update("0 1 * * *", "");
    p.dispose();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).not.toHaveBeenCalled();
    expect(states).toEqual([{ kind: "loading" }]);
  });
});

describe("shellOptionsNote", () => {
  it("says nothing for direct commands or shell lines without options", () => {
    expect(shellOptionsNote({ shell: false, command: "x", options: [{}] })).toBeNull();
    expect(shellOptionsNote({ shell: true, command: "echo hi", options: [] })).toBeNull();
  });
  it("warns when a shell line would drop its options on Unix", () => {
    const note = shellOptionsNote({ shell: true, command: "echo hi", options: [{}] });
    expect(note?.warn).toBe(true);
    expect(note?.text).toContain("ignored");
  });
  it("only explains when the line uses them", () => {
    for (const command of ['printf "%s" "$@"', "echo $1", "echo ${2}", "echo $*"]) {
      const note = shellOptionsNote({ shell: true, command, options: [{}] });
      expect(note?.warn, command).toBe(false);
      expect(note?.text).toContain("refused");
    }
  });
});
