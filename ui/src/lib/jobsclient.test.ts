// The jobs endpoints on both transports: URLs, methods, bodies and IPC arguments.
import { describe, expect, it } from "vitest";
import { json, noContent, recordingHttp, recordingTauri, tauriClient } from "./clientfixtures.test-util";
import type { InvokeFn } from "./tauri";
import { makeJob, makeRun } from "./jobfixtures.test-util";

const job = makeJob({ id: "nightly" });
const run = makeRun({ id: 9, job_id: "nightly" });
const dashboard = { succeeded_today: 1, failed_today: 2, running: [{ run, elapsed_ms: 5 }], next: [{ job_id: "nightly", at: 7 }], recent_failures: [], jobs: [job], last_runs: [run] };

describe("HTTP transport: jobs", () => {
  it("lists, gets, creates, updates and deletes jobs", async () => {
    const { c, calls } = recordingHttp((_url, method) =>
      method === "DELETE" ? noContent() : json(method === "POST" ? 201 : 200, method === "GET" && calls.length === 1 ? [job] : job),
    );
    await expect(c.listJobs()).resolves.toEqual([job]);
    await expect(c.getJob({ id: "nightly" })).resolves.toEqual(job);
    await expect(c.createJob(job)).resolves.toEqual(job);
    await expect(c.updateJob(job)).resolves.toEqual(job);
    await expect(c.deleteJob({ id: "nightly" })).resolves.toBeUndefined();
    expect(calls.map((x) => [x.method, x.url, x.body])).toEqual([
      ["GET", "http://d/api/jobs", undefined],
      ["GET", "http://d/api/jobs/nightly", undefined],
      ["POST", "http://d/api/jobs", job],
      ["PUT", "http://d/api/jobs/nightly", job],
      ["DELETE", "http://d/api/jobs/nightly", undefined],
    ]);
    expect(calls.every((x) => x.headers.Authorization === "Bearer tok")).toBe(true);
    expect(calls[2].headers["Content-Type"]).toBe("application/json");
  });

  it("escapes job ids in the path", async () => {
    const { c, calls } = recordingHttp(() => json(200, job));
    await c.getJob({ id: "a b/c" });
    expect(calls[0].url).toBe("http://d/api/jobs/a%20b%2Fc");
  });

  it("POSTs a run request (id and options) and returns the run id from the 202", async () => {
    const { c, calls } = recordingHttp(() => json(202, { run_id: 41 }));
    await expect(c.runJob({ id: "nightly", options: { dry: true, files: ["a"] } })).resolves.toEqual({ run_id: 41 });
    expect(calls[0]).toMatchObject({ method: "POST", url: "http://d/api/jobs/nightly/run", body: { id: "nightly", options: { dry: true, files: ["a"] } } });
  });

  it("lists runs with only the filters given", async () => {
    const { c, calls } = recordingHttp(() => json(200, [run]));
    await expect(c.listRuns({})).resolves.toEqual([run]);
    await c.listRuns({ job: "nightly", limit: 1 });
    await c.listRuns({ job: "n", status: "failed", limit: 50, before: 100 });
    expect(calls.map((x) => x.url)).toEqual([
      "http://d/api/runs",
      "http://d/api/runs?job=nightly&limit=1",
      "http://d/api/runs?job=n&status=failed&limit=50&before=100",
    ]);
  });

  it("gets a run, its output as plain text, cancels it and reads the dashboard", async () => {
    const text = "2026-11-22T01:02:03.456Z out line 1\n";
    const { c, calls } = recordingHttp((url) =>
      url.endsWith("/output")
        ? new Response(text, { status: 200, headers: { "Content-Type": "text/plain" } })
        : url.endsWith("/dashboard")
          ? json(200, dashboard)
          : json(200, run),
    );
    await expect(c.getRun({ id: 9 })).resolves.toEqual(run);
    await expect(c.getRunOutput({ id: 9 })).resolves.toBe(text);
    await expect(c.cancelRun({ id: 9 })).resolves.toEqual(run);
    await expect(c.getJobsDashboard()).resolves.toEqual(dashboard);
    expect(calls.map((x) => [x.method, x.url, x.body])).toEqual([
      ["GET", "http://d/api/runs/9", undefined],
      ["GET", "http://d/api/runs/9/output", undefined],
      ["POST", "http://d/api/runs/9/cancel", undefined],
      ["GET", "http://d/api/jobs/dashboard", undefined],
    ]);
  });

  it("previews a schedule with the expression, time zone and count in the query", async () => {
    const { c, calls } = recordingHttp(() => json(200, [1, 2, 3, 4, 5]));
    await expect(c.previewSchedule({ schedule: "*/5 * * * *", timezone: "Europe/Berlin", count: 5 })).resolves.toEqual([1, 2, 3, 4, 5]);
    await c.previewSchedule({ schedule: "0 3 * * *", count: 5 });
    await c.previewSchedule({ schedule: "0 3 * * *", timezone: undefined, count: 5 });
    const qs = calls.map((x) => Object.fromEntries(new URL(x.url).searchParams));
    expect(new URL(calls[0].url).pathname).toBe("/api/schedule/preview");
    expect(qs).toEqual([
      { schedule: "*/5 * * * *", timezone: "Europe/Berlin", count: "5" },
      { schedule: "0 3 * * *", count: "5" },
      { schedule: "0 3 * * *", count: "5" },
    ]);
  });

  it("rejects with the daemon's error for an invalid schedule, a refused save and an unknown run", async () => {
    const err = { code: "invalid_input", message: 'invalid schedule "61 * * * *": minute 61 out of range' };
    const { c } = recordingHttp((url) => (url.includes("/runs/") ? json(404, { code: "not_found", message: "no run 3" }) : json(400, err)));
    await expect(c.previewSchedule({ schedule: "61 * * * *" })).rejects.toEqual(err);
    await expect(c.createJob(job)).rejects.toEqual(err);
    await expect(c.getRunOutput({ id: 3 })).rejects.toEqual({ code: "not_found", message: "no run 3" });
  });
});

