import { describe, expect, it } from "vitest";
import type { Settings } from "./types";
import { FormError } from "./errors";
import { NUMBER_FIELDS, SETTINGS_GROUPS, settingLabel, settingsPatch, settingsToForm, toggleFavourite } from "./settings";

const SETTINGS: Settings = {
  sweep_ms: 1000,
  discovery_ms: 5000,
  retention: { raw_samples_hours: 48, minute_rollup_days: 14, hour_rollup_days: 365, event_days: 90, run_days: 30, delivery_days: 30 },
  max_concurrent_runs: 4,
  max_run_output_kib: 1024,
  stop_grace_secs: 10,
  max_deliveries_in_flight: 8,
  port: 7474,
  allow_lan: false,
  schedules_paused: false,
  leave_running_on_quit: false,
  favourite_jobs: ["a", "b"],
};

describe("settings form", () => {
  it("has every numeric setting once, in a group", () => {
    const keys = SETTINGS_GROUPS.flatMap((g) => NUMBER_FIELDS[g].map((f) => f.key)).sort();
    const expected = [
      ...Object.keys(SETTINGS).filter((k) => typeof (SETTINGS as Record<string, unknown>)[k] === "number"),
      ...Object.keys(SETTINGS.retention),
    ].sort();
    expect(keys).toEqual(expected);
    for (const g of SETTINGS_GROUPS) for (const f of NUMBER_FIELDS[g]) expect(f.retention).toBe(f.key in SETTINGS.retention);
  });

  it("round-trips to an empty patch", () => {
    expect(settingsPatch(SETTINGS, settingsToForm(SETTINGS))).toEqual({});
  });

  it("sends only the changed fields, retention partially", () => {
    const f = settingsToForm(SETTINGS);
    f.numbers.sweep_ms = " 2,000 ";
    f.numbers.run_days = "7";
    f.allow_lan = true;
    expect(settingsPatch(SETTINGS, f)).toEqual({ sweep_ms: 2000, retention: { run_days: 7 }, allow_lan: true });
  });

  it("sends favourites when their set or order changed", () => {
    const f = settingsToForm(SETTINGS);
    f.favourite_jobs = ["b", "a"];
    expect(settingsPatch(SETTINGS, f)).toEqual({ favourite_jobs: ["b", "a"] });
    f.favourite_jobs = [];
    f.schedules_paused = true;
    expect(settingsPatch(SETTINGS, f)).toEqual({ favourite_jobs: [], schedules_paused: true });
  });

  it("leaves bounds to the daemon but refuses what is not a whole number", () => {
    const f = settingsToForm(SETTINGS);
    f.numbers.port = "80";
    expect(settingsPatch(SETTINGS, f)).toEqual({ port: 80 });
    f.numbers.port = "";
    expect(() => settingsPatch(SETTINGS, f)).toThrow(FormError);
    f.numbers.port = "7474";
    f.numbers.raw_samples_hours = "1.5";
    expect(() => settingsPatch(SETTINGS, f)).toThrow(/Raw samples: enter a whole number/);
  });

  it("does not share the favourites array with the settings", () => {
    const f = settingsToForm(SETTINGS);
    f.favourite_jobs.push("c");
    expect(SETTINGS.favourite_jobs).toEqual(["a", "b"]);
  });

  it("toggles favourites keeping their order", () => {
    expect(toggleFavourite(["a", "b"], "c", true)).toEqual(["a", "b", "c"]);
    expect(toggleFavourite(["a", "b"], "a", true)).toEqual(["b", "a"]);
    expect(toggleFavourite(["a", "b"], "a", false)).toEqual(["b"]);
  });

  it("names settings for people", () => {
    expect(settingLabel("port")).toBe("API port");
    expect(settingLabel("retention.run_days")).toBe("Job runs");
    expect(settingLabel("allow_lan")).toMatch(/network/);
    expect(settingLabel("something_new")).toBe("something new");
  });
});
