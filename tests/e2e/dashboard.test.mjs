// End-to-end: the real `vigil` daemon serving the real UI, driven by Debian's
// Chromium through playwright-core.
//
//   cd tests/e2e && npm ci && node --test
//
// Env: VIGIL_BIN (default <repo>/target/debug/vigil), VIGIL_FIXTURE (default
// <repo>/target/debug/vigil-fixture), CHROMIUM (default /usr/bin/chromium).
// The UI must have been built (ui/dist) into / served by the daemon.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, UI_TIMEOUT_MS, VIGIL_FIXTURE, launchBrowser, startDaemon, waitFor, waitText } from "./harness.mjs";

describe("dashboard against the real daemon", () => {
  let started;
  let daemon;
  let browser;
  let page;
  let baseUrl;
  let token;

  before(async () => {
    started = await startDaemon();
    ({ proc: daemon, baseUrl, token } = started);
    ({ browser, page } = await launchBrowser());
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await started?.stop();
  });

  it("rejects API calls without the token", async () => {
    const res = await fetch(`${baseUrl}/api/programs`);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).code, "unauthorized");
  });

  it("asks for the token, then shows the running engine with no programs", async () => {
    await page.goto(`${baseUrl}/`);
    const input = page.getByTestId("token-input");
    await input.waitFor({ state: "visible" });
    await input.fill(token);
    await page.getByTestId("token-submit").click();

    await page.getByTestId("engine-state").filter({ hasText: /^running$/ }).waitFor();
    await waitText(page.getByTestId("status-programs"), "0");
    assert.equal(await page.getByTestId("program-row").count(), 0);
  });

  it("registers a program, rejects a relative path, and removes it", async () => {
    // A second window: it must follow the changes through the live event feed.
    const other = await page.context().newPage();
    other.setDefaultTimeout(UI_TIMEOUT_MS);
    await other.goto(`${baseUrl}/`);
    await other.getByTestId("engine-state").filter({ hasText: /^running$/ }).waitFor();
    await waitText(other.getByTestId("status-programs"), "0");

    // The register form opens in a drawer over the list.
    await page.getByTestId("register-open").click();
    await page.getByTestId("register-drawer").waitFor();
    await page.getByTestId("add-name").fill("e2e-node");
    await page.getByTestId("add-path").fill(process.execPath);
    await page.getByTestId("add-args").fill("--version");
    await page.getByTestId("add-start-now").uncheck();
    await page.getByTestId("add-submit").click();

    const rows = page.getByTestId("program-row");
    await rows.filter({ hasText: "e2e-node" }).waitFor();
    await waitText(page.getByTestId("status-programs"), "1");
    assert.equal(await rows.count(), 1);
    const rowText = await rows.first().innerText();
    assert.match(rowText, /--version/);
    assert.ok(rowText.includes(process.execPath), `row shows the path: ${rowText}`);
    // the drawer closes after success
    await waitFor("the drawer to close", async () => (await page.getByTestId("register-drawer").count()) === 0);
    // the live feed reported the addition, here and in the other window
    await page.getByTestId("event-row").filter({ hasText: /added/i }).first().waitFor();
    await other.getByTestId("program-row").filter({ hasText: "e2e-node" }).waitFor();
    await waitText(other.getByTestId("status-programs"), "1");

    // A relative path is refused (by the daemon: the UI only checks presence).
    await page.getByTestId("register-open").click();
    assert.equal(await page.getByTestId("add-name").inputValue(), "", "a fresh form");
    await page.getByTestId("add-name").fill("e2e-relative");
    await page.getByTestId("add-path").fill("node");
    await page.getByTestId("add-submit").click();
    // Next to the path when the daemon names the field, else with the whole form.
    const formError = page.getByTestId("add-path-error").or(page.getByTestId("form-error"));
    await formError.waitFor({ state: "visible" });
    assert.notEqual((await formError.innerText()).trim(), "");
    assert.equal(await rows.count(), 1);
    await page.getByTestId("register-drawer-close").click();
    await waitFor("the drawer to close", async () => (await page.getByTestId("register-drawer").count()) === 0);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });

    await rows.first().getByTestId("program-remove").click();
    await page.getByTestId("remove-dialog-confirm").click();
    await waitFor("the row to disappear", async () => (await rows.count()) === 0, UI_TIMEOUT_MS);
    await waitText(page.getByTestId("status-programs"), "0");
    await waitFor("the other window to drop the row", async () => (await other.getByTestId("program-row").count()) === 0, UI_TIMEOUT_MS);
    await other.close();

    // The daemon agrees.
    const res = await fetch(`${baseUrl}/api/programs`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), []);
  });

  it("keeps the token across reloads", async () => {
    await page.reload();
    await page.getByTestId("engine-state").filter({ hasText: /^running$/ }).waitFor();
    assert.equal(await page.getByTestId("token-input").count(), 0);
  });

  it("starts a launched program, shows it live and in detail, and stops it", async () => {
    assert.ok(existsSync(VIGIL_FIXTURE), `fixture binary not found at ${VIGIL_FIXTURE} (set VIGIL_FIXTURE)`);
    await page.goto(`${baseUrl}/#/`);
    await page.getByTestId("engine-state").filter({ hasText: /^running$/ }).waitFor();

    await page.getByTestId("register-open").click();
    await page.getByTestId("add-name").fill("e2e-fixture");
    await page.getByTestId("add-path").fill(VIGIL_FIXTURE);
    await page.getByTestId("add-args").fill("print\n5\n50");
    assert.equal(await page.getByTestId("add-launch").isChecked(), true, "launch is the default");
    assert.equal(await page.getByTestId("add-start-now").isChecked(), true, "start now is the default for a launched program");
    await page.getByTestId("add-start-now").uncheck();
    await page.getByTestId("add-tags").fill("e2e, fixture");
    await page.getByTestId("add-restart").selectOption("never");
    const sent = page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/programs");
    await page.getByTestId("add-submit").click();
    // What the form sent (what the daemon keeps of it is the daemon's business).
    const body = (await sent).postDataJSON();
    assert.deepEqual(body.args, ["print", "5", "50"]);
    assert.equal(body.launch, true);
    assert.equal(body.autostart, false);
    assert.deepEqual(body.tags, ["e2e", "fixture"]);
    assert.equal(body.restart.mode, "never");

    const row = page.getByTestId("program-row").filter({ hasText: "e2e-fixture" });
    await row.waitFor();
    const id = Number(await row.getAttribute("data-program-id"));
    assert.ok(id > 0, "row carries the program id");
    await waitText(row.getByTestId("program-state"), "stopped");

    const stored = await (
      await fetch(`${baseUrl}/api/programs/${id}`, { headers: { Authorization: `Bearer ${token}` } })
    ).json();
    assert.deepEqual(stored.args, ["print", "5", "50"]);
    assert.equal(stored.launch, true);

    await row.getByTestId("program-start").click();
    await waitText(row.getByTestId("program-state"), "running");
    const pids = await waitFor(
      "a pid in the row",
      async () => {
        const t = ((await row.getByTestId("program-pids").textContent()) ?? "").trim();
        return /^\d+/.test(t) ? t : null;
      },
      UI_TIMEOUT_MS,
    );
    assert.ok(Number.parseInt(pids, 10) > 0, `pid shown: ${pids}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-live.png"), fullPage: true });

    await row.getByTestId("program-link").click();
    const detail = page.getByTestId("program-detail");
    await detail.waitFor();
    assert.equal(new URL(page.url()).hash, `#/programs/${id}`);
    await waitText(detail.getByTestId("detail-name"), "e2e-fixture");
    await waitText(detail.getByTestId("program-state"), "running");

    const tail = detail.getByTestId("log-tail");
    await waitFor("the log tail to show line 1", async () => /\bline 1\b/.test((await tail.textContent()) ?? ""), UI_TIMEOUT_MS);
    // The timeline has this program's start.
    await detail.getByTestId("event-row").filter({ hasText: /started/i }).first().waitFor();
    // Range buttons switch the charts.
    await detail.getByTestId("range-24h").click();
    assert.equal(await detail.getByTestId("range-24h").getAttribute("aria-pressed"), "true");
    await detail.getByTestId("range-1h").click();
    await detail.getByTestId("chart-cpu").waitFor();
    await detail.getByTestId("chart-mem").waitFor();
    // Give the last lines and a status poll a moment so the picture is representative.
    await waitFor("all five lines", async () => /\bline 5\b/.test((await tail.textContent()) ?? ""), UI_TIMEOUT_MS);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "detail.png"), fullPage: true });

    await detail.getByTestId("program-stop").click();
    await waitText(detail.getByTestId("program-state"), "stopped");

    await page.getByTestId("back-link").click();
    await waitText(row.getByTestId("program-state"), "stopped");
    assert.equal(((await row.getByTestId("program-pids").textContent()) ?? "").trim(), "–");

    await row.getByTestId("program-remove").click();
    await page.getByTestId("remove-dialog-confirm").click();
    await waitFor("the row to disappear", async () => (await row.count()) === 0, UI_TIMEOUT_MS);
  });

  it("creates a job in the editor, runs it with live output, cancels it, and refuses a bad schedule", async () => {
    assert.ok(existsSync(VIGIL_FIXTURE), `fixture binary not found at ${VIGIL_FIXTURE} (set VIGIL_FIXTURE)`);
    const api = (path) => fetch(`${baseUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    const probe = await api("/api/jobs");
    assert.notEqual(probe.status, 404, "the daemon does not serve /api/jobs yet: rebuild target/debug/vigil");

    await page.goto(`${baseUrl}/#/`);
    await page.getByTestId("engine-state").filter({ hasText: /^running$/ }).waitFor();
    await page.getByTestId("nav-jobs").click();
    await page.getByTestId("jobs-page").waitFor();
    assert.equal(new URL(page.url()).hash, "#/jobs");
    await page.getByTestId("jobs-empty").waitFor();

    // Create it through the editor.
    await page.getByTestId("job-new").click();
    await page.getByTestId("job-editor").waitFor();
    await page.getByTestId("job-id").fill("e2e-print");
    await page.getByTestId("job-name").fill("E2E print");
    await page.getByTestId("job-command").fill(VIGIL_FIXTURE);
    await page.getByTestId("job-args").fill("print\n3");
    const sent = page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/jobs");
    await page.getByTestId("job-save").click();
    const body = (await sent).postDataJSON();
    assert.equal(body.id, "e2e-print");
    assert.equal(body.command, VIGIL_FIXTURE);
    assert.deepEqual(body.args, ["print", "3"]);
    assert.equal(body.schedule, null);

    // Saved: the job's page.
    const jobPage = page.getByTestId("job-page");
    await jobPage.waitFor();
    assert.equal(new URL(page.url()).hash, "#/jobs/e2e-print");
    await waitText(jobPage.getByTestId("job-title"), "E2E print");
    await jobPage.getByTestId("runs-empty").waitFor();
    const stored = await (await api("/api/jobs/e2e-print")).json();
    assert.deepEqual(stored.args, ["print", "3"]);

    // Run it: the run page follows its output live.
    await jobPage.getByTestId("run-submit").click();
    const runPage = page.getByTestId("run-page");
    await runPage.waitFor();
    const runId = Number(/^#\/runs\/(\d+)$/.exec(new URL(page.url()).hash)?.[1]);
    assert.ok(runId > 0, `on a run page: ${page.url()}`);
    const out = runPage.getByTestId("run-output");
    await waitFor("the run output to show line 1", async () => /\bline 1\b/.test((await out.textContent()) ?? ""), UI_TIMEOUT_MS);
    await waitFor("all three lines", async () => /\bline 3\b/.test((await out.textContent()) ?? ""), UI_TIMEOUT_MS);
    await waitText(runPage.getByTestId("run-status"), "running");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "run.png"), fullPage: true });

    // Cancel it (the fixture would sleep for an hour).
    await runPage.getByTestId("run-cancel").click();
    await waitText(runPage.getByTestId("run-status"), "cancelled");
    await waitFor("the cancel button to go", async () => (await runPage.getByTestId("run-cancel").count()) === 0, UI_TIMEOUT_MS);
    assert.match((await out.textContent()) ?? "", /\bline 1\b/, "the output stays after the run ended");
    const finalRun = await (await api(`/api/runs/${runId}`)).json();
    assert.equal(finalRun.status, "cancelled");
    await page.screenshot({ path: join(ARTIFACTS, "run-cancelled.png"), fullPage: true });

    // The history on the job's page has it.
    await page.goto(`${baseUrl}/#/jobs/e2e-print`);
    const runRow = page.getByTestId("run-row").filter({ has: page.locator(`[href="#/runs/${runId}"]`) });
    await runRow.waitFor();
    await waitText(runRow.getByTestId("run-status"), "cancelled");

    // The jobs page lists it with its last status.
    await page.getByTestId("nav-jobs").click();
    const rows = page.getByTestId("job-row");
    await rows.filter({ hasText: "e2e-print" }).waitFor();
    assert.equal(await rows.count(), 1);
    await waitText(rows.first().getByTestId("job-last-status"), "cancelled");
    assert.match(await rows.first().getByTestId("job-schedule-cell").innerText(), /manual/);
    await page.screenshot({ path: join(ARTIFACTS, "jobs.png"), fullPage: true });

    // Run from the list: a job without options starts at once and links its run.
    await rows.first().getByTestId("job-run").click();
    const notice = page.getByTestId("run-notice");
    await notice.waitFor();
    const href = await notice.locator("a").getAttribute("href");
    const listRunId = Number(/^#\/runs\/(\d+)$/.exec(href ?? "")?.[1]);
    assert.ok(listRunId > runId, `a new run is linked: ${href}`);
    await waitText(rows.first().getByTestId("job-last-status"), "running");
    const cancelled = await fetch(`${baseUrl}/api/runs/${listRunId}/cancel`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
    assert.equal(cancelled.status, 200);
    await waitText(rows.first().getByTestId("job-last-status"), "cancelled");

    // A bad schedule: the preview names it, and saving creates nothing.
    await page.getByTestId("job-new").click();
    await page.getByTestId("job-editor").waitFor();
    await page.getByTestId("job-id").fill("e2e-bad-schedule");
    await page.getByTestId("job-command").fill(VIGIL_FIXTURE);
    await page.getByTestId("job-schedule").fill("61 * * * *");
    const scheduleError = page.getByTestId("schedule-error");
    await scheduleError.waitFor({ state: "visible" });
    assert.match(await scheduleError.innerText(), /61/);
    await page.getByTestId("job-save").click();
    await page.getByTestId("job-error").waitFor({ state: "visible" });
    assert.equal(new URL(page.url()).hash, "#/jobs/new", "still in the editor");
    assert.equal((await api("/api/jobs/e2e-bad-schedule")).status, 404);

    await page.getByTestId("nav-jobs").click();
    await rows.filter({ hasText: "e2e-print" }).waitFor();
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.filter({ hasText: "e2e-bad-schedule" }).count(), 0);
  });

  it("shows the engine as disconnected when the daemon goes away", async () => {
    const exited = new Promise((r) => daemon.once("exit", r));
    daemon.kill("SIGTERM");
    await exited;
    await page.getByTestId("engine-state").filter({ hasText: /^disconnected$/ }).waitFor();
  });
});
