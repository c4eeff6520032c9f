// Shared by end-to-end tests: start the real `vigil daemon` in a fresh data directory, drive
// Debian's Chromium, wait on conditions.
//
// Env: VIGIL_BIN (default <repo>/target/debug/vigil), VIGIL_FIXTURE (default
// <repo>/target/debug/vigil-fixture), CHROMIUM (default /usr/bin/chromium).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, "..", "..");
export const VIGIL_BIN = process.env.VIGIL_BIN || join(repo, "target", "debug", "vigil");
export const VIGIL_FIXTURE =
  process.env.VIGIL_FIXTURE || join(repo, "target", "debug", process.platform === "win32" ? "vigil-fixture.exe" : "vigil-fixture");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const ARTIFACTS = join(here, "artifacts");

export const STARTUP_DEADLINE_MS = 30_000;
export const UI_TIMEOUT_MS = 15_000;

/** Poll `fn` until it returns a truthy value or the deadline passes. */
export async function waitFor(what, fn, deadlineMs = UI_TIMEOUT_MS, proc) {
  const end = Date.now() + deadlineMs;
  let delay = 20;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (proc && proc.exitCode !== null) throw new Error(`${what}: process exited early with code ${proc.exitCode}`);
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 250);
  }
}

/** Wait until the locator's trimmed text is exactly `expected`. */
export async function waitText(locator, expected) {
  await waitFor(`text "${expected}"`, async () => ((await locator.textContent()) ?? "").trim() === expected);
}

function readIfExists(path) {
  try {
    const s = readFileSync(path, "utf8").trim();
    return s || null;
  } catch {
    return null;
  }
}

/**
 * Start `vigil daemon` on a free port in a fresh data dir. Resolves with its base URL, API
 * token, an authenticated `api(path, init)` fetch helper, and `stop()`.
 */
export async function startDaemon() {
  assert.ok(existsSync(VIGIL_BIN), `daemon binary not found at ${VIGIL_BIN} (set VIGIL_BIN)`);
  const dataDir = mkdtempSync(join(tmpdir(), "vigil-e2e-"));
  const proc = spawn(VIGIL_BIN, ["daemon", "--data-dir", dataDir, "--listen", "127.0.0.1:0"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || "info" },
  });
  const d = { proc, dataDir, log: "", baseUrl: "", token: "" };
  proc.stdout.on("data", (x) => (d.log += x));
  proc.stderr.on("data", (x) => (d.log += x));
  try {
    const endpoint = await waitFor(
      "the daemon's endpoint file",
      () => {
        const s = readIfExists(join(dataDir, "endpoint"));
        return s && /^[^\s]+:\d+$/.test(s) ? s : null;
      },
      STARTUP_DEADLINE_MS,
      proc,
    );
    d.baseUrl = `http://${endpoint}`;
    d.token = await waitFor("the api-token file", () => readIfExists(join(dataDir, "api-token")), 5_000, proc);
    await waitFor(
      "GET /api/health",
      async () => {
        try {
          const res = await fetch(`${d.baseUrl}/api/health`);
          return res.ok && (await res.json()).ok === true;
        } catch {
          return false;
        }
      },
      10_000,
      proc,
    );
  } catch (e) {
    e.message += `\n--- daemon output ---\n${d.log}`;
    await stopProcess(proc);
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  d.api = (path, init = {}) =>
    fetch(`${d.baseUrl}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${d.token}`,
        ...(init.body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...(init.headers ?? {}),
      },
    });
  d.stop = async () => {
    // Runs still going are cancelled first (their process trees end at once): the daemon
    // would give them a 30 s grace on SIGTERM, longer than this waits before SIGKILL, and a
    // SIGKILLed daemon leaves its runs' processes behind.
    try {
      const res = await d.api("/api/runs?status=running&limit=100");
      const runs = res.ok ? await res.json() : [];
      await Promise.all(runs.map((r) => d.api(`/api/runs/${r.id}/cancel`, { method: "POST" }).catch(() => {})));
    } catch {
      /* the daemon is already gone */
    }
    await stopProcess(proc);
    rmSync(dataDir, { recursive: true, force: true });
  };
  return d;
}

async function stopProcess(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Headless Chromium with one page; page errors are printed. */
export async function launchBrowser() {
  assert.ok(existsSync(CHROMIUM), `chromium not found at ${CHROMIUM}`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  page.on("pageerror", (err) => console.error("[page error]", err));
  return { browser, page };
}

/** Open the UI and give it the API token. */
export async function signIn(page, daemon) {
  await page.goto(`${daemon.baseUrl}/`);
  const input = page.getByTestId("token-input");
  await input.waitFor({ state: "visible" });
  await input.fill(daemon.token);
  await page.getByTestId("token-submit").click();
  await page.getByTestId("engine-state").filter({ hasText: /^running$/ }).waitFor();
}
