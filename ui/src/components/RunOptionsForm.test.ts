import { describe, expect, it } from "vitest";
import { render } from "svelte/server";
import RunOptionsForm from "./RunOptionsForm.svelte";
import { makeJob } from "../lib/jobfixtures.test-util";

const job = makeJob({
  id: "j",
  options: [
    { name: "count", label: "Count", type: "number", flag: "--count", choices: [], default: 3 },
    { name: "mode", label: "", type: "select", flag: null, choices: ["a", "b"], default: null },
  ],
});

function html(props: Partial<Parameters<typeof RunOptionsForm>[1]> = {}): string {
  return render(RunOptionsForm, { props: { job, onsubmit: () => {}, ...props } }).body.replace(/<!--[^>]*-->/g, "");
}

describe("RunOptionsForm", () => {
  it("shows a number option as a numeric box with its default as the hint", () => {
    const shown = html();
    expect(shown).toMatch(/<input[^>]*inputmode="decimal"[^>]*placeholder="default 3"/);
    expect(shown).toContain('data-testid="run-option-number"');
    expect(shown).toContain('value="3"');
  });

  it("puts the daemon's message about an option next to it", () => {
    const shown = html({ fields: { "options.count": "option \"count\" must be a number" } });
    const at = shown.indexOf('data-option="count"');
    const msg = shown.indexOf("must be a number");
    expect(msg).toBeGreaterThan(at);
    expect(msg).toBeLessThan(shown.indexOf('data-option="mode"'));
    expect(shown).not.toContain('data-testid="run-error"');
  });

  it("shows a message about an option it does not have with the whole form", () => {
    const shown = html({ fields: { "options.gone": "job \"j\" has no option \"gone\"" } });
    expect(shown).toMatch(/data-testid="run-error">job "j" has no option "gone"</);
  });
});