describe("Tauri transport: jobs", () => {
  it("calls every jobs operation by name with its request", async () => {
    const { c, invoke } = recordingTauri();
    await c.listJobs();
    await c.getJob({ id: "nightly" });
    await c.createJob(job);
    await c.updateJob(job);
    await c.deleteJob({ id: "nightly" });
    await c.runJob({ id: "nightly", options: { dry: true } });
    await c.listRuns({ job: "nightly", status: "failed", limit: 1, before: 30 });
    await c.getRun({ id: 9 });
    await c.getRunOutput({ id: 9 });
    await c.cancelRun({ id: 9 });
    await c.getJobsDashboard();
    await c.previewSchedule({ schedule: "0 3 * * *", timezone: "UTC", count: 5 });
    expect(invoke.mock.calls).toEqual([
      ["call", { op: "list_jobs", args: {} }],
      ["call", { op: "get_job", args: { id: "nightly" } }],
      ["call", { op: "create_job", args: job }],
      ["call", { op: "update_job", args: job }],
      ["call", { op: "delete_job", args: { id: "nightly" } }],
      ["call", { op: "run_job", args: { id: "nightly", options: { dry: true } } }],
      ["call", { op: "list_runs", args: { job: "nightly", status: "failed", limit: 1, before: 30 } }],
      ["call", { op: "get_run", args: { id: 9 } }],
      ["call", { op: "get_run_output", args: { id: 9 } }],
      ["call", { op: "cancel_run", args: { id: 9 } }],
      ["call", { op: "get_jobs_dashboard", args: {} }],
      ["call", { op: "preview_schedule", args: { schedule: "0 3 * * *", timezone: "UTC", count: 5 } }],
    ]);
  });

  it("returns what the operations answer, resolves delete with nothing, and maps errors", async () => {
    const invoke = (async (_cmd: string, a?: Record<string, unknown>) => {
      switch (a?.op) {
        case "run_job":
          return { run_id: 3 };
        case "get_run_output":
          return "2026-11-22T01:02:03.456Z err boom\n";
        case "delete_job":
          return job;
        case "get_jobs_dashboard":
          return dashboard;
        default:
          throw { code: "invalid_input", message: 'invalid schedule "61 * * * *"' };
      }
    }) as InvokeFn;
    const c = tauriClient(invoke);
    await expect(c.runJob({ id: "x", options: {} })).resolves.toEqual({ run_id: 3 });
    await expect(c.getRunOutput({ id: 1 })).resolves.toBe("2026-11-22T01:02:03.456Z err boom\n");
    await expect(c.deleteJob({ id: "x" })).resolves.toBeUndefined();
    await expect(c.getJobsDashboard()).resolves.toEqual(dashboard);
    await expect(c.previewSchedule({ schedule: "61 * * * *" })).rejects.toEqual({ code: "invalid_input", message: 'invalid schedule "61 * * * *"' });
    await expect(c.cancelRun({ id: 1 })).rejects.toMatchObject({ code: "invalid_input" });
  });
});
