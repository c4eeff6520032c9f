// Screenshots of every page, dark and light, at 1280×800, with realistic data (seed.mjs):
// docs/screenshots/<page>-<theme>.png and an index, docs/screenshots/README.md.
//
//   cd tests/e2e && npm ci && node screenshots.mjs [out-dir]
//
// Env: see harness.mjs; VIGIL_SCREENSHOTS_SIZE (default 1280x800), VIGIL_SCREENSHOTS_WAIT
// (seconds of history before the first shot, default 90: charts and sparklines have a line).
// The UI must have been built (ui/dist); the fixture must exist.

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { launchBrowser, repo, signIn, startDaemon, waitFor } from "./harness.mjs";
import { openPage, pages, seed } from "./seed.mjs";

const [W, H] = (process.env.VIGIL_SCREENSHOTS_SIZE || "1280x800").split("x").map(Number);
const OUT = resolve(process.argv[2] || join(repo, "docs", "screenshots"));
const THEMES = ["dark", "light"];
const WAIT_SECS = Number(process.env.VIGIL_SCREENSHOTS_WAIT || 90);

const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

async function main() {
  mkdirSync(OUT, { recursive: true });
  const daemon = await startDaemon();
  let browser;
  let data;
  try {
    data = await seed(daemon);
    // Some history for the charts and sparklines, and the crash loop's events.
    console.error(`[screenshots] ${WAIT_SECS} s of history first`);
    await new Promise((r) => setTimeout(r, WAIT_SECS * 1000));
    let page;
    ({ browser, page } = await launchBrowser());
    await page.setViewportSize({ width: W, height: H });
    await signIn(page, daemon);
    const shots = [];
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      for (const p of pages(data)) {
        await openPage(page, daemon.baseUrl, p);
        await waitFor(`the ${theme} theme`, () => page.evaluate((t) => document.documentElement.dataset.theme === t, theme));
        // Charts draw on the next frames.
        await page.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(() => r()), 300)));
        const file = `${slug(p.name)}-${theme}.png`;
        await page.screenshot({ path: join(OUT, file) });
        shots.push({ page: p.name, hash: p.hash, theme, file });
        console.error(`[screenshots] ${file}`);
      }
    }
    const rows = pages(data).map((p) => {
      const f = (t) => `${slug(p.name)}-${t}.png`;
      return `| ${p.name} | \`${p.hash.replace(/\d+/g, "<id>")}\` | [dark](${f("dark")}) | [light](${f("light")}) |`;
    });
    const index = [
      "# Screenshots",
      "",
      `Every page of the UI at ${W}×${H}, in the dark and the light theme, against a daemon with`,
      "sample data (launched programs, one that keeps crashing, a watched one, jobs with runs and a",
      "failure, endpoints, rules and deliveries, plugins, checks with answers and metrics, an action).",
      "Made by `tests/e2e/screenshots.mjs`",
      "(`cargo xtask screenshots`); do not edit by hand.",
      "",
      "| page | address | dark | light |",
      "|---|---|---|---|",
      ...rows,
      "",
      ...pages(data).map((p) => `### ${p.name}\n\n![${p.name}, dark](${slug(p.name)}-dark.png)\n`),
    ].join("\n");
    writeFileSync(join(OUT, "README.md"), index);
    console.error(`[screenshots] ${shots.length} screenshots in ${OUT}`);
  } finally {
    await browser?.close().catch(() => {});
    await data?.stop();
    await daemon.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
