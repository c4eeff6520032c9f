import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { JobOption } from "./types";
import {
  shellOptionsNote,
  FormError,
  filterTimeZones,
  idFollowsName,
  jobChoices,
  jobEditorShows,
  jobFormProblems,
  jobIdProblem,
  parseNumber,
  runOptionProblems,
  slugify,
  timeZoneList,
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
      depends_on: ["a", "b", "", " a "],
      on_success: [],
      on_failure: ["alert"],
      options: [
        { name: "dry", label: "Dry run", type: "boolean" as const, flag: "--dry", choices: "x", default: "true" },
        { name: "lvl", label: "", type: "select" as const, flag: "", choices: "low, high", default: "low" },
        { name: "files", label: "", type: "array" as const, flag: "", choices: "", default: "a, b" },
        { name: "  ", label: "", type: "string" as const, flag: " ", choices: "", default: "" },
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

describe("job id from the name", () => {
  it("makes a slug of plain names, spaces and symbols", () => {
    expect(slugify("Nightly backup")).toBe("nightly-backup");
    expect(slugify("  Nightly   backup (DB) #2!  ")).toBe("nightly-backup-db-2");
    expect(slugify("a--b__c")).toBe("a-b-c");
    expect(slugify("---x---")).toBe("x");
    expect(slugify("Send e-mail @ 9:30")).toBe("send-e-mail-9-30");
  });

  it("folds accents and a few letters to ASCII, drops what has no ASCII form", () => {
    expect(slugify("Über Größe")).toBe("uber-grosse");
    expect(slugify("Café crème")).toBe("cafe-creme");
    expect(slugify("Łódź sync")).toBe("lodz-sync");
    expect(slugify("日本語 backup")).toBe("backup");
    expect(slugify("日本語")).toBe("");
    expect(slugify("🚀 deploy 🚀")).toBe("deploy");
    expect(slugify("ｆｕｌｌ ｗｉｄｔｈ")).toBe("full-width");
  });

  it("is empty for an empty or symbol-only name", () => {
    expect(slugify("")).toBe("");
    expect(slugify("   ")).toBe("");
    expect(slugify("!!!")).toBe("");
  });

  it("keeps to 64 characters without a trailing dash, and avoids reserved words", () => {
    const long = slugify("word ".repeat(30));
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long.endsWith("-")).toBe(false);
    expect(slugify("New")).toBe("new-job");
    expect(slugify("Export")).toBe("export-job");
    expect(jobIdProblem(slugify("Dashboard"))).toBeNull();
  });

  it("every non-empty slug is a valid id", () => {
    for (const name of ["A", "9 lives", "x y z", "Ünïcödé ✓", "a".repeat(200), "_lead", "-lead"]) {
      const id = slugify(name);
      if (id !== "") expect(jobIdProblem(id)).toBeNull();
    }
  });

  it("follows the name until the id is edited to something else; empty follows again", () => {
    expect(idFollowsName("", "Nightly backup")).toBe(true);
    expect(idFollowsName("nightly-backup", "Nightly backup")).toBe(true);
    expect(idFollowsName("backup", "Nightly backup")).toBe(false);
    expect(idFollowsName("  ", "x")).toBe(true);
  });

  it("checks ids like the engine", () => {
    expect(jobIdProblem("")).toMatch(/id/);
    expect(jobIdProblem("new")).toMatch(/Vigil uses/);
    expect(jobIdProblem("Upper")).toMatch(/lowercase/);
    expect(jobIdProblem("-x")).toMatch(/starting/);
    expect(jobIdProblem("a".repeat(65))).toMatch(/64/);
    expect(jobIdProblem("ok_1-2")).toBeNull();
  });
});

describe("job editor checks", () => {
  const base = { ...emptyJobForm(), id: "x", command: "c" };

  it("says nothing about a good form", () => {
    expect(jobFormProblems(base, false)).toEqual({});
  });

  it("names the field of each problem with the daemon's path", () => {
    const p = jobFormProblems(
      {
        ...base,
        id: "",
        command: " ",
        depends_on: ["a"],
        options: [
          { name: "", label: "L", type: "string", flag: "", choices: "", default: "" },
          { name: "k", label: "", type: "select", flag: "", choices: " , ", default: "" },
          { name: "k", label: "", type: "string", flag: "", choices: "", default: "" },
        ],
      },
      false,
    );
    expect(Object.keys(p).sort()).toEqual(["command", "id", "options.0.name", "options.1.choices", "options.2.name"]);
    expect(jobFormProblems({ ...base, id: "", on_failure: [] }, true)).toEqual({});
    expect(jobFormProblems({ ...base, on_success: ["x"] }, true)).toEqual({ on_success: expect.stringMatching(/itself/) });
  });

  it("FormErrors from the conversion carry their field", () => {
    const caught = (f: typeof base): FormError => {
      try {
        formToJob(f);
      } catch (e) {
        return e as FormError;
      }
      throw new Error("no error");
    };
    expect(caught({ ...base, timeout_secs: "0" }).field).toBe("execution.timeout_secs");
    expect(caught({ ...base, retries: "101" }).field).toBe("execution.retries");
    expect(caught({ ...base, options: [{ name: "n", label: "", type: "number", flag: "", choices: "", default: "ten" }] }).field).toBe("options.0.default");
    expect(caught({ ...base, options: [{ name: "s", label: "", type: "select", flag: "", choices: "a, b", default: "c" }] }).field).toBe("options.0.default");
  });

  it("shows the daemon's paths it has a place for", () => {
    for (const p of ["id", "schedule", "timezone", "env", "depends_on", "execution.retries", "options.3.default"]) expect(jobEditorShows(p)).toBe(true);
    for (const p of ["options", "options.x.name", "vars", "extends"]) expect(jobEditorShows(p)).toBe(false);
  });

  it("sends env and dependency lists (trimmed, once each)", () => {
    const job = formToJob({ ...base, env: { A: "1" }, depends_on: [" a ", "a", "b"], on_success: [""], on_failure: ["c"] });
    expect(job.env).toEqual({ A: "1" });
    expect(job.depends_on).toEqual(["a", "b"]);
    expect(job.on_success).toEqual([]);
    expect(job.on_failure).toEqual(["c"]);
  });
});

describe("number options", () => {
  it("parses numbers as people type them; empty is unset", () => {
    expect(parseNumber("42")).toBe(42);
    expect(parseNumber(" -1.5 ")).toBe(-1.5);
    expect(parseNumber("1e3")).toBe(1000);
    expect(parseNumber(".5")).toBe(0.5);
    expect(parseNumber("1,5")).toBe(1.5);
    expect(parseNumber("")).toBeNull();
    expect(parseNumber("  ")).toBeNull();
    for (const bad of ["abc", "1.2.3", "0x10", "Infinity", "NaN", "1e999", "1 000", "--1", "1,000,000"]) expect(parseNumber(bad)).toBeUndefined();
  });

  it("a number default is saved as a JSON number and read back as its text", () => {
    const job = formToJob({ ...emptyJobForm(), id: "x", command: "c", options: [{ name: "n", label: "", type: "number", flag: "--n", choices: "", default: "2.5" }] });
    expect(job.options[0]).toMatchObject({ type: "number", default: 2.5 });
    expect(jobToForm(job).options[0].default).toBe("2.5");
  });

  it("the run form sends a number, leaves an empty one out, and refuses text", () => {
    const options = [opt({ name: "n", type: "number" }), opt({ name: "s", type: "string" })];
    expect(initialOptionInputs([opt({ name: "n", type: "number", default: 3 })])).toEqual({ n: "3" });
    expect(buildRunOptions(options, { n: " 7 ", s: "7" })).toEqual({ n: 7, s: "7" });
    expect(buildRunOptions(options, { n: "", s: "" })).toEqual({});
    expect(() => buildRunOptions(options, { n: "seven" })).toThrow(FormError);
    expect(runOptionProblems(options, { n: "seven", s: "x" })).toEqual({ n: expect.stringMatching(/number/) });
    expect(runOptionProblems(options, { n: "", s: "x" })).toEqual({});
  });

  it("the run form refuses a select value that is not a choice", () => {
    const options = [opt({ name: "lvl", type: "select", choices: ["low", "high"] })];
    expect(runOptionProblems(options, { lvl: "mid" })).toEqual({ lvl: "Pick one of: low, high." });
    expect(runOptionProblems(options, { lvl: "" })).toEqual({});
  });
});

describe("pickers", () => {
  const jobs = [
    { id: "backup", name: "Nightly backup" },
    { id: "report", name: "Weekly report" },
    { id: "tpl", name: "Backup template", template: true },
    { id: "cleanup", name: "Clean up backups" },
  ];

  it("offers other jobs, not itself, not picked ones, not templates", () => {
    expect(jobChoices(jobs, "report", [], "").map((j) => j.id)).toEqual(["backup", "cleanup"]);
    expect(jobChoices(jobs, "report", ["backup"], "").map((j) => j.id)).toEqual(["cleanup"]);
    expect(jobChoices(jobs, "", [], "back").map((j) => j.id)).toEqual(["backup", "cleanup"]);
    expect(jobChoices(jobs, "", [], "weekly").map((j) => j.id)).toEqual(["report"]);
    expect(jobChoices(jobs, "", [], "zzz")).toEqual([]);
  });

  it("lists UTC, then the browser's zone, then the rest alphabetically, each once", () => {
    const list = timeZoneList(["Europe/Berlin", "America/New_York", "UTC", "Asia/Tokyo"], "Europe/Berlin");
    expect(list).toEqual(["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]);
    expect(timeZoneList(["Asia/Tokyo"], null)).toEqual(["UTC", "Asia/Tokyo"]);
    expect(timeZoneList([], "Etc/UTC")).toEqual(["UTC"]);
  });

  it("finds zones by city with spaces, by region prefix, and keeps the order when empty", () => {
    const list = timeZoneList(["Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo"], "Asia/Tokyo");
    expect(filterTimeZones(list, "")).toEqual(list);
    expect(filterTimeZones(list, "new york")[0]).toBe("America/New_York");
    expect(filterTimeZones(list, "berl")).toEqual(["Europe/Berlin"]);
    expect(filterTimeZones(list, "america/").sort()).toEqual(["America/Los_Angeles", "America/New_York"]);
    expect(filterTimeZones(list, "", 2)).toEqual(["UTC", "Asia/Tokyo"]);
  });
});
