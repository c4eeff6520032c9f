// End-to-end: the programs list against the real daemon: natural order, the search box,
// selection (one, shift-click range, all shown) and bulk actions that act on launched
// programs only, say what they left out and list what failed.
//
//   cd tests/e2e && npm ci && node --test programlist.test.mjs
//
// Env: see harness.mjs. The UI must have been built (ui/dist); the fixture must exist.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { VIGIL_FIXTURE, launchBrowser, signIn, startDaemon, waitFor, waitText } from "./harness.mjs";

describe("programs list", () => {
  let daemon;
  let browser;
  let page;
  const ids = {};

  before(async () => {
    assert.ok(existsSync(VIGIL_FIXTURE), `fixture not found at ${VIGIL_FIXTURE}`);
    daemon = await startDaemon();
    const add = async (body) => {
      const res = await daemon.api("/api/programs", { method: "POST", body: JSON.stringify(body) });
      assert.equal(res.status, 201, await res.clone().text());
      ids[body.name] = (await res.json()).id;
    };
    for (const name of ["p10", "p2", "p1", "P100"]) await add({ name, path: VIGIL_FIXTURE, args: ["sleep", "3600"], tags: name === "p2" ? ["web"] : [] });
    await add({ name: "watch-me", path: VIGIL_FIXTURE, launch: false, match_by: { by: "cmdline", value: "no-such-process-e2e" } });
    ({ browser, page } = await launchBrowser());
    await signIn(page, daemon);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await daemon?.stop();
  });

  const names = async () => (await page.getByTestId("program-link").allTextContents()).map((s) => s.trim());
  const row = (name) => page.getByTestId("program-row").filter({ has: page.getByTestId("program-link").getByText(name, { exact: true }) });

  it("lists programs in natural order", async () => {
    await waitFor("5 rows", async () => (await page.getByTestId("program-row").count()) === 5);
    assert.deepEqual(await names(), ["p1", "p2", "p10", "P100", "watch-me"]);
  });

  it("filters by name, tag and path from the search box (data-search), and says when nothing matches", async () => {
    const search = page.getByTestId("program-search");
    // The page's first search box (what "/" focuses) is the programs list's.
    assert.equal(await page.locator("[data-search]").first().getAttribute("data-testid"), "program-search");
    await search.fill("p1");
    await waitFor("p1 filter", async () => (await names()).join() === "p1,p10,P100");
    await waitText(page.getByTestId("program-search-count"), "3 of 5 shown");
    await search.fill("web");
    await waitFor("tag filter", async () => (await names()).join() === "p2");
    await search.fill("fixture p10");
    await waitFor("path and name", async () => (await names()).join() === "p10,P100");
    await search.fill("tag:web fixture");
    await waitFor("tag: and path", async () => (await names()).join() === "p2");
    await search.fill("nothing-like-this");
    await page.getByTestId("programs-nomatch").waitFor();
    await search.fill("");
    await waitFor("all back", async () => (await names()).length === 5);
  });

  it("selects a range with shift-click and all shown with the header box", async () => {
    await row("p1").getByTestId("program-select").click();
    await row("P100").getByTestId("program-select").click({ modifiers: ["Shift"] });
    await waitText(page.getByTestId("bulk-count"), "4 selected");
    for (const n of ["p1", "p2", "p10", "P100"]) assert.equal(await row(n).getByTestId("program-select").isChecked(), true, n);
    assert.equal(await row("watch-me").getByTestId("program-select").isChecked(), false);
    const all = page.getByTestId("program-select-all");
    assert.equal(await all.evaluate((el) => el.indeterminate), true);
    await all.click();
    await waitText(page.getByTestId("bulk-count"), "5 selected");
    await all.click();
    await page.getByTestId("bulk-bar").waitFor({ state: "detached" });
  });

  it("starts the launched ones in bulk, skipping the watched one and saying why", async () => {
    await page.getByTestId("program-select-all").click();
    await page.getByTestId("bulk-start").click();
    await waitText(page.getByTestId("bulk-done"), "Started: 4 programs.");
    const skipped = (await page.getByTestId("bulk-skipped").allTextContents()).join(" ");
    assert.match(skipped, /Skipped 1 watched program: Vigil watches them but does not launch them\./);
    for (const n of ["p1", "p2", "p10", "P100"]) await waitText(row(n).getByTestId("program-state"), "running");
  });

  it("stops in bulk after asking, never a watched program, and lists a failure per program", async () => {
    // The daemon refuses one of them: its failure is listed, the others go on.
    await page.route(`**/api/programs/${ids.p10}/stop`, (route) =>
      route.fulfill({ status: 409, contentType: "application/json", body: JSON.stringify({ code: "conflict", message: "refused for the test" }) }),
    );
    await page.getByTestId("bulk-stop").click();
    const dialog = page.getByTestId("bulk-dialog");
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Stop 4 programs\?/);
    assert.match(await dialog.textContent(), /Skipped 1 watched program: a watched program's Stop asks first/);
    await dialog.getByRole("button", { name: "Stop 4" }).click();
    await waitText(page.getByTestId("bulk-done"), "Stopped: 3 of 4 programs.");
    const failures = await page.getByTestId("bulk-failure").allTextContents();
    assert.equal(failures.length, 1);
    assert.equal(failures[0].trim(), "p10: refused for the test");
    for (const n of ["p1", "p2", "P100"]) await waitText(row(n).getByTestId("program-state"), "stopped");
    await waitText(row("p10").getByTestId("program-state"), "running");
    await page.unroute(`**/api/programs/${ids.p10}/stop`);
  });

  it("switches autostart in bulk for launched programs", async () => {
    await page.getByTestId("bulk-clear").click();
    await row("p1").getByTestId("program-select").click();
    await row("watch-me").getByTestId("program-select").click();
    await page.getByTestId("bulk-autostart-on").click();
    await waitText(page.getByTestId("bulk-done"), "Set to start with Vigil: 1 program.");
    const p1 = await (await daemon.api(`/api/programs/${ids.p1}`)).json();
    assert.equal(p1.autostart, true);
    const w = await (await daemon.api(`/api/programs/${ids["watch-me"]}`)).json();
    assert.equal(w.autostart, false);
  });
});
