// The system overview page (#/system): the machine's CPU, memory, disks, network and
// busiest processes from `get_system`, polled every 2 s only while the page is shown.
import type { VigilClient } from "./client";
import { naturalCompare } from "./sort";

import type { DiskInfo, NetworkInfo, ProcessInfo, SystemOverview } from "./types";

export type { DiskInfo, MemoryInfo, NetworkInfo, SystemOverview } from "./types";
/** One process of the overview's top lists. */
export type SysProcess = ProcessInfo;

/** How often the page reads the overview while it is shown. */
export const POLL_MS = 2_000;

/** The overview, read now. */
export function getSystem(client: Pick<VigilClient, "getSystem">): Promise<SystemOverview> {
  return client.getSystem({});
}

/** `part` of `whole` in percent, 0..100 (0 when the whole is unknown). */
export function percentOf(part: number, whole: number): number {
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole <= 0) return 0;
  return Math.min(100, Math.max(0, (part / whole) * 100));
}

export type DiskRow = DiskInfo & { used_bytes: number; used_percent: number };

/** Disks with what is used, in natural order of their mount point; a disk of size 0 is left out. */
export function diskRows(disks: readonly DiskInfo[]): DiskRow[] {
  return disks
    .filter((d) => d.total_bytes > 0)
    .map((d) => {
      const used = Math.max(0, d.total_bytes - d.available_bytes);
      return { ...d, used_bytes: used, used_percent: percentOf(used, d.total_bytes) };
    })
    .sort((a, b) => naturalCompare(a.mount, b.mount));
}

/** Interfaces in natural order, loopback last, those that never moved a byte left out. */
export function networkRows(nets: readonly NetworkInfo[]): NetworkInfo[] {
  const loop = (n: NetworkInfo) => /^lo\d*$|loopback/i.test(n.name);
  return nets
    .filter((n) => n.rx_total_bytes + n.tx_total_bytes + n.rx_bytes_per_sec + n.tx_bytes_per_sec > 0)
    .sort((a, b) => Number(loop(a)) - Number(loop(b)) || naturalCompare(a.name, b.name));
}

/** The page to watch a running process: the new-program form, filled from the PID. */
export function watchHref(pid: number): string {
  return `#/programs/new?pid=${pid}`;
}

/** "1.5 MiB/s"-style rate from a byte formatter. */
export function formatRate(bytesPerSec: number, formatBytes: (n: number) => string): string {
  return `${formatBytes(Number.isFinite(bytesPerSec) && bytesPerSec > 0 ? bytesPerSec : 0)}/s`;
}

/** The command line of a process in one line (its name when it has none to show). */
export function commandText(p: Pick<SysProcess, "cmd" | "exe" | "name">): string {
  if (p.cmd.length > 0) return p.cmd.join(" ");
  return p.exe ?? p.name;
}

/** What the poller needs of the document (injectable for tests). */
export type VisibilitySource = {
  readonly hidden: boolean;
  addEventListener(type: "visibilitychange", fn: () => void): void;
  removeEventListener(type: "visibilitychange", fn: () => void): void;
};

export type PollTimers = {
  set: (fn: () => void, ms: number) => unknown;
  clear: (h: unknown) => void;
};

const realTimers: PollTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Calls `read` now and then every `everyMs` after the previous read ended (never two at
 * once), only while the document is visible: a hidden tab reads nothing, and becoming
 * visible again reads at once. `stop()` ends it for good (the page was left).
 */
export class VisiblePoller {
  #timer: unknown = null;
  #busy = false;
  #stopped = true;
  readonly #onVisibility = () => this.#visibilityChanged();

  constructor(
    private readonly read: () => Promise<void>,
    private readonly everyMs: number,
    private readonly doc: VisibilitySource,
    private readonly timers: PollTimers = realTimers,
  ) {}

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.doc.addEventListener("visibilitychange", this.#onVisibility);
    if (!this.doc.hidden) void this.#tick();
  }

  stop(): void {
    this.#stopped = true;
    this.#clear();
    this.doc.removeEventListener("visibilitychange", this.#onVisibility);
  }

  get running(): boolean {
    return !this.#stopped;
  }

  #clear() {
    if (this.#timer !== null) this.timers.clear(this.#timer);
    this.#timer = null;
  }

  #visibilityChanged() {
    if (this.#stopped) return;
    if (this.doc.hidden) this.#clear();
    else if (this.#timer === null && !this.#busy) void this.#tick();
  }

  async #tick() {
    this.#timer = null;
    if (this.#stopped || this.doc.hidden || this.#busy) return;
    this.#busy = true;
    try {
      await this.read();
    } catch {
      /* the reader shows its own errors; the next read tries again */
    } finally {
      this.#busy = false;
    }
    if (!this.#stopped && !this.doc.hidden && this.#timer === null) {
      this.#timer = this.timers.set(() => void this.#tick(), this.everyMs);
    }
  }
}
