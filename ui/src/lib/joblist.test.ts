import { describe, expect, it } from "vitest";
import { NO_JOB_FILTER, bulkPlan, bulkSummary, facets, filterJobs, filtering, jobRows, withEnabled } from "./joblist";
import { makeJob, makeRun } from "./jobfixtures.test-util";

const jobs = [
  makeJob({ id: "backup10", name: "Backup 10", category: "storage", tags: ["nightly", "disk"], schedule: "0 2 * * *", timezone: "Asia/Seoul" }),
  makeJob({ id: "backup9", name: "Backup 9", category: "storage", tags: ["nightly"], schedule: "*/30 * * * * *" }),
  makeJob({ id: "report", name: "Report", command: "/usr/bin/make-report", category: "office", tags: ["weekly"], enabled: false, schedule: "0 9 * * 1" }),
  makeJob({ id: "adhoc", name: "Ad hoc", tags: [] }),
  makeJob({ id: "tpl", name: "Template", template: true, schedule: "0 1 * * *" }),
];

const dash = {
  jobs,
  last_runs: [
    makeRun({ id: 5, job_id: "backup10", status: "failed", ended_at: 2000 }),
    makeRun({ id: 6, job_id: "backup9", status: "succeeded", ended_at: 3000 }),
    makeRun({ id: 7, job_id: "adhoc", status: "running" }),
  ],
  running: [{ run: makeRun({ id: 7, job_id: "adhoc" }), elapsed_ms: 10 }],
  next: [{ job_id: "backup9", at: 5_000 }],
  next_per_job: [
    { job_id: "backup9", at: 6_000 },
    { job_id: "backup10", at: 9_000 },
    { job_id: "report", at: 7_000 },
  ],
};

describe("jobRows", () => {
  const rows = jobRows(dash);
  const byId = Object.fromEntries(rows.map((r) => [r.job.id, r]));

  it("sorts by name in natural order (Backup 9 before Backup 10)", () => {
    expect(rows.map((r) => r.job.id)).toEqual(["adhoc", "backup9", "backup10", "report", "tpl"]);
  });

  it("gives each job its last run and its earliest next fire; a disabled job has none", () => {
    expect(byId.backup10.last?.id).toBe(5);
    expect(byId.backup9.next).toBe(5_000);
    expect(byId.backup10.next).toBe(9_000);
    expect(byId.report.next).toBeNull();
    expect(byId.adhoc.last?.status).toBe("running");
    expect(byId.adhoc.next).toBeNull();
  });

  it("works without next_per_job (an older daemon)", () => {
    const { next_per_job: _, ...old } = dash;
    expect(jobRows(old).find((r) => r.job.id === "backup9")?.next).toBe(5_000);
  });

  it("states: failing, running, disabled, scheduled", () => {
    expect(byId.backup10.states).toEqual(["failing", "scheduled"]);
    expect(byId.backup9.states).toEqual(["scheduled"]);
    expect(byId.report.states).toEqual(["disabled"]);
    expect(byId.adhoc.states).toEqual(["running"]);
    expect(byId.tpl.states).toEqual([]);
  });

  it("schedules read in words", () => {
    expect(byId.backup10.schedule).toBe("at 02:00 every day, Asia/Seoul");
    expect(byId.backup9.schedule).toBe("every 30 s, UTC");
    expect(byId.adhoc.schedule).toBe("manual only");
  });
});

describe("filterJobs", () => {
  const rows = jobRows(dash);
  const ids = (f: Partial<typeof NO_JOB_FILTER>) => filterJobs(rows, { ...NO_JOB_FILTER, ...f }).map((r) => r.job.id);

  it("no filter: everything", () => {
    expect(ids({})).toHaveLength(5);
    expect(filtering(NO_JOB_FILTER)).toBe(false);
    expect(filtering({ ...NO_JOB_FILTER, q: " x " })).toBe(true);
  });

  it("searches id, name, command, tags and the schedule's words, every word, any case", () => {
    expect(ids({ q: "REPORT" })).toEqual(["report"]);
    expect(ids({ q: "make-report" })).toEqual(["report"]);
    expect(ids({ q: "backup disk" })).toEqual(["backup10"]);
    expect(ids({ q: "seoul" })).toEqual(["backup10"]);
    expect(ids({ q: "every 30 s" })).toEqual(["backup9"]);
    expect(ids({ q: "nothing-like-this" })).toEqual([]);
  });

  it("filters by category, tag and state, together", () => {
    expect(ids({ category: "storage" })).toEqual(["backup9", "backup10"]);
    expect(ids({ tag: "disk" })).toEqual(["backup10"]);
    expect(ids({ state: "failing" })).toEqual(["backup10"]);
    expect(ids({ state: "running" })).toEqual(["adhoc"]);
    expect(ids({ state: "disabled" })).toEqual(["report"]);
    expect(ids({ state: "scheduled" })).toEqual(["backup9", "backup10"]);
    expect(ids({ category: "storage", state: "failing", q: "10" })).toEqual(["backup10"]);
    expect(ids({ category: "office", state: "scheduled" })).toEqual([]);
  });

  it("facets: categories and tags once each, natural order", () => {
    expect(facets(jobs)).toEqual({ categories: ["office", "storage"], tags: ["disk", "nightly", "weekly"] });
  });
});

describe("bulk actions", () => {
  it("enable skips enabled jobs, disable skips disabled ones, run skips templates", () => {
    expect(bulkPlan(jobs, "enable").act.map((j) => j.id)).toEqual(["report"]);
    expect(bulkPlan(jobs, "disable").skip.map((s) => s.job.id)).toEqual(["report"]);
    const run = bulkPlan(jobs, "run");
    expect(run.act.map((j) => j.id)).toEqual(["backup10", "backup9", "report", "adhoc"]);
    expect(run.skip).toEqual([{ job: jobs[4], why: "a template never runs" }]);
  });

  it("withEnabled changes only enabled", () => {
    const j = withEnabled(jobs[0], false);
    expect(j).toEqual({ ...jobs[0], enabled: false });
    expect(jobs[0].enabled).toBe(true);
  });

  it("summaries say what happened", () => {
    expect(bulkSummary("enable", 3, [], 0)).toBe("3 enabled");
    expect(bulkSummary("run", 2, [{ id: "nightly", message: "busy" }], 1)).toBe("2 started, 1 skipped; 1 failed: nightly (busy)");
  });
});
