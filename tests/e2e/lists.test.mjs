// End-to-end: deletes and revokes ask first in the confirmation dialog (Cancel keeps, confirming
// does it), and the list search boxes narrow what is shown and say when nothing matches.
//
//   cd tests/e2e && npm ci && node --test lists.test.mjs
//
// Env: see harness.mjs. The UI must have been built (ui/dist).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, signIn, startDaemon, waitFor, waitText } from "./harness.mjs";

describe("confirmations and list search", () => {
  let daemon;
  let browser;
  let page;

  /** POST a JSON body to the API; the created object. */
  async function create(path, body) {
    const res = await daemon.api(path, { method: "POST", body: JSON.stringify(body) });
    assert.equal(res.status, 201, `${path}: ${await res.clone().text()}`);
    return res.json();
  }
  const activeTestid = () => page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? null);

  before(async () => {
    daemon = await startDaemon();
    ({ browser, page } = await launchBrowser());
    await signIn(page, daemon);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await daemon?.stop();
  });

  it("a rule's Delete asks: Cancel keeps the rule, confirming deletes it", async () => {
    const endpoint = await create("/api/endpoints", { name: "rule-target", url: "http://127.0.0.1:9/hook" });
    const rule = await create("/api/rules", { name: "crash alerts", endpoints: [endpoint.id], kinds: ["program_crashed"] });
    const ruleExists = async () => (await (await daemon.api("/api/rules")).json()).some((r) => r.id === rule.id);

    await page.goto(`${daemon.baseUrl}/#/notifications/rules/${rule.id}`);
    await page.getByTestId("rule-editor").waitFor();
    await waitFor("the rule loaded", async () => (await page.getByTestId("rule-name").inputValue()) === "crash alerts");

    // Asks, with Cancel focused, and says what happens to what it queued.
    await page.getByTestId("rule-delete").click();
    const dialog = page.getByTestId("rule-delete-dialog");
    await dialog.getByRole("heading", { name: "Delete rule crash alerts?" }).waitFor();
    assert.match(await dialog.innerText(), /already queued are still sent/);
    assert.equal(await activeTestid(), "rule-delete-dialog-cancel", "Cancel has the focus");
    const deletes = [];
    page.on("request", (r) => {
      if (r.method() === "DELETE") deletes.push(r.url());
    });

    // Cancel: nothing sent, the rule stays, the editor stays, the focus goes back to Delete.
    await dialog.getByTestId("rule-delete-dialog-cancel").click();
    await waitFor("the dialog closed", async () => !(await dialog.evaluate((d) => d.open)));
    assert.equal(await activeTestid(), "rule-delete", "the focus is back on Delete");
    assert.deepEqual(deletes, []);
    assert.ok(await ruleExists(), "Cancel keeps the rule");
    assert.equal(new URL(page.url()).hash, `#/notifications/rules/${rule.id}`);

    // Escape cancels too.
    await page.getByTestId("rule-delete").click();
    await dialog.getByTestId("rule-delete-dialog-confirm").waitFor();
    await page.keyboard.press("Escape");
    await waitFor("the dialog closed by Escape", async () => !(await dialog.evaluate((d) => d.open)));
    assert.ok(await ruleExists(), "Escape keeps the rule");

    // Confirm: deleted, back on the list.
    await page.getByTestId("rule-delete").click();
    await dialog.getByTestId("rule-delete-dialog-confirm").click();
    await waitFor("the rules list", () => new URL(page.url()).hash === "#/notifications/rules");
    await waitFor("the rule gone from the daemon", async () => !(await ruleExists()));
    await page.getByTestId("rules-empty").waitFor();
  });

  it("an endpoint a rule still sends to: Delete says which rule and offers nothing to confirm", async () => {
    const endpoint = await create("/api/endpoints", { name: "in-use", url: "http://127.0.0.1:9/in-use" });
    await create("/api/rules", { name: "uses it", endpoints: [endpoint.id] });
    await page.goto(`${daemon.baseUrl}/#/notifications/endpoints/${endpoint.id}`);
    await page.getByTestId("endpoint-editor").waitFor();
    await waitFor("the endpoint loaded", async () => (await page.getByTestId("endpoint-name").inputValue()) === "in-use");
    await page.getByTestId("endpoint-delete").click();
    const dialog = page.getByTestId("endpoint-delete-dialog");
    await dialog.getByRole("heading", { name: "Delete endpoint in-use?" }).waitFor();
    assert.match(await dialog.innerText(), /rule uses it sends to it/);
    assert.equal(await dialog.getByTestId("endpoint-delete-dialog-confirm").count(), 0);
    await dialog.getByTestId("endpoint-delete-dialog-cancel").click();
    const res = await daemon.api(`/api/endpoints/${endpoint.id}`);
    assert.equal(res.status, 200, "still there");
  });

  it("a trigger's Revoke asks: Cancel keeps it working, confirming makes it answer 401", async () => {
    const job = await create("/api/jobs", { id: "lists-hook", name: "Lists hook", command: process.execPath, args: ["--version"] });
    const made = await create(`/api/jobs/${job.id}/triggers`, { job: job.id, name: "ci", kind: "token" });
    const hook = () => fetch(`${daemon.baseUrl}/hooks/jobs/${job.id}`, { method: "POST", headers: { Authorization: `Bearer ${made.secret}` } });

    await page.goto(`${daemon.baseUrl}/#/jobs/${job.id}`);
    const panel = page.getByTestId("triggers-panel");
    const row = panel.getByTestId("trigger-row").filter({ hasText: "ci" });
    await row.waitFor();

    await row.getByTestId("trigger-revoke").click();
    const dialog = page.getByTestId("trigger-revoke-dialog");
    await dialog.getByRole("heading", { name: "Revoke trigger ci?" }).waitFor();
    assert.match(await dialog.innerText(), /Systems using this token get 401 from now on/);
    assert.equal(await activeTestid(), "trigger-revoke-dialog-cancel");
    await dialog.getByTestId("trigger-revoke-dialog-cancel").click();
    await waitFor("the dialog closed", async () => !(await dialog.evaluate((d) => d.open)));
    assert.equal(await row.count(), 1, "still listed");
    assert.equal((await hook()).status, 202, "the token still works after Cancel");

    await row.getByTestId("trigger-revoke").click();
    await dialog.getByTestId("trigger-revoke-dialog-confirm").click();
    await panel.getByTestId("triggers-empty").waitFor();
    assert.equal((await hook()).status, 401, "refused once revoked");
  });

  it("the endpoints search narrows the list, counts, says when nothing matches, and / focuses it", async () => {
    await create("/api/endpoints", { name: "Ops Slack", url: "http://127.0.0.1:9/slack", preset: "slack" });
    await create("/api/endpoints", { name: "Pager (night)", url: "http://127.0.0.1:9/pager", method: "PUT" });
    await page.goto(`${daemon.baseUrl}/#/notifications/endpoints`);
    const names = async () => (await page.getByTestId("endpoint-link").allTextContents()).map((s) => s.trim()).sort();
    await waitFor("all endpoints listed", async () => (await page.getByTestId("endpoint-row").count()) === 4);
    const all = await names();

    // "/" from the page focuses the search box.
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("/");
    await waitFor("the search focused", async () => (await activeTestid()) === "endpoints-search");
    assert.equal(await page.getByTestId("endpoints-search").getAttribute("data-search"), "");

    const search = page.getByTestId("endpoints-search");
    await search.fill("SLACK");
    await waitFor("only Ops Slack", async () => (await names()).join() === "Ops Slack");
    await waitText(page.getByTestId("endpoints-search-count"), "1 of 4 shown");
    await search.fill("(night)");
    await waitFor("regex characters as text", async () => (await names()).join() === "Pager (night)");
    await search.fill("put 127.0.0.1");
    await waitFor("method and URL columns", async () => (await names()).join() === "Pager (night)");
    await search.fill("no-such-endpoint");
    await waitText(page.getByTestId("endpoints-nomatch"), "No endpoint matches “no-such-endpoint”.");
    assert.equal(await page.getByTestId("endpoint-row").count(), 0);
    await search.fill("  ");
    await waitFor("all back", async () => (await names()).join() === all.join());
    assert.equal(await page.getByTestId("endpoints-search-count").count(), 0, "no count while not searching");
  });

  it("the events search narrows the events by message, with the kind filter kept", async () => {
    for (const name of ["alpha-svc", "beta-svc", "gamma-worker"]) {
      await create("/api/programs", { name, path: process.execPath, args: ["--version"], launch: false });
    }
    await page.goto(`${daemon.baseUrl}/#/events`);
    const events = page.getByTestId("events-page");
    await events.getByTestId("event-row").filter({ hasText: "gamma-worker" }).first().waitFor();
    const texts = async () => (await events.getByTestId("event-row").allInnerTexts()).map((s) => s.toLowerCase());
    const before = (await texts()).length;
    assert.ok(before >= 3, `events listed: ${before}`);

    const search = events.getByTestId("events-search");
    await search.fill("SVC");
    await waitFor("only the svc events", async () => {
      const t = await texts();
      return t.length >= 2 && t.length < before && t.every((x) => x.includes("svc"));
    });
    await search.fill("beta-svc");
    await waitFor("only beta", async () => {
      const t = await texts();
      return t.length >= 1 && t.every((x) => x.includes("beta-svc"));
    });
    // The kind filter still applies on top of the search.
    await events.getByTestId("events-kind").selectOption("program_added");
    await waitFor("beta's added event", async () => {
      const t = await texts();
      return t.length === 1 && t[0].includes("beta-svc");
    });
    await events.getByTestId("events-kind").selectOption("");
    await search.fill("zzz-nothing");
    await waitText(events.getByTestId("events-none-match"), "No event matches “zzz-nothing”.");
    await search.fill("");
    await waitFor("all events back", async () => (await texts()).length >= before);
  });
});
