// UI benchmark: what the dashboard costs the browser while many launched programs run.
//
//   cd tests/e2e && npm ci && node bench-ui.mjs
//
// Starts the daemon (harness.mjs), registers and launches N programs (the fixture, idling),
// opens the dashboard, lets it warm up, then measures over a while:
//   - script time per status tick: Chromium's ScriptDuration (Performance.getMetrics) read
//     once a second, its increase divided by the status updates the daemon pushed in that
//     second (one per sweep, 1 Hz; counted on a stream of the bench's own); median, mean
//     and p95 over the seconds;
//   - the JS heap after a forced garbage collection (HeapProfiler.collectGarbage), at the
//     start, every VIGIL_UI_BENCH_HEAP_EVERY seconds, and at the end: growth = last - first,
//     and the slope of a least-squares line through the samples (bytes per minute).
// Prints a JSON summary and a markdown table row.
//
// Env (besides harness.mjs's): VIGIL_UI_BENCH_SECS (default 60; the long version: 3600),
// VIGIL_UI_BENCH_PROGRAMS (default 200), VIGIL_UI_BENCH_WARMUP_SECS (default 120: the page's
// sample rings, two minutes of samples, are full by then, so the heap measured is the steady one),
// VIGIL_UI_BENCH_HEAP_EVERY (default 10), VIGIL_UI_BENCH_JSON (a file to write the summary to).
// The UI must have been built (ui/dist); the fixture must exist (target/debug/vigil-fixture).

import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { VIGIL_FIXTURE, launchBrowser, signIn, startDaemon, waitFor } from "./harness.mjs";

const num = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  assert.ok(Number.isFinite(n) && n > 0, `${name} must be a positive number, got ${v}`);
  return n;
};

/** Register `count` launched programs that only sleep, and start them. Returns their ids. */
export async function launchIdlePrograms(daemon, count, { prefix = "bench-" } = {}) {
  assert.ok(existsSync(VIGIL_FIXTURE), `fixture not found at ${VIGIL_FIXTURE} (set VIGIL_FIXTURE)`);
  const ids = [];
  for (let i = 0; i < count; i++) {
    const res = await daemon.api("/api/programs", {
      method: "POST",
      body: JSON.stringify({ name: `${prefix}${i}`, path: VIGIL_FIXTURE, args: ["sleep", "86400"] }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    ids.push((await res.json()).id);
  }
  // A few at a time: the daemon spawns them, the machine may be small.
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const res = await daemon.api(`/api/programs/${id}/start`, { method: "POST" });
      assert.equal(res.status, 200, await res.clone().text());
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await waitFor(
    `${count} programs running`,
    async () => {
      const all = await (await daemon.api("/api/programs/status")).json();
      return all.filter((s) => ids.includes(s.program_id) && s.state === "running" && s.processes.length > 0).length === count;
    },
    120_000,
    daemon.proc,
  );
  return ids;
}

/**
 * Counts the status updates the daemon pushes, on a stream of our own (the daemon sends
 * every watcher one update per sweep, so the page gets the same ticks; counting here adds
 * no script to the page). `count()` reads the tally, `close()` ends the stream.
 */
export function countTicks(daemon) {
  const ctl = new AbortController();
  const state = { ticks: 0 };
  (async () => {
    const res = await daemon.api("/api/programs/status/stream", { signal: ctl.signal });
    const dec = new TextDecoder();
    let buf = "";
    for await (const chunk of res.body) {
      buf += dec.decode(chunk, { stream: true });
      let at;
      while ((at = buf.indexOf("\n\n")) >= 0) {
        if (/^data:/m.test(buf.slice(0, at))) state.ticks++;
        buf = buf.slice(at + 2);
      }
    }
  })().catch(() => {});
  return { count: () => state.ticks, close: () => ctl.abort() };
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i];
}

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

async function metrics(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/** JS heap in use after forced garbage collections (bytes). */
export async function heapAfterGc(cdp) {
  for (let i = 0; i < 3; i++) await cdp.send("HeapProfiler.collectGarbage");
  return (await metrics(cdp)).JSHeapUsedSize;
}

/**
 * The dashboard open with `count` running programs: measure for `secs` after `warmupSecs`.
 * `log` hears progress lines. Returns the summary.
 */
export async function benchDashboard({ count, secs, warmupSecs, heapEverySecs, log = () => {} }) {
  const daemon = await startDaemon();
  let browser;
  try {
    log(`launching ${count} programs`);
    await launchIdlePrograms(daemon, count);
    let page;
    ({ browser, page } = await launchBrowser());
    await signIn(page, daemon);
    const rows = page.getByTestId("program-row");
    await waitFor(`${count} program rows`, async () => (await rows.count()) === count, 60_000);
    await waitFor(
      "every row running",
      async () => (await page.getByTestId("program-state").filter({ hasText: /^running$/ }).count()) === count,
      60_000,
    );
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
    await cdp.send("HeapProfiler.enable");
    // Opened before the warm-up: its first (full) update falls outside the window.
    const counter = countTicks(daemon);
    log(`warming up ${warmupSecs} s`);
    await new Promise((r) => setTimeout(r, warmupSecs * 1000));

    const ticks = async () => counter.count();
    const heap = [];
    const t0 = Date.now();
    heap.push([0, await heapAfterGc(cdp)]);
    const perTick = [];
    const perSec = [];
    let prev = await metrics(cdp);
    const first = prev;
    const firstListeners = prev.JSEventListeners;
    const firstNodes = prev.Nodes;
    let prevTicks = await ticks();
    let prevAt = Date.now();
    let totalTicks = 0;
    let totalScript = 0;
    let nextHeap = heapEverySecs;
    const end = t0 + secs * 1000;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, Math.max(0, prevAt + 1000 - Date.now())));
      const m = await metrics(cdp);
      const t = await ticks();
      const at = Date.now();
      const script = (m.ScriptDuration - prev.ScriptDuration) * 1000;
      const dt = t - prevTicks;
      perSec.push((script * 1000) / (at - prevAt));
      if (dt > 0) perTick.push(script / dt);
      totalTicks += dt;
      totalScript += script;
      prev = m;
      prevTicks = t;
      prevAt = at;
      const elapsed = (at - t0) / 1000;
      if (elapsed >= nextHeap) {
        // GC itself is not the page's script: measure it out of the window.
        heap.push([elapsed, await heapAfterGc(cdp)]);
        nextHeap += heapEverySecs;
        prev = await metrics(cdp);
        prevTicks = await ticks();
        prevAt = Date.now();
        log(`${Math.round(elapsed)} s: heap ${(heap.at(-1)[1] / 1e6).toFixed(2)} MB, script/tick median ${quantile([...perTick].sort((a, b) => a - b), 0.5).toFixed(3)} ms`);
      }
    }
    const elapsed = (Date.now() - t0) / 1000;
    heap.push([elapsed, await heapAfterGc(cdp)]);
    const sortedTick = [...perTick].sort((a, b) => a - b);
    const sortedSec = [...perSec].sort((a, b) => a - b);
    const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
    const last = await metrics(cdp);
    counter.close();
    // Style and layout (not script, not in the window's per-second figures): per tick, whole run.
    const perTickOf = (name) => (totalTicks > 0 ? ((last[name] - first[name]) * 1000) / totalTicks : NaN);
    return {
      programs: count,
      seconds: round(elapsed, 1),
      warmup_seconds: warmupSecs,
      ticks: totalTicks,
      script_ms_per_tick: {
        median: round(quantile(sortedTick, 0.5)),
        mean: round(totalTicks > 0 ? totalScript / totalTicks : NaN),
        p95: round(quantile(sortedTick, 0.95)),
        max: round(sortedTick.at(-1) ?? NaN),
      },
      layout_ms_per_tick: round(perTickOf("LayoutDuration")),
      style_ms_per_tick: round(perTickOf("RecalcStyleDuration")),
      script_ms_per_second: { median: round(quantile(sortedSec, 0.5)), p95: round(quantile(sortedSec, 0.95)) },
      heap_after_gc_bytes: {
        first: heap[0][1],
        last: heap.at(-1)[1],
        growth: heap.at(-1)[1] - heap[0][1],
        slope_per_min: Math.round(slope(heap) * 60),
        samples: heap.length,
      },
      dom_nodes: { first: firstNodes, last: last.Nodes },
      js_event_listeners: { first: firstListeners, last: last.JSEventListeners },
    };
  } finally {
    await browser?.close().catch(() => {});
    await daemon.stop();
  }
}

