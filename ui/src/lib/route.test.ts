import { describe, expect, it } from "vitest";
import {
  jobEditHref,
  jobHref,
  notifyHref,
  parseRoute,
  programHref,
  runHref,
  section,
  EVENTS_HREF,
  JOBS_HREF,
  NEW_JOB_HREF,
  NOTIFICATIONS_HREF,
  SETTINGS_HREF,
} from "./route";

describe("hash routes", () => {
  it.each([
    ["", { name: "dashboard" }],
    ["#", { name: "dashboard" }],
    ["#/", { name: "dashboard" }],
    ["#/programs/7", { name: "program", id: 7 }],
    ["#/programs/42/", { name: "program", id: 42 }],
    ["#/programs/", { name: "dashboard" }],
    ["#/programs/x1", { name: "dashboard" }],
    ["#/programs/1/logs", { name: "dashboard" }],
    ["#/programs/99999999999999999999", { name: "dashboard" }],
    ["#/jobs", { name: "jobs" }],
    ["#/jobs/", { name: "jobs" }],
    ["#/jobs/new", { name: "job-new" }],
    ["#/jobs/nightly-backup", { name: "job", id: "nightly-backup" }],
    ["#/jobs/nightly_backup/", { name: "job", id: "nightly_backup" }],
    ["#/jobs/a%20b", { name: "job", id: "a b" }],
    ["#/jobs/%E0%A4", { name: "dashboard" }],
    ["#/jobs/x/edit", { name: "job-edit", id: "x" }],
    ["#/jobs/x/edit/", { name: "job-edit", id: "x" }],
    ["#/jobs/x/runs", { name: "dashboard" }],
    ["#/jobs//edit", { name: "dashboard" }],
    ["#/runs/12", { name: "run", id: 12 }],
    ["#/runs/12/", { name: "run", id: 12 }],
    ["#/runs/", { name: "dashboard" }],
    ["#/runs/abc", { name: "dashboard" }],
    ["#/runs/99999999999999999999", { name: "dashboard" }],
    ["#/jobsx", { name: "dashboard" }],
    ["#/events", { name: "events" }],
    ["#/events/", { name: "events" }],
    ["#/events/3", { name: "dashboard" }],
    ["#/notifications", { name: "notifications", tab: "endpoints", id: null }],
    ["#/notifications/endpoints", { name: "notifications", tab: "endpoints", id: null }],
    ["#/notifications/endpoints/new", { name: "notifications", tab: "endpoints", id: "new" }],
    ["#/notifications/endpoints/12/", { name: "notifications", tab: "endpoints", id: 12 }],
    ["#/notifications/rules", { name: "notifications", tab: "rules", id: null }],
    ["#/notifications/rules/new", { name: "notifications", tab: "rules", id: "new" }],
    ["#/notifications/rules/3", { name: "notifications", tab: "rules", id: 3 }],
    ["#/notifications/deliveries", { name: "notifications", tab: "deliveries", id: null }],
    ["#/notifications/deliveries/40", { name: "notifications", tab: "deliveries", id: 40 }],
    ["#/notifications/deliveries/new", { name: "dashboard" }],
    ["#/notifications/rules/x", { name: "dashboard" }],
    ["#/notifications/other", { name: "dashboard" }],
    ["#/notifications/endpoints/99999999999999999999", { name: "dashboard" }],
    ["#/settings", { name: "settings" }],
    ["#/settings/", { name: "settings" }],
    ["#/settings/x", { name: "dashboard" }],
    ["#/settingsx", { name: "dashboard" }],
  ])("%j -> %j", (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it("links round-trip", () => {
    expect(parseRoute(programHref(13))).toEqual({ name: "program", id: 13 });
    expect(parseRoute(JOBS_HREF)).toEqual({ name: "jobs" });
    expect(parseRoute(NEW_JOB_HREF)).toEqual({ name: "job-new" });
    expect(parseRoute(jobHref("a/b?c"))).toEqual({ name: "job", id: "a/b?c" });
    expect(parseRoute(jobEditHref("a/b"))).toEqual({ name: "job-edit", id: "a/b" });
    expect(parseRoute(runHref(5))).toEqual({ name: "run", id: 5 });
    expect(parseRoute(EVENTS_HREF)).toEqual({ name: "events" });
    expect(parseRoute(NOTIFICATIONS_HREF)).toEqual({ name: "notifications", tab: "endpoints", id: null });
    expect(parseRoute(notifyHref("rules", "new"))).toEqual({ name: "notifications", tab: "rules", id: "new" });
    expect(parseRoute(notifyHref("deliveries", 8))).toEqual({ name: "notifications", tab: "deliveries", id: 8 });
    expect(parseRoute(notifyHref("endpoints"))).toEqual({ name: "notifications", tab: "endpoints", id: null });
    expect(parseRoute(SETTINGS_HREF)).toEqual({ name: "settings" });
  });

  it("resolves the links of OS notifications", () => {
    expect(parseRoute("#/programs/3")).toEqual({ name: "program", id: 3 });
    expect(parseRoute("#/jobs/nightly-backup")).toEqual({ name: "job", id: "nightly-backup" });
    expect(parseRoute("#/events")).toEqual({ name: "events" });
  });

  it("puts each route in its nav section", () => {
    expect(section(parseRoute("#/"))).toBe("programs");
    expect(section(parseRoute("#/programs/1"))).toBe("programs");
    for (const h of ["#/jobs", "#/jobs/new", "#/jobs/a", "#/jobs/a/edit", "#/runs/1"]) {
      expect(section(parseRoute(h))).toBe("jobs");
    }
    expect(section(parseRoute("#/events"))).toBe("programs");
    for (const h of ["#/notifications", "#/notifications/rules/new", "#/notifications/deliveries/2"]) {
      expect(section(parseRoute(h))).toBe("notifications");
    }
    expect(section(parseRoute("#/settings"))).toBe("settings");
  });
});
