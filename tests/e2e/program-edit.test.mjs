// End-to-end: editing a program keeps its id and so its history. A launched program
// (the fixture, sleeping) runs until it has samples; its page's Edit form changes its
// name and arguments; the save's effect is shown, and the same page still charts the
// samples taken before the edit.
//
//   cd tests/e2e && npm ci && node --test program-edit.test.mjs
//
// Env: see harness.mjs. The UI must have been built (ui/dist) into the daemon.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, UI_TIMEOUT_MS, VIGIL_FIXTURE, launchBrowser, signIn, startDaemon, waitFor, waitText } from "./harness.mjs";

/** How long the first samples may take (the first sweeps after the start). */
const SAMPLES_DEADLINE_MS = 30_000;
const HOUR_MS = 3_600_000;
/** Buckets of the fixed window below: a few seconds each. */
const POINTS = 720;

describe("program editing", () => {
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

  const json = async (res, status = 200) => {
    const text = await res.text();
    assert.equal(res.status, status, text);
    return text ? JSON.parse(text) : null;
  };

  /** The samples of a window; the same window gives the same bucket edges. */
  const samples = (id, win) => daemon.api(`/api/programs/${id}/samples?from=${win.from}&to=${win.to}&points=${POINTS}`).then((r) => json(r));

  it("edit a program and keep its chart history", { timeout: 120_000 }, async () => {
    assert.ok(existsSync(VIGIL_FIXTURE), `fixture binary not found at ${VIGIL_FIXTURE} (set VIGIL_FIXTURE)`);

    // A launched program, started, running until it has samples.
    const added = await json(
      await daemon.api("/api/programs", {
        method: "POST",
        body: JSON.stringify({ name: "e2e-edit", path: VIGIL_FIXTURE, args: ["sleep", "3600"] }),
      }),
      201,
    );
    const id = added.id;
    assert.ok(Number.isSafeInteger(id) && id > 0, `an id: ${JSON.stringify(added)}`);
    await json(await daemon.api(`/api/programs/${id}/start`, { method: "POST" }));

    // One fixed window (the last hour and the next ten minutes), asked before and after the edit.
    const t0 = Date.now();
    const win = { from: t0 - HOUR_MS, to: t0 + 10 * 60_000 };
    const before = await waitFor(
      "samples of the running program",
      async () => {
        const got = await samples(id, win);
        return Array.isArray(got) && got.length > 0 ? got : null;
      },
      SAMPLES_DEADLINE_MS,
      daemon.proc,
    );

    // Its page.
    await signIn(page, daemon);
    await page.goto(`${daemon.baseUrl}/#/programs/${id}`);
    const detail = page.getByTestId("program-detail");
    await detail.waitFor();
    assert.equal(await detail.getAttribute("data-program-id"), String(id));
    await waitText(detail.getByTestId("detail-name"), "e2e-edit");
    await detail.getByTestId("chart-cpu").waitFor();

    // Edit: the form opens filled with the program.
    await detail.getByTestId("edit-program").click();
    const name = detail.getByTestId("edit-name");
    await name.waitFor();
    assert.equal(await name.inputValue(), "e2e-edit");
    assert.equal(await detail.getByTestId("edit-args").inputValue(), "sleep\n3600");
    assert.equal(await detail.getByTestId("edit-path").inputValue(), VIGIL_FIXTURE);
    assert.equal(await detail.getByTestId("edit-launch").isChecked(), true);

    await name.fill("e2e-edited");
    await detail.getByTestId("edit-args").fill("sleep\n1800");
    const put = page.waitForResponse((r) => r.request().method() === "PUT" && new URL(r.url()).pathname === `/api/programs/${id}`);
    await detail.getByTestId("program-form-save").click();
    const editedAt = Date.now();
    const res = await put;
    const sent = res.request().postDataJSON();
    assert.equal(sent.name, "e2e-edited");
    assert.deepEqual(sent.args, ["sleep", "1800"]);
    assert.equal(sent.path, VIGIL_FIXTURE);
    assert.equal(res.status(), 200, await res.text());
    const saved = await res.json();
    assert.equal(saved.program.id, id, "the same program, by id");
    assert.equal(saved.restarted, true, `a changed command restarts a running program: ${JSON.stringify(saved)}`);

    // The effect is shown; the form closes; the page is the same program, renamed.
    const effect = detail.getByTestId("program-effect");
    await effect.waitFor();
    assert.ok((await effect.innerText()).includes(saved.effect), `effect shown: ${await effect.innerText()}`);
    await waitFor("the edit form to close", async () => (await detail.getByTestId("program-form").count()) === 0);
    await waitText(detail.getByTestId("detail-name"), "e2e-edited");
    assert.match(await detail.locator(".cmdline").innerText(), /sleep 1800/);
    assert.equal(new URL(page.url()).hash, `#/programs/${id}`);
    await detail.getByTestId("chart-cpu").waitFor();

    // The daemon kept it under its id, with the change.
    const stored = await json(await daemon.api(`/api/programs/${id}`));
    assert.equal(stored.name, "e2e-edited");
    assert.deepEqual(stored.args, ["sleep", "1800"]);
    const all = await json(await daemon.api("/api/programs"));
    assert.deepEqual(all.map((p) => p.id), [id], "no new program was made");

    // The history stays: the same window still has every bucket it had before the edit.
    const again = await samples(id, win);
    const kept = new Set(again.map((b) => b.ts));
    for (const b of before) assert.ok(kept.has(b.ts), `bucket ${b.ts} kept after the edit (before: ${before.length}, after: ${again.length})`);

    // And the page, loaded afresh, charts them for this id.
    const samplesRes = page.waitForResponse(
      (r) => r.request().method() === "GET" && new URL(r.url()).pathname === `/api/programs/${id}/samples`,
    );
    await page.reload();
    const pageSamples = await (await samplesRes).json();
    assert.ok(Array.isArray(pageSamples) && pageSamples.length > 0, "the page's samples request answers buckets");
    // Its window has its own bucket edges; it has buckets from before the edit.
    assert.ok(
      pageSamples.some((b) => b.ts < editedAt),
      `a bucket from before the edit (${editedAt}): ${JSON.stringify(pageSamples.map((b) => b.ts))}`,
    );
    await detail.waitFor();
    await waitText(detail.getByTestId("detail-name"), "e2e-edited");
    await detail.getByTestId("chart-cpu").waitFor();
    await detail.getByTestId("chart-mem").waitFor();
    assert.equal(await detail.getByTestId("samples-empty").count(), 0, "the chart has samples");

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "program-edited.png"), fullPage: true });

    await daemon.api(`/api/programs/${id}/stop`, { method: "POST" });
  });

  it("refuses a bad edit with the daemon's reason and changes nothing", { timeout: 60_000 }, async () => {
    const [p] = await json(await daemon.api("/api/programs"));
    assert.ok(p, "the program of the previous test");
    await page.goto(`${daemon.baseUrl}/#/programs/${p.id}`);
    const detail = page.getByTestId("program-detail");
    await waitText(detail.getByTestId("detail-name"), p.name);
    await detail.getByTestId("edit-program").click();
    await detail.getByTestId("edit-path").fill("relative/path");
    await detail.getByTestId("program-form-save").click();
    // Next to the path when the daemon names the field, else with the whole form.
    const err = detail.getByTestId("edit-path-error").or(detail.getByTestId("form-error"));
    await err.waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    assert.notEqual((await err.innerText()).trim(), "");
    assert.equal(await detail.getByTestId("program-effect").count(), 0);
    const stored = await json(await daemon.api(`/api/programs/${p.id}`));
    assert.equal(stored.path, p.path);
    await detail.getByTestId("program-form-cancel").click();
    await waitFor("the edit form to close", async () => (await detail.getByTestId("program-form").count()) === 0);
  });
});
