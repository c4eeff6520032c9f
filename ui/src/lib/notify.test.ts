import { afterEach, describe, expect, it, vi } from "vitest";
import type { Attempt, Delivery, Endpoint, EventKind, Rule } from "./types";
import { EVENT_LABELS } from "./labels";
import {
  ALL_EVENT_KINDS,
  pendingKey,
  pendingRecheckMs,
  PendingRecheck,
  FormError,
  SECRET_MASK,
  UNKNOWN_BASE,
  appendPage,
  attemptOk,
  attemptResult,
  curlExample,
  deliveryTarget,
  describeRule,
  emptyEndpointForm,
  emptyRuleForm,
  endpointHints,
  endpointToForm,
  eventKindGroups,
  formToEndpoint,
  formToRule,
  formatFold,
  hookUrl,
  mergeFirstPage,
  olderCursor,
  ruleHints,
  ruleToForm,
  shellQuote,
  templatePlaceholders,
  toggled,
} from "./notify";

// The UI's TypeScript setup has no Node types: load child_process untyped, by a computed name.
type ExecFileSync = (file: string, args: string[], opts: { encoding: "utf8" }) => string;
const childProcess = "node:child_process";
const { execFileSync } = (await import(/* @vite-ignore */ childProcess)) as { execFileSync: ExecFileSync };

function available(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
    return true;
  } catch {
    return false;
  }
}
const hasShell = available("printf");
const hasOpenssl = hasShell && available("openssl");

