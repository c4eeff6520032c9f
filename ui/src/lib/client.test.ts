import { describe, expect, it, vi } from "vitest";
import { isTauri } from "./connect";
import { makeClient, type Transport } from "./client";
import { httpRequest } from "./http";
import { json, noContent, recordingHttp } from "./clientfixtures.test-util";
import { METHOD_OPERATIONS, OPERATIONS, type OperationName } from "./operations";
import { isApiError, toApiError } from "./errors";
import { makeJob } from "./jobfixtures.test-util";

describe("transport selection", () => {
  it("detects Tauri by __TAURI_INTERNALS__", () => {
    expect(isTauri({ __TAURI_INTERNALS__: {} })).toBe(true);
    expect(isTauri({ location: {} })).toBe(false);
  });
});

function fakeTransport() {
  const call = vi.fn(async (op: OperationName, args: unknown) => ({ op, args }));
  const t = {
    transport: "http" as const,
    call: call as unknown as Transport["call"],
    subscribe: vi.fn(() => () => {}),
    watchStatuses: vi.fn(() => () => {}),
    followRunOutput: vi.fn(() => () => {}),
    followLog: vi.fn(() => () => {}),
  };
  return { t, call };
}

describe("makeClient", () => {
  it("has a method for every operation of the table, calling it by name with the request", async () => {
    const { t, call } = fakeTransport();
    const c = makeClient(t) as unknown as Record<string, (req?: unknown) => Promise<unknown>>;
    const ops = Object.keys(OPERATIONS).sort();
    expect(Object.values(METHOD_OPERATIONS).sort()).toEqual(ops);
    for (const [method, op] of Object.entries(METHOD_OPERATIONS)) {
      expect(typeof c[method], method).toBe("function");
      await expect(c[method]({ id: 1 })).resolves.toEqual({ op, args: { id: 1 } });
    }
    expect(call).toHaveBeenCalledTimes(ops.length);
  });

  it("sends an empty request for a method called without one, and keeps the transport's streams", async () => {
    const { t, call } = fakeTransport();
    const c = makeClient(t);
    await c.listPrograms();
    expect(call).toHaveBeenCalledWith("list_programs", {});
    expect(c.transport).toBe("http");
    c.watchStatuses(() => {});
    c.followLog(1, () => {});
    expect(t.watchStatuses).toHaveBeenCalledOnce();
    expect(t.followLog).toHaveBeenCalledOnce();
  });
});

