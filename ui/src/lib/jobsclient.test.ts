// The jobs endpoints on both transports: URLs, methods, bodies and IPC arguments.
import { describe, expect, it, vi } from "vitest";
import { createHttpClient, type FetchLike } from "./http";
import { createTauriClient, type InvokeFn, type ListenFn } from "./tauri";
import { makeJob, makeRun } from "./jobfixtures.test-util";

type Call = { url: string; method: string; body: unknown; headers: Record<string, string> };

function http(respond: (url: string, method: string) => Response) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    const method = init?.method ?? "GET";
    calls.push({
      url,
      method,
      body: init?.body === undefined ? undefined : JSON.parse(init.body as string),
      headers: (init?.headers ?? {}) as Record<string, string>,
    });
    return respond(url, method);
  };
  const c = createHttpClient({ baseUrl: "http://d", getToken: () => "tok", fetch, sleep: async () => {} });
  return { c, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const job = makeJob({ id: "nightly" });
const run = makeRun({ id: 9, job_id: "nightly" });
const dashboard = { succeeded_today: 1, failed_today: 2, running: [{ run, elapsed_ms: 5 }], next: [{ job_id: "nightly", at: 7 }], recent_failures: [] };

describe("HTTP transport: jobs", () => {
  it("lists, gets, creates, updates and deletes jobs", async () => {
    const { c, calls } = http((_url, method) =>
      method === "DELETE" ? new Response(null, { status: 204 }) : json(method === "POST" ? 201 : 200, method === "GET" && calls.length === 1 ? [job] : job),
    );
    await expect(c.listJobs()).resolves.toEqual([job]);
    await expect(c.getJob("nightly")).resolves.toEqual(job);
    await expect(c.createJob(job)).resolves.toEqual(job);
    await expect(c.updateJob(job)).resolves.toEqual(job);
    await expect(c.deleteJob("nightly")).resolves.toBeUndefined();
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
    const { c, calls } = http(() => json(200, job));
    await c.getJob("a b/c");
    expect(calls[0].url).toBe("http://d/api/jobs/a%20b%2Fc");
  });

  it("POSTs a run with its options wrapped and returns the run id from the 202", async () => {
    const { c, calls } = http(() => json(202, { run_id: 41 }));
    await expect(c.runJob("nightly", { dry: true, files: ["a"] })).resolves.toEqual({ run_id: 41 });
    expect(calls[0]).toMatchObject({ method: "POST", url: "http://d/api/jobs/nightly/run", body: { options: { dry: true, files: ["a"] } } });
  });

  it("lists runs with only the filters given", async () => {
    const { c, calls } = http(() => json(200, [run]));
    await expect(c.listRuns()).resolves.toEqual([run]);
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
    const { c, calls } = http((url) =>
      url.endsWith("/output")
        ? new Response(text, { status: 200, headers: { "Content-Type": "text/plain" } })
        : url.endsWith("/dashboard")
          ? json(200, dashboard)
          : json(200, run),
    );
    await expect(c.getRun(9)).resolves.toEqual(run);
    await expect(c.runOutput(9)).resolves.toBe(text);
    await expect(c.cancelRun(9)).resolves.toEqual(run);
    await expect(c.jobsDashboard()).resolves.toEqual(dashboard);
    expect(calls.map((x) => [x.method, x.url, x.body])).toEqual([
      ["GET", "http://d/api/runs/9", undefined],
      ["GET", "http://d/api/runs/9/output", undefined],
      ["POST", "http://d/api/runs/9/cancel", undefined],
      ["GET", "http://d/api/jobs/dashboard", undefined],
    ]);
  });

  it("previews a schedule with the expression, time zone and count in the query", async () => {
    const { c, calls } = http(() => json(200, [1, 2, 3, 4, 5]));
    await expect(c.previewSchedule("*/5 * * * *", "Europe/Berlin")).resolves.toEqual([1, 2, 3, 4, 5]);
    await c.previewSchedule("0 3 * * *");
    await c.previewSchedule("0 3 * * *", "");
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
    const { c } = http((url) => (url.includes("/runs/") ? json(404, { code: "not_found", message: "no run 3" }) : json(400, err)));
    await expect(c.previewSchedule("61 * * * *")).rejects.toEqual(err);
    await expect(c.createJob(job)).rejects.toEqual(err);
    await expect(c.runOutput(3)).rejects.toEqual({ code: "not_found", message: "no run 3" });
  });
});

describe("Tauri transport: jobs", () => {
  const listen: ListenFn = async () => () => {};

  it("maps every jobs method to its command and arguments", async () => {
    const invoke = vi.fn(async () => null) as unknown as InvokeFn & ReturnType<typeof vi.fn>;
    const c = createTauriClient({ invoke, listen });
    await c.listJobs();
    await c.getJob("nightly");
    await c.createJob(job);
    await c.updateJob(job);
    await c.deleteJob("nightly");
    await c.runJob("nightly", { dry: true });
    await c.listRuns();
    await c.listRuns({ job: "nightly", status: "failed", limit: 1, before: 30 });
    await c.getRun(9);
    await c.runOutput(9);
    await c.cancelRun(9);
    await c.jobsDashboard();
    await c.previewSchedule("0 3 * * *", "UTC");
    await c.previewSchedule("0 3 * * *");
    expect(invoke.mock.calls).toEqual([
      ["list_jobs", undefined],
      ["get_job", { id: "nightly" }],
      ["save_job", { job, replace: false }],
      ["save_job", { job, replace: true }],
      ["delete_job", { id: "nightly" }],
      ["run_job", { id: "nightly", options: { dry: true } }],
      ["list_runs", { job: null, status: null, limit: null, before: null }],
      ["list_runs", { job: "nightly", status: "failed", limit: 1, before: 30 }],
      ["get_run", { id: 9 }],
      ["run_output", { id: 9 }],
      ["cancel_run", { id: 9 }],
      ["jobs_dashboard", undefined],
      ["preview_schedule", { schedule: "0 3 * * *", timezone: "UTC", count: 5 }],
      ["preview_schedule", { schedule: "0 3 * * *", timezone: null, count: 5 }],
    ]);
  });

  it("returns what the commands answer, resolves delete with nothing, and maps errors", async () => {
    const invoke = (async (cmd: string) => {
      switch (cmd) {
        case "run_job":
          return { run_id: 3 };
        case "run_output":
          return "2026-11-22T01:02:03.456Z err boom\n";
        case "delete_job":
          return job;
        case "jobs_dashboard":
          return dashboard;
        default:
          throw { code: "invalid_input", message: 'invalid schedule "61 * * * *"' };
      }
    }) as InvokeFn;
    const c = createTauriClient({ invoke, listen });
    await expect(c.runJob("x", {})).resolves.toEqual({ run_id: 3 });
    await expect(c.runOutput(1)).resolves.toBe("2026-11-22T01:02:03.456Z err boom\n");
    await expect(c.deleteJob("x")).resolves.toBeUndefined();
    await expect(c.jobsDashboard()).resolves.toEqual(dashboard);
    await expect(c.previewSchedule("61 * * * *")).rejects.toEqual({ code: "invalid_input", message: 'invalid schedule "61 * * * *"' });
    await expect(c.cancelRun(1)).rejects.toMatchObject({ code: "invalid_input" });
  });
});
