import { describe, expect, it, vi } from "vitest";
import { createHttpClient, errorFromResponse, health, type FetchLike } from "./http";
import type { Event, Program, ProgramStatus, SampleBucket, StatusUpdate } from "./types";
import { DEFAULT_RESTART } from "./labels";

type Call = { url: string; init: RequestInit | undefined };

function fakeFetch(handler: (url: string, init?: RequestInit) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return handler(url, init);
  };
  return { fetch, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const program: Program = {
  id: 1,
  name: "p",
  path: "/bin/true",
  args: [],
  cwd: null,
  env: {},
  launch: true,
  autostart: false,
  match_by: { by: "exe" },
  tags: [],
  restart: { ...DEFAULT_RESTART },
  limits: { cpu_percent: null, memory_mb: null, sustain_secs: 30, restart_on_memory: false },
  created_at: 1,
};

function client(fetch: FetchLike, token: string | null = "tok") {
  return createHttpClient({ baseUrl: "http://d", getToken: () => token, fetch, sleep: async () => {} });
}

function headerOf(c: Call, name: string): string | undefined {
  return (c.init?.headers as Record<string, string> | undefined)?.[name];
}

describe("HTTP transport requests", () => {
  it("sends the bearer token and parses JSON", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, [program]));
    await expect(client(fetch).listPrograms()).resolves.toEqual([program]);
    expect(calls[0].url).toBe("http://d/api/programs");
    expect(calls[0].init?.method).toBe("GET");
    expect(headerOf(calls[0], "Authorization")).toBe("Bearer tok");
  });

  it("sends no Authorization header without a token", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { version: "1" }));
    await client(fetch, null).status();
    expect(calls[0].url).toBe("http://d/api/status");
    expect(headerOf(calls[0], "Authorization")).toBeUndefined();
  });

  it("POSTs a NewProgram as JSON and returns the created program", async () => {
    const { fetch, calls } = fakeFetch(() => json(201, program));
    const req = { name: "p", path: "/bin/true", args: ["-x"], cwd: null };
    await expect(client(fetch).addProgram(req)).resolves.toEqual(program);
    expect(calls[0].init?.method).toBe("POST");
    expect(headerOf(calls[0], "Content-Type")).toBe("application/json");
    expect(JSON.parse(calls[0].init?.body as string)).toEqual(req);
  });

  it("DELETEs by id and resolves on 204", async () => {
    const { fetch, calls } = fakeFetch(() => new Response(null, { status: 204 }));
    await expect(client(fetch).removeProgram({ id: 42 })).resolves.toBeUndefined();
    expect(calls[0].url).toBe("http://d/api/programs/42");
    expect(calls[0].init?.method).toBe("DELETE");
  });

  it("GETs one program by id", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, program));
    await expect(client(fetch).getProgram({ id: 1 })).resolves.toEqual(program);
    expect(calls[0].url).toBe("http://d/api/programs/1");
  });
});

const liveStatus: ProgramStatus = {
  program_id: 5,
  state: "running",
  processes: [{ pid: 4321, started: 1, cpu_percent: 1.5, memory_bytes: 2048 }],
  cpu_percent: 1.5,
  memory_bytes: 2048,
  since: 1000,
  restarts: 0,
  last_exit: null,
  recent: [[1000, 1.5, 2048]],
  health: null,
};

