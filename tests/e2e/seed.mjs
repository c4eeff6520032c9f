// Realistic data for the pages (the accessibility test and the screenshots): launched
// programs (running, stopped, one that keeps crashing, one growing in memory), a watched one
// (a process started outside Vigil), jobs with finished runs including a failure, a webhook
// endpoint with a rule sending every event to a local receiver (so deliveries exist), an
// endpoint that cannot be reached (a failed delivery), plugins written into the daemon's
// plugins folder (a check one reporting a warning with metrics, an action one), checks with
// answers and metrics (a TCP port, a disk, the plugin, a port that is closed, a log file) and
// an action that has run.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VIGIL_FIXTURE, waitFor } from "./harness.mjs";

/** A local HTTP server that answers 200 to every POST and remembers them. */
export async function startReceiver() {
  const requests = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      requests.push({ path: req.url, body });
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

async function json(res, status) {
  const text = await res.text();
  assert.equal(res.status, status, text);
  return text ? JSON.parse(text) : null;
}

/**
 * Fill a fresh daemon. Returns the ids made (`programs` by name, `jobs`, `runs` by job,
 * `endpoints`, `rules`, `checks` and `actions` by name) and `stop()`, which ends what it
 * started outside the daemon.
 */
export async function seed(daemon) {
  assert.ok(existsSync(VIGIL_FIXTURE), `fixture not found at ${VIGIL_FIXTURE} (set VIGIL_FIXTURE)`);
  const api = (path, method = "GET", body) => daemon.api(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const out = { programs: {}, jobs: [], runs: {}, endpoints: {}, rules: [], checks: {}, actions: {} };
  const receiver = await startReceiver();
  const tmp = mkdtempSync(join(tmpdir(), "vigil-seed-"));

  // Notifications first, so what follows is delivered.
  out.endpoints.team = (await json(await api("/api/endpoints", "POST", { name: "team-webhook", url: receiver.url, max_attempts: 3 }), 201)).id;
  out.endpoints.down = (await json(await api("/api/endpoints", "POST", { name: "old-pager", url: "http://127.0.0.1:9/hook", max_attempts: 1, timeout_ms: 1000 }), 201)).id;
  out.rules.push((await json(await api("/api/rules", "POST", { name: "everything to the team", endpoints: [out.endpoints.team], fold_secs: 0 }), 201)).id);
  out.rules.push(
    (await json(await api("/api/rules", "POST", { name: "crashes to the pager", kinds: ["program_crashed", "run_failed"], endpoints: [out.endpoints.down], fold_secs: 0 }), 201)).id,
  );

  // Programs.
  const add = async (body, start) => {
    const p = await json(await api("/api/programs", "POST", { path: VIGIL_FIXTURE, ...body }), 201);
    out.programs[body.name] = p.id;
    if (start) await json(await api(`/api/programs/${p.id}/start`, "POST"), 200);
    return p.id;
  };
  await add({ name: "web-api", args: ["print", "60", "200"], tags: ["prod", "http"], autostart: true }, true);
  await add({ name: "worker-1", args: ["threads", "3", "86400"], tags: ["batch"] }, true);
  await add({ name: "worker-2", args: ["threads", "3", "86400"], tags: ["batch"] }, true);
  await add({ name: "worker-10", args: ["sleep", "86400"], tags: ["batch"] }, true);
  await add({ name: "image-cache", args: ["grow", "2", "48"], tags: ["prod"] }, true);
  await add({ name: "flaky-sync", args: ["exit", "3", "800"], tags: ["sync"] }, true);
  await add({ name: "backup-agent", args: ["sleep", "86400"], tags: ["ops"] }, false);
  // A watched program: a process Vigil did not start, found by its command line.
  const pidFile = join(tmp, "watched-demo.pid");
  const outside = spawn(VIGIL_FIXTURE, ["pid-file", pidFile, "86400"], { stdio: "ignore" });
  await add({ name: "desktop-sync", launch: false, match_by: { by: "cmdline", value: "watched-demo.pid" }, tags: ["desktop"] }, false);

  // Plugins (shell lines: none on Windows), checks with answers and metrics, an action.
  const unix = process.platform !== "win32";
  const plugin = (name, manifest) => {
    mkdirSync(join(daemon.dataDir, "plugins", name), { recursive: true });
    writeFileSync(join(daemon.dataDir, "plugins", name, "plugin.json"), JSON.stringify({ name, version: "1.0", protocol: "nagios", config: [], ...manifest }, null, 2));
  };
  plugin("queue-depth", {
    description: "Jobs waiting in a work queue and the age of the oldest (Nagios convention).",
    kind: "check",
    command: { unix: ["/bin/sh", "-c", "echo 'WARNING - 42 jobs waiting, oldest 95 s | depth=42;30;50 oldest=95s;120;300'; exit 1", "queue-depth"] },
    config: [{ name: "queue", label: "Queue", type: "string", flag: "--queue", choices: [], default: "default" }],
    interval_secs: 30,
  });
  plugin("note-event", {
    description: "Writes the event to the system log.",
    kind: "action",
    command: { unix: ["/bin/sh", "-c", "echo noted", "note-event"] },
    config: [{ name: "tag", label: "Tag", type: "string", flag: "--tag", choices: [], default: "vigil" }],
  });
  await json(await api("/api/plugins/rescan", "POST"), 200);
  const logFile = join(tmp, "backup.log");
  writeFileSync(logFile, "backup started\nbackup done\n");
  const check = async (body, runs) => {
    const c = await json(await api("/api/checks", "POST", body), 201);
    out.checks[body.name] = c.id;
    for (let i = 0; i < runs; i++) await json(await api(`/api/checks/${c.id}/run`, "POST"), 200);
    return c.id;
  };
  const receiverPort = Number(new URL(receiver.url).port);
  await check({ name: "web-api port", program_id: out.programs["web-api"], probe: { type: "tcp", host: "127.0.0.1", port: receiverPort, warn_ms: 500 }, interval_secs: 10 }, 3);
  await check({ name: "web-api disk", program_id: out.programs["web-api"], probe: { type: "disk", path: tmpdir(), warn_free_percent: 10, crit_free_percent: 5 }, interval_secs: 60 }, 2);
  if (unix) await check({ name: "report queue", program_id: out.programs["worker-1"], probe: { type: "plugin", plugin: "queue-depth", config: { queue: "reports" } } }, 2);
  await check({ name: "sync peer port", program_id: out.programs["flaky-sync"], probe: { type: "tcp", host: "127.0.0.1", port: 9 }, interval_secs: 60 }, 1);
  await check({ name: "backup log errors", probe: { type: "log_file", path: logFile, pattern: "ERROR|FATAL", status: "critical" }, interval_secs: 300 }, 1);
  if (unix) {
    const a = await json(await api("/api/actions", "POST", { name: "note critical checks", plugin: "note-event", config: { tag: "ops" }, kinds: ["check_critical", "program_crashed"], tags: ["prod"] }), 201);
    out.actions.note = a.id;
    await json(await api(`/api/actions/${a.id}/run`, "POST"), 200);
  }

  // Jobs with runs: two that succeed, one that fails.
  const job = async (id, name, args, extra = {}) => {
    await json(await api("/api/jobs", "POST", { id, name, command: VIGIL_FIXTURE, args, ...extra }), 201);
    out.jobs.push(id);
    const run = await json(await api(`/api/jobs/${id}/run`, "POST", { options: {} }), 202);
    out.runs[id] = run.run_id;
  };
  await job("nightly-report", "Nightly report", ["print", "12"], { tags: ["reports"], category: "reports", schedule: "0 3 * * *" });
  await job("sync-mirror", "Sync the mirror", ["exit", "2"], { tags: ["sync"], category: "maintenance", schedule: "30 * * * *" });
  await job("cleanup-temp", "Clean up temp files", ["exit", "0"], { category: "maintenance" });
  for (const id of ["sync-mirror", "cleanup-temp"]) {
    await waitFor(`run of ${id} ended`, async () => {
      const r = await json(await api(`/api/runs/${out.runs[id]}`), 200);
      return r.status !== "queued" && r.status !== "running";
    }, 30_000);
  }

  // Running, watched and delivered: what the pages show is there.
  await waitFor(
    "the running programs and the watched one seen",
    async () => {
      const all = await json(await api("/api/programs/status"), 200);
      const by = Object.fromEntries(all.map((s) => [s.program_id, s]));
      return ["web-api", "worker-1", "image-cache", "desktop-sync"].every((n) => by[out.programs[n]]?.state === "running");
    },
    30_000,
  );
  await waitFor("deliveries to the receiver", () => receiver.requests.length >= 3, 30_000);

  out.receiver = receiver;
  out.stop = async () => {
    outside.kill("SIGKILL");
    await receiver.close();
    rmSync(tmp, { recursive: true, force: true });
  };
  return out;
}

/** The pages: where, and what shows that it has loaded its data. */
export function pages(data) {
  const p = data.programs;
  return [
    { name: "dashboard", hash: "#/", ready: '[data-testid="program-row"] [data-testid="program-state"]:text("running")' },
    { name: "program", hash: `#/programs/${p["web-api"]}`, ready: '[data-testid="program-detail"] [data-testid="program-state"]:text("running")' },
    { name: "watched program", hash: `#/programs/${p["desktop-sync"]}`, ready: '[data-testid="program-detail"] [data-testid="program-state"]:text("running")' },
    { name: "register", hash: "#/programs/new", ready: '[data-testid="register-drawer"] input' },
    { name: "jobs", hash: "#/jobs", ready: '[data-testid="job-row"]' },
    { name: "job", hash: "#/jobs/sync-mirror", ready: '[data-testid="job-page"] [data-testid="run-row"]' },
    { name: "job editor", hash: "#/jobs/nightly-report/edit", ready: "form input" },
    { name: "run", hash: `#/runs/${data.runs["sync-mirror"]}`, ready: '[data-testid="run-page"]' },
    { name: "events", hash: "#/events", ready: '[data-testid="events-page"] [data-testid="event-row"]' },
    { name: "endpoints", hash: "#/notifications/endpoints", ready: '[data-testid="endpoint-row"]' },
    { name: "endpoint", hash: `#/notifications/endpoints/${data.endpoints.team}`, ready: '[data-testid="endpoint-name"]' },
    { name: "rules", hash: "#/notifications/rules", ready: '[data-testid="rule-row"]' },
    { name: "rule", hash: `#/notifications/rules/${data.rules[0]}`, ready: '[data-testid="rule-editor"], form input' },
    { name: "deliveries", hash: "#/notifications/deliveries", ready: '[data-testid="delivery-row"]' },
    { name: "checks", hash: "#/checks", ready: '[data-testid="check-row"] [data-testid="check-status"][data-status="ok"]' },
    { name: "check", hash: `#/checks/${data.checks["web-api port"]}`, ready: '[data-testid="check-charts"] [data-testid="check-chart"]' },
    { name: "new check", hash: "#/checks/new", ready: '[data-testid="check-editor"] [data-testid="check-name"]' },
    { name: "actions", hash: "#/actions", ready: '[data-testid="action-row"], [data-testid="actions-empty"]' },
    { name: "plugins", hash: "#/plugins", ready: '[data-testid="plugin-row"]' },
    { name: "settings", hash: "#/settings", ready: '[data-testid="settings-page"] input' },
    { name: "system", hash: "#/system", ready: '[data-testid="system-page"] [data-testid="sys-proc-row"]' },
  ];
}

/** Open `hash` and wait until its data shows (and the page has settled a moment). */
export async function openPage(page, baseUrl, { hash, ready }) {
  await page.goto(`${baseUrl}/${hash}`);
  await page.locator(ready).first().waitFor({ state: "visible" });
  // The frame after it rendered (the streams stay open: there is no network idle to wait for).
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}
