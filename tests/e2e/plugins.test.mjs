// End-to-end: checks, their health on programs, and plugins through the real UI against the
// real daemon. A TCP server on 127.0.0.1 is what a check looks at; plugin folders are written
// into the daemon's data dir, then read with "Rescan".
//
//   cd tests/e2e && npm ci && node --test plugins.test.mjs
//
// Env: see harness.mjs. The UI must have been built (ui/dist).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";
import { ARTIFACTS, launchBrowser, signIn, startDaemon, waitFor } from "./harness.mjs";

/** A TCP server on 127.0.0.1 (on `port`, or a free one) that takes connections and closes them. */
async function startPort(port = 0) {
  const sockets = new Set();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.end();
  });
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return {
    port: server.address().port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(r);
      }),
  };
}

describe("checks and plugins against the real daemon", () => {
  let daemon;
  let browser;
  let page;
  let listener;

  before(async () => {
    daemon = await startDaemon();
    const probe = await daemon.api("/api/checks");
    assert.equal(probe.status, 200, "the daemon does not serve /api/checks yet: rebuild target/debug/vigil");
    listener = await startPort();
    ({ browser, page } = await launchBrowser());
    await signIn(page, daemon);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await listener?.close();
    await daemon?.stop();
  });

  /** A program registered through the API (launched, not started): what a check can belong to. */
  async function addProgram(name) {
    const res = await daemon.api("/api/programs", { method: "POST", body: JSON.stringify({ name, path: process.execPath, args: ["--version"], autostart: false }) });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()).id;
  }

  const checkRow = (id) => page.locator(`[data-testid="check-row"][data-check-id="${id}"]`);
  const rowStatus = (id) => checkRow(id).getByTestId("check-status");

  it("a TCP check is OK while its port listens and Critical once it is closed; the program's health follows", async () => {
    const programId = await addProgram("e2e-web");

    await page.getByTestId("nav-checks").click();
    await page.getByTestId("checks-page").waitFor();
    assert.equal(new URL(page.url()).hash, "#/checks");
    await page.getByTestId("checks-empty").waitFor();
    await page.getByTestId("check-new").click();
    const editor = page.getByTestId("check-editor");
    await editor.getByTestId("check-name").waitFor();
    await editor.getByTestId("check-name").fill("e2e-port");
    await editor.getByTestId("check-program").selectOption(String(programId));
    await editor.getByTestId("check-type").selectOption("tcp");
    await editor.getByTestId("check-host").fill("127.0.0.1");
    await editor.getByTestId("check-port").fill(String(listener.port));
    // Only runs by hand in this test (the first scheduled run would be OK as well).
    await editor.getByTestId("check-interval").fill("3600");
    const sent = page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/checks");
    await editor.getByTestId("check-save").click();
    const body = (await sent).postDataJSON();
    assert.deepEqual(body.probe, { type: "tcp", host: "127.0.0.1", port: listener.port });
    assert.equal(body.program_id, programId);
    assert.equal(body.interval_secs, 3600);

    // Saved: its page.
    const detail = page.getByTestId("check-detail");
    await detail.waitFor();
    const checkId = Number(await detail.getAttribute("data-check-id"));
    assert.ok(checkId > 0);
    assert.equal(new URL(page.url()).hash, `#/checks/${checkId}`);
    assert.equal((await detail.getByTestId("check-title").textContent())?.trim(), "e2e-port");

    // The list: run it now, the answer shows in place.
    await page.getByTestId("nav-checks").click();
    await checkRow(checkId).waitFor();
    assert.equal((await checkRow(checkId).getByTestId("check-program").textContent())?.trim(), "e2e-web");
    await checkRow(checkId).getByTestId("check-run").click();
    await page.locator(`[data-testid="check-row"][data-check-id="${checkId}"] [data-testid="check-status"][data-status="ok"]`).waitFor();
    assert.equal((await rowStatus(checkId).textContent())?.trim(), "OK");
    assert.notEqual((await checkRow(checkId).getByTestId("check-last-run").textContent())?.trim(), "never");

    // Its program is healthy, on the list and on its page, which lists the check.
    await page.getByTestId("nav-programs").click();
    const programRow = page.locator(`[data-testid="program-row"][data-program-id="${programId}"]`);
    await programRow.locator('[data-testid="program-health"][data-health="healthy"]').waitFor();
    assert.equal((await programRow.getByTestId("program-health").textContent())?.trim(), "Healthy");
    await programRow.getByTestId("program-link").click();
    const checks = page.getByTestId("program-checks");
    await checks.locator(`[data-testid="program-check"][data-check-id="${checkId}"]`).waitFor();
    assert.equal((await checks.getByTestId("program-check-link").textContent())?.trim(), "e2e-port");
    await page.getByTestId("program-detail").locator('[data-testid="program-health"][data-health="healthy"]').waitFor();

    // The port closes: run it now again, it is Critical with the reason.
    await listener.close();
    listener = null;
    await checks.getByTestId("program-check-link").click();
    await detail.waitFor();
    await detail.getByTestId("check-run").click();
    await detail.locator('[data-testid="check-latest-status"][data-status="critical"]').waitFor();
    const why = (await detail.getByTestId("check-latest-message").textContent())?.trim() ?? "";
    assert.ok(why.length > 0, "a Critical answer says why");
    // The history, newest first: Critical, then OK.
    await waitFor("two answers in the history", async () => (await detail.getByTestId("check-history-row").count()) >= 2);
    const statuses = await detail.getByTestId("check-history-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-status")));
    assert.deepEqual(statuses.slice(0, 2), ["critical", "ok"]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "check.png"), fullPage: true });
    await page.getByTestId("nav-checks").click();
    await page.getByTestId("checks-page").waitFor();
    await page.locator(`[data-testid="check-row"][data-check-id="${checkId}"] [data-testid="check-status"][data-status="critical"]`).waitFor();
    assert.equal((await rowStatus(checkId).textContent())?.trim(), "Critical");
    assert.equal((await checkRow(checkId).getByTestId("check-message").textContent())?.trim(), why);

    await page.getByTestId("nav-programs").click();
    await programRow.locator('[data-testid="program-health"][data-health="unhealthy"]').waitFor();
  });

  it("shows the daemon's message about a bad URL next to the URL field", async () => {
    await page.goto(`${daemon.baseUrl}/#/checks/new`);
    const editor = page.getByTestId("check-editor");
    await editor.getByTestId("check-name").waitFor();
    await editor.getByTestId("check-name").fill("e2e-bad-url");
    await editor.getByTestId("check-type").selectOption("http");
    await editor.getByTestId("check-url").fill("ftp://example.com/health");
    const answered = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/checks");
    await editor.getByTestId("check-save").click();
    const res = await answered;
    assert.equal(res.status(), 400);
    const err = await res.json();
    assert.equal(err.field, "probe.url");

    const message = editor.locator('[data-field="probe.url"] [data-testid="check-url-error"]');
    await message.waitFor();
    assert.equal((await message.textContent())?.trim(), err.message);
    assert.equal(await editor.getByTestId("check-url").getAttribute("aria-invalid"), "true");
    assert.equal(new URL(page.url()).hash, "#/checks/new");
    // Changing the field takes its message away.
    await editor.getByTestId("check-url").fill("http://127.0.0.1:9/health");
    await waitFor("the URL message to go", async () => (await editor.getByTestId("check-url-error").count()) === 0);
  });

  it("lists a refused plugin folder with its reason, and an installed plugin's settings as a generated form", { skip: process.platform === "win32" && "the plugin's command is a shell line" }, async () => {
    const plugins = join(daemon.dataDir, "plugins");
    mkdirSync(join(plugins, "broken"), { recursive: true });
    writeFileSync(join(plugins, "broken", "plugin.json"), "{ this is not json");
    mkdirSync(join(plugins, "e2e-echo"), { recursive: true });
    writeFileSync(
      join(plugins, "e2e-echo", "plugin.json"),
      JSON.stringify({
        name: "e2e-echo",
        version: "1.2",
        description: "Says all is well.",
        kind: "check",
        protocol: "nagios",
        command: { unix: ["/bin/sh", "-c", "echo 'OK - all good | latency=5ms'", "e2e-echo"] },
        config: [
          { name: "port", label: "Port", type: "number", flag: "--port", choices: [], default: null },
          { name: "verbose", label: "Verbose", type: "boolean", flag: "-v", choices: [], default: false },
          { name: "mode", label: "Mode", type: "select", flag: "--mode", choices: ["fast", "full"], default: "fast" },
        ],
      }),
    );

    await page.goto(`${daemon.baseUrl}/#/plugins`);
    const pluginsPage = page.getByTestId("plugins-page");
    await pluginsPage.waitFor();
    await pluginsPage.getByTestId("plugins-rescan").click();
    const refused = pluginsPage.locator('[data-testid="plugin-refused"][data-plugin="broken"]');
    await refused.waitFor();
    const listed = await (await daemon.api("/api/plugins")).json();
    const broken = listed.find((p) => p.name === "broken");
    assert.ok(broken?.error, `the daemon refuses the broken folder: ${JSON.stringify(listed)}`);
    const reason = (await refused.getByTestId("plugin-refused-reason").textContent())?.trim() ?? "";
    assert.equal(reason, `The folder "broken" was not loaded: ${broken.error.trim()}`);

    const echo = pluginsPage.locator('[data-testid="plugin-row"][data-plugin="e2e-echo"]');
    await echo.waitFor();
    assert.equal((await echo.getByTestId("plugin-version").textContent())?.trim(), "1.2");
    assert.equal((await echo.getByTestId("plugin-kind").textContent())?.trim(), "check");
    assert.equal((await echo.getByTestId("plugin-usage").textContent())?.trim(), "not used");
    assert.match((await echo.getByTestId("plugin-breaker").textContent()) ?? "", /closed/);

    // A check of that plugin: its settings are a form made from the manifest.
    await page.goto(`${daemon.baseUrl}/#/checks/new`);
    const editor = page.getByTestId("check-editor");
    await editor.getByTestId("check-name").waitFor();
    await editor.getByTestId("check-name").fill("e2e-plugin");
    await editor.getByTestId("check-type").selectOption("plugin");
    await editor.getByTestId("check-plugin").selectOption("e2e-echo");
    const form = editor.getByTestId("config-form");
    await form.waitFor();
    const names = await form.getByTestId("config-option").evaluateAll((els) => els.map((e) => e.getAttribute("data-option")));
    assert.deepEqual(names, ["port", "verbose", "mode"]);
    assert.equal(await form.getByTestId("config-mode").inputValue(), "fast");
    assert.equal(await form.getByTestId("config-verbose").isChecked(), false);
    // A number that is none: said next to it, nothing sent.
    await form.getByTestId("config-port").fill("lots");
    await editor.getByTestId("check-save").click();
    const portError = form.locator('[data-option="port"] [data-testid="config-error"]');
    await portError.waitFor();
    assert.match((await portError.textContent()) ?? "", /number/);
    await form.getByTestId("config-port").fill("8080");
    await form.getByTestId("config-verbose").check();
    const sent = page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/checks");
    await editor.getByTestId("check-save").click();
    assert.deepEqual((await sent).postDataJSON().probe, { type: "plugin", plugin: "e2e-echo", config: { port: 8080, verbose: true, mode: "fast" } });
    const detail = page.getByTestId("check-detail");
    await detail.waitFor();
    await detail.getByTestId("check-run").click();
    await detail.locator('[data-testid="check-latest-status"][data-status="ok"]').waitFor();
    assert.match((await detail.getByTestId("check-latest-message").textContent()) ?? "", /all good/);
    await page.goto(`${daemon.baseUrl}/#/plugins`);
    await page.locator('[data-testid="plugin-row"][data-plugin="e2e-echo"] [data-testid="plugin-usage"]').filter({ hasText: "1 check" }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "plugins.png"), fullPage: true });
  });

  it("makes an action on events with its plugin's settings, runs it now and lists the run", { skip: process.platform === "win32" && "the plugin's command is a shell line" }, async () => {
    const dir = join(daemon.dataDir, "plugins", "e2e-note");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "plugin.json"),
      JSON.stringify({
        name: "e2e-note",
        version: "0.1",
        description: "Notes the event.",
        kind: "action",
        protocol: "nagios",
        command: { unix: ["/bin/sh", "-c", "echo noted", "e2e-note"] },
        config: [{ name: "label", label: "Label", type: "string", flag: "--label", choices: [], default: "vigil" }],
      }),
    );
    assert.equal((await daemon.api("/api/plugins/rescan", { method: "POST" })).status, 200);

    await page.goto(`${daemon.baseUrl}/#/actions`);
    await page.getByTestId("actions-empty").waitFor();
    await page.getByTestId("action-new").click();
    const editor = page.getByTestId("action-editor");
    await editor.getByTestId("action-name").waitFor();
    await editor.getByTestId("action-name").fill("e2e-note-critical");
    // The only action plugin is chosen already; its settings are a form.
    assert.equal(await editor.getByTestId("action-plugin").inputValue(), "e2e-note");
    assert.equal(await editor.getByTestId("config-label").inputValue(), "vigil");
    // Without an event it says so next to the events.
    await editor.getByTestId("action-save").click();
    await editor.getByTestId("action-kinds-error").waitFor();
    await editor.locator('[data-testid="action-kind"][data-kind="check_critical"]').check();
    await editor.getByTestId("config-label").fill("e2e");
    const sent = page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/actions");
    await editor.getByTestId("action-save").click();
    const body = (await sent).postDataJSON();
    assert.deepEqual([body.plugin, body.kinds, body.config], ["e2e-note", ["check_critical"], { label: "e2e" }]);

    // Saved: its page, with its runs.
    const runs = page.getByTestId("action-runs");
    await runs.waitFor();
    assert.match(new URL(page.url()).hash, /^#\/actions\/\d+$/);
    await runs.getByTestId("action-runs-empty").waitFor();
    await runs.getByTestId("action-run").click();
    const result = runs.getByTestId("action-run-result");
    await result.waitFor();
    assert.equal(await result.getAttribute("data-ok"), "true", (await result.textContent()) ?? "");
    await runs.getByTestId("action-run-row").first().waitFor();

    // The list says what it runs on.
    await page.goto(`${daemon.baseUrl}/#/actions`);
    const row = page.getByTestId("action-row").filter({ hasText: "e2e-note-critical" });
    await row.waitFor();
    assert.equal((await row.getByTestId("action-events").textContent())?.trim(), "check critical");
  });

  it("charts a check's metrics on its program's page, in the page's window, and reads them again after the check's event", async () => {
    const programId = await addProgram("e2e-charted");
    let port = await startPort();
    const refused = await startPort();
    const refusedPort = refused.port;
    await refused.close();
    const api = async (path, method, body, status) => {
      const res = await daemon.api(path, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
      assert.equal(res.status, status, await res.clone().text());
      return res.json();
    };
    try {
      const timed = (await api("/api/checks", "POST", { name: "e2e-timed", program_id: programId, probe: { type: "tcp", host: "127.0.0.1", port: port.port }, interval_secs: 3600 }, 201)).id;
      // A refused port answers Critical with no metrics: no chart, no empty box for it.
      const bare = (await api("/api/checks", "POST", { name: "e2e-bare", program_id: programId, probe: { type: "tcp", host: "127.0.0.1", port: refusedPort }, interval_secs: 3600 }, 201)).id;
      const first = await api(`/api/checks/${timed}/run`, "POST", undefined, 200);
      assert.equal(first.answer.status, "ok", JSON.stringify(first));
      assert.deepEqual([first.answer.metrics[0]?.label, first.answer.metrics[0]?.unit], ["time", "ms"]);
      // Metrics are kept per second: the second answer in the next one.
      await waitFor("the next second", () => Math.floor(Date.now() / 1000) > Math.floor(first.ts / 1000));
      const second = await api(`/api/checks/${timed}/run`, "POST", undefined, 200);
      assert.equal(second.answer.status, "ok");
      assert.equal((await api(`/api/checks/${bare}/run`, "POST", undefined, 200)).answer.status, "critical");

      // Both values stored (an unchanged answer may wait a moment to be logged with others).
      await waitFor("both values stored", async () => {
        const to = Date.now() + 1000;
        const got = await api(`/api/checks/${timed}/metrics?from=${to - 600_000}&to=${to}`, "GET", undefined, 200);
        return got[0]?.points.length === 2;
      });

      await page.goto(`${daemon.baseUrl}/#/programs/${programId}`);
      const checks = page.getByTestId("program-checks");
      await checks.locator(`[data-testid="program-check"][data-check-id="${bare}"]`).waitFor();
      const chart = checks.locator(`[data-testid="program-check-chart"][data-check-id="${timed}"]`);
      await chart.waitFor();
      assert.equal(await chart.getAttribute("data-label"), "time");
      assert.equal((await chart.locator("h3").textContent())?.replace(/\s+/g, " ").trim(), "e2e-timed · time (ms)");
      assert.equal(await chart.locator("h3 a").getAttribute("href"), `#/checks/${timed}`);
      const plot = chart.getByTestId(`program-check-chart-${timed}-0`);
      await waitFor("both answers charted", async () => (await plot.getAttribute("data-points")) === "2");
      assert.match((await plot.getAttribute("aria-label")) ?? "", /^e2e-timed time chart, .* ms$/);
      assert.equal(await checks.locator(`[data-testid="program-check-chart"][data-check-id="${bare}"]`).count(), 0);
      assert.equal(await checks.getByTestId("program-check-chart").count(), 1);

      // The window is the CPU and memory charts' one: another range reads the metrics of that one.
      const charts = checks.getByTestId("program-check-charts");
      const opened = await page.locator('[data-testid^="range-"][aria-pressed="true"]').getAttribute("data-testid");
      assert.equal(`range-${await charts.getAttribute("data-window")}`, opened);
      const pick = opened === "range-1h" ? "15m" : "1h";
      const read = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/checks/${timed}/metrics`);
      await page.getByTestId(`range-${pick}`).click();
      const asked = new URL((await read).url()).searchParams;
      assert.equal(Number(asked.get("to")) - Number(asked.get("from")), pick === "1h" ? 3_600_000 : 900_000);
      await checks.locator(`[data-testid="program-check-charts"][data-window="${pick}"]`).waitFor();
      await waitFor("both answers charted in the new window", async () => (await plot.getAttribute("data-points")) === "2");

      // Its port closes (Critical, an event, no new value), then listens again: the recovery is
      // an event of this program, and the page reads the third value without being reloaded.
      const portNumber = port.port;
      await port.close();
      port = null;
      assert.equal((await api(`/api/checks/${timed}/run`, "POST", undefined, 200)).answer.status, "critical");
      await checks.locator(`[data-testid="program-check"][data-check-id="${timed}"] [data-status="critical"]`).waitFor();
      port = await startPort(portNumber);
      await waitFor("a second after the last value", () => Math.floor(Date.now() / 1000) > Math.floor(second.ts / 1000));
      const reread = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/checks/${timed}/metrics`);
      assert.equal((await api(`/api/checks/${timed}/run`, "POST", undefined, 200)).answer.status, "ok");
      await reread;
      await waitFor("the third value charted", async () => (await plot.getAttribute("data-points")) === "3");
      assert.equal(new URL(page.url()).hash, `#/programs/${programId}`);
    } finally {
      await port?.close();
    }
  });

  it("has no serious or critical accessibility violation on these pages, and none scrolls sideways at 800 px", { timeout: 300_000 }, async () => {
    const require = createRequire(import.meta.url);
    const AXE = require.resolve("axe-core");
    const checks = await (await daemon.api("/api/checks")).json();
    const actions = await (await daemon.api("/api/actions")).json();
    const programs = await (await daemon.api("/api/programs")).json();
    assert.ok(checks.length > 0 && actions.length > 0 && programs.length > 0);
    const id = checks[0].check.id;
    const shown = [
      { hash: "#/checks", ready: '[data-testid="check-row"]' },
      { hash: `#/checks/${id}`, ready: '[data-testid="check-history-row"], [data-testid="check-history-empty"]' },
      { hash: `#/checks/${id}/edit`, ready: '[data-testid="check-name"]' },
      { hash: "#/checks/new", ready: '[data-testid="check-name"]' },
      { hash: "#/actions", ready: '[data-testid="action-row"]' },
      { hash: `#/actions/${actions[0].id}`, ready: '[data-testid="action-name"]' },
      { hash: "#/plugins", ready: '[data-testid="plugin-row"]' },
      { hash: `#/programs/${programs[0].id}`, ready: '[data-testid="program-check"], [data-testid="program-checks-empty"]' },
    ];
    const failures = [];
    for (const theme of ["dark", "light"]) {
      await page.emulateMedia({ colorScheme: theme });
      for (const p of shown) {
        await page.goto(`${daemon.baseUrl}/${p.hash}`);
        await page.locator(p.ready).first().waitFor();
        await waitFor(`the ${theme} theme`, () => page.evaluate((t) => document.documentElement.dataset.theme === t, theme));
        if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
        const result = await page.evaluate(() =>
          window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] }, resultTypes: ["violations"] }),
        );
        for (const v of result.violations) {
          const where = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ");
          if (v.impact === "serious" || v.impact === "critical") failures.push(`${theme} ${p.hash}: ${v.id} (${v.nodes.length}): ${where}`);
        }
      }
    }
    await page.emulateMedia({ colorScheme: "dark" });
    await page.setViewportSize({ width: 800, height: 600 });
    try {
      for (const p of shown) {
        await page.goto(`${daemon.baseUrl}/${p.hash}`);
        await page.locator(p.ready).first().waitFor();
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (wide > 0) failures.push(`800 px ${p.hash}: scrolls ${wide} px sideways`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    assert.deepEqual(failures, []);
  });
});
