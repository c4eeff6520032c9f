// The notification and trigger endpoints on both transports: URLs, methods, bodies, query
// parameters and IPC arguments.
import { describe, expect, it } from "vitest";
import { json, noContent, recordingHttp, recordingTauri, tauriClient } from "./clientfixtures.test-util";
import type { InvokeFn } from "./tauri";
import type { Attempt, Delivery, Endpoint, Health, NewTrigger, Rule, TriggerCredential } from "./types";

const endpoint: Endpoint = {
  id: 4,
  name: "hook",
  url: "http://127.0.0.1:9/x",
  method: "POST",
  headers: [{ name: "X-Key", value: "********", secret: true }],
  preset: "json",
  signing_secret: "********",
  enabled: true,
  timeout_ms: 10000,
  max_attempts: 8,
  backoff_ms: 5000,
};
const { id: _drop, ...newEndpoint } = endpoint;
const rule: Rule = { id: 2, name: "all", enabled: true, kinds: [], programs: [], jobs: [], tags: [], os: false, endpoints: [4], fold_secs: 300 };
const { id: _dropRule, ...newRule } = rule;
const attempt: Attempt = { n: 1, ts: 5, status_code: 200, error: null, latency_ms: 12 };
const delivery: Delivery = {
  id: 30,
  event_id: 7,
  rule_id: 2,
  endpoint_id: 4,
  channel: "webhook",
  status: "dead",
  count: 1,
  attempts: 8,
  next_at: 0,
  created_at: 1,
  updated_at: 2,
  idempotency_key: "k",
  summary: "x crashed",
  last_error: "HTTP 500",
};
const health: Health = {
  level: "warning",
  programs_running: 1,
  programs_stopped: 0,
  programs_waiting: 0,
  programs_errored: 0,
  runs_running: 0,
  failing_jobs: [],
  deliveries_pending: 0,
  deliveries_dead: 1,
  endpoints_resting: 0,
  resting_endpoints: [],
  checks_critical: [],
  checks_warning: [],
  plugins_resting: [],
  reasons: ["1 delivery is dead"],
};
const cred: TriggerCredential = { id: 3, job_id: "nightly", name: "ci", kind: "token", created_at: 1, last_used_at: null };
const created: NewTrigger = { credential: cred, secret: "s3cret" };

