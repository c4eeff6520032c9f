// End-to-end: reading the data. Charts (window fitted to the data, hover with 24-hour time
// and values, shared scale when comparing), the system page (cores, memory, top processes,
// "Watch this", polling only while shown), job statistics and the duration chart's lines,
// the jobs list (schedules in words, search, filters, enable switch, bulk), the log view
// (search, download), exports, the run page (argv, options, trigger) and the events
// sidebar (filters, grouped repeats), against the real daemon in Chromium.
//
//   cd tests/e2e && node --test reading.test.mjs

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, UI_TIMEOUT_MS, VIGIL_FIXTURE, launchBrowser, signIn, startDaemon, waitFor, waitText } from "./harness.mjs";

const NO_12H = /\b(AM|PM|am|pm)\b/;
const CLOCK = /\b([01]\d|2[0-3]):[0-5]\d:[0-5]\d\b/;

describe("reading the data", () => {
  let d;
  let browser;
  let page;

  const json = async (res) => {
    const text = await res.text();
    assert.ok(res.ok, `HTTP ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const get = (path) => d.api(path).then(json);
  const send = (method, path, body) => d.api(path, { method, body: body === undefined ? undefined : JSON.stringify(body) }).then(json);

  async function addProgram(name, args) {
    const p = await send("POST", "/api/programs", { name, path: VIGIL_FIXTURE, args, launch: true, restart: { mode: "never" } });
    await send("POST", `/api/programs/${p.id}/start`);
    return p;
  }

  function job(id, extra = {}) {
    return {
      id,
      name: id,
      command: VIGIL_FIXTURE,
      args: ["exit"],
      shell: false,
      cwd: null,
      env: {},
      category: null,
      tags: [],
      enabled: true,
      options: [],
      execution: { timeout_secs: null, retries: 0, retry_delay_ms: 100, backoff: "fixed", retry_on: ["timeout", "failure", "start_error"], fix_command: null },
      schedule: null,
      timezone: null,
      overlap: "parallel",
      missed: "skip",
      depends_on: [],
      on_success: [],
      on_failure: [],
      template: false,
      extends: null,
      vars: {},
      ...extra,
    };
  }

  async function runToEnd(jobId, options) {
    const { run_id } = await send("POST", `/api/jobs/${encodeURIComponent(jobId)}/run`, { options });
    return waitFor(
      `run ${run_id} to end`,
      async () => {
        const r = await get(`/api/runs/${run_id}`);
        return ["succeeded", "failed", "timed_out", "cancelled", "skipped", "interrupted"].includes(r.status) ? r : null;
      },
      30_000,
    );
  }

  before(async () => {
    assert.ok(existsSync(VIGIL_FIXTURE), `fixture binary not found at ${VIGIL_FIXTURE} (set VIGIL_FIXTURE)`);
    d = await startDaemon();
    ({ browser, page } = await launchBrowser());
    await signIn(page, d);
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await d?.stop();
  });

  it("opens a new program's charts on the live minutes, hovers with 24-hour time and values, shares the scale when comparing", async () => {
    const p = await addProgram("reading-print", ["print", "30", "50"]);
    const other = await addProgram("reading-sleep", ["sleep", "3600"]);
    await page.goto(`${d.baseUrl}/#/programs/${p.id}`);
    const detail = page.getByTestId("program-detail");
    await detail.waitFor();
    // Registered seconds ago: the 5-minute live window, not an hour or a day.
    await waitFor("the 5 min window", async () => (await detail.getByTestId("range-5m").getAttribute("aria-pressed")) === "true");
    const cpu = detail.getByTestId("chart-cpu");
    await waitFor("live samples in the chart", async () => Number(await cpu.getAttribute("data-points")) > 0, 20_000);

    // Hover: the line under the chart shows the time and the values.
    const over = cpu.locator(".u-over");
    const box = await over.boundingBox();
    await page.mouse.move(box.x + box.width - 3, box.y + box.height / 2);
    const hover = detail.getByTestId("chart-cpu-hover");
    await waitFor("the hover line", async () => (await hover.getAttribute("data-hovering")) === "true");
    const text = (await hover.innerText()).trim();
    assert.match(text, CLOCK, `a 24-hour clock in "${text}"`);
    assert.doesNotMatch(text, NO_12H);
    assert.match(text, /· CPU (avg )?\d+(\.\d)?%/, `CPU value in "${text}"`);
    // The memory chart follows the same cursor.
    const memText = (await detail.getByTestId("chart-mem-hover").innerText()).trim();
    assert.match(memText, /· Memory .*(B|KiB|MiB|GiB)/, `memory value in "${memText}"`);
    assert.match(memText, CLOCK);
    // The axis speaks 24-hour time too.
    const axis = (await cpu.getAttribute("data-xlabels")) ?? "";
    assert.match(axis, /\d\d:\d\d/);
    assert.doesNotMatch(axis, NO_12H);
    await page.screenshot({ path: join(ARTIFACTS, "reading-chart.png"), fullPage: true });

    // Compare with another program: one y axis for both (same top), off with the toggle.
    await detail.getByTestId("compare-add").selectOption(String(other.id));
    const otherCpu = detail.getByTestId(`chart-cpu-${other.id}`);
    await otherCpu.waitFor();
    await waitFor("a shared top", async () => {
      const a = await cpu.getAttribute("data-ymax");
      return a !== "" && a === (await otherCpu.getAttribute("data-ymax"));
    });
    assert.equal(await detail.getByTestId("chart-mem").getAttribute("data-ymax"), await detail.getByTestId(`chart-mem-${other.id}`).getAttribute("data-ymax"));
    await detail.getByTestId("same-scale").uncheck();
    await waitFor("scales apart again", async () => (await cpu.getAttribute("data-ymax")) === "");
    await page.screenshot({ path: join(ARTIFACTS, "reading-compare.png"), fullPage: true });

    // A longer window is a click away.
    await detail.getByTestId("range-24h").click();
    assert.equal(await detail.getByTestId("range-24h").getAttribute("aria-pressed"), "true");
  });

  it("searches the log, highlights matches and downloads the lines shown; exports samples and events", async () => {
    const programs = await get("/api/programs");
    const p = programs.find((x) => x.name === "reading-print");
    await page.goto(`${d.baseUrl}/#/programs/${p.id}`);
    const detail = page.getByTestId("program-detail");
    const tail = detail.getByTestId("log-tail");
    await waitFor("all 30 lines", async () => /\bline 30\b/.test((await tail.textContent()) ?? ""), 20_000);
    // Every line once, none lost between the tail and the live follow.
    const all = (await tail.getByTestId("log-line").allTextContents()).map((l) => l.replace(/^\[stderr\] /, "").replace(/ \(stderr\)$/, ""));
    assert.deepEqual(all, Array.from({ length: 30 }, (_, i) => `line ${i + 1}`));

    await detail.getByTestId("log-search").fill("line 2");
    // line 2, line 20 (stderr) and line 21..29: 11 lines.
    await waitText(detail.getByTestId("log-match-count"), "11 matching lines");
    await waitFor("only matching lines", async () => (await tail.getByTestId("log-line").count()) === 11);
    assert.equal(await tail.locator("mark").count(), 11);
    assert.equal((await tail.locator("mark").first().innerText()).toLowerCase(), "line 2");

    const [download] = await Promise.all([page.waitForEvent("download"), detail.getByTestId("log-download").click()]);
    assert.match(download.suggestedFilename(), /^vigil-reading-print-log-\d{8}-\d{4}\.log$/);
    const saved = readFileSync(await download.path(), "utf8");
    const got = saved.trimEnd().split("\n");
    assert.equal(got.length, 11);
    assert.ok(got.every((l) => l.includes("line 2")), saved);

    // Times: the engine's stamps (local 24-hour time); a daemon that writes none: blanks, said so.
    const raw = await get(`/api/programs/${p.id}/logs?lines=5`);
    const stamped = /^\d{4}-\d\d-\d\dT\S+ /.test(raw[0] ?? "");
    await detail.getByTestId("log-times").check();
    await detail.getByTestId("log-times-note").waitFor();
    const stamps = await tail.locator(".stamp").allTextContents();
    assert.equal(stamps.length, 11);
    if (stamped) assert.ok(stamps.every((t) => /^\d\d:\d\d:\d\d\.\d{3} $/.test(t)), `clock stamps: ${stamps}`);
    else assert.match(await detail.getByTestId("log-times-note").innerText(), /no time/);
    assert.ok(!stamps.some((t) => NO_12H.test(t)));

    // Export of samples and events (the daemon's streaming route, with the token).
    const [samples] = await Promise.all([page.waitForEvent("download"), detail.getByTestId("export-samples-csv").click()]);
    assert.match(samples.suggestedFilename(), /^vigil-reading-print-samples-.*\.csv$/);
    assert.equal(readFileSync(await samples.path(), "utf8").split("\n")[0], "ts,cpu_percent,memory_bytes");
    const [events] = await Promise.all([page.waitForEvent("download"), detail.getByTestId("export-events-jsonl").click()]);
    assert.match(events.suggestedFilename(), /\.jsonl$/);
    const lines = readFileSync(await events.path(), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(lines.some((e) => e.kind === "program_started"), "the start is in the events export");
  });

  it("shows the system: cores, memory, top processes; Watch this opens the form with the pid; polls only while shown", async () => {
    const seen = [];
    const onRequest = (r) => {
      if (new URL(r.url()).pathname === "/api/system") seen.push(Date.now());
    };
    page.on("request", onRequest);
    try {
      await page.goto(`${d.baseUrl}/#/`);
      await page.getByTestId("nav-system").click();
      const sys = page.getByTestId("system-page");
      await sys.waitFor();
      await waitFor("cores", async () => (await sys.getByTestId("sys-core").count()) > 0);
      assert.match(await sys.getByTestId("sys-mem-text").innerText(), /of .*(MiB|GiB)/);
      assert.notEqual((await sys.getByTestId("sys-host").innerText()).trim(), "–");
      await waitFor("top processes", async () => (await sys.getByTestId("sys-top-cpu").getByTestId("sys-proc-row").count()) > 0);
      assert.ok((await sys.getByTestId("sys-top-mem").getByTestId("sys-proc-row").count()) > 0);
      // Polled: a second read comes about 2 s after the first.
      await waitFor("a second read", async () => seen.length >= 2, 10_000);
      await page.screenshot({ path: join(ARTIFACTS, "reading-system.png"), fullPage: true });

      // A hidden tab reads nothing; shown again, it reads at once.
      await page.evaluate(() => {
        Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
        document.dispatchEvent(new Event("visibilitychange"));
      });
      const hiddenAt = Date.now();
      const before = seen.length;
      // An absence is checked over a span longer than two polling intervals.
      await waitFor("4.5 s hidden", async () => Date.now() - hiddenAt > 4_500, 10_000);
      assert.ok(seen.length <= before + 1, `no reads while hidden (${seen.length - before} after hiding)`);
      const hiddenCount = seen.length;
      await page.evaluate(() => {
        Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
        document.dispatchEvent(new Event("visibilitychange"));
      });
      await waitFor("a read once shown", async () => seen.length > hiddenCount, 3_000);

      // Watch this: the register form for that process.
      const row = sys.getByTestId("sys-top-cpu").getByTestId("sys-proc-row").filter({ has: page.getByTestId("watch-this") }).first();
      const pid = await row.getAttribute("data-pid");
      await row.getByTestId("watch-this").click();
      await waitFor("the new-program route", async () => new URL(page.url()).hash === `#/programs/new?pid=${pid}`);

      // Left: no more reads.
      const leftAt = Date.now();
      const leftCount = seen.length;
      await waitFor("4.5 s away", async () => Date.now() - leftAt > 4_500, 10_000);
      assert.ok(seen.length <= leftCount + 1, `no reads after leaving (${seen.length - leftCount})`);
    } finally {
      page.off("request", onRequest);
    }
  });

  it("job statistics after a few runs: success rate, counts, the usual, warning and timeout lines; the run page's argv, options and trigger", async () => {
    const options = [
      { name: "code", label: "Exit code", type: "string", flag: null, choices: [], default: "0" },
      { name: "delay", label: "Delay", type: "string", flag: null, choices: [], default: "300" },
      { name: "note", label: "Note", type: "string", flag: "--note", choices: [], default: null },
    ];
    await send("POST", "/api/jobs", job("reading-stats", { options, category: "ops", tags: ["e2e"], execution: { ...job("x").execution, timeout_secs: 2, retries: 1 } }));
    for (let i = 0; i < 5; i++) await runToEnd("reading-stats", i === 0 ? { note: "two words" } : {});
    const failed = await runToEnd("reading-stats", { code: "3" });
    assert.equal(failed.status, "failed");
    // Its retry runs after it; wait for that one too.
    const retry = await waitFor(
      "the retry to end",
      async () => {
        const runs = await get("/api/runs?job=reading-stats&limit=50");
        const r = runs.find((x) => x.trigger === "retry");
        return r && r.ended_at !== null ? r : null;
      },
      30_000,
    );

    await page.goto(`${d.baseUrl}/#/jobs/reading-stats`);
    const stats = page.getByTestId("job-stats");
    await stats.waitFor();
    await waitText(stats.getByTestId("stats-runs"), "6");
    await waitText(stats.getByTestId("stats-succeeded"), "5");
    await waitText(stats.getByTestId("stats-failed"), "1");
    await waitText(stats.getByTestId("stats-rate"), "83%");
    const chart = stats.getByTestId("duration-chart");
    await waitFor("points", async () => Number(await chart.getAttribute("data-points")) === 6);
    await waitFor("the usual, warning and timeout lines drawn", async () => (await chart.getAttribute("data-lines")) === "median,warn,timeout");
    await stats.getByTestId("duration-line-timeout").waitFor();
    assert.match(await stats.getByTestId("stats-sentence").innerText(), /5 of 6 runs succeeded/);
    const over = chart.locator(".u-over");
    const box = await over.boundingBox();
    await page.mouse.move(box.x + box.width - 4, box.y + box.height / 2);
    await waitFor("a run in the hover", async () => /^run #\d+ · /.test((await stats.getByTestId("duration-chart-hover").innerText()).trim()));
    assert.match(await stats.getByTestId("duration-chart-hover").innerText(), CLOCK);
    await page.screenshot({ path: join(ARTIFACTS, "reading-job-stats.png"), fullPage: true });

    // The run page: argv element by element (a value with a space stays one element), the
    // options as a table, the trigger in words.
    const runs = await get("/api/runs?job=reading-stats&limit=50");
    const first = runs.find((r) => r.options.note === "two words");
    await page.goto(`${d.baseUrl}/#/runs/${first.id}`);
    const rp = page.getByTestId("run-page");
    await rp.waitFor();
    await waitFor("the argv chips", async () => (await rp.getByTestId("argv-item").count()) === 6);
    const args = await rp.getByTestId("argv-item").evaluateAll((els) => els.map((e) => e.getAttribute("data-arg")));
    assert.deepEqual(args, [VIGIL_FIXTURE, "exit", "0", "300", "--note", "two words"]);
    assert.match(await rp.getByTestId("run-cmdline").innerText(), /--note 'two words'$/);
    const note = rp.getByTestId("run-option").filter({ has: page.locator("td", { hasText: /^note/ }) });
    assert.match(await note.innerText(), /two words/);
    await waitText(rp.getByTestId("run-trigger"), "Manual: started by hand");
    await page.screenshot({ path: join(ARTIFACTS, "reading-run.png"), fullPage: true });

    await page.goto(`${d.baseUrl}/#/runs/${failed.id}`);
    await page.getByTestId("run-retried").waitFor();
    await page.goto(`${d.baseUrl}/#/runs/${retry.id}`);
    await waitText(page.getByTestId("run-trigger"), `Retry (attempt ${retry.attempt}): started again after attempt ${retry.attempt - 1} failed`);
  });

  it("shows a shell job's command as /bin/sh runs it", async () => {
    await send("POST", "/api/jobs", job("reading-shell", { command: 'echo "$1"', shell: true, args: ["it's here", ""] }));
    const r = await runToEnd("reading-shell", {});
    await page.goto(`${d.baseUrl}/#/runs/${r.id}`);
    const rp = page.getByTestId("run-page");
    await waitFor("the argv chips", async () => (await rp.getByTestId("argv-item").count()) === 6);
    const args = await rp.getByTestId("argv-item").evaluateAll((els) => els.map((e) => e.getAttribute("data-arg")));
    assert.deepEqual(args, ["/bin/sh", "-c", 'echo "$1"', "sh", "it's here", ""]);
    assert.equal((await rp.getByTestId("run-cmdline").innerText()).trim(), `/bin/sh -c 'echo "$1"' sh 'it'\\''s here' ''`);
  });

  it("lists jobs with schedules in words, next and last runs; searches, filters, switches and acts on several", async () => {
    await send("POST", "/api/jobs", job("alpha-report", { category: "office", tags: ["weekly"], enabled: false, schedule: "0 9 * * 1-5", timezone: "Asia/Seoul" }));
    await send("POST", "/api/jobs", job("beta-sync", { category: "ops", schedule: "0 3 * * *" }));
    await page.goto(`${d.baseUrl}/#/jobs`);
    const rows = page.getByTestId("job-row");
    await rows.filter({ hasText: "beta-sync" }).waitFor();
    const alpha = rows.filter({ has: page.locator('[href="#/jobs/alpha-report"]') });
    const beta = rows.filter({ has: page.locator('[href="#/jobs/beta-sync"]') });
    await waitText(alpha.getByTestId("job-schedule-cell"), "at 09:00, Monday to Friday, Asia/Seoul");
    await waitText(beta.getByTestId("job-schedule-cell"), "at 03:00 every day, UTC");
    assert.match(await beta.getByTestId("job-next").innerText(), /^in /);
    assert.equal((await alpha.getByTestId("job-next").innerText()).trim(), "–", "a disabled job has no next run");
    const stats = rows.filter({ has: page.locator('[href="#/jobs/reading-stats"]') });
    await waitText(stats.getByTestId("job-last-status"), "failed");

    // Search and filters.
    await page.getByTestId("jobs-search").fill("report");
    await waitFor("one row", async () => (await rows.count()) === 1);
    assert.equal(await rows.first().getAttribute("data-job-id"), "alpha-report");
    await page.getByTestId("jobs-search").fill("");
    await page.getByTestId("jobs-category").selectOption("ops");
    await waitFor("the ops jobs", async () => (await rows.count()) === 2);
    assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-job-id"))), ["beta-sync", "reading-stats"]);
    await page.getByTestId("jobs-state").selectOption("failing");
    await waitFor("the failing ops job", async () => (await rows.count()) === 1);
    assert.equal(await rows.first().getAttribute("data-job-id"), "reading-stats");
    await page.getByTestId("jobs-filter-clear").click();
    await page.getByTestId("jobs-state").selectOption("disabled");
    await waitFor("the disabled job", async () => (await rows.count()) === 1);
    await page.getByTestId("jobs-state").selectOption("");
    await page.getByTestId("jobs-tag").selectOption("e2e");
    await waitFor("the tagged job", async () => (await rows.count()) === 1);
    await page.getByTestId("jobs-filter-clear").click();
    await waitFor("every job", async () => (await rows.count()) === 4);
    await page.screenshot({ path: join(ARTIFACTS, "reading-jobs.png"), fullPage: true });

    // The enable switch saves the job.
    await alpha.getByTestId("job-enabled").check();
    await waitFor("alpha enabled", async () => (await get("/api/jobs/alpha-report")).enabled === true);
    await waitFor("its next run", async () => /^in /.test(await alpha.getByTestId("job-next").innerText()));

    // Bulk: disable two at once.
    await alpha.getByTestId("job-select").check();
    await beta.getByTestId("job-select").check();
    await waitText(page.getByTestId("bulk-count"), "2");
    await page.getByTestId("bulk-disable").click();
    await waitFor("the bulk note", async () => /^2 disabled\s*×?$/.test(((await page.getByTestId("bulk-note").textContent()) ?? "").trim()));
    assert.equal((await get("/api/jobs/alpha-report")).enabled, false);
    assert.equal((await get("/api/jobs/beta-sync")).enabled, false);
    await waitFor("switches off", async () => !(await beta.getByTestId("job-enabled").isChecked()));
  });

  it("groups repeated events and filters the sidebar by kind and severity", async () => {
    const j = job("gamma-saves");
    await send("POST", "/api/jobs", j);
    for (const name of ["Gamma 2", "Gamma 3"]) await send("PUT", "/api/jobs/gamma-saves", { ...j, name });
    await page.goto(`${d.baseUrl}/#/`);
    const side = page.locator("section.events");
    const saved = side.getByTestId("event-row").filter({ hasText: "job saved" }).first();
    await waitFor("three saves in one row", async () => (await saved.getAttribute("data-count")) === "3", UI_TIMEOUT_MS);
    const repeats = saved.getByTestId("event-repeats");
    assert.match(await repeats.innerText(), /^×3, last \d\d:\d\d:\d\d$/);
    await repeats.click();
    await waitFor("the older two", async () => (await saved.getByTestId("event-repeat-list").locator("li").count()) === 2);

    await side.getByTestId("events-kind").selectOption("job_saved");
    await waitFor("only saves", async () => {
      const kinds = await side.getByTestId("event-row").evaluateAll((els) => els.map((e) => e.querySelector(".kind")?.textContent));
      return kinds.length > 0 && kinds.every((k) => k === "job saved");
    });
    await side.getByTestId("events-kind").selectOption("");
    await side.getByTestId("events-severity").selectOption("error");
    await waitFor("only errors", async () => {
      const sev = await side.getByTestId("event-row").evaluateAll((els) => els.map((e) => e.getAttribute("data-severity")));
      return sev.length > 0 && sev.every((s) => s === "error");
    });
    await page.screenshot({ path: join(ARTIFACTS, "reading-events.png"), fullPage: true });
  });
});
