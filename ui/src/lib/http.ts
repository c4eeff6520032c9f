import type {
  ApiError,
  Attempt,
  Delivery,
  DeliveryDetail,
  Endpoint,
  Event,
  Health,
  Job,
  NewProgram,
  NewTrigger,
  Program,
  ProgramStatus,
  Replayed,
  Rule,
  Run,
  SampleBucket,
  Status,
  TriggerCredential,
} from "./types";
import type { JobsDashboard, RunAccepted } from "./jobtypes";
import type { SubscribeHooks, VigilClient } from "./client";
import { apiError, isApiError, isErrorCode } from "./errors";
import { EventSequencer } from "./events";
import { SseParser } from "./sse";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type HttpClientOptions = {
  /** Origin prefix for `/api/...`; "" for same-origin. */
  baseUrl: string;
  getToken: () => string | null;
  /** Injectable for tests; defaults to the global fetch. */
  fetch?: FetchLike;
  /** Delay before reconnect attempt `n` (1-based) of the event stream. */
  retryDelayMs?: (attempt: number) => number;
  /** Injectable for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
};

export const defaultRetryDelay = (attempt: number): number =>
  Math.min(250 * 2 ** Math.max(0, attempt - 1), 5000);

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

/** Turn a non-2xx response into an ApiError (JSON body if it is one). */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let text = "";
  try {
    text = await res.text();
  } catch {
    /* body unreadable: fall through */
  }
  try {
    const body: unknown = JSON.parse(text);
    if (isApiError(body)) return { code: body.code, message: body.message };
    if (
      typeof body === "object" &&
      body !== null &&
      typeof (body as { message?: unknown }).message === "string" &&
      !isErrorCode((body as { code?: unknown }).code)
    ) {
      // JSON error with an unknown code: keep the server's message.
      return apiError("internal", (body as { message: string }).message);
    }
  } catch {
    /* not JSON */
  }
  return apiError("internal", `HTTP ${res.status}`);
}

function networkError(e: unknown): ApiError {
  const detail = e instanceof Error && e.message ? `: ${e.message}` : "";
  return apiError("unavailable", `cannot reach the Vigil daemon${detail}`);
}

