import { describe, expect, it, vi } from "vitest";
import { VisiblePoller, commandText, diskRows, formatRate, getSystem, networkRows, percentOf, watchHref, type VisibilitySource } from "./system";
import { formatBytes } from "./format";
import type { VigilClient } from "./client";

class FakeDoc implements VisibilitySource {
  hidden = false;
  fns = new Set<() => void>();
  addEventListener(_t: "visibilitychange", fn: () => void) {
    this.fns.add(fn);
  }
  removeEventListener(_t: "visibilitychange", fn: () => void) {
    this.fns.delete(fn);
  }
  set(hidden: boolean) {
    this.hidden = hidden;
    for (const f of this.fns) f();
  }
}

class FakeTimers {
  pending = new Map<number, () => void>();
  next = 1;
  set = (fn: () => void) => {
    const id = this.next++;
    this.pending.set(id, fn);
    return id;
  };
  clear = (h: unknown) => {
    this.pending.delete(h as number);
  };
  fire() {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const f of all) f();
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("VisiblePoller", () => {
  it("reads at once, then again after each interval, one read at a time", async () => {
    const doc = new FakeDoc();
    const t = new FakeTimers();
    const read = vi.fn(async () => {});
    const p = new VisiblePoller(read, 2000, doc, t);
    p.start();
    await settle();
    expect(read).toHaveBeenCalledTimes(1);
    expect(t.pending.size).toBe(1);
    t.fire();
    await settle();
    expect(read).toHaveBeenCalledTimes(2);
    p.stop();
  });

  it("reads nothing while the tab is hidden and reads at once when it is shown again", async () => {
    const doc = new FakeDoc();
    const t = new FakeTimers();
    const read = vi.fn(async () => {});
    const p = new VisiblePoller(read, 2000, doc, t);
    p.start();
    await settle();
    doc.set(true);
    expect(t.pending.size).toBe(0);
    t.fire();
    await settle();
    expect(read).toHaveBeenCalledTimes(1);
    doc.set(false);
    await settle();
    expect(read).toHaveBeenCalledTimes(2);
    expect(t.pending.size).toBe(1);
    p.stop();
  });

  it("a hidden tab at start reads nothing until shown", async () => {
    const doc = new FakeDoc();
    doc.hidden = true;
    const t = new FakeTimers();
    const read = vi.fn(async () => {});
    const p = new VisiblePoller(read, 2000, doc, t);
    p.start();
    await settle();
    expect(read).not.toHaveBeenCalled();
    doc.set(false);
    await settle();
    expect(read).toHaveBeenCalledTimes(1);
    p.stop();
  });

  it("stops for good: no timer, no listener, no read after a late answer", async () => {
    const doc = new FakeDoc();
    const t = new FakeTimers();
    let finish: () => void = () => {};
    const read = vi.fn(() => new Promise<void>((r) => (finish = r)));
    const p = new VisiblePoller(read, 2000, doc, t);
    p.start();
    p.stop();
    finish();
    await settle();
    expect(t.pending.size).toBe(0);
    expect(doc.fns.size).toBe(0);
    doc.set(false);
    await settle();
    expect(read).toHaveBeenCalledTimes(1);
    expect(p.running).toBe(false);
  });

  it("a failed read does not end the polling", async () => {
    const doc = new FakeDoc();
    const t = new FakeTimers();
    const read = vi.fn(async () => {
      throw new Error("boom");
    });
    const p = new VisiblePoller(read, 2000, doc, t);
    p.start();
    await settle();
    expect(t.pending.size).toBe(1);
    p.stop();
  });

  it("showing the tab while a read is under way does not start a second one", async () => {
    const doc = new FakeDoc();
    const t = new FakeTimers();
    let finish: () => void = () => {};
    const read = vi.fn(() => new Promise<void>((r) => (finish = r)));
    const p = new VisiblePoller(read, 2000, doc, t);
    p.start();
    doc.set(true);
    doc.set(false);
    expect(read).toHaveBeenCalledTimes(1);
    finish();
    await settle();
    expect(t.pending.size).toBe(1);
    p.stop();
  });
});

describe("overview helpers", () => {
  it("disks: used from total minus available, natural order of mounts, empty ones left out", () => {
    const rows = diskRows([
      { name: "b", mount: "/mnt/disk10", fs: "ext4", total_bytes: 100, available_bytes: 25, removable: false },
      { name: "a", mount: "/mnt/disk9", fs: "ext4", total_bytes: 200, available_bytes: 200, removable: true },
      { name: "z", mount: "/proc", fs: "proc", total_bytes: 0, available_bytes: 0, removable: false },
    ]);
    expect(rows.map((r) => [r.mount, r.used_bytes, r.used_percent])).toEqual([
      ["/mnt/disk9", 0, 0],
      ["/mnt/disk10", 75, 75],
    ]);
  });

  it("networks: busy interfaces first in natural order, loopback last, idle ones left out", () => {
    const n = (name: string, rx: number) => ({ name, rx_bytes_per_sec: rx, tx_bytes_per_sec: 0, rx_total_bytes: rx, tx_total_bytes: 0 });
    expect(networkRows([n("lo", 5), n("eth10", 1), n("eth2", 1), n("docker0", 0)]).map((x) => x.name)).toEqual(["eth2", "eth10", "lo"]);
  });

  it("percentOf clamps and survives a zero whole", () => {
    expect(percentOf(1, 4)).toBe(25);
    expect(percentOf(5, 0)).toBe(0);
    expect(percentOf(9, 4)).toBe(100);
  });

  it("texts", () => {
    expect(watchHref(4242)).toBe("#/programs/new?pid=4242");
    expect(formatRate(1536, formatBytes)).toBe("1.5 KiB/s");
    expect(formatRate(-1, formatBytes)).toBe("0 B/s");
    expect(commandText({ cmd: ["node", "server.js"], exe: "/usr/bin/node", name: "node" })).toBe("node server.js");
    expect(commandText({ cmd: [], exe: null, name: "kworker" })).toBe("kworker");
  });

  it("getSystem asks the daemon with an empty request", async () => {
    const client = { getSystem: vi.fn(async () => ({ hostname: "h" })) } as unknown as VigilClient;
    await expect(getSystem(client)).resolves.toMatchObject({ hostname: "h" });
    expect(client.getSystem).toHaveBeenCalledWith({});
  });
});

import { SYSTEM_HREF, parseRoute, section } from "./route";

describe("the #/system route", () => {
  it("parses and belongs to its own nav section", () => {
    expect(parseRoute(SYSTEM_HREF)).toEqual({ name: "system" });
    expect(parseRoute("#/system/")).toEqual({ name: "system" });
    expect(section({ name: "system" })).toBe("system");
  });
});
