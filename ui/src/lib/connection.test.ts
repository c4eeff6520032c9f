import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Connection, lostText, reportingFetch, secondsLeft } from "./connection.svelte";
import { createHttpClient, defaultRetryDelay } from "./http";

describe("Connection", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is lost from the first failure until the daemon answers again", () => {
    const c = new Connection();
    expect(c.lost).toBe(false);
    c.unreachable();
    expect(c.lost).toBe(true);
    expect(c.lostAt).toBe(1_000_000);
    vi.setSystemTime(1_005_000);
    c.unreachable();
    expect(c.lostAt).toBe(1_000_000);
    c.reached();
    expect(c.lost).toBe(false);
    expect(c.lostAt).toBeNull();
  });

  it("counts down to the soonest reconnect wait; Retry now ends every wait", async () => {
    const c = new Connection();
    const woke: string[] = [];
    void c.wait(4_000).then(() => woke.push("a"));
    void c.wait(2_000).then(() => woke.push("b"));
    expect(c.retryAt).toBe(1_002_000);
    expect(lostText(c.retryAt, Date.now())).toBe("Lost connection to Vigil. Reconnecting in 2 s");
    await vi.advanceTimersByTimeAsync(2_000);
    expect(woke).toEqual(["b"]);
    expect(c.retryAt).toBe(1_004_000);
    expect(lostText(c.retryAt, Date.now())).toBe("Lost connection to Vigil. Reconnecting in 2 s");
    await vi.advanceTimersByTimeAsync(500);
    expect(lostText(c.retryAt, Date.now())).toBe("Lost connection to Vigil. Reconnecting in 2 s");
    await vi.advanceTimersByTimeAsync(600);
    expect(lostText(c.retryAt, Date.now())).toBe("Lost connection to Vigil. Reconnecting in 1 s");
    const listener = vi.fn();
    c.onRetry(listener);
    c.retryNow();
    await Promise.resolve();
    expect(woke).toEqual(["b", "a"]);
    expect(c.retryAt).toBeNull();
    expect(listener).toHaveBeenCalledOnce();
    expect(lostText(c.retryAt, Date.now())).toBe("Lost connection to Vigil. Reconnecting…");
  });

  it("a wait ends when its stream is closed", async () => {
    const c = new Connection();
    const ctl = new AbortController();
    const done = vi.fn();
    void c.wait(5_000, ctl.signal).then(done);
    ctl.abort();
    await Promise.resolve();
    expect(done).toHaveBeenCalledOnce();
    expect(c.retryAt).toBeNull();
  });

  it("secondsLeft rounds up and never goes below 0", () => {
    expect(secondsLeft(null, 0)).toBeNull();
    expect(secondsLeft(4_000, 0)).toBe(4);
    expect(secondsLeft(3_001, 0)).toBe(4);
    expect(secondsLeft(1_000, 5_000)).toBe(0);
  });

  it("reportingFetch: any answer is reached, a failure (not an abort) is unreachable", async () => {
    const conn = { reached: vi.fn(), unreachable: vi.fn() };
    const ok = reportingFetch(conn, async () => new Response("no", { status: 401 }));
    await ok("/x");
    expect(conn.reached).toHaveBeenCalledOnce();
    const bad = reportingFetch(conn, async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(bad("/x")).rejects.toThrow("Failed to fetch");
    expect(conn.unreachable).toHaveBeenCalledOnce();
    const ctl = new AbortController();
    ctl.abort();
    await expect(bad("/x", { signal: ctl.signal })).rejects.toThrow();
    expect(conn.unreachable).toHaveBeenCalledOnce();
  });

  it("a stream that cannot reconnect backs off through the connection and comes back", async () => {
    const c = new Connection();
    let up = false;
    const attempts: number[] = [];
    const fetch = reportingFetch(c, async () => {
      attempts.push(Date.now());
      if (!up) throw new TypeError("Failed to fetch");
      return new Response(new ReadableStream({ start() {} }), { status: 200, headers: { "Content-Type": "text/event-stream" } });
    });
    const client = createHttpClient({ baseUrl: "", getToken: () => "t", fetch, sleep: c.wait });
    const stop = client.watchStatuses(() => {});
    await vi.advanceTimersByTimeAsync(0);
    expect(c.lost).toBe(true);
    // The waits grow: 250 ms, 500 ms, 1 s, 2 s, 4 s, ...
    expect(c.retryAt).toBe(Date.now() + defaultRetryDelay(1));
    await vi.advanceTimersByTimeAsync(250 + 500 + 1000 + 2000);
    expect(attempts).toHaveLength(5);
    expect(c.retryAt).toBe(Date.now() + 4000);
    expect(lostText(c.retryAt, Date.now())).toBe("Lost connection to Vigil. Reconnecting in 4 s");
    up = true;
    c.retryNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts).toHaveLength(6);
    expect(c.lost).toBe(false);
    stop();
  });
});
