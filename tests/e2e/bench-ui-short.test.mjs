// End-to-end: the dashboard stays cheap with many live programs (the short version of
// bench-ui.mjs): 50 launched programs, measured for 15 s after a warm-up. The script the page
// runs per status tick (median over the seconds, so one slow second on a busy machine does not
// decide) stays within 2 ms, and the JS heap after forced garbage collection does not grow
// by more than 2 MB.
//
//   cd tests/e2e && npm ci && node --test bench-ui-short.test.mjs
//
// Env: see harness.mjs; VIGIL_UI_SHORT_PROGRAMS (50), VIGIL_UI_SHORT_SECS (15).
// The UI must have been built (ui/dist); the fixture must exist.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { benchDashboard, markdownRow } from "./bench-ui.mjs";

const PROGRAMS = Number(process.env.VIGIL_UI_SHORT_PROGRAMS || 50);
const SECS = Number(process.env.VIGIL_UI_SHORT_SECS || 15);
const MAX_SCRIPT_MS_PER_TICK = 2;
const MAX_HEAP_GROWTH_BYTES = 2 * 1024 * 1024;

describe("the dashboard with many live programs", () => {
  it(`spends at most ${MAX_SCRIPT_MS_PER_TICK} ms of script per tick, and its heap does not grow`, { timeout: (SECS + 240) * 1000 }, async () => {
    const s = await benchDashboard({ count: PROGRAMS, secs: SECS, warmupSecs: 8, heapEverySecs: 5, log: (m) => console.error(`[bench-ui-short] ${m}`) });
    console.error(`[bench-ui-short] ${JSON.stringify(s)}`);
    console.error(`[bench-ui-short] ${markdownRow(s)}`);
    // The measurement saw the page work: ticks arrived, every row is there.
    assert.ok(s.ticks >= SECS / 2, `only ${s.ticks} status ticks in ${s.seconds} s`);
    assert.ok(s.dom_nodes.last > PROGRAMS * 10, `only ${s.dom_nodes.last} DOM nodes for ${PROGRAMS} rows`);
    assert.ok(
      s.script_ms_per_tick.median <= MAX_SCRIPT_MS_PER_TICK,
      `script per tick: median ${s.script_ms_per_tick.median} ms > ${MAX_SCRIPT_MS_PER_TICK} ms (p95 ${s.script_ms_per_tick.p95} ms)`,
    );
    assert.ok(
      s.heap_after_gc_bytes.growth <= MAX_HEAP_GROWTH_BYTES,
      `heap after GC grew ${s.heap_after_gc_bytes.growth} bytes (from ${s.heap_after_gc_bytes.first}) in ${s.seconds} s`,
    );
    // No listener piles up per tick.
    assert.ok(s.js_event_listeners.last <= s.js_event_listeners.first, `listeners ${s.js_event_listeners.first} -> ${s.js_event_listeners.last}`);
  });
});
