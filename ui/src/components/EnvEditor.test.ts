import { describe, expect, it } from "vitest";
import { render } from "svelte/server";
import EnvEditor from "./EnvEditor.svelte";

function html(props: Partial<Parameters<typeof EnvEditor>[1]>): string {
  return render(EnvEditor, { props: { value: {}, onchange: () => {}, ...props } }).body.replace(/<!--[^>]*-->/g, "");
}

describe("EnvEditor", () => {
  it("shows a row per variable, sorted, and the add button", () => {
    const shown = html({ value: { B: "2", A: "1" } });
    expect(shown.match(/data-testid="env-row"/g)?.length).toBe(2);
    expect(shown.indexOf('value="A"')).toBeLessThan(shown.indexOf('value="B"'));
    expect(shown).toContain('data-testid="env-add"');
    expect(shown).not.toContain("env-problem");
  });

  it("shows no table without variables, and the daemon's message when given", () => {
    const shown = html({ error: "environment variable name \"A=B\" is not valid" });
    expect(shown).not.toContain("<table");
    expect(shown).toContain('data-testid="env-error"');
  });

  it("disables every control when disabled", () => {
    const shown = html({ value: { A: "1" }, disabled: true });
    expect(shown.match(/disabled/g)?.length).toBeGreaterThanOrEqual(4);
  });
});
