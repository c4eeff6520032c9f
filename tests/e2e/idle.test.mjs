// End-to-end: an idle dashboard asks the daemon nothing. Statuses and events are pushed over
// the two streams the page opens when it loads (`/api/events`, `/api/programs/status/stream`);
// while nothing happens, no other request may leave the page.
//
//   cd tests/e2e && npm ci && node --test idle.test.mjs
//
// Env: see harness.mjs; VIGIL_IDLE_SECS (default 60): how long the page is watched idle.
// The UI must have been built (ui/dist).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { UI_TIMEOUT_MS, VIGIL_FIXTURE, launchBrowser, signIn, startDaemon, waitFor, waitText } from "./harness.mjs";

const IDLE_SECS = Number(process.env.VIGIL_IDLE_SECS || 60);
/** The streams the page opens at load and keeps open. */
const STREAMS = ["/api/events", "/api/programs/status/stream"];
/** After the page looks loaded, debounced follow-up reads (a refresh after the feed opened) settle. */
const SETTLE_MS = 2_000;

describe("an idle dashboard", () => {
  let daemon;
  let browser;
  let page;

  before(async () => {
    assert.ok(Number.isFinite(IDLE_SECS) && IDLE_SECS > 0, `VIGIL_IDLE_SECS must be a positive number, got ${process.env.VIGIL_IDLE_SECS}`);
    daemon = await startDaemon();
    ({ browser, page } = await launchBrowser());
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await daemon?.stop();
  });

  it(`makes no request to /api/ in ${IDLE_SECS} s beyond the streams it opened at load`, { timeout: (IDLE_SECS + 120) * 1000 }, async () => {
    // A few programs: launched ones that stay stopped, and (with the fixture) one running,
    // whose status changes are pushed through the idle time.
    const add = async (body) => {
      const res = await daemon.api("/api/programs", { method: "POST", body: JSON.stringify(body) });
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()).id;
    };
    const names = ["idle-a", "idle-b", "idle-c"];
    for (const name of names) await add({ name, path: process.execPath, args: ["--version"] });
    let runningId = null;
    if (existsSync(VIGIL_FIXTURE)) {
      runningId = await add({ name: "idle-live", path: VIGIL_FIXTURE, args: ["print", "3"] });
      const started = await daemon.api(`/api/programs/${runningId}/start`, { method: "POST" });
      assert.equal(started.status, 200, await started.clone().text());
      names.push("idle-live");
    } else {
      console.error(`[idle] fixture not found at ${VIGIL_FIXTURE}: no running program in this run`);
    }

    // Every /api/ request the page makes, from the first load on.
    const requests = [];
    page.on("request", (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith("/api/")) requests.push({ at: Date.now(), method: r.method(), path: url.pathname, url: r.url() });
    });

    await signIn(page, daemon);
    const rows = page.getByTestId("program-row");
    await waitFor(`${names.length} program rows`, async () => (await rows.count()) === names.length, UI_TIMEOUT_MS);
    for (const name of names) await rows.filter({ hasText: name }).waitFor();
    // The pushed statuses arrived: every row has a state, the running one its pid.
    for (const name of names.filter((n) => n !== "idle-live")) await waitText(rows.filter({ hasText: name }).getByTestId("program-state"), "stopped");
    if (runningId !== null) {
      const live = rows.filter({ hasText: "idle-live" });
      await waitText(live.getByTestId("program-state"), "running");
      await waitFor("a pid in the running row", async () => /^\d+/.test(((await live.getByTestId("program-pids").textContent()) ?? "").trim()), UI_TIMEOUT_MS);
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));

    // The streams are open (opened at load, still the only long-lived requests).
    for (const stream of STREAMS) {
      assert.ok(
        requests.some((r) => r.path === stream),
        `the page opened ${stream} at load; /api/ requests so far: ${requests.map((r) => r.url).join(", ")}`,
      );
    }

    // Idle: count every /api/ request from now on.
    const from = Date.now();
    await new Promise((r) => setTimeout(r, IDLE_SECS * 1000));
    const during = requests.filter((r) => r.at >= from);
    assert.equal(
      during.length,
      0,
      `an idle page asked the daemon ${during.length} time(s) in ${IDLE_SECS} s:\n${during.map((r) => `  ${r.method} ${r.url}`).join("\n")}`,
    );

    // Still live after the idle time: a change is pushed, not polled for.
    if (runningId !== null) {
      const stopped = await daemon.api(`/api/programs/${runningId}/stop`, { method: "POST" });
      assert.equal(stopped.status, 200, await stopped.clone().text());
      await waitText(rows.filter({ hasText: "idle-live" }).getByTestId("program-state"), "stopped");
    }
  });
});
