// End-to-end: safety first. Against the real daemon, with two copies of a uniquely named
// process (the fixture, copied under a random name, sleeping):
// - the register drawer's process picker finds both, picking one says "matches 2" with a
//   warning, and narrowing the rule by its command line matches exactly that one;
// - a watched program's Stop lists exactly its processes, Cancel is focused and ends
//   nothing, confirming ends only the listed PID (the other copy still runs);
// - Remove asks first and says what it does (a launched running program is stopped with
//   its PID named; a watched one's processes keep running);
// - a wrong token in the browser says so, and parallel refusals do not clear the message;
// - when the daemon dies, the page says so (banner with a countdown, actions disabled,
//   rows marked stale), and a daemon back on the same port clears it.
//
//   cd tests/e2e && npm ci && node --test safety.test.mjs
//
// Env: see harness.mjs. The UI must have been built (ui/dist) into the daemon.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, VIGIL_BIN, VIGIL_FIXTURE, launchBrowser, signIn, startDaemon, waitFor, waitText } from "./harness.mjs";

/** Watched processes are found by the discovery sweep (every 5 s, at once on a program change). */
const DISCOVERY_MS = 20_000;

describe("safety first", () => {
  let daemon;
  let browser;
  let page;
  let binDir;
  let exe;
  let name;
  /** The two copies: a (sleep 3600) and b (sleep 3601). */
  let a;
  let b;
  /** A daemon started again on the same port (last test). */
  let again;

  const alive = (child) => child.exitCode === null && child.signalCode === null;

  before(async () => {
    assert.ok(existsSync(VIGIL_FIXTURE), `fixture binary not found at ${VIGIL_FIXTURE} (set VIGIL_FIXTURE)`);
    // A name no other process has (and short: Linux keeps 15 characters of a process name).
    name = `vs${randomBytes(4).toString("hex")}`;
    binDir = mkdtempSync(join(tmpdir(), "vigil-e2e-safety-"));
    exe = join(binDir, name);
    copyFileSync(VIGIL_FIXTURE, exe);
    chmodSync(exe, 0o755);
    a = spawn(exe, ["sleep", "3600"], { stdio: "ignore" });
    b = spawn(exe, ["sleep", "3601"], { stdio: "ignore" });
    await waitFor("both copies to run", () => a.pid > 0 && b.pid > 0 && alive(a) && alive(b));
    daemon = await startDaemon();
    ({ browser, page } = await launchBrowser());
  });

  after(async () => {
    await browser?.close().catch(() => {});
    if (again) {
      again.kill("SIGKILL");
    }
    await daemon?.stop();
    for (const c of [a, b]) if (c && alive(c)) c.kill("SIGKILL");
    if (binDir) rmSync(binDir, { recursive: true, force: true });
  });

  const json = async (res, status = 200) => {
    const text = await res.text();
    assert.equal(res.status, status, text);
    return text ? JSON.parse(text) : null;
  };

  const addProgram = (body) => daemon.api("/api/programs", { method: "POST", body: JSON.stringify(body) }).then((r) => json(r, 201));

  /** The pids the daemon gives a program now. */
  const programPids = async (id) => (await json(await daemon.api(`/api/programs/${id}/processes`))).map((p) => p.pid).sort((x, y) => x - y);

  const row = (programName) => page.getByTestId("program-row").filter({ has: page.getByTestId("program-link").getByText(programName, { exact: true }) });

  const activeTestid = () => page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? null);

  let watchedId;

  it("picks a running process to watch and narrows the rule by its command line", { timeout: 90_000 }, async () => {
    await signIn(page, daemon);
    await page.goto(`${daemon.baseUrl}/#/programs/new`);
    const drawer = page.getByTestId("register-drawer");
    await drawer.waitFor();
    // The focus moved into the drawer.
    assert.ok(await page.evaluate(() => document.activeElement?.closest("[data-testid=register-drawer]") !== null), "focus inside the drawer");

    await drawer.getByTestId("add-watch").check();
    await drawer.getByTestId("picker-search").fill(name);
    const rows = drawer.getByTestId("picker-row");
    await waitFor("both copies in the picker", async () => (await rows.count()) === 2, DISCOVERY_MS);
    const listed = (await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-pid"))))).sort((x, y) => x - y);
    assert.deepEqual(listed, [a.pid, b.pid].sort((x, y) => x - y));
    // Each row names the process and shows its command line (whole in the title).
    const rowA = rows.filter({ has: page.locator(`[data-testid="picker-pid"]:text-is("${a.pid}")`) });
    assert.match(await rowA.innerText(), new RegExp(name));
    assert.equal(await rowA.locator("td.cmd").getAttribute("title"), `${exe} sleep 3600`);

    await rowA.getByTestId("picker-pick").click();
    await waitFor("the pick", async () => (await drawer.getByTestId("picker-picked").getAttribute("data-pid")) === String(a.pid));
    assert.equal(await drawer.getByTestId("add-path").inputValue(), exe, "the path is the picked executable");
    assert.equal(await drawer.getByTestId("add-name").inputValue(), name, "the name is the picked process's");
    assert.equal(await drawer.getByTestId("add-match-exe").isChecked(), true, "by executable at first");

    // Both copies run that executable: matches 2, with the warning.
    const count = drawer.getByTestId("match-count");
    await waitFor("matches 2", async () => (await count.getAttribute("data-count")) === "2", DISCOVERY_MS);
    assert.match(await count.innerText(), /matches 2 processes now/);
    const warning = drawer.getByTestId("match-warning");
    await warning.waitFor();
    assert.match(await warning.innerText(), /This rule matches 2 processes: Stop would offer to end all of them; narrow it with the command line/);
    assert.equal(await drawer.getByTestId("match-process-row").count(), 2);

    // By name: still both.
    await drawer.getByTestId("add-match-name").check();
    assert.equal(await drawer.getByTestId("add-match-value").inputValue(), name);
    await waitFor("matches 2 by name", async () => (await count.getAttribute("data-count")) === "2" && (await drawer.getByTestId("match-preview").getAttribute("data-state")) === "ok");

    // By command line: prefilled with the picked one's, which only it has.
    await drawer.getByTestId("add-match-cmdline").check();
    assert.equal(await drawer.getByTestId("add-match-value").inputValue(), `${exe} sleep 3600`);
    await waitFor("matches 1 by command line", async () => (await count.getAttribute("data-count")) === "1", DISCOVERY_MS);
    assert.equal(await drawer.getByTestId("match-warning").count(), 0, "no warning for one process");
    const matched = drawer.getByTestId("match-process-row");
    assert.equal(await matched.count(), 1);
    assert.equal(await matched.getAttribute("data-pid"), String(a.pid));

    // Editing the text updates the preview: the name alone is in both command lines.
    await drawer.getByTestId("add-match-value").fill(name);
    await waitFor("matches 2 again", async () => (await count.getAttribute("data-count")) === "2", DISCOVERY_MS);
    await drawer.getByTestId("match-warning").waitFor();
    assert.match(await drawer.getByTestId("match-warning").innerText(), /make the command-line text more specific/);
    await drawer.getByTestId("add-match-value").fill(`${name} sleep 3600`);
    await waitFor("matches 1 again", async () => (await count.getAttribute("data-count")) === "1", DISCOVERY_MS);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "safety-picker.png") });

    await drawer.getByTestId("add-name").fill("e2e-watched");
    const posted = page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/programs");
    await drawer.getByTestId("add-submit").click();
    const body = (await posted).postDataJSON();
    assert.equal(body.launch, false);
    assert.deepEqual(body.match_by, { by: "cmdline", value: `${name} sleep 3600` });
    assert.equal(body.path, exe);
    await waitFor("the drawer to close", async () => (await page.getByTestId("register-drawer").count()) === 0);
    await row("e2e-watched").waitFor();
    watchedId = Number(await row("e2e-watched").getAttribute("data-program-id"));
    assert.ok(watchedId > 0);
  });

  it("opens the register form set to watch a process from a link (?pid=)", { timeout: 60_000 }, async () => {
    await page.goto(`${daemon.baseUrl}/#/programs/new?pid=${b.pid}`);
    const drawer = page.getByTestId("register-drawer");
    await drawer.waitFor();
    await waitFor("the linked process picked", async () => (await drawer.getByTestId("picker-picked").getAttribute("data-pid").catch(() => null)) === String(b.pid));
    assert.equal(await drawer.getByTestId("add-watch").isChecked(), true);
    assert.equal(await drawer.getByTestId("add-path").inputValue(), exe);
    // Usable at 800 px: the drawer fits, its submit button can be reached.
    await page.setViewportSize({ width: 800, height: 700 });
    const box = await drawer.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 800, `the drawer fits: ${JSON.stringify(box)}`);
    await drawer.getByTestId("add-submit").scrollIntoViewIfNeeded();
    assert.ok(await drawer.getByTestId("add-submit").isVisible());
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "safety-drawer-800.png") });
    await page.setViewportSize({ width: 1280, height: 900 });
    // Escape closes the drawer (and goes back to the list).
    await page.keyboard.press("Escape");
    await waitFor("the drawer to close", async () => (await page.getByTestId("register-drawer").count()) === 0);
    assert.equal(new URL(page.url()).hash, "#/");
  });

  it("a watched program's Stop lists exactly its processes and ends only them", { timeout: 90_000 }, async () => {
    // A second watched program, by name: both copies.
    const both = await addProgram({ name: "e2e-both", path: exe, launch: false, match_by: { by: "name", value: name } });
    await waitFor("the daemon to find both copies", async () => (await programPids(both.id)).length === 2, DISCOVERY_MS);
    await waitFor("the daemon to find the narrowed one", async () => (await programPids(watchedId)).join() === String(a.pid), DISCOVERY_MS);

    await page.goto(`${daemon.baseUrl}/#/`);
    const bothRow = row("e2e-both");
    await waitText(bothRow.getByTestId("program-state"), "running");
    await bothRow.getByTestId("program-stop").click();
    const dialog = page.getByTestId("stop-dialog");
    await dialog.getByTestId("stop-process-row").first().waitFor();
    const pids = (await dialog.getByTestId("stop-process-row").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-pid"))))).sort((x, y) => x - y);
    assert.deepEqual(pids, [a.pid, b.pid].sort((x, y) => x - y), "the dialog lists exactly its processes");
    assert.equal((await dialog.getByTestId("stop-dialog-confirm").innerText()).trim(), "End 2 processes");
    assert.equal(await activeTestid(), "stop-dialog-cancel", "Cancel has the focus");
    // Tab stays inside the dialog.
    await page.keyboard.press("Tab");
    assert.equal(await activeTestid(), "stop-dialog-confirm");
    await page.keyboard.press("Tab");
    assert.equal(await activeTestid(), "stop-dialog-cancel");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "safety-stop.png") });
    // Escape cancels: nothing ends.
    await page.keyboard.press("Escape");
    await waitFor("the dialog to close", async () => !(await dialog.isVisible()));
    assert.ok(alive(a) && alive(b), "Cancel ends nothing");

    // The narrowed one: its one process, ended; the other copy runs on.
    const one = row("e2e-watched");
    await waitText(one.getByTestId("program-state"), "running");
    await one.getByTestId("program-stop").click();
    await dialog.getByTestId("stop-process-row").first().waitFor();
    assert.deepEqual(
      await dialog.getByTestId("stop-process-row").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-pid")))),
      [a.pid],
    );
    assert.equal((await dialog.getByTestId("stop-dialog-confirm").innerText()).trim(), "End 1 process");
    const stopped = page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === `/api/programs/${watchedId}/stop`);
    await dialog.getByTestId("stop-dialog-confirm").click();
    assert.deepEqual((await stopped).postDataJSON(), { id: watchedId, pids: [a.pid] });
    await waitFor("the picked copy to end", () => !alive(a), 20_000);
    assert.ok(alive(b), "the other copy still runs");
    // The sweep sees it gone.
    await waitFor("the program stopped", async () => ((await one.getByTestId("program-state").textContent()) ?? "").trim() === "stopped", DISCOVERY_MS);

    // With nothing running, there is nothing to stop (the button follows the same status, a
    // moment later under load).
    await waitFor("Stop disabled with nothing running", async () => one.getByTestId("program-stop").isDisabled(), DISCOVERY_MS);
  });

  it("Remove asks first and says what it does", { timeout: 90_000 }, async () => {
    // A watched program: its processes keep running.
    const bothRow = row("e2e-both");
    await waitFor("e2e-both down to one process", async () => (await programPids(Number(await bothRow.getAttribute("data-program-id")))).length === 1, DISCOVERY_MS);
    await waitText(bothRow.getByTestId("program-pids"), String(b.pid));
    await bothRow.getByTestId("program-remove").click();
    const dialog = page.getByTestId("remove-dialog");
    await dialog.getByTestId("remove-dialog-message").waitFor();
    assert.equal(
      (await dialog.getByTestId("remove-dialog-message").innerText()).trim(),
      "The 1 process it watches keeps running; only Vigil's record and history go.",
    );
    assert.equal(await activeTestid(), "remove-dialog-cancel");
    await dialog.getByTestId("remove-dialog-confirm").click();
    await waitFor("the row to go", async () => (await bothRow.count()) === 0);
    assert.ok(alive(b), "removing a watched program stops nothing");

    // A launched program that runs: stopped, with its PID named.
    const launched = await addProgram({ name: "e2e-launched", path: VIGIL_FIXTURE, args: ["sleep", "3600"] });
    await json(await daemon.api(`/api/programs/${launched.id}/start`, { method: "POST" }));
    const lrow = row("e2e-launched");
    await waitText(lrow.getByTestId("program-state"), "running");
    const pid = await waitFor("its pid", async () => {
      const t = ((await lrow.getByTestId("program-pids").textContent()) ?? "").trim();
      return /^\d+$/.test(t) ? Number(t) : null;
    });
    await lrow.getByTestId("program-remove").click();
    await dialog.getByTestId("remove-dialog-message").waitFor();
    assert.equal(
      (await dialog.getByTestId("remove-dialog-message").innerText()).trim(),
      `Removing e2e-launched stops it (PID ${pid} and its child processes) and deletes its history.`,
    );
    assert.equal((await dialog.getByTestId("remove-dialog-confirm").innerText()).trim(), "Stop and remove");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "safety-remove.png") });
    // Cancel keeps it.
    await dialog.getByTestId("remove-dialog-cancel").click();
    await waitFor("the dialog to close", async () => !(await dialog.isVisible()));
    assert.equal((await json(await daemon.api(`/api/programs/${launched.id}`))).name, "e2e-launched");
    await lrow.getByTestId("program-remove").click();
    await dialog.getByTestId("remove-dialog-confirm").click();
    await waitFor("the row to go", async () => (await lrow.count()) === 0);
    await json(await daemon.api(`/api/programs/${launched.id}`), 404);
  });

  it("registers a launched program: the daemon's reason next to the wrong field, then started at once", { timeout: 60_000 }, async () => {
    await page.goto(`${daemon.baseUrl}/#/`);
    await page.getByTestId("register-open").click();
    const drawer = page.getByTestId("register-drawer");
    await drawer.waitFor();
    assert.equal(await drawer.getByTestId("add-launch").isChecked(), true);
    assert.equal(await drawer.getByTestId("add-start-now").isChecked(), true, "start now: on for a launched program");
    assert.equal(await drawer.getByTestId("add-autostart").isChecked(), false, "start with Vigil: a separate choice");
    await drawer.getByTestId("add-name").fill("e2e-now");
    await drawer.getByTestId("add-path").fill("relative/fixture");
    await drawer.getByTestId("add-submit").click();
    // The daemon names the field: its reason is next to the path, focused, and goes when the path changes.
    const pathError = drawer.getByTestId("add-path-error");
    await pathError.waitFor();
    assert.notEqual((await pathError.innerText()).trim(), "");
    assert.equal(await drawer.getByTestId("form-error").count(), 0, "not a form-level error");
    assert.equal(await activeTestid(), "add-path");
    await drawer.getByTestId("add-path").fill(VIGIL_FIXTURE);
    await waitFor("the path's message to go", async () => (await pathError.count()) === 0);
    await drawer.getByTestId("add-args").fill("sleep\n3600");
    assert.equal((await drawer.getByTestId("add-submit").innerText()).trim(), "Register and start");
    const started = page.waitForRequest((r) => r.method() === "POST" && /^\/api\/programs\/\d+\/start$/.test(new URL(r.url()).pathname));
    await drawer.getByTestId("add-submit").click();
    await started;
    await waitFor("the drawer to close", async () => (await page.getByTestId("register-drawer").count()) === 0);
    const r = row("e2e-now");
    await waitText(r.getByTestId("program-state"), "running");
    const id = Number(await r.getAttribute("data-program-id"));
    const stored = await json(await daemon.api(`/api/programs/${id}`));
    assert.equal(stored.autostart, false);
    await json(await daemon.api(`/api/programs/${id}`, { method: "DELETE" }), 204);
    await waitFor("the row to go", async () => (await r.count()) === 0);
  });

  it("a wrong token says so, and parallel refusals keep the message", { timeout: 60_000 }, async () => {
    const ctx = await browser.newContext({ viewport: { width: 900, height: 800 } });
    const p = await ctx.newPage();
    try {
      let refused = 0;
      p.on("response", (r) => {
        if (r.status() === 401) refused++;
      });
      await p.goto(`${daemon.baseUrl}/`);
      await p.evaluate(() => localStorage.setItem("vigil.token", "not-the-token"));
      await p.reload();
      const error = p.getByTestId("token-error");
      await error.waitFor();
      // Every request the page made in parallel was refused; the message is still there.
      await waitFor("several refusals", () => refused >= 2);
      await waitFor("the page to settle", async () => (await p.evaluate(() => document.readyState)) === "complete");
      assert.match(await error.innerText(), /The daemon rejected this token \(it may have changed when the daemon restarted\)\. Paste the current one from api-token/);
      assert.equal(await p.getByTestId("token-input").inputValue(), "");
      assert.equal(await p.evaluate(() => document.activeElement?.getAttribute("data-testid")), "token-input", "the field has the focus");
      assert.equal(await p.evaluate(() => localStorage.getItem("vigil.token")), null, "the refused token is forgotten");
      mkdirSync(ARTIFACTS, { recursive: true });
      await p.screenshot({ path: join(ARTIFACTS, "safety-token.png") });
      // The right one clears it.
      await p.getByTestId("token-input").fill(daemon.token);
      await p.getByTestId("token-submit").click();
      await p.getByTestId("engine-state").filter({ hasText: /^running$/ }).waitFor();
      assert.equal(await p.getByTestId("token-error").count(), 0);
    } finally {
      await ctx.close();
    }
  });

  it("says so across the page when the daemon goes away, and clears when it is back", { timeout: 120_000 }, async () => {
    const stoppedOne = row("e2e-watched");
    await page.goto(`${daemon.baseUrl}/#/`);
    await page.getByTestId("engine-state").filter({ hasText: /^running$/ }).waitFor();
    const kept = await addProgram({ name: "e2e-kept", path: VIGIL_FIXTURE, args: ["sleep", "3600"] });
    const krow = row("e2e-kept");
    await waitText(krow.getByTestId("program-state"), "stopped");
    assert.equal(await krow.getByTestId("program-start").isDisabled(), false);
    assert.ok(kept.id > 0 && (await stoppedOne.count()) === 1);
    const port = new URL(daemon.baseUrl).port;

    daemon.proc.kill("SIGKILL");
    const banner = page.getByTestId("connection-banner");
    await banner.waitFor();
    assert.match(await page.getByTestId("connection-text").innerText(), /^Lost connection to Vigil\. Reconnecting/);
    // A live countdown: two different "in N s" values.
    const seen = new Set();
    await waitFor(
      "the countdown to move",
      async () => {
        const m = /Reconnecting in (\d+) s/.exec(await page.getByTestId("connection-text").innerText());
        if (m) seen.add(m[1]);
        return seen.size >= 2;
      },
      30_000,
    );
    await waitText(page.getByTestId("engine-state"), "disconnected");
    // Actions wait for the connection; live rows are marked stale.
    for (const id of ["program-start", "program-stop", "program-restart", "program-remove"]) {
      assert.equal(await krow.getByTestId(id).isDisabled(), true, `${id} disabled while disconnected`);
    }
    await page.getByTestId("stale-note").first().waitFor();
    assert.match(await page.getByTestId("stale-note").first().innerText(), /^as of \d\d:\d\d:\d\d$/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "safety-disconnected.png") });

    // The daemon back on the same port, with the same data (and token): Retry now reconnects.
    again = spawn(VIGIL_BIN, ["daemon", "--data-dir", daemon.dataDir, "--listen", `127.0.0.1:${port}`], { stdio: "ignore" });
    await waitFor(
      "the daemon again",
      async () => {
        try {
          return (await fetch(`${daemon.baseUrl}/api/health`)).ok;
        } catch {
          return false;
        }
      },
      30_000,
      again,
    );
    await page.getByTestId("connection-retry").click();
    await waitFor("the banner to go", async () => (await banner.count()) === 0, 30_000);
    await page.getByTestId("engine-state").filter({ hasText: /^running$/ }).waitFor();
    assert.equal(await page.getByTestId("stale-note").count(), 0);
    await waitFor("Start enabled again", async () => !(await krow.getByTestId("program-start").isDisabled()));
  });
});