export function markdownRow(s) {
  const mb = (b) => (b / 1e6).toFixed(2);
  return (
    `| ${s.programs} | ${Math.round(s.seconds)} s | ${s.script_ms_per_tick.median} | ${s.script_ms_per_tick.p95} | ` +
    `${s.script_ms_per_second.median} | ${mb(s.heap_after_gc_bytes.first)} MB | ${mb(s.heap_after_gc_bytes.growth)} MB | ` +
    `${(s.heap_after_gc_bytes.slope_per_min / 1e3).toFixed(1)} kB/min |`
  );
}

export const MARKDOWN_HEAD =
  "| programs | measured | script/tick median (ms) | script/tick p95 (ms) | script/s median (ms) | heap after GC | heap growth | heap slope |\n" +
  "|---:|---:|---:|---:|---:|---:|---:|---:|";

async function main() {
  const summary = await benchDashboard({
    count: num("VIGIL_UI_BENCH_PROGRAMS", 200),
    secs: num("VIGIL_UI_BENCH_SECS", 60),
    warmupSecs: num("VIGIL_UI_BENCH_WARMUP_SECS", 120),
    heapEverySecs: num("VIGIL_UI_BENCH_HEAP_EVERY", 10),
    log: (m) => console.error(`[bench-ui] ${m}`),
  });
  const json = JSON.stringify(summary, null, 2);
  console.log(json);
  if (process.env.VIGIL_UI_BENCH_JSON) writeFileSync(process.env.VIGIL_UI_BENCH_JSON, json + "\n");
  console.log();
  console.log(MARKDOWN_HEAD);
  console.log(markdownRow(summary));
  if (process.env.VIGIL_UI_BENCH_OUT) writeSection(process.env.VIGIL_UI_BENCH_OUT, summary);
}

/**
 * Puts this run's table into the benchmarks document between the UI markers (after the
 * engine's table, which `cargo bench` writes between its own markers), keeping the rest.
 */
export function writeSection(path, summary) {
  const begin = "<!-- ui-bench:begin -->";
  const end = "<!-- ui-bench:end -->";
  const when = new Date().toISOString().slice(0, 10);
  const body =
    `${begin}\nMeasured by \`cargo xtask bench\` (\`tests/e2e/bench-ui.mjs\`) on ${when}: the dashboard in ` +
    `Debian's Chromium with ${summary.programs} launched programs updating at 1 Hz, script time per ` +
    `status tick and the JS heap after forced GCs. Target: <= 2 ms per tick, no heap growth.\n\n` +
    `${MARKDOWN_HEAD}\n${markdownRow(summary)}\n${end}`;
  let doc = "";
  try {
    doc = readFileSync(path, "utf8");
  } catch {
    /* a new document */
  }
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  const next = a >= 0 && b > a ? doc.slice(0, a) + body + doc.slice(b + end.length) : `${doc}\n## UI\n\n${body}\n`;
  writeFileSync(path, next);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