describe("HTTP transport: live monitoring", () => {
  it("GETs all statuses and one program's status", async () => {
    const { fetch, calls } = fakeFetch((url) => (url.endsWith("/api/programs/status") ? json(200, [liveStatus]) : json(200, liveStatus)));
    const c = client(fetch);
    await expect(c.listProgramStatus()).resolves.toEqual([liveStatus]);
    await expect(c.getProgramStatus({ id: 5 })).resolves.toEqual(liveStatus);
    expect(calls.map((x) => [x.init?.method, x.url])).toEqual([
      ["GET", "http://d/api/programs/status"],
      ["GET", "http://d/api/programs/5/status"],
    ]);
    expect(headerOf(calls[0], "Authorization")).toBe("Bearer tok");
  });

  it("POSTs start and restart without a body, stop with the PIDs to end, and returns the status", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, liveStatus));
    const c = client(fetch);
    await expect(c.startProgram({ id: 5 })).resolves.toEqual(liveStatus);
    await c.stopProgram({ id: 6, pids: [60, 61] });
    await c.restartProgram({ id: 7 });
    expect(calls.map((x) => [x.init?.method, x.url, x.init?.body])).toEqual([
      ["POST", "http://d/api/programs/5/start", undefined],
      ["POST", "http://d/api/programs/6/stop", JSON.stringify({ id: 6, pids: [60, 61] })],
      ["POST", "http://d/api/programs/7/restart", undefined],
    ]);
    expect(headerOf(calls[0], "Content-Type")).toBeUndefined();
    expect(headerOf(calls[0], "Authorization")).toBe("Bearer tok");
  });

  it("rejects starting a watch-only program with the daemon's conflict", async () => {
    const { fetch } = fakeFetch(() => json(409, { code: "conflict", message: "p is only watched" }));
    await expect(client(fetch).startProgram({ id: 5 })).rejects.toEqual({ code: "conflict", message: "p is only watched" });
  });

  it("GETs samples with from, to and points in the query", async () => {
    const b: SampleBucket = { ts: 1, cpu_min: 0, cpu_avg: 1, cpu_max: 2, mem_min: 3, mem_avg: 4, mem_max: 5 };
    const { fetch, calls } = fakeFetch(() => json(200, [b]));
    await expect(client(fetch).getSamples({ id: 3, from: 1_000, to: 3_601_000, points: 120 })).resolves.toEqual([b]);
    expect(calls[0].init?.method).toBe("GET");
    expect(calls[0].url).toBe("http://d/api/programs/3/samples?from=1000&to=3601000&points=120");
  });

  it("GETs a program's events, passing only the paging parameters given", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, []));
    const c = client(fetch);
    await c.listProgramEvents({ id: 3 });
    await c.listProgramEvents({ id: 3, before: 99, limit: 50 });
    await c.listProgramEvents({ id: 3, before: undefined, limit: 20 });
    await c.listProgramEvents({ id: 3, before: 0 });
    expect(calls.map((x) => x.url)).toEqual([
      "http://d/api/programs/3/events",
      "http://d/api/programs/3/events?before=99&limit=50",
      "http://d/api/programs/3/events?limit=20",
      "http://d/api/programs/3/events?before=0",
    ]);
  });

  it("GETs the log tail with the line count and returns lines in order", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, ["line 1", "line 2"]));
    await expect(client(fetch).tailLog({ id: 8, lines: 200 })).resolves.toEqual(["line 1", "line 2"]);
    expect(calls[0].url).toBe("http://d/api/programs/8/logs?lines=200");
    expect(calls[0].init?.method).toBe("GET");
  });

  it("maps an unknown program to not_found", async () => {
    const { fetch } = fakeFetch(() => json(404, { code: "not_found", message: "no program 9" }));
    await expect(client(fetch).tailLog({ id: 9, lines: 10 })).rejects.toEqual({ code: "not_found", message: "no program 9" });
  });
});

describe("HTTP transport error mapping", () => {
  it.each([
    [400, "invalid_input", "path must be absolute"],
    [401, "unauthorized", "missing or invalid token"],
    [404, "not_found", "program 9 not found"],
    [409, "conflict", "name already used"],
    [413, "payload_too_large", "body too large"],
    [500, "internal", "database is locked"],
  ] as const)("status %i with a JSON body rejects with code %s and the server's message", async (status, code, message) => {
    const { fetch } = fakeFetch(() => json(status, { code, message }));
    await expect(client(fetch).addProgram({ name: "x", path: "y" })).rejects.toEqual({ code, message });
  });

  it("maps a non-JSON error body to internal with the HTTP status", async () => {
    const { fetch } = fakeFetch(() => new Response("<html>Bad Gateway</html>", { status: 502 }));
    await expect(client(fetch).status()).rejects.toEqual({ code: "internal", message: "HTTP 502" });
  });

  it("maps JSON that is not an ApiError to internal with the HTTP status", async () => {
    const { fetch } = fakeFetch(() => json(404, { error: "nope" }));
    await expect(client(fetch).getProgram({ id: 3 })).rejects.toEqual({ code: "internal", message: "HTTP 404" });
  });

  it("keeps the message of a JSON error whose code is unknown", async () => {
    const { fetch } = fakeFetch(() => json(418, { code: "teapot", message: "short and stout" }));
    await expect(client(fetch).status()).rejects.toEqual({ code: "internal", message: "short and stout" });
  });

  it("maps a network failure to unavailable", async () => {
    const fetch: FetchLike = () => Promise.reject(new TypeError("Failed to fetch"));
    const err = await client(fetch).listPrograms().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "unavailable" });
    expect(typeof (err as { message: unknown }).message).toBe("string");
  });

  it("maps an unparsable success body to internal", async () => {
    const { fetch } = fakeFetch(() => new Response("not json", { status: 200, headers: { "Content-Type": "application/json" } }));
    await expect(client(fetch).status()).rejects.toMatchObject({ code: "internal" });
  });

  it("errorFromResponse reads an empty body as internal", async () => {
    await expect(errorFromResponse(new Response("", { status: 503 }))).resolves.toEqual({
      code: "internal",
      message: "HTTP 503",
    });
  });
});