async function hmacHex(secret: string, body: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(body)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const stored: Endpoint = {
  id: 7,
  name: "ops",
  url: "https://hooks.example.com/x",
  method: "PUT",
  headers: [
    { name: "X-Team", value: "ops", secret: false },
    { name: "X-Api-Key", value: SECRET_MASK, secret: true },
  ],
  preset: "custom",
  template: '{"t": "{{title}}"}',
  signing_secret: SECRET_MASK,
  enabled: false,
  timeout_ms: 2500,
  max_attempts: 3,
  backoff_ms: 100,
};

describe("endpoint form", () => {
  it("starts with the daemon's defaults", () => {
    const e = formToEndpoint({ ...emptyEndpointForm(), name: "a", url: "http://h/" });
    expect(e).toEqual({
      name: "a",
      url: "http://h/",
      method: "POST",
      headers: [],
      preset: "json",
      enabled: true,
      timeout_ms: 10000,
      max_attempts: 8,
      backoff_ms: 5000,
    });
    expect("id" in e).toBe(false);
  });

  it("round-trips a stored endpoint, sending the masked secrets back unchanged", () => {
    expect(formToEndpoint(endpointToForm(stored), stored.id)).toEqual(stored);
  });

  it("fills the defaults for fields an endpoint left out", () => {
    const f = endpointToForm({ name: "n", url: "http://h/" });
    expect(f).toMatchObject({ method: "POST", preset: "json", template: "", headers: [], signing_secret: "", enabled: true, timeout_ms: "10000", max_attempts: "8", backoff_ms: "5000" });
  });

  it("drops empty header rows, trims names, keeps values as typed, and omits a blank secret and template", () => {
    const f = {
      ...emptyEndpointForm(),
      name: "  n  ",
      url: " http://h/ ",
      template: "   ",
      signing_secret: "  ",
      headers: [
        { name: "", value: "", secret: false },
        { name: " X-A ", value: " v ", secret: true },
        { name: "", value: "orphan", secret: false },
      ],
    };
    const e = formToEndpoint(f, 0);
    expect(e.name).toBe("n");
    expect(e.url).toBe("http://h/");
    // A value without a name is sent: the daemon names the problem.
    expect(e.headers).toEqual([
      { name: "X-A", value: " v ", secret: true },
      { name: "", value: "orphan", secret: false },
    ]);
    expect("template" in e).toBe(false);
    expect("signing_secret" in e).toBe(false);
    expect("id" in e).toBe(false);
  });

  it("refuses numbers that are not whole numbers, naming the field", () => {
    expect(() => formToEndpoint({ ...emptyEndpointForm(), timeout_ms: "10s" })).toThrow(FormError);
    expect(() => formToEndpoint({ ...emptyEndpointForm(), max_attempts: "-1" })).toThrow(/Attempts/);
    expect(() => formToEndpoint({ ...emptyEndpointForm(), backoff_ms: "" })).toThrow(/Backoff/);
    expect(formToEndpoint({ ...emptyEndpointForm(), backoff_ms: " 250 " }).backoff_ms).toBe(250);
  });

  it("does not refuse what the daemon should judge (ranges, URLs)", () => {
    const e = formToEndpoint({ ...emptyEndpointForm(), url: "ftp://x", timeout_ms: "0" });
    expect(e.url).toBe("ftp://x");
    expect(e.timeout_ms).toBe(0);
  });
});

describe("template placeholders and endpoint hints", () => {
  it("reads placeholders as the daemon does: trimmed, each once, an unclosed one ignored", () => {
    expect(templatePlaceholders('{"a": "{{ title }}", "b": {{count}}, "c": "{{title}}", "d": "{{oops"}')).toEqual(["title", "count"]);
    expect(templatePlaceholders("no placeholders")).toEqual([]);
  });

  it("has no advice for a good endpoint", () => {
    expect(endpointHints({ ...emptyEndpointForm(), name: "a", url: "https://h.example/x" })).toEqual([]);
    expect(endpointHints({ ...emptyEndpointForm(), preset: "custom", url: "http://h", template: '{"text": "{{title}}: {{text}}"}' })).toEqual([]);
  });

  it("flags a URL without http(s) and a host", () => {
    for (const url of ["example.com/hook", "ftp://h/x", "http://", "https:///x"]) {
      expect(endpointHints({ ...emptyEndpointForm(), url })).toEqual([expect.stringMatching(/http:\/\/ or https:\/\//)]);
    }
  });

  it("asks for a template with the custom preset and names unknown placeholders", () => {
    expect(endpointHints({ ...emptyEndpointForm(), preset: "custom" })).toEqual([expect.stringMatching(/needs a template/)]);
    expect(endpointHints({ ...emptyEndpointForm(), preset: "custom", template: '{"a": "{{nme}} {{title}} {{x}}"}' })).toEqual([
      "Unknown placeholders {{nme}}, {{x}}.",
    ]);
    // Other presets do not use the template.
    expect(endpointHints({ ...emptyEndpointForm(), preset: "slack", template: "{{nme}}" })).toEqual([]);
  });

  it("notices a header set twice, in any case", () => {
    const headers = [
      { name: "X-A", value: "1", secret: false },
      { name: "x-a", value: "2", secret: false },
    ];
    expect(endpointHints({ ...emptyEndpointForm(), headers })).toEqual(['The header "x-a" is set twice.']);
  });
});

describe("rule form", () => {
  const rule: Rule = {
    id: 3,
    name: "crashes",
    enabled: false,
    kinds: ["program_crashed", "run_failed"],
    programs: [1, 2],
    jobs: ["nightly"],
    tags: ["prod", "db"],
    os: true,
    endpoints: [7],
    fold_secs: 0,
  };

  it("round-trips a rule", () => {
    expect(formToRule(ruleToForm(rule), 3)).toEqual(rule);
  });

  it("fills the defaults for fields a rule left out", () => {
    expect(ruleToForm({ name: "x" })).toEqual({ ...emptyRuleForm(), name: "x" });
    expect(emptyRuleForm()).toMatchObject({ enabled: true, kinds: [], os: false, endpoints: [], fold_secs: "300" });
  });

  it("parses tags and the fold window, refusing a fold that is not a whole number", () => {
    const r = formToRule({ ...emptyRuleForm(), name: " n ", tags: " a, b,, a ", fold_secs: " 60 " });
    expect(r).toMatchObject({ name: "n", tags: ["a", "b"], fold_secs: 60 });
    expect("id" in r).toBe(false);
    expect(() => formToRule({ ...emptyRuleForm(), fold_secs: "5m" })).toThrow(/Fold window/);
  });

  it("does not share arrays with the form", () => {
    const f = { ...emptyRuleForm(), kinds: ["run_failed" as EventKind] };
    const r = formToRule(f);
    f.kinds.push("run_started");
    expect(r.kinds).toEqual(["run_failed"]);
  });

  it("hints at a missing channel and a fold window over a day", () => {
    expect(ruleHints(emptyRuleForm())).toEqual([expect.stringMatching(/channel/)]);
    expect(ruleHints({ ...emptyRuleForm(), os: true })).toEqual([]);
    expect(ruleHints({ ...emptyRuleForm(), endpoints: [1], fold_secs: "86401" })).toEqual([expect.stringMatching(/86400/)]);
  });

  it("toggles list members without duplicates", () => {
    expect(toggled([1, 2], 3, true)).toEqual([1, 2, 3]);
    expect(toggled([1, 2], 2, true)).toEqual([1, 2]);
    expect(toggled([1, 2, 1], 1, false)).toEqual([2]);
  });
});

describe("event kind groups", () => {
  it("lists every known kind exactly once", () => {
    const flat = eventKindGroups().flatMap((g) => g.kinds);
    expect(flat.slice().sort()).toEqual(Object.keys(EVENT_LABELS).sort());
    expect(new Set(flat).size).toBe(flat.length);
    expect(eventKindGroups().map((g) => g.label)).not.toContain("Other");
  });

  it("puts the notification kinds together and unknown kinds in Other", () => {
    const groups = eventKindGroups([...ALL_EVENT_KINDS, "something_new" as EventKind]);
    expect(groups.find((g) => g.label === "Notifications")?.kinds).toEqual(["delivery_dead_lettered", "endpoint_failing", "endpoint_recovered"]);
    expect(groups.find((g) => g.label === "Programs")?.kinds).toContain("restart_given_up");
    expect(groups[groups.length - 1]).toEqual({ label: "Other", kinds: ["something_new"] });
  });
});

describe("rule descriptions", () => {
  const names = { endpoints: new Map([[7, "Slack ops"]]), programs: new Map([[1, "db"]]) };

  it("describes a rule for everything", () => {
    expect(describeRule({ name: "x", os: true }, names)).toEqual({
      events: "all events",
      scope: "everything",
      channels: "OS notification",
      fold: "folds repeats within 5 min",
    });
  });

  it("names kinds, filters and channels, falling back to ids", () => {
    const d = describeRule(
      { name: "x", kinds: ["program_crashed", "run_failed", "run_timed_out", "run_started"], programs: [1, 9], jobs: ["n"], tags: ["t"], endpoints: [7, 8], fold_secs: 0 },
      names,
    );
    expect(d.events).toBe("crashed, failed, timed out +1");
    expect(d.scope).toBe("programs db, #9; jobs n; tags t");
    expect(d.channels).toBe("Slack ops, endpoint #8");
    expect(d.fold).toBe("every event");
  });

  it("formats fold windows", () => {
    expect(formatFold(0)).toBe("every event");
    expect(formatFold(90)).toBe("90 s");
    expect(formatFold(120)).toBe("2 min");
    expect(formatFold(7200)).toBe("2 h");
  });
});

function delivery(id: number, over: Partial<Delivery> = {}): Delivery {
  return {
    id,
    event_id: id,
    rule_id: 1,
    endpoint_id: 7,
    channel: "webhook",
    status: "delivered",
    count: 1,
    attempts: 1,
    next_at: 0,
    created_at: id,
    updated_at: id,
    idempotency_key: `k${id}`,
    summary: "s",
    last_error: null,
    ...over,
  };
}

describe("delivery log", () => {
  const endpoints = new Map([[7, "ops"]]);

  it("names the target of a delivery", () => {
    expect(deliveryTarget(delivery(1), endpoints)).toBe("ops");
    expect(deliveryTarget(delivery(1, { endpoint_id: 9 }), endpoints)).toBe("endpoint #9 (removed)");
    expect(deliveryTarget(delivery(1, { channel: "os", endpoint_id: null }), endpoints)).toBe("OS notification");
    expect(deliveryTarget(delivery(1, { endpoint_id: null }), endpoints)).toBe("webhook");
  });

  it("keeps older pages below a refreshed first page", () => {
    const shown = [delivery(10), delivery(9), delivery(8), delivery(5), delivery(4)];
    const fresh = [delivery(12), delivery(11), delivery(10, { status: "dead" }), delivery(9)];
    const merged = mergeFirstPage(fresh, shown);
    expect(merged.map((d) => d.id)).toEqual([12, 11, 10, 9, 8, 5, 4]);
    expect(merged[2].status).toBe("dead");
    expect(mergeFirstPage([], shown)).toEqual([]);
  });

  it("appends an older page without repeating rows and pages back from the oldest id", () => {
    const shown = [delivery(10), delivery(9)];
    expect(olderCursor(shown)).toBe(9);
    expect(olderCursor([])).toBeUndefined();
    expect(appendPage(shown, [delivery(9), delivery(8)]).map((d) => d.id)).toEqual([10, 9, 8]);
  });

  it("tells attempts apart", () => {
    const a = (over: Partial<Attempt>): Attempt => ({ n: 1, ts: 0, status_code: null, error: null, latency_ms: 3, ...over });
    expect(attemptOk(a({ status_code: 204 }))).toBe(true);
    expect(attemptOk(a({}))).toBe(true); // an OS notification shown
    expect(attemptOk(a({ status_code: 500 }))).toBe(false);
    expect(attemptOk(a({ status_code: 302 }))).toBe(false);
    expect(attemptOk(a({ error: "cannot connect: refused" }))).toBe(false);
    expect(attemptResult(a({ status_code: 200 }))).toBe("HTTP 200");
    expect(attemptResult(a({ status_code: 503, error: "busy" }))).toBe("HTTP 503: busy");
    expect(attemptResult(a({ error: "no answer within 100 ms" }))).toBe("no answer within 100 ms");
    expect(attemptResult(a({}))).toBe("shown");
  });
});

describe("trigger help", () => {
  it("builds the hook URL, escaping the job id and a trailing slash", () => {
    expect(hookUrl("http://127.0.0.1:7070/", "nightly")).toBe("http://127.0.0.1:7070/hooks/jobs/nightly");
    expect(hookUrl("http://h", "a b")).toBe("http://h/hooks/jobs/a%20b");
    expect(hookUrl(null, "j")).toBe(`${UNKNOWN_BASE}/hooks/jobs/j`);
  });

  it("quotes shell words, single quotes included", () => {
    expect(shellQuote("abc")).toBe("'abc'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it("gives the token example the brief's shape", () => {
    expect(curlExample("token", "tok123", "http://h:1", "nightly")).toBe(
      `curl -X POST -H 'Authorization: Bearer tok123' -H 'Content-Type: application/json' -d '{"options":{}}' 'http://h:1/hooks/jobs/nightly'`,
    );
  });

  // Run the examples through a real shell with `curl` replaced by a function that prints its
  // arguments: the quoting and, for HMAC, the signature must come out right.
  const shell = (script: string) =>
    execFileSync("sh", ["-c", `curl() { for a in "$@"; do printf '%s\\n' "$a"; done; }\n${script}`], { encoding: "utf8" }).trimEnd().split("\n");

  it.skipIf(!hasShell)("passes a token with shell metacharacters through intact", () => {
    const secret = `a'b"c$d e`;
    const args = shell(curlExample("token", secret, "http://h:1", "j"));
    expect(args).toEqual(["-X", "POST", "-H", `Authorization: Bearer ${secret}`, "-H", "Content-Type: application/json", "-d", '{"options":{}}', "http://h:1/hooks/jobs/j"]);
  });

  it.skipIf(!hasOpenssl)("signs the body with the HMAC secret as the daemon checks it", async () => {
    const secret = "k3y'with$quote";
    const args = shell(curlExample("hmac", secret, "http://h:1", "j"));
    const body = '{"options":{}}';
    const sig = await hmacHex(secret, body);
    expect(args).toEqual(["-X", "POST", "-H", `X-Vigil-Signature-256: sha256=${sig}`, "-H", "Content-Type: application/json", "-d", body, "http://h:1/hooks/jobs/j"]);
  });
});

describe("pendingRecheckMs", () => {
  const d = (status: "pending" | "delivered" | "dead", next_at: number) => ({ status, next_at });
  it("is null without pending deliveries", () => {
    expect(pendingRecheckMs([], 0)).toBeNull();
    expect(pendingRecheckMs([d("delivered", 5), d("dead", 0)], 0)).toBeNull();
  });
  it("waits until the earliest pending one is due, at least a second", () => {
    expect(pendingRecheckMs([d("pending", 10_000), d("pending", 4_000), d("delivered", 1)], 1_000)).toBe(3_500);
    expect(pendingRecheckMs([d("pending", 900)], 1_000)).toBe(1_000);
  });
  it("waits longer after rechecks that changed nothing, up to about a minute", () => {
    expect(pendingRecheckMs([d("pending", 0)], 1_000, 1)).toBe(2_000);
    expect(pendingRecheckMs([d("pending", 0)], 1_000, 3)).toBe(8_000);
    expect(pendingRecheckMs([d("pending", 0)], 1_000, 50)).toBe(64_000);
  });
});

describe("PendingRecheck", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const pending = (next_at: number) => [{ status: "pending" as const, next_at }];

  it("loads again when the pending delivery is due, waiting longer while nothing changes", () => {
    vi.useFakeTimers({ now: 0 });
    const load = vi.fn();
    const r = new PendingRecheck(load);
    r.loaded(pending(4_000), true);
    vi.advanceTimersByTime(4_499);
    expect(load).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(load).toHaveBeenCalledTimes(1);
    // Still pending past its time, unchanged: 1 s, then 2 s.
    r.loaded(pending(0), false);
    vi.advanceTimersByTime(1_000);
    expect(load).toHaveBeenCalledTimes(2);
    r.loaded(pending(0), false);
    vi.advanceTimersByTime(1_999);
    expect(load).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1);
    expect(load).toHaveBeenCalledTimes(3);
    // An event starts the streak over.
    r.restart();
    r.loaded(pending(0), false);
    vi.advanceTimersByTime(1_000);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it("drops the waiting look when none is pending any more, and on stop", () => {
    vi.useFakeTimers({ now: 0 });
    const load = vi.fn();
    const r = new PendingRecheck(load);
    r.loaded(pending(5_000), true);
    r.loaded([{ status: "delivered", next_at: 5_000 }], true);
    vi.advanceTimersByTime(60_000);
    expect(load).not.toHaveBeenCalled();
    r.loaded(pending(5_000), true);
    r.stop();
    vi.advanceTimersByTime(60_000);
    expect(load).not.toHaveBeenCalled();
  });
});

describe("pendingKey", () => {
  it("pendingKey changes when a pending delivery is sent or tried again", () => {
    const a = { id: 1, status: "pending" as const, attempts: 0 };
    expect(pendingKey([a])).not.toBe(pendingKey([{ ...a, status: "delivered" }]));
    expect(pendingKey([a])).not.toBe(pendingKey([{ ...a, attempts: 1 }]));
    expect(pendingKey([a])).toBe(pendingKey([{ ...a }]));
  });
});
