import type { ApiError, Event, StatusUpdate } from "./types";
import { makeClient, type SubscribeHooks, type Transport, type VigilClient } from "./client";
import { OPERATIONS, type OperationName } from "./operations";
import { apiError, isApiError, isErrorCode, toApiError } from "./errors";
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
  /**
   * The daemon answered 401 to a request sent with `token` (null: sent without one). Called
   * for each such answer, with the token that request carried, before the call rejects.
   */
  onRejected?: (token: string | null) => void;
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
    if (isApiError(body)) return toApiError(body); // keeps `field`
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

/** An operation's HTTP request: method, URL under the origin (query included) and JSON body. */
export type HttpRequest = { method: string; url: string; body: unknown };

/**
 * Where an operation's request fields go: `{name}` / `{name:text}` in the path (escaped),
 * then by the table's `body`: `none` puts the other fields in the query, `fields` sends the
 * whole request as the body, any other value names the field that is the body (the rest
 * go in the query).
 */
export function httpRequest(op: OperationName, args: Record<string, unknown> = {}): HttpRequest {
  const spec = OPERATIONS[op];
  const inPath = new Set<string>();
  const path = spec.path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}/g, (_m, name: string) => {
    inPath.add(name);
    const value = args[name];
    // A missing id would become the text "undefined" and name a job or program that is not.
    if (value === undefined || value === null || value === "") throw apiError("invalid_input", `${op} needs ${name}`);
    return encodeURIComponent(String(value));
  });
  let body: unknown = undefined;
  let rest: Record<string, unknown> = {};
  if (spec.body === "fields") {
    body = args;
  } else {
    for (const [k, v] of Object.entries(args)) if (!inPath.has(k) && k !== spec.body) rest[k] = v;
    if (spec.body !== "none") body = args[spec.body];
  }
  return { method: spec.method, url: `/api${path}${query(rest)}`, body };
}

export function createHttpClient(opts: HttpClientOptions): VigilClient {
  return makeClient(createHttpTransport(opts));
}