describe("health", () => {
  it("is true only for {ok:true}", async () => {
    expect(await health("", async () => json(200, { ok: true }))).toBe(true);
    expect(await health("", async () => json(200, { ok: false }))).toBe(false);
    expect(await health("", async () => json(500, { ok: true }))).toBe(false);
    expect(await health("", () => Promise.reject(new TypeError("down")))).toBe(false);
  });
});

const ev = (id: number): Event => ({ id, ts: id, kind: "program_added", program_id: null, message: `m${id}`, detail: null, job_id: null });
const sseRecord = (e: Event) => `id: ${e.id}\ndata: ${JSON.stringify(e)}\n\n`;

/** A streamed response whose body yields the given text chunks, then ends. */
function streamResponse(chunks: string[]): Response {
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      for (const c of chunks) ctl.enqueue(enc.encode(c));
      ctl.close();
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } });
}

describe("HTTP subscribe (SSE over fetch)", () => {
  it("parses split records, skips keep-alives, and reconnects with since=<last id>", async () => {
    const urls: string[] = [];
    const got: number[] = [];
    let unsubscribe = () => {};
    const done = new Promise<void>((resolve) => {
      const fetch: FetchLike = async (url, init) => {
        urls.push(url);
        expect((init?.headers as Record<string, string>).Authorization).toBe("Bearer tok");
        if (urls.length === 1) {
          const text = ": hi\n\n" + sseRecord(ev(5)) + sseRecord(ev(6));
          // split mid-line and mid-record
          return streamResponse([text.slice(0, 9), text.slice(9, 40), text.slice(40)]);
        }
        if (urls.length === 2) {
          // the server replays 6 (overlap) and adds 7; 6 must not be delivered twice
          return streamResponse([sseRecord(ev(6)) + sseRecord(ev(7))]);
        }
        unsubscribe();
        resolve();
        return streamResponse([]);
      };
      unsubscribe = client(fetch).subscribe(4, (e) => got.push(e.id));
    });
    await done;
    expect(got).toEqual([5, 6, 7]);
    expect(urls.slice(0, 3)).toEqual([
      "http://d/api/events?since=4",
      "http://d/api/events?since=6",
      "http://d/api/events?since=7",
    ]);
  });

  it("reports connection errors by code and retries", async () => {
    const errors: string[] = [];
    const opened = vi.fn();
    let n = 0;
    let unsubscribe = () => {};
    const got: number[] = [];
    await new Promise<void>((resolve) => {
      const fetch: FetchLike = async () => {
        n++;
        if (n === 1) throw new TypeError("connection refused");
        if (n === 2) return json(401, { code: "unauthorized", message: "bad token" });
        if (n === 3) return streamResponse([sseRecord(ev(1))]);
        unsubscribe();
        resolve();
        return streamResponse([]);
      };
      unsubscribe = client(fetch).subscribe(0, (e) => got.push(e.id), {
        onError: (e) => errors.push(e.code),
        onOpen: opened,
      });
    });
    expect(errors).toEqual(["unavailable", "unauthorized"]);
    expect(opened).toHaveBeenCalledTimes(1);
    expect(got).toEqual([1]);
  });

  it("stops fetching after unsubscribe", async () => {
    let n = 0;
    const fetch: FetchLike = async () => {
      n++;
      return streamResponse([]);
    };
    const sleeps: number[] = [];
    const c = createHttpClient({
      baseUrl: "",
      getToken: () => "t",
      fetch,
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length === 3) unsub();
      },
    });
    const unsub = c.subscribe(0, () => {});
    await vi.waitFor(() => expect(sleeps.length).toBe(3));
    await new Promise((r) => setTimeout(r, 20));
    expect(n).toBe(3);
    // streams that close at once back off instead of hammering the daemon
    expect(sleeps[1]).toBeGreaterThan(sleeps[0]);
    expect(sleeps[2]).toBeGreaterThan(sleeps[1]);
  });
});