describe("HTTP transport: notifications", () => {
  it("reads the overall health from /api/health/overall with the token", async () => {
    const { c, calls } = recordingHttp(() => json(200, health));
    await expect(c.overallHealth()).resolves.toEqual(health);
    expect(calls).toMatchObject([{ method: "GET", url: "http://d/api/health/overall", headers: { Authorization: "Bearer tok" } }]);
  });

  it("creates an endpoint by POST and replaces one by PUT to its path", async () => {
    const { c, calls } = recordingHttp((_u, method) => json(method === "POST" ? 201 : 200, endpoint));
    await expect(c.createEndpoint(newEndpoint)).resolves.toEqual(endpoint);
    await expect(c.updateEndpoint(endpoint)).resolves.toEqual(endpoint);
    expect(calls.map((x) => [x.method, x.url, x.body])).toEqual([
      ["POST", "http://d/api/endpoints", newEndpoint],
      ["PUT", "http://d/api/endpoints/4", endpoint],
    ]);
    expect(calls[0].headers["Content-Type"]).toBe("application/json");
  });

  it("lists, gets, tests and deletes endpoints (204 resolves with nothing)", async () => {
    const { c, calls } = recordingHttp((url, method) =>
      method === "DELETE" ? noContent() : url.endsWith("/test") ? json(200, attempt) : url.endsWith("/endpoints") ? json(200, [endpoint]) : json(200, endpoint),
    );
    await expect(c.listEndpoints()).resolves.toEqual([endpoint]);
    await expect(c.getEndpoint({ id: 4 })).resolves.toEqual(endpoint);
    await expect(c.testEndpoint({ id: 4 })).resolves.toEqual(attempt);
    await expect(c.deleteEndpoint({ id: 4 })).resolves.toBeUndefined();
    expect(calls.map((x) => [x.method, x.url, x.body])).toEqual([
      ["GET", "http://d/api/endpoints", undefined],
      ["GET", "http://d/api/endpoints/4", undefined],
      ["POST", "http://d/api/endpoints/4/test", undefined],
      ["DELETE", "http://d/api/endpoints/4", undefined],
    ]);
  });

  it("lists, creates, replaces and deletes rules", async () => {
    const { c, calls } = recordingHttp((url, method) =>
      method === "DELETE" ? noContent() : method === "GET" ? json(200, [rule]) : json(method === "POST" ? 201 : 200, rule),
    );
    await expect(c.listRules()).resolves.toEqual([rule]);
    await expect(c.createRule(newRule)).resolves.toEqual(rule);
    await expect(c.updateRule(rule)).resolves.toEqual(rule);
    await expect(c.deleteRule({ id: 2 })).resolves.toBeUndefined();
    expect(calls.map((x) => [x.method, x.url, x.body])).toEqual([
      ["GET", "http://d/api/rules", undefined],
      ["POST", "http://d/api/rules", newRule],
      ["PUT", "http://d/api/rules/2", rule],
      ["DELETE", "http://d/api/rules/2", undefined],
    ]);
  });

  it("lists deliveries with only the filters given, gets one and replays", async () => {
    const { c, calls } = recordingHttp((url) =>
      url.includes("/replay") ? json(200, { replayed: 3 }) : /\/deliveries\/\d+$/.test(url) ? json(200, { delivery, attempts: [attempt] }) : json(200, [delivery]),
    );
    await expect(c.listDeliveries({})).resolves.toEqual([delivery]);
    await c.listDeliveries({ status: "dead" });
    await c.listDeliveries({ status: "pending", endpoint: 4, before: 30, limit: 50 });
    await expect(c.getDelivery({ id: 30 })).resolves.toEqual({ delivery, attempts: [attempt] });
    await expect(c.replayDeliveries({ ids: [30, 31] })).resolves.toEqual({ replayed: 3 });
    await c.replayDeliveries({ ids: [] });
    await c.replayDeliveries({ ids: [], endpoint: 4 });
    expect(calls.map((x) => [x.method, x.url, x.body])).toEqual([
      ["GET", "http://d/api/deliveries", undefined],
      ["GET", "http://d/api/deliveries?status=dead", undefined],
      ["GET", "http://d/api/deliveries?status=pending&endpoint=4&before=30&limit=50", undefined],
      ["GET", "http://d/api/deliveries/30", undefined],
      ["POST", "http://d/api/deliveries/replay", { ids: [30, 31] }],
      ["POST", "http://d/api/deliveries/replay", { ids: [] }],
      ["POST", "http://d/api/deliveries/replay", { ids: [], endpoint: 4 }],
    ]);
  });

  it("lists, creates and revokes a job's trigger credentials under its escaped path", async () => {
    const { c, calls } = recordingHttp((_u, method) => (method === "DELETE" ? noContent() : method === "POST" ? json(201, created) : json(200, [cred])));
    await expect(c.listTriggers({ job: "nightly" })).resolves.toEqual([cred]);
    await expect(c.createTrigger({ job: "nightly", name: "ci", kind: "hmac" })).resolves.toEqual(created);
    await expect(c.revokeTrigger({ job: "nightly", id: 3 })).resolves.toBeUndefined();
    await c.listTriggers({ job: "a b/c" });
    expect(calls.map((x) => [x.method, x.url, x.body])).toEqual([
      ["GET", "http://d/api/jobs/nightly/triggers", undefined],
      ["POST", "http://d/api/jobs/nightly/triggers", { job: "nightly", name: "ci", kind: "hmac" }],
      ["DELETE", "http://d/api/jobs/nightly/triggers/3", undefined],
      ["GET", "http://d/api/jobs/a%20b%2Fc/triggers", undefined],
    ]);
  });

  it("rejects with the daemon's error for a bad endpoint, an unknown rule and a missing job", async () => {
    const bad = { code: "invalid_input", message: 'invalid URL "nope": relative URL without a base' };
    const { c } = recordingHttp((url) =>
      url.includes("/rules/") ? json(404, { code: "not_found", message: "no rule 9" }) : url.includes("/triggers") ? json(404, { code: "not_found", message: 'no job "x"' }) : json(400, bad),
    );
    await expect(c.createEndpoint({ ...newEndpoint, url: "nope" })).rejects.toEqual(bad);
    await expect(c.deleteRule({ id: 9 })).rejects.toEqual({ code: "not_found", message: "no rule 9" });
    await expect(c.createTrigger({ job: "x", name: "ci", kind: "token" })).rejects.toEqual({ code: "not_found", message: 'no job "x"' });
  });
});

