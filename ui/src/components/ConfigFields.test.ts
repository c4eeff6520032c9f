import { describe, expect, it } from "vitest";
import { render } from "svelte/server";
import ConfigFields from "./ConfigFields.svelte";
import HealthBadge from "./HealthBadge.svelte";
import CheckBadge from "./CheckBadge.svelte";
import type { JobOption } from "../lib/types";
import { configInputs } from "../lib/checks";

const options: JobOption[] = [
  { name: "port", label: "Port", type: "number", flag: "--port", choices: [], default: 5432 },
  { name: "tls", label: "Use TLS", type: "boolean", flag: "--tls", choices: [], default: true },
  { name: "mode", label: "", type: "select", flag: null, choices: ["fast", "full"], default: "full" },
  { name: "dbs", label: "Databases", type: "array", flag: null, choices: [], default: ["a", "b"] },
  { name: "user", label: "User", type: "string", flag: null, choices: [], default: null },
];

const strip = (s: string) => s.replace(/<!--[^>]*-->/g, "");

function html(errors: Record<string, string> = {}, opts: JobOption[] = options): string {
  return strip(render(ConfigFields, { props: { options: opts, values: configInputs(opts), error: (n: string) => errors[n] ?? null, idPrefix: "t" } }).body);
}

describe("ConfigFields", () => {
  it("makes one field per option, of its kind, starting from the defaults", () => {
    const shown = html();
    expect([...shown.matchAll(/data-option="([^"]+)"/g)].map((m) => m[1])).toEqual(["port", "tls", "mode", "dbs", "user"]);
    expect(shown).toMatch(/<input[^>]*id="t-port"[^>]*inputmode="decimal"[^>]*value="5432"/);
    expect(shown).toMatch(/<input type="checkbox" id="t-tls"[^>]*checked/);
    expect(shown).toMatch(/<select id="t-mode"/);
    expect(shown).toContain('<option value="full"');
    expect(shown).toMatch(/<textarea id="t-dbs"[^>]*>a\nb<\/textarea>/);
    expect(shown).toMatch(/<input id="t-user"[^>]*placeholder="not set"/);
    // Each field is named for the Submitter by its daemon path.
    expect(shown).toContain('data-field="config.port"');
    // An option without a label shows its name.
    expect(shown).toMatch(/<label for="t-mode">mode<\/label>/);
  });

  it("puts a message next to its option", () => {
    const shown = html({ port: "port must be 1 to 65535" });
    const at = shown.indexOf('data-option="port"');
    const msg = shown.indexOf("port must be 1 to 65535");
    expect(msg).toBeGreaterThan(at);
    expect(msg).toBeLessThan(shown.indexOf('data-option="tls"'));
    expect(shown).toMatch(/id="t-port"[^>]*aria-invalid="true"/);
  });

  it("says when a plugin has no settings", () => {
    expect(html({}, [])).toContain("This plugin has no settings.");
  });
});

describe("badges", () => {
  it("shows a health in words, and nothing for a program without checks", () => {
    expect(strip(render(HealthBadge, { props: { health: "unhealthy" } }).body)).toMatch(/data-health="unhealthy">Unhealthy</);
    expect(strip(render(HealthBadge, { props: { health: null } }).body).trim()).toBe("");
  });

  it("shows a check's status in words", () => {
    expect(strip(render(CheckBadge, { props: { status: "critical" } }).body)).toMatch(/data-status="critical">Critical</);
    expect(strip(render(CheckBadge, { props: { status: null } }).body)).toMatch(/data-status="none">Not run yet</);
  });
});