describe("HTTP watchStatuses (SSE)", () => {
  const st = (id: number, recent: [number, number, number][] = []): ProgramStatus => ({ ...liveStatus, program_id: id, recent });
  const rec = (u: unknown) => `data: ${JSON.stringify(u)}\n\n`;

  it("reads full then delta updates, and reconnects (starting over with a full one)", async () => {
    const urls: string[] = [];
    const got: StatusUpdate[] = [];
    const opened = vi.fn();
    let stop = () => {};
    await new Promise<void>((resolve) => {
      const fetch: FetchLike = async (url, init) => {
        urls.push(url);
        expect((init?.headers as Record<string, string>).Authorization).toBe("Bearer tok");
        if (urls.length === 1) {
          const text = ": keep-alive\n\n" + rec({ full: true, statuses: [st(1), st(2)], removed: [] }) + rec({ full: false, statuses: [st(1, [[5, 1, 2]])], removed: [2] });
          return streamResponse([text.slice(0, 30), text.slice(30)]);
        }
        if (urls.length === 2) {
          // a delta before the full one of a new connection is not trusted
          return streamResponse([rec({ full: false, statuses: [st(9)], removed: [] }) + rec({ full: true, statuses: [st(3)], removed: [] })]);
        }
        stop();
        resolve();
        return streamResponse([]);
      };
      stop = client(fetch).watchStatuses((u) => got.push(u), { onOpen: opened });
    });
    expect(urls[0]).toBe("http://d/api/programs/status/stream");
    expect(got.map((u) => [u.full, u.statuses.map((s) => s.program_id), u.removed])).toEqual([
      [true, [1, 2], []],
      [false, [1], [2]],
      [true, [3], []],
    ]);
    expect(opened).toHaveBeenCalledTimes(2);
  });

  it("reports a refused connection and backs off", async () => {
    const errors: string[] = [];
    const sleeps: number[] = [];
    let n = 0;
    let stop = () => {};
    const c = createHttpClient({
      baseUrl: "",
      getToken: () => "t",
      fetch: async () => {
        n++;
        return json(503, { code: "unavailable", message: "stopping" });
      },
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length === 3) stop();
      },
    });
    stop = c.watchStatuses(() => {}, { onError: (e) => errors.push(e.code) });
    await vi.waitFor(() => expect(sleeps.length).toBe(3));
    expect(errors).toEqual(["unavailable", "unavailable", "unavailable"]);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0]);
    expect(n).toBe(3);
  });
});

describe("HTTP follows (SSE)", () => {
  it("follows a run's output line by line and ends when the stream ends", async () => {
    const { fetch, calls } = fakeFetch(() => streamResponse(["data: 2026-01-01T00:00:00.000Z out a\n\ndata: 2026-01-01T00:00:00.001Z err b\n", "\n"]));
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      client(fetch).followRunOutput(7, (l) => lines.push(l), (err) => (err ? reject(err) : resolve()));
    });
    expect(calls[0].url).toBe("http://d/api/runs/7/output?follow=true");
    expect(lines).toEqual(["2026-01-01T00:00:00.000Z out a", "2026-01-01T00:00:00.001Z err b"]);
  });

  it("ends a run's follow with the error when it cannot be opened", async () => {
    const { fetch } = fakeFetch(() => json(404, { code: "not_found", message: "no run 7" }));
    const err = await new Promise((resolve) => client(fetch).followRunOutput(7, () => {}, resolve));
    expect(err).toEqual({ code: "not_found", message: "no run 7" });
  });

  it("follows a program's log and reports a refusal", async () => {
    const { fetch, calls } = fakeFetch((url) =>
      url.includes("/programs/3/") ? streamResponse(["data: line 1\n\ndata: \n\n"]) : json(409, { code: "conflict", message: "only watched" }),
    );
    const lines: string[] = [];
    client(fetch).followLog(3, (l) => lines.push(l));
    await vi.waitFor(() => expect(lines).toEqual(["line 1", ""]));
    expect(calls[0].url).toBe("http://d/api/programs/3/logs?follow=true");
    const err = await new Promise((resolve) => client(fetch).followLog(4, () => {}, resolve));
    expect(err).toEqual({ code: "conflict", message: "only watched" });
  });

  it("stops delivering once stopped", async () => {
    let push: ((s: string) => void) | null = null;
    const fetch: FetchLike = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(ctl) {
            push = (s) => ctl.enqueue(new TextEncoder().encode(s));
          },
        }),
        { status: 200, headers: { "Content-Type": "text/event-stream" } },
      );
    const lines: string[] = [];
    const onEnd = vi.fn();
    const stop = client(fetch).followRunOutput(1, (l) => lines.push(l), onEnd);
    await vi.waitFor(() => expect(push).not.toBeNull());
    push!("data: one\n\n");
    await vi.waitFor(() => expect(lines).toEqual(["one"]));
    stop();
    push!("data: two\n\n");
    await new Promise((r) => setTimeout(r, 10));
    expect(lines).toEqual(["one"]);
    expect(onEnd).not.toHaveBeenCalled();
  });
});
