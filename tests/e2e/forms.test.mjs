// End-to-end: forms and the keyboard, through the real UI against the real daemon.
// - a job save the daemon refuses shows the reason next to the field, and it goes when fixed;
// - a job's id follows its name until edited by hand; dependencies picked from the jobs;
// - the command palette (Ctrl+K) and the shortcuts (g j, ?), never inside a field;
// - an email endpoint saves and reads back with its password masked, and the stored password
//   (kept through a save of the mask) is what a test email logs in with (a tiny SMTP server).
//
//   cd tests/e2e && npm ci && node --test forms.test.mjs
//
// Env: see harness.mjs. The UI must have been built (ui/dist).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { ARTIFACTS, launchBrowser, signIn, startDaemon, waitFor } from "./harness.mjs";

/**
 * Just enough SMTP (no TLS) to take one message: greets, offers AUTH PLAIN/LOGIN, accepts
 * everything, and keeps each session's AUTH line, envelope and data.
 */
async function startSmtp() {
  const sessions = [];
  const server = createServer((sock) => {
    const s = { auth: null, from: null, to: [], data: "" };
    sessions.push(s);
    let buf = "";
    let inData = false;
    sock.setEncoding("utf8");
    sock.write("220 fake.smtp ESMTP\r\n");
    sock.on("data", (chunk) => {
      buf += chunk;
      for (;;) {
        if (inData) {
          const end = buf.indexOf("\r\n.\r\n");
          if (end < 0) return;
          s.data += buf.slice(0, end);
          buf = buf.slice(end + 5);
          inData = false;
          sock.write("250 2.0.0 queued\r\n");
          continue;
        }
        const nl = buf.indexOf("\r\n");
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.split(" ")[0].toUpperCase();
        if (verb === "EHLO") sock.write("250-fake.smtp\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
        else if (verb === "HELO") sock.write("250 fake.smtp\r\n");
        else if (verb === "AUTH") {
          s.auth = line;
          sock.write("235 2.7.0 ok\r\n");
        } else if (verb === "MAIL") {
          s.from = line;
          sock.write("250 ok\r\n");
        } else if (verb === "RCPT") {
          s.to.push(line);
          sock.write("250 ok\r\n");
        } else if (verb === "DATA") {
          inData = true;
          sock.write("354 go on\r\n");
        } else if (verb === "QUIT") {
          sock.end("221 bye\r\n");
          return;
        } else sock.write("250 ok\r\n");
      }
    });
    sock.on("error", () => {});
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port,
    sessions,
    close: () => new Promise((r) => server.close(r)),
  };
}

const hash = (page) => new URL(page.url()).hash;

describe("forms and keyboard against the real daemon", () => {
  let daemon;
  let browser;
  let page;
  let smtp;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    daemon = await startDaemon();
    for (const job of [
      { id: "dep-a", name: "Dependency A", command: process.execPath, args: ["--version"] },
      { id: "dep-b", name: "Dependency B", command: process.execPath, args: ["--version"] },
    ]) {
      const res = await daemon.api("/api/jobs", { method: "POST", body: JSON.stringify(job) });
      assert.equal(res.status, 201, await res.text());
    }
    smtp = await startSmtp();
    ({ browser, page } = await launchBrowser());
    await signIn(page, daemon);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await smtp?.close();
    await daemon?.stop();
  });

  it("job editor: the id follows the name until edited by hand, and follows again when cleared", async () => {
    await page.goto(`${daemon.baseUrl}/#/jobs/new`);
    await page.getByTestId("job-editor").waitFor();
    const name = page.getByTestId("job-name");
    const id = page.getByTestId("job-id");
    await name.fill("Nightly Backup (DB) #2");
    assert.equal(await id.inputValue(), "nightly-backup-db-2");
    await name.fill("Über Größe");
    assert.equal(await id.inputValue(), "uber-grosse");
    await id.fill("my-own-id");
    await name.fill("Something else");
    assert.equal(await id.inputValue(), "my-own-id", "a hand-made id stays");
    await id.fill("");
    await name.fill("Follows again");
    assert.equal(await id.inputValue(), "follows-again");
  });

  it("job editor: a bad schedule is named next to the schedule field and the message goes when it is fixed", async () => {
    await page.goto(`${daemon.baseUrl}/#/jobs/new`);
    await page.getByTestId("job-editor").waitFor();
    await page.getByTestId("job-name").fill("Forms check");
    assert.equal(await page.getByTestId("job-id").inputValue(), "forms-check");

    // The form's own check first: no command, nothing sent.
    let posts = 0;
    const count = (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname === "/api/jobs") posts++;
    };
    page.on("request", count);
    await page.getByTestId("job-save").click();
    const commandError = page.getByTestId("job-command-error");
    await commandError.waitFor();
    assert.match(await commandError.innerText(), /command/i);
    assert.equal(posts, 0, "nothing sent for a form the UI can tell is incomplete");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "job-command", "the wrong field has the focus");
    await page.getByTestId("job-command").fill(process.execPath);
    await waitFor("the command message to go", async () => (await commandError.count()) === 0);
    page.off("request", count);

    // The daemon's refusal, next to the field it names.
    await page.getByTestId("job-schedule").fill("61 * * * *");
    const answered = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/jobs");
    await page.getByTestId("job-save").click();
    const res = await answered;
    assert.equal(res.status(), 400);
    const body = await res.json();
    assert.equal(body.field, "schedule", `the daemon names the field: ${JSON.stringify(body)}`);
    const scheduleError = page.getByTestId("job-schedule-error");
    await scheduleError.waitFor();
    assert.equal((await scheduleError.innerText()).trim(), body.message);
    assert.equal(await page.getByTestId("job-schedule").getAttribute("aria-invalid"), "true");
    assert.match(await page.getByTestId("job-error").innerText(), /marked fields/);
    await page.screenshot({ path: join(ARTIFACTS, "forms-schedule-error.png"), fullPage: true });

    // Fixed: the message goes, the save goes through.
    await page.getByTestId("job-schedule").fill("0 3 * * *");
    await waitFor("the schedule message to go", async () => (await scheduleError.count()) === 0);
    assert.equal(await page.getByTestId("job-error").count(), 0);
    await page.getByTestId("job-save").click();
    await waitFor("the new job's page", () => hash(page) === "#/jobs/forms-check");
  });

  it("job editor: dependencies and chains are picked from the other jobs", async () => {
    await page.goto(`${daemon.baseUrl}/#/jobs/dep-a/edit`);
    await page.getByTestId("job-editor").waitFor();
    await page.getByTestId("job-command").waitFor();
    const search = page.getByTestId("job-depends-on-search");
    await search.click();
    const options = page.getByTestId("job-depends-on-options").locator('[role="option"][data-job]');
    await options.first().waitFor();
    const offered = await options.evaluateAll((els) => els.map((e) => e.getAttribute("data-job")));
    assert.ok(!offered.includes("dep-a"), `the job itself is not offered: ${offered}`);
    assert.ok(offered.includes("dep-b"), `other jobs are: ${offered}`);

    await search.fill("dependency b");
    await waitFor("one match", async () => (await options.count()) === 1);
    await search.press("Enter");
    await page.locator('[data-testid="job-depends-on-chip"][data-job="dep-b"]').waitFor();
    assert.equal(await search.inputValue(), "", "the box empties after a pick");
    // picked jobs are not offered again
    await waitFor("dep-b gone from the list", async () => !(await options.evaluateAll((els) => els.map((e) => e.getAttribute("data-job")))).includes("dep-b"));

    // a chain too, by clicking
    await page.getByTestId("job-on-failure-search").click();
    await page.getByTestId("job-on-failure-options").locator('[data-job="forms-check"]').click();

    const saved = page.waitForResponse((r) => r.request().method() === "PUT" && new URL(r.url()).pathname === "/api/jobs/dep-a");
    await page.getByTestId("job-save").click();
    assert.equal((await saved).status(), 200);
    const job = await (await daemon.api("/api/jobs/dep-a")).json();
    assert.deepEqual(job.depends_on, ["dep-b"]);
    assert.deepEqual(job.on_failure, ["forms-check"]);

    // the chip's × takes it out again
    await page.goto(`${daemon.baseUrl}/#/jobs/dep-a/edit`);
    const chip = page.locator('[data-testid="job-depends-on-chip"][data-job="dep-b"]');
    await chip.waitFor();
    await chip.getByRole("button").click();
    assert.equal(await chip.count(), 0);
  });

  it("job editor: time zone from a searchable list, environment rows checked like the engine, a number option sent as a number", async () => {
    await page.goto(`${daemon.baseUrl}/#/jobs/new`);
    await page.getByTestId("job-editor").waitFor();
    await page.getByTestId("job-name").fill("Zone env number");
    await page.getByTestId("job-command").fill(process.execPath);
    await page.getByTestId("job-args").fill("--version");

    // Time zone: UTC first, then search.
    const tz = page.getByTestId("job-timezone");
    await tz.click();
    const zones = page.getByTestId("job-timezone-options").locator("[data-zone]");
    await zones.first().waitFor();
    assert.equal(await zones.first().getAttribute("data-zone"), "UTC");
    await tz.fill("berlin");
    await waitFor("Berlin first", async () => (await zones.first().getAttribute("data-zone")) === "Europe/Berlin");
    await tz.press("Enter");
    assert.equal(await tz.inputValue(), "Europe/Berlin");

    // Environment: a name twice is flagged next to its row, and the save waits for a fix.
    await page.getByTestId("job-env-add").click();
    await page.getByTestId("job-env-key").nth(0).fill("MODE");
    await page.getByTestId("job-env-value").nth(0).fill("fast");
    await page.getByTestId("job-env-add").click();
    await page.getByTestId("job-env-key").nth(1).fill("MODE");
    const problem = page.getByTestId("job-env-problem");
    await problem.waitFor();
    assert.match(await problem.innerText(), /already set in row 1/);
    await page.getByTestId("job-save").click();
    await page.getByTestId("job-error").waitFor();
    assert.equal(hash(page), "#/jobs/new", "not saved with a wrong row");
    await page.getByTestId("job-env-key").nth(1).fill("LEVEL");
    await page.getByTestId("job-env-value").nth(1).fill("3");
    await waitFor("the row message to go", async () => (await problem.count()) === 0);

    // A number option with a default.
    await page.getByTestId("option-add").click();
    await page.getByTestId("option-name").fill("count");
    await page.getByTestId("option-type").selectOption("number");
    await page.getByTestId("option-flag").fill("--count");
    await page.getByTestId("option-default").fill("two");
    await page.getByTestId("job-save").click();
    const defaultError = page.getByTestId("option-default-error");
    await defaultError.waitFor();
    assert.match(await defaultError.innerText(), /number/);
    await page.getByTestId("option-default").fill("2.5");
    await waitFor("the default message to go", async () => (await defaultError.count()) === 0);

    await page.getByTestId("job-save").click();
    await waitFor("the new job's page", () => hash(page) === "#/jobs/zone-env-number");
    const job = await (await daemon.api("/api/jobs/zone-env-number")).json();
    assert.equal(job.timezone, "Europe/Berlin");
    assert.deepEqual(job.env, { LEVEL: "3", MODE: "fast" });
    assert.deepEqual(job.options[0], { name: "count", label: "", type: "number", flag: "--count", choices: [], default: 2.5 });

    // The run form: a numeric box; text is refused next to it, a number goes as a JSON number.
    const box = page.getByTestId("run-option-number");
    await box.waitFor();
    await box.fill("seven");
    let runs = 0;
    const count = (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname === "/api/jobs/zone-env-number/run") runs++;
    };
    page.on("request", count);
    await page.getByTestId("run-submit").click();
    await page.getByTestId("run-option-error").waitFor();
    assert.equal(runs, 0);
    page.off("request", count);
    await box.fill("7");
    await waitFor("the option message to go", async () => (await page.getByTestId("run-option-error").count()) === 0);
    const run = page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/jobs/zone-env-number/run");
    await page.getByTestId("run-submit").click();
    assert.deepEqual((await run).postDataJSON().options, { count: 7 });
  });

  it("command palette: Ctrl+K opens it, a job's name and Enter open the job, Escape closes and gives the focus back", async () => {
    await page.goto(`${daemon.baseUrl}/#/`);
    await page.getByTestId("nav-jobs").waitFor();
    await page.getByTestId("nav-jobs").focus();

    await page.keyboard.press("Control+k");
    const palette = page.getByTestId("command-palette");
    await palette.waitFor();
    assert.equal(await palette.getAttribute("role"), "dialog");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "palette-input");
    await page.keyboard.press("Escape");
    await palette.waitFor({ state: "detached" });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "nav-jobs", "the focus is back where it was");

    await page.keyboard.press("Control+k");
    await palette.waitFor();
    await page.getByTestId("palette-input").fill("Dependency B");
    const first = page.getByTestId("palette-option").first();
    await waitFor("the job first", async () => (await first.getAttribute("data-key")) === "job:dep-b");
    assert.equal(await first.getAttribute("aria-selected"), "true");
    // arrow keys move the selection
    await page.keyboard.press("ArrowDown");
    assert.equal(await first.getAttribute("aria-selected"), "false");
    await page.keyboard.press("ArrowUp");
    assert.equal(await first.getAttribute("aria-selected"), "true");
    await page.keyboard.press("Enter");
    await waitFor("the job's page", () => hash(page) === "#/jobs/dep-b");
    assert.equal(await palette.count(), 0);

    // an action: run a job now, through the same call the pages use
    await page.keyboard.press("Control+k");
    await page.getByTestId("palette-input").fill("run dependency a");
    await waitFor("the run entry first", async () => (await page.getByTestId("palette-option").first().getAttribute("data-key")) === "job:dep-a:run");
    await page.keyboard.press("Enter");
    await waitFor("the run's page", () => /^#\/runs\/\d+$/.test(hash(page)));

    // pause and resume every schedule
    const paused = async () => (await (await daemon.api("/api/settings")).json()).schedules_paused;
    assert.equal(await paused(), false);
    await page.keyboard.press("Control+k");
    await page.getByTestId("palette-input").fill("pause all");
    await waitFor("the pause entry first", async () => (await page.getByTestId("palette-option").first().getAttribute("data-key")) === "action:pause");
    await page.keyboard.press("Enter");
    await palette.waitFor({ state: "detached" });
    await waitFor("schedules paused", async () => (await paused()) === true);
    await page.keyboard.press("Control+k");
    await page.getByTestId("palette-input").fill("resume sched");
    await waitFor("the resume entry first", async () => (await page.getByTestId("palette-option").first().getAttribute("data-key")) === "action:resume");
    await page.keyboard.press("Enter");
    await waitFor("schedules running", async () => (await paused()) === false);
  });

  it("shortcuts: g j goes to jobs, ? lists them, and none fires inside a field", async () => {
    await page.goto(`${daemon.baseUrl}/#/`);
    await page.getByTestId("nav-jobs").waitFor();
    await page.locator("body").click({ position: { x: 5, y: 300 } });
    await page.keyboard.press("g");
    await page.keyboard.press("j");
    await waitFor("the jobs page", () => hash(page) === "#/jobs");
    await page.keyboard.press("g");
    await page.keyboard.press("e");
    await waitFor("the events page", () => hash(page) === "#/events");
    await page.keyboard.press("n");
    await waitFor("the register form", () => hash(page) === "#/programs/new");

    // / puts the focus in the page's search
    await page.goto(`${daemon.baseUrl}/#/jobs`);
    await page.getByTestId("jobs-search").waitFor();
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("/");
    await waitFor("the search focused", async () => (await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))) === "jobs-search");
    assert.equal(await page.getByTestId("jobs-search").inputValue(), "", "the / itself is not typed");

    // Inside a field, keys are text.
    await page.goto(`${daemon.baseUrl}/#/jobs/new`);
    const name = page.getByTestId("job-name");
    await name.click();
    await page.keyboard.type("g j n ? /");
    assert.equal(await name.inputValue(), "g j n ? /");
    assert.equal(hash(page), "#/jobs/new");
    assert.equal(await page.getByTestId("shortcuts-help").count(), 0);
    assert.equal(await page.getByTestId("command-palette").count(), 0);

    // Outside it, ? shows the list; Escape closes it.
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("?");
    const help = page.getByTestId("shortcuts-help");
    await help.waitFor();
    assert.match(await help.innerText(), /g\s*then\s*j/);
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "detached" });
  });

  it("email endpoint: SMTP fields, addresses checked here, saved and read back with the password masked and kept", async () => {
    await page.goto(`${daemon.baseUrl}/#/notifications/endpoints/new`);
    await page.getByTestId("endpoint-editor").waitFor();
    await page.getByTestId("endpoint-name").fill("e2e-mail");
    await page.getByTestId("endpoint-preset").selectOption("email");
    await page.getByTestId("endpoint-email-fields").waitFor();
    assert.equal(await page.getByTestId("endpoint-url").count(), 0, "no webhook URL for email");
    assert.equal(await page.getByTestId("endpoint-smtp-port").inputValue(), "587");
    await page.getByTestId("endpoint-smtp-security").selectOption("tls");
    assert.equal(await page.getByTestId("endpoint-smtp-port").inputValue(), "465", "the port follows the security");
    await page.getByTestId("endpoint-smtp-security").selectOption("none");
    assert.equal(await page.getByTestId("endpoint-smtp-port").inputValue(), "25");
    await page.getByTestId("endpoint-smtp-none-warning").waitFor();
    await page.getByTestId("endpoint-smtp-host").fill("127.0.0.1");
    await page.getByTestId("endpoint-smtp-port").fill(String(smtp.port));
    await page.getByTestId("endpoint-smtp-username").fill("vigil");
    await page.getByTestId("endpoint-smtp-password").fill("s3cret");
    await page.getByTestId("endpoint-email-from").fill("Vigil <vigil@example.com>");
    await page.getByTestId("endpoint-email-to").fill("ops@example.com, not an address");

    // Checked here: nothing sent, the message next to "To".
    let posts = 0;
    const count = (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname === "/api/endpoints") posts++;
    };
    page.on("request", count);
    await page.getByTestId("endpoint-save").click();
    const toError = page.getByTestId("endpoint-email-to-error");
    await toError.waitFor();
    assert.match(await toError.innerText(), /not an address.*is not an email address/);
    assert.equal(posts, 0);
    page.off("request", count);
    await page.getByTestId("endpoint-email-to").fill("ops@example.com,\noncall@example.com");
    await waitFor("the To message to go", async () => (await toError.count()) === 0);

    const sent = page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/endpoints");
    await page.getByTestId("endpoint-save").click();
    const body = (await sent).postDataJSON();
    assert.equal(body.preset, "email");
    assert.equal(body.url, `smtp://127.0.0.1:${smtp.port}`);
    assert.deepEqual(body.email, {
      from: "Vigil <vigil@example.com>",
      to: ["ops@example.com", "oncall@example.com"],
      username: "vigil",
      password: "s3cret",
      tls: "none",
      accept_invalid_certs: false,
    });
    assert.equal(body.headers, undefined);
    assert.equal(body.signing_secret, undefined);

    // Read back: the editor of the new endpoint, the password masked.
    await page.getByTestId("endpoint-notice").waitFor();
    const endpointId = Number(/^#\/notifications\/endpoints\/(\d+)$/.exec(hash(page))?.[1]);
    assert.ok(endpointId > 0, `on the new endpoint's editor: ${page.url()}`);
    const stored = await (await daemon.api(`/api/endpoints/${endpointId}`)).json();
    assert.equal(stored.email.password, "********");
    assert.deepEqual(stored.email.to, ["ops@example.com", "oncall@example.com"]);
    await page.reload();
    await page.getByTestId("endpoint-email-fields").waitFor();
    await waitFor("the stored endpoint in the form", async () => (await page.getByTestId("endpoint-smtp-host").inputValue()) === "127.0.0.1");
    assert.equal(await page.getByTestId("endpoint-smtp-password").inputValue(), "********");
    assert.equal(await page.getByTestId("endpoint-smtp-password").getAttribute("type"), "password");
    assert.equal(await page.getByTestId("endpoint-smtp-port").inputValue(), String(smtp.port));
    assert.equal(await page.getByTestId("endpoint-smtp-security").inputValue(), "none");
    assert.equal(await page.getByTestId("endpoint-smtp-username").inputValue(), "vigil");

    // Saving with the mask keeps the password: a test email logs in with the real one.
    await page.getByTestId("endpoint-name").fill("e2e-mail renamed");
    const put = page.waitForRequest((r) => r.method() === "PUT" && new URL(r.url()).pathname === `/api/endpoints/${endpointId}`);
    await page.getByTestId("endpoint-save").click();
    assert.equal((await put).postDataJSON().email.password, "********");
    await page.getByTestId("endpoint-notice").filter({ hasText: "Saved." }).waitFor();
    await page.getByTestId("endpoint-test").click();
    const result = page.getByTestId("endpoint-test-result");
    await result.waitFor();
    assert.equal(await result.getAttribute("data-ok"), "true", await result.innerText());
    assert.equal((await page.getByTestId("endpoint-test-status").innerText()).trim(), "sent");
    const session = await waitFor("the test email at the SMTP server", () => smtp.sessions.find((s) => s.data !== ""));
    const plain = Buffer.from(session.auth.split(" ")[2] ?? "", "base64").toString("utf8");
    assert.equal(plain, "\0vigil\0s3cret", `logged in with the stored password: ${session.auth}`);
    assert.equal(session.to.length, 2);
    await page.screenshot({ path: join(ARTIFACTS, "forms-email-endpoint.png"), fullPage: true });

    // The list shows where it sends.
    await page.goto(`${daemon.baseUrl}/#/notifications/endpoints`);
    const where = page.locator('[data-testid="endpoint-where"]', { hasText: "oncall@example.com" });
    await where.waitFor();
  });
});