export function createHttpClient(opts: HttpClientOptions): VigilClient {
  const doFetch: FetchLike = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const retryDelay = opts.retryDelayMs ?? defaultRetryDelay;
  const sleep = opts.sleep ?? abortableSleep;

  function headers(extra?: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    const token = opts.getToken();
    if (token) h["Authorization"] = `Bearer ${token}`;
    return h;
  }

  async function send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await doFetch(opts.baseUrl + path, {
        method,
        headers: headers(body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" }),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      throw networkError(e);
    }
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  }

  async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await send(method, path, body);
    try {
      return (await res.json()) as T;
    } catch {
      throw apiError("internal", `invalid JSON in response to ${method} ${path}`);
    }
  }

  async function text(method: string, path: string): Promise<string> {
    const res = await send(method, path);
    try {
      return await res.text();
    } catch {
      throw apiError("internal", `unreadable response to ${method} ${path}`);
    }
  }

  function subscribe(since: number, onEvent: (e: Event) => void, hooks: SubscribeHooks = {}): () => void {
    const ctl = new AbortController();
    const seq = new EventSequencer(onEvent, since);

    let openedAt = 0;

    async function connectOnce(): Promise<void> {
      const res = await send("GET", `/api/events?since=${seq.lastId}`, undefined, ctl.signal).catch((e: unknown) => {
        throw isApiError(e) ? e : networkError(e);
      });
      if (!res.body) throw apiError("internal", "event stream has no body");
      openedAt = Date.now();
      hooks.onOpen?.();
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      const parser = new SseParser();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const msg of parser.push(decoder.decode(value, { stream: true }))) {
            if (!msg.data) continue;
            let ev: Event;
            try {
              ev = JSON.parse(msg.data) as Event;
            } catch {
              continue; // not an event record; ignore
            }
            if (typeof ev?.id === "number") seq.push(ev);
          }
        }
      } finally {
        reader.releaseLock();
      }
    }

    (async () => {
      let attempt = 0;
      while (!ctl.signal.aborted) {
        const before = seq.lastId;
        openedAt = 0;
        try {
          await connectOnce();
        } catch (e) {
          if (ctl.signal.aborted) break;
          hooks.onError?.(isApiError(e) ? e : networkError(e));
        }
        if (ctl.signal.aborted) break;
        // A stream that delivered events or stayed up a while was healthy:
        // restart the backoff. One that keeps closing right away backs off.
        if (seq.lastId > before || (openedAt > 0 && Date.now() - openedAt > 10_000)) attempt = 0;
        attempt++;
        await sleep(retryDelay(attempt), ctl.signal);
      }
    })();

    return () => ctl.abort();
  }

  return {
    transport: "http",
    status: () => json<Status>("GET", "/api/status"),
    listPrograms: () => json<Program[]>("GET", "/api/programs"),
    getProgram: (id) => json<Program>("GET", `/api/programs/${encodeURIComponent(id)}`),
    addProgram: (p) => json<Program>("POST", "/api/programs", p),
    removeProgram: async (id) => {
      await send("DELETE", `/api/programs/${encodeURIComponent(id)}`);
    },
    programStatuses: () => json<ProgramStatus[]>("GET", "/api/programs/status"),
    programStatus: (id) => json<ProgramStatus>("GET", `${programPath(id)}/status`),
    startProgram: (id) => json<ProgramStatus>("POST", `${programPath(id)}/start`),
    stopProgram: (id) => json<ProgramStatus>("POST", `${programPath(id)}/stop`),
    restartProgram: (id) => json<ProgramStatus>("POST", `${programPath(id)}/restart`),
    samples: (id, from, to, points) =>
      json<SampleBucket[]>("GET", `${programPath(id)}/samples${query({ from, to, points })}`),
    programEvents: (id, before, limit) => json<Event[]>("GET", `${programPath(id)}/events${query({ before, limit })}`),
    logTail: (id, lines) => json<string[]>("GET", `${programPath(id)}/logs${query({ lines })}`),
    subscribe,
    listJobs: () => json<Job[]>("GET", "/api/jobs"),
    getJob: (id) => json<Job>("GET", jobPath(id)),
    createJob: (job) => json<Job>("POST", "/api/jobs", job),
    updateJob: (job) => json<Job>("PUT", jobPath(job.id), job),
    deleteJob: async (id) => {
      await send("DELETE", jobPath(id));
    },
    runJob: (id, options) => json<RunAccepted>("POST", `${jobPath(id)}/run`, { options }),
    listRuns: (f = {}) =>
      json<Run[]>("GET", `/api/runs${query({ job: f.job, status: f.status, limit: f.limit, before: f.before })}`),
    getRun: (id) => json<Run>("GET", runPath(id)),
    runOutput: (id) => text("GET", `${runPath(id)}/output`),
    cancelRun: (id) => json<Run>("POST", `${runPath(id)}/cancel`),
    jobsDashboard: () => json<JobsDashboard>("GET", "/api/jobs/dashboard"),
    previewSchedule: (schedule, timezone) =>
      json<number[]>("GET", `/api/schedule/preview${query({ schedule, timezone: timezone || undefined, count: 5 })}`),
    overallHealth: () => json<Health>("GET", "/api/health/overall"),
    listEndpoints: () => json<Endpoint[]>("GET", "/api/endpoints"),
    getEndpoint: (id) => json<Endpoint>("GET", endpointPath(id)),
    // An endpoint without an id is new (POST); one with an id replaces it (PUT).
    saveEndpoint: (e) => (e.id ? json<Endpoint>("PUT", endpointPath(e.id), e) : json<Endpoint>("POST", "/api/endpoints", e)),
    deleteEndpoint: async (id) => {
      await send("DELETE", endpointPath(id));
    },
    testEndpoint: (id) => json<Attempt>("POST", `${endpointPath(id)}/test`),
    listRules: () => json<Rule[]>("GET", "/api/rules"),
    saveRule: (r) => (r.id ? json<Rule>("PUT", rulePath(r.id), r) : json<Rule>("POST", "/api/rules", r)),
    deleteRule: async (id) => {
      await send("DELETE", rulePath(id));
    },
    listDeliveries: (f = {}) =>
      json<Delivery[]>("GET", `/api/deliveries${query({ status: f.status, endpoint: f.endpoint, before: f.before, limit: f.limit })}`),
    getDelivery: (id) => json<DeliveryDetail>("GET", `/api/deliveries/${encodeURIComponent(id)}`),
    replayDeliveries: (ids, endpoint) =>
      json<Replayed>("POST", "/api/deliveries/replay", endpoint === undefined ? { ids } : { ids, endpoint }),
    listTriggers: (job) => json<TriggerCredential[]>("GET", `${jobPath(job)}/triggers`),
    createTrigger: (job, name, kind) => json<NewTrigger>("POST", `${jobPath(job)}/triggers`, { name, kind }),
    revokeTrigger: async (job, id) => {
      await send("DELETE", `${jobPath(job)}/triggers/${encodeURIComponent(id)}`);
    },
  };
}

function endpointPath(id: number): string {
  return `/api/endpoints/${encodeURIComponent(id)}`;
}

function rulePath(id: number): string {
  return `/api/rules/${encodeURIComponent(id)}`;
}

function programPath(id: number): string {
  return `/api/programs/${encodeURIComponent(id)}`;
}

function jobPath(id: string): string {
  return `/api/jobs/${encodeURIComponent(id)}`;
}

function runPath(id: number): string {
  return `/api/runs/${encodeURIComponent(id)}`;
}

/** `?a=1&b=2` from the defined entries; "" when there are none. */
export function query(params: Record<string, number | string | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null) q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** `GET /api/health` (no auth): true when the daemon answers `{ok:true}`. */
export async function health(baseUrl = "", doFetch: FetchLike = (i, n) => globalThis.fetch(i, n)): Promise<boolean> {
  try {
    const res = await doFetch(`${baseUrl}/api/health`);
    if (!res.ok) return false;
    const body = (await res.json()) as { ok?: unknown };
    return body.ok === true;
  } catch {
    return false;
  }
}