export function createHttpTransport(opts: HttpClientOptions): Transport {
  const doFetch: FetchLike = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const retryDelay = opts.retryDelayMs ?? defaultRetryDelay;
  const sleep = opts.sleep ?? abortableSleep;

  function headers(token: string | null, extra?: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (token) h["Authorization"] = `Bearer ${token}`;
    return h;
  }

  async function send(method: string, path: string, body?: unknown, signal?: AbortSignal, accept = "application/json"): Promise<Response> {
    let res: Response;
    // The token this request carries: a 401 is about it, not about whatever is current later.
    const token = opts.getToken() || null;
    try {
      res = await doFetch(opts.baseUrl + path, {
        method,
        headers: headers(token, body === undefined ? { Accept: accept } : { Accept: accept, "Content-Type": "application/json" }),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      throw isApiError(e) ? e : networkError(e);
    }
    if (!res.ok) {
      if (res.status === 401) opts.onRejected?.(token);
      throw await errorFromResponse(res);
    }
    return res;
  }

  const call = (async (op: OperationName, args: Record<string, unknown>): Promise<unknown> => {
    const req = httpRequest(op, args ?? {});
    const res = await send(req.method, req.url, req.body);
    if (OPERATIONS[op].status === 204 || res.status === 204) return undefined;
    const type = res.headers.get("Content-Type") ?? "";
    if (/[/+]json\b/i.test(type)) {
      try {
        return await res.json();
      } catch {
        throw apiError("internal", `invalid JSON in response to ${req.method} ${req.url}`);
      }
    }
    try {
      return await res.text();
    } catch {
      throw apiError("internal", `unreadable response to ${req.method} ${req.url}`);
    }
  }) as Transport["call"];

  /**
   * One Server-Sent Events connection: `onData` gets each message's data. Resolves when the
   * server ends the stream, rejects with an ApiError when it cannot be opened or breaks.
   */
  async function streamOnce(path: string, signal: AbortSignal, onData: (data: string) => void, onOpen?: () => void): Promise<void> {
    const res = await send("GET", path, undefined, signal, "text/event-stream");
    if (!res.body) throw apiError("internal", "event stream has no body");
    onOpen?.();
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (e) {
          throw isApiError(e) ? e : networkError(e);
        }
        if (chunk.done) break;
        for (const msg of parser.push(decoder.decode(chunk.value, { stream: true }))) {
          if (msg.event !== "message") continue;
          onData(msg.data);
        }
      }
    } finally {
      reader.releaseLock();
    }
  }

  /**
   * Keep a stream open: reconnect after it closes or fails, backing off while connections
   * keep failing or closing at once. `connect` runs one connection and resolves true when
   * it delivered something (which restarts the backoff).
   */
  function keepOpen(ctl: AbortController, connect: () => Promise<boolean>, onError?: (e: ApiError) => void): void {
    void (async () => {
      let attempt = 0;
      while (!ctl.signal.aborted) {
        const openedAt = Date.now();
        let delivered = false;
        try {
          delivered = await connect();
        } catch (e) {
          if (ctl.signal.aborted) break;
          onError?.(isApiError(e) ? e : networkError(e));
        }
        if (ctl.signal.aborted) break;
        // A stream that delivered or stayed up a while was healthy: restart the backoff.
        // One that keeps closing right away backs off.
        if (delivered || Date.now() - openedAt > 10_000) attempt = 0;
        attempt++;
        await sleep(retryDelay(attempt), ctl.signal);
      }
    })();
  }

  function subscribe(since: number, onEvent: (e: Event) => void, hooks: SubscribeHooks = {}): () => void {
    const ctl = new AbortController();
    const seq = new EventSequencer(onEvent, since);
    keepOpen(
      ctl,
      async () => {
        const before = seq.lastId;
        await streamOnce(
          `/api/events?since=${seq.lastId}`,
          ctl.signal,
          (data) => {
            let ev: Event;
            try {
              ev = JSON.parse(data) as Event;
            } catch {
              return; // not an event record; ignore
            }
            if (typeof ev?.id === "number") seq.push(ev);
          },
          hooks.onOpen,
        );
        return seq.lastId > before;
      },
      hooks.onError,
    );
    return () => ctl.abort();
  }

  function watchStatuses(onUpdate: (u: StatusUpdate) => void, hooks: SubscribeHooks = {}): () => void {
    const ctl = new AbortController();
    keepOpen(
      ctl,
      async () => {
        let got = false;
        await streamOnce(
          "/api/programs/status/stream",
          ctl.signal,
          (data) => {
            let u: StatusUpdate;
            try {
              u = JSON.parse(data) as StatusUpdate;
            } catch {
              return;
            }
            if (!u || !Array.isArray(u.statuses)) return;
            // Each connection starts over with a full update.
            if (!got && !u.full) return;
            if (!got) hooks.onOpen?.();
            got = true;
            if (!ctl.signal.aborted) onUpdate({ full: u.full, statuses: u.statuses, removed: u.removed ?? [] });
          },
        );
        return got;
      },
      hooks.onError,
    );
    return () => ctl.abort();
  }

  function follow(path: string, onLine: (line: string) => void, onDone: (err?: ApiError) => void): () => void {
    const ctl = new AbortController();
    streamOnce(path, ctl.signal, (data) => {
      if (!ctl.signal.aborted) onLine(data);
    }).then(
      () => {
        if (!ctl.signal.aborted) onDone();
      },
      (e: unknown) => {
        if (!ctl.signal.aborted) onDone(isApiError(e) ? e : networkError(e));
      },
    );
    return () => ctl.abort();
  }

  return {
    transport: "http",
    call,
    subscribe,
    watchStatuses,
    followRunOutput: (id, onLine, onEnd) => follow(`/api/runs/${encodeURIComponent(id)}/output?follow=true`, onLine, onEnd),
    followLog: (id, onLine, onError) =>
      follow(`/api/programs/${encodeURIComponent(id)}/logs?follow=true`, onLine, (err) => {
        if (err) onError?.(err);
      }),
  };
}

/** `?a=1&b=2` from the defined entries; "" when there are none. */
export function query(params: Record<string, unknown>): string {
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