describe("Tauri transport: notifications", () => {
  it("calls every notification operation by name with its request", async () => {
    const { c, invoke } = recordingTauri();
    await c.overallHealth();
    await c.listEndpoints();
    await c.getEndpoint({ id: 4 });
    await c.createEndpoint(newEndpoint);
    await c.updateEndpoint(endpoint);
    await c.deleteEndpoint({ id: 4 });
    await c.testEndpoint({ id: 4 });
    await c.listRules();
    await c.createRule(newRule);
    await c.deleteRule({ id: 2 });
    await c.listDeliveries({ status: "dead", endpoint: 4, before: 30, limit: 50 });
    await c.getDelivery({ id: 30 });
    await c.replayDeliveries({ ids: [30] });
    await c.listTriggers({ job: "nightly" });
    await c.createTrigger({ job: "nightly", name: "ci", kind: "token" });
    await c.revokeTrigger({ job: "nightly", id: 3 });
    expect(invoke.mock.calls.map(([cmd, a]) => [cmd, (a as { op: string }).op, (a as { args: unknown }).args])).toEqual([
      ["call", "overall_health", {}],
      ["call", "list_endpoints", {}],
      ["call", "get_endpoint", { id: 4 }],
      ["call", "create_endpoint", newEndpoint],
      ["call", "update_endpoint", endpoint],
      ["call", "delete_endpoint", { id: 4 }],
      ["call", "test_endpoint", { id: 4 }],
      ["call", "list_rules", {}],
      ["call", "create_rule", newRule],
      ["call", "delete_rule", { id: 2 }],
      ["call", "list_deliveries", { status: "dead", endpoint: 4, before: 30, limit: 50 }],
      ["call", "get_delivery", { id: 30 }],
      ["call", "replay_deliveries", { ids: [30] }],
      ["call", "list_triggers", { job: "nightly" }],
      ["call", "create_trigger", { job: "nightly", name: "ci", kind: "token" }],
      ["call", "revoke_trigger", { job: "nightly", id: 3 }],
    ]);
  });

  it("returns what the operations answer, resolves deletes with nothing, and maps errors", async () => {
    const invoke = (async (_cmd: string, a?: Record<string, unknown>) => {
      switch (a?.op) {
        case "delete_endpoint":
          return endpoint;
        case "delete_rule":
        case "revoke_trigger":
          return null;
        case "test_endpoint":
          return attempt;
        case "create_trigger":
          return created;
        default:
          throw { code: "invalid_input", message: "a rule needs a channel: the OS notification or at least one endpoint" };
      }
    }) as InvokeFn;
    const c = tauriClient(invoke);
    await expect(c.deleteEndpoint({ id: 4 })).resolves.toBeUndefined();
    await expect(c.deleteRule({ id: 2 })).resolves.toBeUndefined();
    await expect(c.revokeTrigger({ job: "j", id: 1 })).resolves.toBeUndefined();
    await expect(c.testEndpoint({ id: 4 })).resolves.toEqual(attempt);
    await expect(c.createTrigger({ job: "j", name: "ci", kind: "token" })).resolves.toEqual(created);
    await expect(c.createRule(newRule)).rejects.toEqual({
      code: "invalid_input",
      message: "a rule needs a channel: the OS notification or at least one endpoint",
    });
  });
});
