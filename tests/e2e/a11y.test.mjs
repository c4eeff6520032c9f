// End-to-end: every page passes axe-core (WCAG 2.x A/AA and best practices) without a
// serious or critical violation, in the dark and the light theme, with data in it
// (seed.mjs: programs, a watched one, jobs with runs and a failure, endpoints, rules,
// deliveries). Every violation found is printed; only serious and critical ones fail.
//
//   cd tests/e2e && npm ci && node --test a11y.test.mjs
//
// Env: see harness.mjs. The UI must have been built (ui/dist); the fixture must exist.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { launchBrowser, signIn, startDaemon, waitFor } from "./harness.mjs";
import { openPage, pages, seed } from "./seed.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core");
const FAIL_ON = new Set(["serious", "critical"]);

function describeViolation(v) {
  const nodes = v.nodes
    .slice(0, 6)
    .map((n) => `      ${n.target.join(" ")}\n        ${(n.failureSummary ?? "").replace(/\n/g, "\n        ")}`)
    .join("\n");
  return `  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element${v.nodes.length === 1 ? "" : "s"})\n    ${v.helpUrl}\n${nodes}`;
}

describe("accessibility (axe-core) of every page", () => {
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

  for (const theme of ["dark", "light"]) {
    it(`has no serious or critical violation on any page, ${theme} theme`, { timeout: 300_000 }, async () => {
      await page.emulateMedia({ colorScheme: theme });
      const failures = [];
      const report = [];
      for (const p of pages(data)) {
        await openPage(page, daemon.baseUrl, p);
        await waitFor(`the ${theme} theme`, () => page.evaluate((t) => document.documentElement.dataset.theme === t, theme));
        if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
        const result = await page.evaluate(() =>
          window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] }, resultTypes: ["violations"] }),
        );
        for (const v of result.violations) {
          report.push(`${p.name} (${p.hash}):\n${describeViolation(v)}`);
          if (FAIL_ON.has(v.impact)) failures.push(`${p.name}: ${v.id} (${v.nodes.length})`);
        }
      }
      if (report.length > 0) console.error(`[a11y ${theme}] ${report.length} violation(s):\n${report.join("\n")}`);
      assert.deepEqual(failures, [], `serious or critical violations (${theme}):\n${failures.join("\n")}`);
    });
  }
});
