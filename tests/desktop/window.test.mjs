// Desktop: the real Tauri window (WebKitGTK) driven over W3C WebDriver through
// tauri-driver. No npm dependencies: raw WebDriver HTTP with Node's fetch.
//
//   dbus-run-session -- xvfb-run -a node --test tests/desktop/
//
// Env:
//   VIGIL_DESKTOP_BIN  app binary (default <repo>/target/debug/vigil-desktop)
//   TAURI_DRIVER_URL   use an already running tauri-driver; otherwise one is
//                      started here (from PATH or ~/.cargo/bin) on free ports,
//                      with VIGIL_DATA_DIR pointing at a fresh temp dir.
//   TAURI_DRIVER       path of the tauri-driver binary to start
// When TAURI_DRIVER_URL is given, that driver must have been started with
// VIGIL_DATA_DIR set, or the app uses the real app-data dir.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const APP = process.env.VIGIL_DESKTOP_BIN || join(repo, "target", "debug", "vigil-desktop");
const VIGIL_BIN = process.env.VIGIL_BIN || join(repo, "target", "debug", "vigil");
const ARTIFACTS = join(here, "artifacts");
const ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf";

const DRIVER_DEADLINE_MS = 20_000;
const ENGINE_DEADLINE_MS = 30_000;
const UI_DEADLINE_MS = 15_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

function findTauriDriver() {
  if (process.env.TAURI_DRIVER) return process.env.TAURI_DRIVER;
  for (const dir of (process.env.PATH || "").split(delimiter)) {
    if (dir && existsSync(join(dir, "tauri-driver"))) return join(dir, "tauri-driver");
  }
  const cargo = join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "bin", "tauri-driver");
  if (existsSync(cargo)) return cargo;
  return null;
}

