import { describe, expect, it } from "vitest";
import { breakerText, findManifest, pluginName, pluginsOfKind, refusedText, sortPlugins, usageText, type Manifest, type PluginInfo } from "./plugins";
import { ACTIONS_HREF, CHECKS_HREF, PLUGINS_HREF, actionHref, checkEditHref, checkHref, parseRoute, section } from "./route";

const manifest = (name: string, kind: "check" | "action" = "check"): Manifest => ({
  name,
  version: "1.0",
  description: "",
  kind,
  protocol: "nagios",
  command: { unix: ["./run"] },
  config: [],
});

const plugin = (over: Partial<PluginInfo>): PluginInfo => ({
  name: "p",
  dir: "/d/plugins/p",
  manifest: null,
  error: null,
  breaker: "closed",
  open_until: null,
  failures: 0,
  checks: 0,
  actions: 0,
  ...over,
});

describe("plugins in words", () => {
  it("says what a breaker does", () => {
    expect(breakerText({ breaker: "closed", open_until: null, failures: 0 }, 0)).toMatchObject({ text: "closed", tone: "ok" });
    expect(breakerText({ breaker: "closed", open_until: null, failures: 2 }, 0)).toMatchObject({ text: "closed", tone: "warn", hint: "It runs; its last 2 runs failed." });
    const until = new Date(2026, 0, 5, 14, 5, 0).getTime();
    expect(breakerText({ breaker: "open", open_until: until, failures: 5 }, until - 60_000)).toMatchObject({ text: "resting until 14:05:00", tone: "bad" });
    expect(breakerText({ breaker: "open", open_until: null, failures: 5 }, 0).text).toBe("resting");
    expect(breakerText({ breaker: "half_open", open_until: null, failures: 5 }, 0).text).toBe("trial");
  });

  it("says how many checks and actions use a plugin", () => {
    expect(usageText({ checks: 0, actions: 0 })).toBe("not used");
    expect(usageText({ checks: 1, actions: 0 })).toBe("1 check");
    expect(usageText({ checks: 2, actions: 1 })).toBe("2 checks, 1 action");
  });

  it("says why a folder was refused", () => {
    expect(refusedText({ name: "broken", error: "plugin.json is not a valid manifest: expected value at line 1 column 1" })).toBe(
      'The folder "broken" was not loaded: plugin.json is not a valid manifest: expected value at line 1 column 1',
    );
    expect(refusedText({ name: "x", error: null })).toBe('The folder "x" was not loaded.');
  });
});

describe("plugin lists", () => {
  const list = [
    plugin({ name: "b", manifest: manifest("b") }),
    plugin({ name: "broken", error: "bad json" }),
    plugin({ name: "a10", manifest: manifest("a10", "action") }),
    plugin({ name: "a9", manifest: manifest("a9") }),
    plugin({ name: "half", manifest: manifest("half"), error: "command missing" }),
  ];

  it("puts installed plugins first by name, refused folders after", () => {
    const s = sortPlugins(list);
    expect(s.installed.map(pluginName)).toEqual(["a9", "a10", "b"]);
    expect(s.refused.map(pluginName)).toEqual(["broken", "half"]);
  });

  it("offers only installed plugins of the kind", () => {
    expect(pluginsOfKind(list, "check").map(pluginName)).toEqual(["a9", "b"]);
    expect(pluginsOfKind(list, "action").map(pluginName)).toEqual(["a10"]);
  });

  it("finds an installed plugin's manifest by name", () => {
    expect(findManifest(list, "b")?.name).toBe("b");
    expect(findManifest(list, "half")).toBeNull();
    expect(findManifest(list, "nope")).toBeNull();
  });
});

describe("routes of checks, actions and plugins", () => {
  it("parses and makes their links", () => {
    expect(parseRoute(CHECKS_HREF)).toEqual({ name: "checks" });
    expect(parseRoute(checkEditHref("new"))).toEqual({ name: "check-new", program: null });
    expect(parseRoute(checkEditHref("new", 7))).toEqual({ name: "check-new", program: 7 });
    expect(parseRoute(checkHref(3))).toEqual({ name: "check", id: 3 });
    expect(parseRoute(checkEditHref(3))).toEqual({ name: "check-edit", id: 3 });
    expect(parseRoute(ACTIONS_HREF)).toEqual({ name: "actions", id: null });
    expect(parseRoute(actionHref("new"))).toEqual({ name: "actions", id: "new" });
    expect(parseRoute(actionHref(4))).toEqual({ name: "actions", id: 4 });
    expect(parseRoute(PLUGINS_HREF)).toEqual({ name: "plugins" });
    expect(parseRoute("#/checks/x")).toEqual({ name: "dashboard" });
  });

  it("puts them in the checks section", () => {
    for (const h of [CHECKS_HREF, checkHref(1), checkEditHref(1), checkEditHref("new"), ACTIONS_HREF, actionHref(2), PLUGINS_HREF]) {
      expect(section(parseRoute(h))).toBe("checks");
    }
  });
});
