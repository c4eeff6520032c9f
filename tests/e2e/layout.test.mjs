// End-to-end: every page fits a small window and reads well on a large one, with data in it
// (seed.mjs). At 800×600 the page never scrolls sideways (a wide table may scroll inside its
// own box); at 2560×1440 the content keeps a readable width, centred.
//
//   cd tests/e2e && npm ci && node --test layout.test.mjs
//
// Env: see harness.mjs. The UI must have been built (ui/dist); the fixture must exist.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, signIn, startDaemon } from "./harness.mjs";
import { openPage, pages, seed } from "./seed.mjs";

/** Widest readable content on a large screen (CSS px). */
const MAX_CONTENT = 1700;

describe("layout from 800 px to a large screen", () => {
  let daemon;
  let browser;
  let page;
  let data;

  before(async () => {
    daemon = await startDaemon();
    data = await seed(daemon);
    ({ browser, page } = await launchBrowser());
    await signIn(page, daemon);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await data?.stop();
    await daemon?.stop();
  });

  it("no page scrolls sideways at 800×600", { timeout: 300_000 }, async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    const wide = [];
    for (const p of pages(data)) {
      await openPage(page, daemon.baseUrl, p);
      const m = await page.evaluate(() => {
        const root = document.documentElement;
        // What sticks out past the right edge, for the message.
        const out = [...document.querySelectorAll("body *")]
          .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1 && !el.closest(".table-wrap, pre, .log-tail, .chart, dialog"))
          .slice(0, 3)
          .map((el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""} (${Math.round(el.getBoundingClientRect().right)} px)`);
        return { scroll: root.scrollWidth, client: root.clientWidth, out };
      });
      if (m.scroll > m.client) wide.push(`${p.name} (${p.hash}): ${m.scroll} px wide in ${m.client} px; ${m.out.join(", ")}`);
    }
    assert.deepEqual(wide, [], `pages wider than the window:\n${wide.join("\n")}`);
  });

  it("keeps a readable, centred width at 2560×1440", { timeout: 300_000 }, async () => {
    await page.setViewportSize({ width: 2560, height: 1440 });
    const bad = [];
    for (const p of pages(data)) {
      await openPage(page, daemon.baseUrl, p);
      const m = await page.evaluate(() => {
        const main = document.querySelector("main");
        const r = main?.getBoundingClientRect();
        return r ? { left: r.left, right: r.right, width: r.width, view: document.documentElement.clientWidth } : null;
      });
      assert.ok(m, `${p.name}: a <main> element`);
      if (m.width > MAX_CONTENT) bad.push(`${p.name}: main is ${Math.round(m.width)} px wide`);
      else if (Math.abs(m.left - (m.view - m.right)) > 2) bad.push(`${p.name}: main not centred (${Math.round(m.left)} / ${Math.round(m.view - m.right)})`);
    }
    assert.deepEqual(bad, [], bad.join("\n"));
  });
});