describe("HTTP requests from the operation table", () => {
  it("fills {name} and {name:text} path fields with encodeURIComponent", () => {
    expect(httpRequest("get_job", { id: "a b/c" }).url).toBe("/api/jobs/a%20b%2Fc");
    expect(httpRequest("revoke_trigger", { job: "a b/c", id: 4 })).toEqual({ method: "DELETE", url: "/api/jobs/a%20b%2Fc/triggers/4", body: undefined });
    expect(httpRequest("get_program", { id: 12 }).url).toBe("/api/programs/12");
    expect(httpRequest("get_program", { id: 0 }).url).toBe("/api/programs/0");
    for (const args of [{}, { id: undefined }, { id: null }, { id: "" }]) {
      expect(() => httpRequest("get_job", args)).toThrow(expect.objectContaining({ code: "invalid_input", message: "get_job needs id" }));
    }
  });

  it("body none: the other fields go in the query, unset ones left out, no body", () => {
    expect(httpRequest("list_runs", { job: "x y", status: undefined, limit: 5, before: null })).toEqual({
      method: "GET",
      url: "/api/runs?job=x+y&limit=5",
      body: undefined,
    });
    expect(httpRequest("get_samples", { id: 3, from: 1, to: 2, points: 60 }).url).toBe("/api/programs/3/samples?from=1&to=2&points=60");
    expect(httpRequest("status", {}).url).toBe("/api/status");
  });

  it("body fields: the whole request (path fields too) is the body, no query", () => {
    const job = makeJob({ id: "a b" });
    expect(httpRequest("update_job", job)).toEqual({ method: "PUT", url: "/api/jobs/a%20b", body: job });
    expect(httpRequest("run_job", { id: "n", options: { dry: true } })).toEqual({
      method: "POST",
      url: "/api/jobs/n/run",
      body: { id: "n", options: { dry: true } },
    });
    expect(httpRequest("create_trigger", { job: "n", name: "ci", kind: "token" })).toEqual({
      method: "POST",
      url: "/api/jobs/n/triggers",
      body: { job: "n", name: "ci", kind: "token" },
    });
  });

  it("a named body field: that field is the body, the rest go in the query", () => {
    const document = { vigil_jobs: 1, jobs: [] };
    expect(httpRequest("import_jobs", { document, replace: true })).toEqual({ method: "POST", url: "/api/jobs/import?replace=true", body: document });
    expect(httpRequest("import_jobs", { document })).toEqual({ method: "POST", url: "/api/jobs/import", body: document });
  });

  it("sends them and answers 204 with undefined, JSON as parsed, text/plain as text", async () => {
    const { c, calls } = recordingHttp((url, method) =>
      method === "DELETE"
        ? noContent()
        : url.endsWith("/output")
          ? new Response("2026-01-01T00:00:00.000Z out hi\n", { status: 200, headers: { "Content-Type": "text/plain; charset=utf-8" } })
          : json(200, { run_id: 3 }),
    );
    await expect(c.deleteJob({ id: "a b/c" })).resolves.toBeUndefined();
    await expect(c.revokeTrigger({ job: "j", id: 2 })).resolves.toBeUndefined();
    await expect(c.getRunOutput({ id: 9 })).resolves.toBe("2026-01-01T00:00:00.000Z out hi\n");
    await expect(c.runJob({ id: "a b/c", options: { n: 1 } })).resolves.toEqual({ run_id: 3 });
    expect(calls.map(({ url, method, body }) => ({ url, method, body }))).toEqual([
      { url: "http://d/api/jobs/a%20b%2Fc", method: "DELETE", body: undefined },
      { url: "http://d/api/jobs/j/triggers/2", method: "DELETE", body: undefined },
      { url: "http://d/api/runs/9/output", method: "GET", body: undefined },
      { url: "http://d/api/jobs/a%20b%2Fc/run", method: "POST", body: { id: "a b/c", options: { n: 1 } } },
    ]);
  });

  it("every operation of the table makes a request with its method under /api", async () => {
    const { c, calls } = recordingHttp((_url, method) => (method === "DELETE" ? noContent() : json(200, {})));
    const client = c as unknown as Record<string, (req?: unknown) => Promise<unknown>>;
    for (const method of Object.keys(METHOD_OPERATIONS)) {
      await client[method]({ id: 1, job: "j", document: {}, since: 0, schedule: "* * * * *", from: 0, to: 1, ids: [] });
    }
    expect(calls.map((x) => x.method)).toEqual(Object.values(METHOD_OPERATIONS).map((op) => OPERATIONS[op].method));
    expect(calls.every((x) => x.url.startsWith("http://d/api/") && !x.url.includes("{"))).toBe(true);
  });
});

describe("toApiError", () => {
  it("keeps known ApiErrors and strips extra fields", () => {
    expect(toApiError({ code: "not_found", message: "x", extra: 1 })).toEqual({ code: "not_found", message: "x" });
  });
  it("maps strings, Errors and unknown values to the fallback code", () => {
    expect(toApiError("boom")).toEqual({ code: "internal", message: "boom" });
    expect(toApiError(new Error("bad"), "unavailable")).toEqual({ code: "unavailable", message: "bad" });
    expect(toApiError(undefined)).toMatchObject({ code: "internal" });
  });
  it("isApiError rejects unknown codes and missing messages", () => {
    expect(isApiError({ code: "conflict", message: "m" })).toBe(true);
    expect(isApiError({ code: "nope", message: "m" })).toBe(false);
    expect(isApiError({ code: "conflict" })).toBe(false);
    expect(isApiError(null)).toBe(false);
  });
});