/** Poll until `fn` returns a truthy value; fail with `what` after `ms`. */
async function waitFor(what, fn, ms, proc) {
  const end = Date.now() + ms;
  let last;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (proc && proc.exitCode !== null) throw new Error(`${what}: tauri-driver exited with code ${proc.exitCode}`);
    if (Date.now() > end) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ""}`);
    }
    await sleep(delay);
  }
}

/** Minimal W3C WebDriver client. */
class WebDriver {
  constructor(base) {
    this.base = base.replace(/\/+$/, "");
    this.sessionId = null;
  }

  async cmd(method, path, body, timeoutMs = 60_000) {
    const res = await fetch(this.base + path, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json; charset=utf-8" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    }
    if (!res.ok || (json.value && json.value.error)) {
      const v = json.value || {};
      const err = new Error(`${method} ${path}: ${v.error || res.status}: ${v.message || text.slice(0, 300)}`);
      err.webdriverError = v.error;
      throw err;
    }
    return json.value;
  }

  s(path) {
    return `/session/${this.sessionId}${path}`;
  }

  async newSession(application) {
    const value = await this.cmd(
      "POST",
      "/session",
      { capabilities: { alwaysMatch: { "tauri:options": { application } } } },
      90_000,
    );
    this.sessionId = value.sessionId;
    assert.ok(this.sessionId, "session id returned");
  }

  async deleteSession() {
    if (!this.sessionId) return;
    const id = this.sessionId;
    this.sessionId = null;
    await fetch(`${this.base}/session/${id}`, { method: "DELETE", signal: AbortSignal.timeout(15_000) }).catch(() => {});
  }

  async findAll(css) {
    const list = await this.cmd("POST", this.s("/elements"), { using: "css selector", value: css });
    return list.map((e) => e[ELEMENT_KEY]);
  }

  async find(css) {
    const value = await this.cmd("POST", this.s("/element"), { using: "css selector", value: css });
    return value[ELEMENT_KEY];
  }

  async text(el) {
    return (await this.cmd("GET", this.s(`/element/${el}/text`))).trim();
  }

  async type(el, text) {
    await this.cmd("POST", this.s(`/element/${el}/clear`), {});
    await this.cmd("POST", this.s(`/element/${el}/value`), { text });
  }

  async click(el) {
    await this.cmd("POST", this.s(`/element/${el}/click`), {});
  }

  async screenshot(file) {
    const b64 = await this.cmd("GET", this.s("/screenshot"));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, Buffer.from(b64, "base64"));
  }

  /** Runs `body` (an async function body with `args`) in the page and returns its result. */
  async run(body, args = []) {
    const script = `const done = arguments[arguments.length - 1];
      (async (...args) => { ${body} })(...Array.from(arguments).slice(0, -1))
        .then((v) => done({ ok: v }), (e) => done({ err: String(e && (e.message || JSON.stringify(e))) }));`;
    const r = await this.cmd("POST", this.s("/execute/async"), { script, args });
    if (r && r.err !== undefined) throw new Error(r.err);
    return r ? r.ok : undefined;
  }

  /** Text of the first element matching `css`, or null when there is none. */
  async textOf(css) {
    const els = await this.findAll(css);
    return els.length ? this.text(els[0]) : null;
  }
}

describe("desktop window", () => {
  let driverProc = null;
  let driverLog = "";
  let dataDir = null;
  let wd;
  let dunst = null;

  before(async () => {
    assert.ok(existsSync(APP), `desktop binary not found at ${APP} (set VIGIL_DESKTOP_BIN)`);
    let url = process.env.TAURI_DRIVER_URL;
    if (!url) {
      const bin = findTauriDriver();
      assert.ok(bin, "tauri-driver not found on PATH or in ~/.cargo/bin (or set TAURI_DRIVER_URL)");
      const port = await freePort();
      const nativePort = await freePort();
      dataDir = mkdtempSync(join(tmpdir(), "vigil-desktop-"));
      mkdirSync(join(dataDir, "home"));
      driverProc = spawn(bin, ["--port", String(port), "--native-port", String(nativePort)], {
        stdio: ["ignore", "pipe", "pipe"],
        // The autostart registration (~/.config/autostart) goes to this test's own home.
        env: { ...process.env, VIGIL_DATA_DIR: dataDir, HOME: join(dataDir, "home") },
      });
      driverProc.stdout.on("data", (d) => (driverLog += d));
      driverProc.stderr.on("data", (d) => (driverLog += d));
      url = `http://127.0.0.1:${port}`;
    }
    wd = new WebDriver(url);
    try {
      await waitFor(
        `tauri-driver at ${url}`,
        async () => {
          const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2_000) });
          return res.ok;
        },
        DRIVER_DEADLINE_MS,
        driverProc,
      );
      await wd.newSession(APP);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(driverLog ? `${msg}\n--- tauri-driver output ---\n${driverLog}` : msg, { cause: e });
    }
  });

  after(async () => {
    if (dunst && dunst.exitCode === null) dunst.kill("SIGTERM");
    if (wd?.sessionId) {
      await wd.screenshot(join(ARTIFACTS, "window.png")).catch(() => {});
      await wd.deleteSession();
    }
    if (driverProc && driverProc.exitCode === null) {
      const exited = new Promise((r) => driverProc.once("exit", r));
      driverProc.kill("SIGTERM");
      const t = setTimeout(() => driverProc.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(t);
    }
    // The app normally ends with its session. One that did not (seen once) would keep this
    // test's pipes open through tauri-driver and hang the run: end it.
    for (const pid of appProcesses()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone already */
      }
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Processes running this test's app binary, found through /proc. */
  function appProcesses() {
    const want = resolve(APP);
    const found = [];
    for (const name of readdirSync("/proc")) {
      if (!/^[0-9]+$/.test(name)) continue;
      try {
        if (readlinkSync(`/proc/${name}/exe`) === want) found.push(Number(name));
      } catch {
        /* not ours to read, or gone */
      }
    }
    return found;
  }

  it("shows the running engine with no programs", async () => {
    // The desktop app talks IPC: no token screen.
    const state = await waitFor(
      'engine-state "running"',
      async () => ((await wd.textOf('[data-testid="engine-state"]')) === "running" ? "running" : null),
      ENGINE_DEADLINE_MS,
    );
    assert.equal(state, "running");
    assert.equal((await wd.findAll('[data-testid="token-input"]')).length, 0);
    await waitFor(
      'status-programs "0"',
      async () => (await wd.textOf('[data-testid="status-programs"]')) === "0",
      UI_DEADLINE_MS,
    );
    assert.equal((await wd.findAll('[data-testid="program-row"]')).length, 0);
  });

  it("registers a program through the form", async () => {
    // The register form opens in a drawer over the list; "start now" is on by default.
    await wd.click(await wd.find('[data-testid="register-open"]'));
    await wd.click(await wd.find('[data-testid="add-start-now"]'));
    await wd.type(await wd.find('[data-testid="add-name"]'), "desktop-node");
    await wd.type(await wd.find('[data-testid="add-path"]'), process.execPath);
    await wd.type(await wd.find('[data-testid="add-args"]'), "--version");
    await wd.click(await wd.find('[data-testid="add-submit"]'));

    const rowText = await waitFor(
      "a program-row for desktop-node",
      async () => {
        for (const el of await wd.findAll('[data-testid="program-row"]')) {
          const t = await wd.text(el);
          if (t.includes("desktop-node")) return t;
        }
        const err = await wd.textOf('[data-testid="form-error"]');
        if (err) throw new Error(`form error: ${err}`);
        return null;
      },
      UI_DEADLINE_MS,
    );
    assert.ok(rowText.includes(process.execPath), `row shows the path: ${rowText}`);
    await waitFor(
      'status-programs "1"',
      async () => (await wd.textOf('[data-testid="status-programs"]')) === "1",
      UI_DEADLINE_MS,
    );
    // the live event channel (vigil://event) reached the window
    await waitFor(
      "an event row for the addition",
      async () => {
        for (const el of await wd.findAll('[data-testid="event-row"]')) {
          if (/added/i.test(await wd.text(el))) return true;
        }
        return false;
      },
      UI_DEADLINE_MS,
    );
  });

  it("shows a program's running state as soon as it changes, pushed over IPC", async () => {
    const added = await wd.run(
      `return await window.__TAURI_INTERNALS__.invoke("call", { op: "add_program",
         args: { name: "pushed", path: args[0], args: ["-e", "setInterval(() => {}, 1000)"] } });`,
      [process.execPath],
    );
    const stateOf = async () => {
      for (const el of await wd.findAll('[data-testid="program-row"]')) {
        const t = await wd.text(el);
        if (t.includes("pushed")) return t;
      }
      return null;
    };
    await wd.run(
      `return await window.__TAURI_INTERNALS__.invoke("call", { op: "start_program", args: { id: args[0] } });`,
      [added.id],
    );
    const running = await waitFor(
      "the pushed row to say running",
      async () => ((await stateOf())?.includes("running") ? await stateOf() : null),
      UI_DEADLINE_MS,
    );
    assert.match(running, /running/);
    await wd.run(
      `return await window.__TAURI_INTERNALS__.invoke("call", { op: "stop_program", args: { id: args[0] } });`,
      [added.id],
    );
    const stopped = await waitFor(
      "the pushed row to say stopped",
      async () => ((await stateOf())?.includes("stopped") ? await stateOf() : null),
      UI_DEADLINE_MS,
    );
    assert.match(stopped, /stopped/);
    await wd.run(
      `return await window.__TAURI_INTERNALS__.invoke("call", { op: "remove_program", args: { id: args[0] } });`,
      [added.id],
    );
  });

  it("shows an OS notification for a rule, and a click opens its page", async () => {
    // A real notification server on this session's bus and display.
    dunst = spawn("dunst", [], { stdio: "ignore", env: process.env });
    const dunstctl = (...args) =>
      new Promise((res) => {
        const p = spawn("dunstctl", args, { stdio: ["ignore", "pipe", "ignore"] });
        let out = "";
        p.stdout.on("data", (d) => (out += d));
        p.on("exit", (code) => res(code === 0 ? out.trim() : null));
        p.on("error", () => res(null));
      });
    await waitFor("dunst on the session bus", async () => (await dunstctl("is-paused")) === "false", UI_DEADLINE_MS);
    await wd.run(
      `return await window.__TAURI_INTERNALS__.invoke("call", { op: "create_rule",
         args: { name: "added", kinds: ["program_added"], os: true } });`,
    );
    const added = await wd.run(
      `return await window.__TAURI_INTERNALS__.invoke("call", { op: "add_program",
         args: { name: "notified", path: args[0], args: ["--version"] } });`,
      [process.execPath],
    );
    await waitFor(
      "the notification on screen",
      async () => Number(await dunstctl("count", "displayed")) >= 1,
      UI_DEADLINE_MS,
    );
    await wd.run(`window.location.hash = "#/"; return true;`);
    await dunstctl("action", "0");
    const hash = await waitFor(
      "the window on the program's page",
      async () => {
        const h = await wd.run("return window.location.hash;");
        return h === `#/programs/${added.id}` ? h : null;
      },
      UI_DEADLINE_MS,
    );
    assert.equal(hash, `#/programs/${added.id}`);
    const log = await wd.run(
      `return await window.__TAURI_INTERNALS__.invoke("call", { op: "list_deliveries", args: {} });`,
    );
    assert.equal(log[0].channel, "os");
    assert.equal(log[0].status, "delivered", JSON.stringify(log[0]));
  });

  /** Runs the `vigil` CLI on this test's data dir: exit code, stdout, stderr. */
  function cli(args) {
    return new Promise((res, rej) => {
      const p = spawn(VIGIL_BIN, args, {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, VIGIL_DATA_DIR: dataDir, VIGIL_LOG: "error" },
      });
      let out = "";
      let err = "";
      p.stdout.on("data", (d) => (out += d));
      p.stderr.on("data", (d) => (err += d));
      const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
      p.on("error", rej);
      p.on("exit", (code) => {
        clearTimeout(timer);
        res({ code, out, err });
      });
    });
  }

  const call = (op, args = {}) =>
    wd.run(`return await window.__TAURI_INTERNALS__.invoke("call", { op: args[0], args: args[1] });`, [op, args]);
  const command = (cmd, args = {}) =>
    wd.run(`return await window.__TAURI_INTERNALS__.invoke(args[0], args[1]);`, [cmd, args]);

  /** Whether a PID is alive (and not a zombie). */
  function alive(pid) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return !/^\d+ \(.*\) Z /.test(stat);
    } catch {
      return false;
    }
  }

  async function engineRunning() {
    await waitFor(
      'engine-state "running"',
      async () => (await wd.textOf('[data-testid="engine-state"]')) === "running",
      ENGINE_DEADLINE_MS,
    );
  }

  /** Ends the app (its session), waits until no process of it is left, starts it again. */
  async function restartApp() {
    await wd.deleteSession();
    await waitFor("the app to exit", async () => appProcesses().length === 0, ENGINE_DEADLINE_MS);
    await wd.newSession(APP);
    await engineRunning();
  }

  /** Quits through the tray's Quit (the same action the menu item runs) and waits for the exit. */
  async function quitApp() {
    await command("tray_action", { id: "quit" }).catch(() => {
      /* the app may be gone before it answers */
    });
    await waitFor("the app to quit", async () => appProcesses().length === 0, ENGINE_DEADLINE_MS);
    await wd.deleteSession();
  }

  async function startedPid(id) {
    return waitFor(
      `program ${id} running`,
      async () => {
        const s = await call("get_program_status", { id });
        return s.state === "running" && s.processes.length ? s.processes[0].pid : null;
      },
      UI_DEADLINE_MS,
    );
  }

  it("serves the HTTP API: the CLI and a browser reach the running desktop app", async (t) => {
    if (!dataDir) return t.skip("the driver was started elsewhere; its data dir is unknown here");
    const endpoint = await waitFor(
      "the endpoint file",
      async () => {
        try {
          return readFileSync(join(dataDir, "endpoint"), "utf8").trim() || null;
        } catch {
          return null;
        }
      },
      ENGINE_DEADLINE_MS,
    );
    assert.match(endpoint, /^127\.0\.0\.1:\d+$/, "LAN access is off by default");
    const status = await cli(["status"]);
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /programs: \d+/);
    const ls = await cli(["programs", "ls"]);
    assert.equal(ls.code, 0, ls.err);
    assert.match(ls.out, /desktop-node/, "the CLI lists what the window registered");
    const second = await cli(["daemon"]);
    assert.notEqual(second.code, 0, "a second engine on the desktop app's data dir is refused");
    assert.match(second.err, /desktop/, `names the holder: ${second.err}`);
    const info = await command("server_info");
    assert.equal(info.listen, endpoint);

    // The browser UI, served by the desktop app, works as it does against the daemon.
    const { launchBrowser } = await import("../e2e/harness.mjs");
    const { browser, page } = await launchBrowser();
    try {
      await page.goto(`http://${endpoint}/`);
      await page.getByTestId("token-input").fill(readFileSync(join(dataDir, "api-token"), "utf8").trim());
      await page.getByTestId("token-submit").click();
      await page.getByTestId("engine-state").filter({ hasText: /^running$/ }).waitFor();
      await page.getByTestId("program-row").filter({ hasText: "desktop-node" }).waitFor();
    } finally {
      await browser.close();
    }
  });

  it("has a tray menu whose items exist and act", async () => {
    const added = await call("add_program", {
      name: "tray-node",
      path: process.execPath,
      args: ["-e", "setInterval(() => {}, 1000)"],
    });
    const ids = (entries) => entries.flatMap((e) => [e.id, ...ids(e.items ?? [])]).filter(Boolean);
    const menu = await waitFor(
      "the program in the tray menu",
      async () => {
        const m = await command("tray_menu");
        return ids(m).includes(`program:start:${added.id}`) ? m : null;
      },
      UI_DEADLINE_MS,
    );
    for (const id of [`program:open:${added.id}`, "schedules:pause", "open", "quit"]) {
      assert.ok(ids(menu).includes(id), `${id} in ${JSON.stringify(ids(menu))}`);
    }
    assert.ok(menu.some((e) => /^Vigil: /.test(e.text)), "the overall state line");
    await command("tray_action", { id: `program:start:${added.id}` });
    const pid = await startedPid(added.id);
    await command("tray_action", { id: `program:stop:${added.id}` });
    await waitFor("the tray's stop to end it", async () => !alive(pid), UI_DEADLINE_MS);
    await command("tray_action", { id: `program:open:${added.id}` });
    await waitFor(
      "the program's page",
      async () => (await wd.run("return window.location.hash;")) === `#/programs/${added.id}`,
      UI_DEADLINE_MS,
    );
    await command("tray_action", { id: "schedules:pause" });
    assert.equal((await call("get_settings")).schedules_paused, true);
    assert.ok(ids(await command("tray_menu")).includes("schedules:resume"));
    await command("tray_action", { id: "schedules:resume" });
    assert.equal((await call("get_settings")).schedules_paused, false);
    // The window saves files through the app (a webview cannot download): the commands are
    // reachable, and bad requests are refused before any save dialog opens.
    const refused = (cmd, args) =>
      wd.run(
        `try { await window.__TAURI_INTERNALS__.invoke(args[0], args[1]); return null; } catch (e) { return e; }`,
        [cmd, args],
      );
    const range = { kind: "events", format: "csv", name: "x.csv" };
    const badRange = await refused("save_export", { id: added.id, from: 10, to: 5, ...range });
    assert.equal(badRange?.code, "invalid_input", JSON.stringify(badRange));
    assert.match(badRange.message, /from must be before to/);
    const noProgram = await refused("save_export", { id: 987654, from: 0, to: 10, ...range });
    assert.equal(noProgram?.code, "not_found", JSON.stringify(noProgram));
    await call("remove_program", { id: added.id });
  });

  it("keeps settings and preferences across a restart", async () => {
    await call("update_settings", { sweep_ms: 1500 });
    await command("set_prefs", { change: { theme: "light" } });
    await restartApp();
    assert.equal((await call("get_settings")).sweep_ms, 1500);
    assert.equal((await command("get_prefs")).theme, "light");
    await waitFor(
      "the light theme applied",
      async () => (await wd.run("return document.documentElement.dataset.theme;")) === "light",
      UI_DEADLINE_MS,
    );
    await wd.run(`window.location.hash = "#/settings"; return true;`);
    const shown = await waitFor(
      "the settings page",
      async () => {
        const els = await wd.findAll('[data-testid="settings-sweep_ms"]');
        if (!els.length) return null;
        return wd.cmd("GET", wd.s(`/element/${els[0]}/property/value`));
      },
      UI_DEADLINE_MS,
    );
    assert.equal(shown, "1500");
  });

  it("quits stopping the programs it launched (the default)", async () => {
    const added = await call("add_program", {
      name: "quit-stop",
      path: process.execPath,
      args: ["-e", "setInterval(() => {}, 1000)"],
    });
    await call("start_program", { id: added.id });
    const pid = await startedPid(added.id);
    await quitApp();
    assert.ok(!alive(pid), "quitting stopped the program");
    await wd.newSession(APP);
    await engineRunning();
    assert.equal((await call("get_program_status", { id: added.id })).state, "stopped");
    await call("remove_program", { id: added.id });
  });

  it("quits leaving programs running when set to, and the next start adopts them", async () => {
    await call("update_settings", { leave_running_on_quit: true });
    const added = await call("add_program", {
      name: "quit-leave",
      path: process.execPath,
      args: ["-e", "let n = 0; setInterval(() => console.log('tick ' + n++), 100)"],
    });
    await call("start_program", { id: added.id });
    const pid = await startedPid(added.id);
    await quitApp();
    assert.ok(alive(pid), "left running");
    await wd.newSession(APP);
    await engineRunning();
    const adopted = await startedPid(added.id);
    assert.equal(adopted, pid, "the same process, adopted");
    // Its output still arrives (it did not die of a broken pipe).
    const last = async () => {
      const lines = await call("tail_log", { id: added.id, lines: 5 });
      const n = lines.map((l) => Number(/tick (\d+)/.exec(l)?.[1] ?? -1));
      return Math.max(-1, ...n);
    };
    const first = (
      await waitFor(
        "output after adoption",
        async () => {
          const n = await last();
          return n >= 0 ? { n } : null;
        },
        UI_DEADLINE_MS,
      )
    ).n;
    await waitFor("more output", async () => (await last()) > first + 3, UI_DEADLINE_MS);
    await call("stop_program", { id: added.id });
    await waitFor("the adopted program stopped", async () => !alive(pid), UI_DEADLINE_MS);
    await call("update_settings", { leave_running_on_quit: false });
  });

  it("starts with Windows into the tray when asked, and start-minimized keeps the window hidden", async (t) => {
    const visible = () => wd.run(`return await window.__TAURI_INTERNALS__.invoke("plugin:window|is_visible", { label: "main" });`);
    assert.equal(await visible(), true);
    // Autostart: one switch; the registration names the flag that opens the app in the tray.
    // Only with this test's own home: never the real user's login items.
    if (!dataDir) return t.skip("the driver was started elsewhere; its home is not this test's");
    const on = await command("set_prefs", { change: { autostart: true } });
    assert.equal(on.autostart, true);
    if (dataDir) {
      const dir = join(dataDir, "home", ".config", "autostart");
      const files = existsSync(dir) ? readdirSync(dir) : [];
      assert.equal(files.length, 1, `one autostart entry in ${dir}`);
      assert.match(readFileSync(join(dir, files[0]), "utf8"), /--minimized/);
    } else {
      t.diagnostic("the driver was started elsewhere: the autostart entry is not checked");
    }
    const off = await command("set_prefs", { change: { autostart: false } });
    assert.equal(off.autostart, false);
    await command("set_prefs", { change: { start_minimized: true } });
    await restartApp().catch(async () => {
      // A hidden window has no visible page to read the engine state from; the IPC answers.
      await waitFor("the engine over IPC", async () => (await call("status")).version, ENGINE_DEADLINE_MS);
    });
    assert.equal(await visible(), false, "started minimized: only the tray");
    await command("tray_action", { id: "open" });
    await waitFor("the window shown by Open", async () => (await visible()) === true, UI_DEADLINE_MS);
    await command("set_prefs", { change: { start_minimized: false } });
  });
});
