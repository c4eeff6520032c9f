// End-to-end: the settings page against the real daemon. A bad value shows the daemon's
// reason and changes nothing; a good save sends only the changed fields and says which
// need a restart; the LAN switch warns; the theme choice is kept by the browser.
//
//   cd tests/e2e && npm ci && node --test settings.test.mjs
//
// Env: see harness.mjs. The UI must have been built (ui/dist) into the daemon.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, launchBrowser, signIn, startDaemon, waitFor } from "./harness.mjs";

describe("settings page", () => {
  let daemon;
  let browser;
  let page;

  before(async () => {
    daemon = await startDaemon();
    ({ browser, page } = await launchBrowser());
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await daemon?.stop();
  });

  const settings = async () => {
    const res = await daemon.api("/api/settings");
    assert.equal(res.status, 200, await res.clone().text());
    return res.json();
  };

  it("refuses a bad value with the daemon's reason, saves only what changed, and names what needs a restart", { timeout: 60_000 }, async () => {
    const initial = await settings();
    await signIn(page, daemon);
    await page.getByTestId("nav-settings").click();
    await page.getByTestId("settings-page").waitFor();
    const sweep = page.getByTestId("settings-sweep_ms");
    await sweep.waitFor();
    assert.equal(await sweep.inputValue(), String(initial.sweep_ms));
    assert.equal(await page.getByTestId("settings-save").isDisabled(), true, "nothing to save yet");

    // Out of bounds: the daemon says why, and nothing changes.
    await sweep.fill("10");
    const refused = page.waitForResponse((r) => r.request().method() === "PUT" && new URL(r.url()).pathname === "/api/settings");
    await page.getByTestId("settings-save").click();
    const bad = await refused;
    assert.deepEqual(bad.request().postDataJSON(), { sweep_ms: 10 });
    assert.equal(bad.status(), 400);
    const reason = (await bad.json()).message;
    // next to the field, since the daemon names it
    const err = page.getByTestId("settings-sweep_ms-error");
    await err.waitFor();
    assert.equal((await err.innerText()).trim(), reason);
    assert.deepEqual(await settings(), initial);

    // Good values: only the changed fields go, retention partially.
    await sweep.fill(String(initial.sweep_ms));
    const grace = initial.stop_grace_secs === 20 ? 21 : 20;
    const runDays = initial.retention.run_days === 7 ? 8 : 7;
    await page.getByTestId("settings-stop_grace_secs").fill(String(grace));
    await page.getByTestId("settings-run_days").fill(String(runDays));
    await page.getByTestId("settings-port").fill(String(initial.port === 7475 ? 7476 : 7475));
    await page.getByTestId("settings-allow_lan").check();
    const warning = page.getByTestId("settings-lan-warning");
    await warning.waitFor();
    assert.match(await warning.innerText(), /token/);
    const saved = page.waitForResponse((r) => r.request().method() === "PUT" && new URL(r.url()).pathname === "/api/settings");
    await page.getByTestId("settings-save").click();
    const ok = await saved;
    assert.equal(ok.status(), 200, await ok.text());
    const sent = ok.request().postDataJSON();
    assert.deepEqual(Object.keys(sent).sort(), ["allow_lan", "port", "retention", "stop_grace_secs"]);
    assert.deepEqual(sent.retention, { run_days: runDays });
    const change = await ok.json();
    assert.ok(change.restart_needed.length > 0, `port and LAN need a restart: ${JSON.stringify(change)}`);
    const restart = page.getByTestId("settings-restart-needed");
    await restart.waitFor();
    assert.match(await restart.innerText(), /API port/);
    assert.equal(await page.getByTestId("settings-error").count(), 0);

    const now = await settings();
    assert.equal(now.stop_grace_secs, grace);
    assert.equal(now.retention.run_days, runDays);
    assert.equal(now.retention.event_days, initial.retention.event_days);
    assert.equal(now.sweep_ms, initial.sweep_ms);
    await waitFor("the form to show what is saved", async () => (await page.getByTestId("settings-save").isDisabled()) === true);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "settings.png"), fullPage: true });
  });

  it("keeps the browser's theme choice", async () => {
    await page.getByTestId("theme-dark").click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    await page.getByTestId("theme-light").click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "light");
    await page.reload();
    await page.getByTestId("settings-page").waitFor();
    assert.equal(await page.evaluate(() => [document.documentElement.dataset.theme, localStorage.getItem("vigil.theme")].join()), "light,light");
    assert.equal(await page.getByTestId("theme-light").getAttribute("aria-checked"), "true");
  });
});
