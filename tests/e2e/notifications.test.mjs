// End-to-end: notifications and job triggers through the real UI against the real daemon.
// A small HTTP receiver on 127.0.0.1 stands in for a webhook service.
//
//   cd tests/e2e && npm ci && node --test
//
// Env: see harness.mjs. The UI must have been built (ui/dist).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { ARTIFACTS, launchBrowser, signIn, startDaemon, waitFor, waitText } from "./harness.mjs";

/** A webhook receiver that answers 200 and keeps every request. */
async function startReceiver() {
  const requests = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  };
}

describe("notifications against the real daemon", () => {
  let daemon;
  let browser;
  let page;
  let receiver;

  before(async () => {
    daemon = await startDaemon();
    const probe = await daemon.api("/api/endpoints");
    assert.notEqual(probe.status, 404, "the daemon does not serve /api/endpoints yet: rebuild target/debug/vigil");
    receiver = await startReceiver();
    ({ browser, page } = await launchBrowser());
    await signIn(page, daemon);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await receiver?.close();
    await daemon?.stop();
  });

  it("creates an endpoint and a rule in the UI, and an event is delivered to the receiver and shown in the log", async () => {
    // Endpoint: to the receiver, with a secret header and a signing secret.
    await page.getByTestId("nav-notifications").click();
    await page.getByTestId("notifications-page").waitFor();
    assert.equal(new URL(page.url()).hash, "#/notifications/endpoints");
    await page.getByTestId("endpoints-empty").waitFor();
    await page.getByTestId("endpoint-new").click();
    await page.getByTestId("endpoint-editor").waitFor();
    await page.getByTestId("endpoint-name").fill("e2e-receiver");
    await page.getByTestId("endpoint-url").fill(receiver.url);
    await page.getByTestId("header-add").click();
    const header = page.getByTestId("header-row").first();
    await header.getByTestId("header-name").fill("X-Api-Key");
    await header.getByTestId("header-secret").check();
    await header.getByTestId("header-value").fill("key-123");
    await page.getByTestId("endpoint-signing-secret").fill("sign-me");
    const sent = page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/endpoints");
    await page.getByTestId("endpoint-save").click();
    const body = (await sent).postDataJSON();
    assert.deepEqual(body.headers, [{ name: "X-Api-Key", value: "key-123", secret: true }]);
    assert.equal(body.signing_secret, "sign-me");
    assert.equal(body.preset, "json");

    // Saved: the editor of the new endpoint, secrets masked.
    await page.getByTestId("endpoint-notice").waitFor();
    const endpointId = Number(/^#\/notifications\/endpoints\/(\d+)$/.exec(new URL(page.url()).hash)?.[1]);
    assert.ok(endpointId > 0, `on the new endpoint's editor: ${page.url()}`);
    assert.equal(await page.getByTestId("header-value").inputValue(), "********");
    assert.equal(await page.getByTestId("endpoint-signing-secret").inputValue(), "********");
    const stored = await (await daemon.api(`/api/endpoints/${endpointId}`)).json();
    assert.equal(stored.url, receiver.url);
    assert.equal(stored.headers[0].value, "********");

    // Saving unchanged keeps the stored secrets (the form sends the mask back).
    await page.getByTestId("endpoint-save").click();
    await page.getByTestId("endpoint-notice").filter({ hasText: "Saved." }).waitFor();

    // Send test: reaches the receiver with the real secrets.
    await page.getByTestId("endpoint-test").click();
    const result = page.getByTestId("endpoint-test-result");
    await result.waitFor();
    assert.equal(await result.getAttribute("data-ok"), "true", await result.innerText());
    assert.match(await page.getByTestId("endpoint-test-status").innerText(), /HTTP 200/);
    await waitFor("the test request at the receiver", () => receiver.requests.length >= 1);
    const test = receiver.requests[0];
    assert.equal(test.headers["x-api-key"], "key-123");
    assert.equal(test.headers["x-vigil-signature-256"], `sha256=${createHmac("sha256", "sign-me").update(test.body).digest("hex")}`);

    // A rule for every event to that endpoint, sending each one.
    await page.getByTestId("tab-rules").click();
    await page.getByTestId("rules-empty").waitFor();
    await page.getByTestId("rule-new").click();
    await page.getByTestId("rule-editor").waitFor();
    await page.getByTestId("rule-name").fill("everything");
    await page.locator(`[data-testid="rule-endpoint"][data-endpoint-id="${endpointId}"]`).check();
    await page.getByTestId("rule-fold").fill("0");
    await page.getByTestId("rule-save").click();
    const ruleRow = page.getByTestId("rule-row").filter({ hasText: "everything" });
    await ruleRow.waitFor();
    await waitText(ruleRow.getByTestId("rule-events"), "all events");
    await waitText(ruleRow.getByTestId("rule-channels"), "e2e-receiver");

    // An event: register a program through the API.
    const before = receiver.requests.length;
    const added = await daemon.api("/api/programs", {
      method: "POST",
      body: JSON.stringify({ name: "e2e-notify-node", path: process.execPath, args: ["--version"], launch: false }),
    });
    assert.equal(added.status, 201, await added.clone().text());
    const program = await added.json();
    const events = await (await daemon.api(`/api/programs/${program.id}/events`)).json();
    const addedEvent = events.find((e) => e.kind === "program_added");
    assert.ok(addedEvent, `a program_added event: ${JSON.stringify(events)}`);

    // The delivery log shows it delivered (the page refreshes by itself).
    await page.getByTestId("tab-deliveries").click();
    await page.getByTestId("delivery-log").waitFor();
    const row = page.locator(`[data-testid="delivery-row"][data-status="delivered"]`).filter({ hasText: addedEvent.message });
    await row.first().waitFor();
    await waitText(row.first().getByTestId("delivery-target"), "e2e-receiver");
    const deliveryId = Number(await row.first().getAttribute("data-delivery-id"));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "deliveries.png"), fullPage: true });

    // The receiver has it, signed, with the delivery's idempotency key.
    const detail = await (await daemon.api(`/api/deliveries/${deliveryId}`)).json();
    const got = await waitFor("the delivery at the receiver", () =>
      receiver.requests.slice(before).find((r) => r.headers["idempotency-key"] === detail.delivery.idempotency_key),
    );
    const payload = JSON.parse(got.body);
    assert.equal(payload.event.kind, "program_added");
    assert.equal(payload.event.id, addedEvent.id);
    assert.equal(got.headers["x-api-key"], "key-123");
    assert.equal(got.headers["x-vigil-signature-256"], `sha256=${createHmac("sha256", "sign-me").update(got.body).digest("hex")}`);

    // Its detail lists the attempt.
    await row.first().getByTestId("delivery-link").click();
    const view = page.getByTestId("delivery-view");
    await view.waitFor();
    await waitText(view.getByTestId("delivery-status"), "delivered");
    await view.getByTestId("attempt-row").first().waitFor();
    assert.match(await view.getByTestId("attempt-result").first().innerText(), /^HTTP 200$/);
    await page.screenshot({ path: join(ARTIFACTS, "delivery.png"), fullPage: true });
  });

  it("shows the daemon's message for a bad URL and creates nothing", async () => {
    const count = async () => (await (await daemon.api("/api/endpoints")).json()).length;
    const had = await count();
    await page.goto(`${daemon.baseUrl}/#/notifications/endpoints/new`);
    await page.getByTestId("endpoint-editor").waitFor();
    await page.getByTestId("endpoint-name").fill("e2e-bad");
    await page.getByTestId("endpoint-url").fill("not a url");
    const answered = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/endpoints");
    await page.getByTestId("endpoint-save").click();
    const res = await answered;
    assert.equal(res.status(), 400);
    const { message } = await res.json();
    // next to the URL, since the daemon names the field
    const error = page.getByTestId("endpoint-url-error");
    await error.waitFor({ state: "visible" });
    assert.equal((await error.innerText()).trim(), message, "the daemon's own message is shown");
    assert.equal(new URL(page.url()).hash, "#/notifications/endpoints/new", "still in the editor");
    assert.equal(await page.getByTestId("endpoint-url").inputValue(), "not a url", "the input is kept");
    assert.equal(await count(), had);
  });

  it("creates a job trigger, shows its secret once with a working curl example, and revokes it", async () => {
    const job = { id: "e2e-hook", name: "E2E hook", command: process.execPath, args: ["--version"] };
    const made = await daemon.api("/api/jobs", { method: "POST", body: JSON.stringify(job) });
    assert.equal(made.status, 201, await made.clone().text());

    await page.goto(`${daemon.baseUrl}/#/jobs/e2e-hook`);
    const panel = page.getByTestId("triggers-panel");
    await panel.getByTestId("triggers-empty").waitFor();
    await panel.getByTestId("trigger-name").fill("ci");
    await panel.getByTestId("trigger-create").click();
    const secret = ((await panel.getByTestId("trigger-secret").textContent()) ?? "").trim();
    assert.ok(secret.length >= 8, `a secret is shown: ${secret}`);
    const example = (await panel.getByTestId("trigger-curl").textContent()) ?? "";
    assert.ok(example.includes(`Authorization: Bearer ${secret}`), example);
    assert.ok(example.includes(`${daemon.baseUrl}/hooks/jobs/e2e-hook`), example);
    const row = panel.getByTestId("trigger-row").filter({ hasText: "ci" });
    await row.waitFor();
    await waitText(row.getByTestId("trigger-last-used"), "never");

    // The example, run by a shell, starts the job.
    const out = execFileSync("sh", ["-c", `${example} -s`], { encoding: "utf8" });
    const runId = JSON.parse(out).run_id;
    assert.ok(runId > 0, `202 with a run id: ${out}`);
    assert.equal((await (await daemon.api(`/api/runs/${runId}`)).json()).trigger, "webhook");

    // Shown once: gone after a reload.
    await page.reload();
    await panel.getByTestId("trigger-row").first().waitFor();
    assert.equal(await panel.getByTestId("trigger-secret").count(), 0);
    assert.notEqual(((await row.getByTestId("trigger-last-used").textContent()) ?? "").trim(), "never");

    // Revoke, confirming the dialog; the token stops working.
    await row.getByTestId("trigger-revoke").click();
    await page.getByTestId("trigger-revoke-dialog-confirm").click();
    await panel.getByTestId("triggers-empty").waitFor();
    const refused = await fetch(`${daemon.baseUrl}/hooks/jobs/e2e-hook`, { method: "POST", headers: { Authorization: `Bearer ${secret}` } });
    assert.ok(refused.status === 401 || refused.status === 403, `refused: ${refused.status}`);
  });
});
