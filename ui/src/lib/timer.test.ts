import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Timer } from "./timer";

describe("Timer", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("start replaces a waiting call", () => {
    const t = new Timer();
    const calls: string[] = [];
    t.start(100, () => calls.push("a"));
    vi.advanceTimersByTime(50);
    t.start(100, () => calls.push("b"));
    expect(t.pending).toBe(true);
    vi.advanceTimersByTime(99);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(["b"]);
    expect(t.pending).toBe(false);
  });

  it("startIfIdle keeps the waiting call, and starts again once it was made", () => {
    const t = new Timer();
    const calls: string[] = [];
    t.startIfIdle(100, () => calls.push("a"));
    vi.advanceTimersByTime(50);
    t.startIfIdle(100, () => calls.push("b"));
    vi.advanceTimersByTime(50);
    expect(calls).toEqual(["a"]);
    t.startIfIdle(100, () => calls.push("c"));
    vi.advanceTimersByTime(100);
    expect(calls).toEqual(["a", "c"]);
  });

  it("stop drops the waiting call", () => {
    const t = new Timer();
    const fn = vi.fn();
    t.start(10, fn);
    t.stop();
    expect(t.pending).toBe(false);
    vi.advanceTimersByTime(100);
    expect(fn).not.toHaveBeenCalled();
    t.stop();
  });
});
