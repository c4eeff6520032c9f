import { describe, expect, it, vi } from "vitest";
import { createHttpClient, errorFromResponse, health, type FetchLike } from "./http";
import type { Event, Program } from "./types";

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

const program: Program = { id: 1, name: "p", path: "/bin/true", args: [], cwd: null, env: {}, created_at: 1 };

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
    await expect(client(fetch).removeProgram(42)).resolves.toBeUndefined();
    expect(calls[0].url).toBe("http://d/api/programs/42");
    expect(calls[0].init?.method).toBe("DELETE");
  });

  it("GETs one program by id", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, program));
    await expect(client(fetch).getProgram(1)).resolves.toEqual(program);
    expect(calls[0].url).toBe("http://d/api/programs/1");
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
    await expect(client(fetch).getProgram(3)).rejects.toEqual({ code: "internal", message: "HTTP 404" });
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
    const { fetch } = fakeFetch(() => new Response("not json", { status: 200 }));
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

const ev = (id: number): Event => ({ id, ts: id, kind: "program_added", program_id: null, message: `m${id}` });
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
