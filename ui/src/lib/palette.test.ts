import { describe, expect, it } from "vitest";
import { moveActive, paletteEntries, rankPalette, type PaletteSource } from "./palette";

const src = (o: Partial<PaletteSource> = {}): PaletteSource => ({
  programs: [
    { id: 1, name: "web server", launch: true, tags: ["prod"] },
    { id: 2, name: "Database", launch: false, tags: [] },
    { id: 3, name: "worker", launch: true, tags: [] },
  ],
  states: { 1: "running", 2: "running", 3: "stopped" },
  jobs: [
    { id: "nightly-backup", name: "Nightly backup", options: [], template: false, category: "ops", tags: [] },
    { id: "report", name: "Weekly report", options: [{ name: "week", label: "", type: "number", flag: null, choices: [], default: null }], template: false, category: null, tags: [] },
    { id: "tpl", name: "Python script", options: [], template: true, category: null, tags: [] },
  ],
  paused: false,
  ...o,
});

const labels = (q: string, s = src()) => rankPalette(paletteEntries(s), q).map((e) => e.label);

describe("palette entries", () => {
  it("has every page and the main actions", () => {
    const all = paletteEntries(src()).map((e) => e.label);
    for (const l of ["Programs", "Jobs", "System", "Events", "Notifications", "Settings", "Register a program", "New job", "Pause all schedules"]) expect(all).toContain(l);
    expect(all).not.toContain("Resume schedules");
    expect(paletteEntries(src({ paused: true })).map((e) => e.label)).toContain("Resume schedules");
    const unknown = paletteEntries(src({ paused: null })).map((e) => e.label);
    expect(unknown).toEqual(expect.arrayContaining(["Pause all schedules", "Resume schedules"]));
  });

  it("offers what fits a program's state: start when stopped, stop and restart when running", () => {
    const all = paletteEntries(src());
    const of = (id: number) => all.filter((e) => e.key.startsWith(`program:${id}`)).map((e) => e.label);
    expect(of(1)).toEqual(["web server", "Stop web server", "Restart web server"]);
    expect(of(3)).toEqual(["worker", "Start worker"]);
  });

  it("a watched program's stop opens its page and never ends anything itself", () => {
    const stop = paletteEntries(src()).find((e) => e.key === "program:2:stop");
    expect(stop?.run).toEqual({ kind: "go", href: "#/programs/2" });
    expect(stop?.label).toBe("Stop Database…");
    expect(paletteEntries(src()).some((e) => e.run.kind === "program" && e.run.id === 2)).toBe(false);
  });

  it("runs a job without options at once; one with options opens its page; templates are left out", () => {
    const all = paletteEntries(src());
    expect(all.find((e) => e.key === "job:nightly-backup:run")?.run).toEqual({ kind: "run-job", id: "nightly-backup" });
    expect(all.find((e) => e.key === "job:report:run")?.run).toEqual({ kind: "go", href: "#/jobs/report" });
    expect(all.some((e) => e.key.startsWith("job:tpl"))).toBe(false);
    expect(new Set(all.map((e) => e.key)).size).toBe(all.length);
  });
});

describe("palette ranking", () => {
  it("with no query lists pages, then actions, then things to open", () => {
    const l = labels("");
    expect(l.slice(0, 3)).toEqual(["Programs", "Jobs", "System"]);
    expect(l).toContain("Register a program");
    expect(l).toContain("Nightly backup");
    expect(l).not.toContain("Stop web server");
    expect(l.indexOf("Register a program")).toBeLessThan(l.indexOf("web server"));
  });

  it("finds a job by its name and puts opening it before running it", () => {
    const l = labels("nightly");
    expect(l[0]).toBe("Nightly backup");
    expect(l[1]).toBe("Run Nightly backup now");
    expect(l).not.toContain("Weekly report");
  });

  it("fuzzy: letters in order, word starts", () => {
    expect(labels("nb")[0]).toBe("Nightly backup");
    expect(labels("pas")).toContain("Pause all schedules");
    expect(labels("reg prog")[0]).toBe("Register a program");
  });

  it("finds by keyword and id, below label matches", () => {
    expect(labels("prod")).toContain("web server");
    expect(labels("nightly-backup")[0]).toBe("Nightly backup");
    expect(labels("email")).toContain("Notifications");
    // "jobs" the page beats entries that only mention jobs in keywords
    expect(labels("jobs")[0]).toBe("Jobs");
  });

  it("filters out what does not match and caps the list", () => {
    expect(labels("zzzzqqq")).toEqual([]);
    expect(rankPalette(paletteEntries(src()), "e", 3)).toHaveLength(3);
  });

  it("stop/start entries show up for the program's name", () => {
    const l = labels("stop web");
    expect(l[0]).toBe("Stop web server");
    expect(labels("worker")).toEqual(expect.arrayContaining(["worker", "Start worker"]));
  });
});

describe("moveActive", () => {
  it("wraps around and stays at 0 for an empty list", () => {
    expect(moveActive(0, 3, 1)).toBe(1);
    expect(moveActive(2, 3, 1)).toBe(0);
    expect(moveActive(0, 3, -1)).toBe(2);
    expect(moveActive(5, 0, 1)).toBe(0);
  });
});
