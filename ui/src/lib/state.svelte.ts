import { getContext, setContext } from "svelte";
import type { VigilClient } from "./client";
import type { ApiError, Event, Program, Status } from "./types";
import { toApiError } from "./errors";
import { STATUS_EVENT_KINDS } from "./labels";
import { StatusClock, indexStatuses, withStatus, type StatusMap } from "./monitor";
import { JOB_EVENT_KINDS } from "./jobs";

export type EngineState = "connecting" | "running" | "stopped" | "disconnected" | "error";
export type ProgramAction = "start" | "stop" | "restart";

/** How many events the live feed keeps (newest first). */
export const MAX_EVENTS = 50;
const REFRESH_EVERY_MS = 15_000;
const STATUS_EVERY_MS = 2_000;

/**
 * The dashboard's shared state: the daemon's status, the programs with their live status,
 * the live event feed, the engine's state and the clock pages tick with. Created once by
 * the shell (`Dashboard.svelte`), which starts it with `connect()`; pages reach it through
 * `useVigil()`.
 */
export class VigilState {
  readonly client: VigilClient;
  readonly #onunauthorized: () => void;

  status = $state<Status | null>(null);
  /** When `status` was read (unix ms): the header's uptime ticks from there. */
  statusAt = $state(0);
  engine = $state<EngineState>("connecting");
  programs = $state<Program[] | null>(null);
  /** The live feed, newest first, at most MAX_EVENTS. */
  events = $state<Event[]>([]);
  listError = $state<string | null>(null);
  removing = $state<Set<number>>(new Set());
  statuses = $state<StatusMap>({});
  pending = $state<Record<number, ProgramAction>>({});
  now = $state(Date.now());
  /** Bumped (debounced) when a job or run event arrives: the jobs pages reload. */
  jobsTick = $state(0);

  #jobsTickTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #statusClock = new StatusClock();
  #statusTimer: ReturnType<typeof setTimeout> | null = null;
  #refreshSeq = 0;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(client: VigilClient, onunauthorized: () => void) {
    this.client = client;
    this.#onunauthorized = onunauthorized;
  }

  /** The daemon refused the token: the app asks for it again. */
  unauthorized = (): void => {
    this.#onunauthorized();
  };

  #fail(e: unknown): ApiError {
    const err = toApiError(e);
    if (err.code === "unauthorized") this.#onunauthorized();
    else if (err.code === "unavailable") this.engine = "disconnected";
    return err;
  }

  /** Reload status and program list; stale answers never overwrite newer ones. */
  refresh = async (): Promise<void> => {
    const mine = ++this.#refreshSeq;
    try {
      const [s, list] = await Promise.all([this.client.status(), this.client.listPrograms()]);
      if (mine !== this.#refreshSeq) return;
      this.status = s;
      this.statusAt = Date.now();
      this.programs = list;
      this.listError = null;
      if (this.engine !== "stopped") this.engine = "running";
      if (!this.#unsubscribe) this.#startFeed(s);
    } catch (e) {
      if (mine !== this.#refreshSeq) return;
      const err = this.#fail(e);
      if (err.code !== "unavailable" && err.code !== "unauthorized") {
        this.engine = "error";
        this.listError = err.message;
      }
    }
  };

  scheduleRefresh(): void {
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      void this.refresh();
    }, 100);
  }

  #bumpJobs(): void {
    if (this.#jobsTickTimer) return;
    this.#jobsTickTimer = setTimeout(() => {
      this.#jobsTickTimer = null;
      this.jobsTick++;
    }, 150);
  }

  /** One event from the live feed. */
  onEvent = (e: Event): void => {
    this.events = [e, ...this.events].slice(0, MAX_EVENTS);
    if (STATUS_EVENT_KINDS.has(e.kind)) this.scheduleStatuses();
    if (JOB_EVENT_KINDS.has(e.kind)) this.#bumpJobs();
    switch (e.kind) {
      case "program_added":
      case "program_removed":
        this.scheduleRefresh();
        break;
      case "engine_stopped":
        this.engine = "stopped";
        break;
      case "engine_started":
        this.engine = "running";
        this.scheduleRefresh();
        break;
    }
  };

  #startFeed(s: Status): void {
    // Start a little in the past so the recent-events list is not empty.
    const since = Math.max(0, s.last_event_id - MAX_EVENTS);
    this.#unsubscribe = this.client.subscribe(since, this.onEvent, {
      onOpen: () => this.scheduleRefresh(),
      onError: (err) => void this.#fail(err),
    });
  }

  /** Live status of every program; an answer older than what is shown is dropped. */
  pollStatuses = async (): Promise<void> => {
    const ticket = this.#statusClock.begin();
    try {
      const list = await this.client.programStatuses();
      if (this.#statusClock.accept(ticket)) this.statuses = indexStatuses(list);
    } catch (e) {
      // The 15 s refresh reports list errors; here only react to auth and reachability.
      void this.#fail(e);
    }
  };

  scheduleStatuses(): void {
    if (this.#statusTimer) clearTimeout(this.#statusTimer);
    this.#statusTimer = setTimeout(() => {
      this.#statusTimer = null;
      void this.pollStatuses();
    }, 50);
  }

  /** Start, stop or restart a program (once at a time per program). */
  act = async (p: Program, action: ProgramAction): Promise<void> => {
    if (this.pending[p.id]) return;
    this.pending = { ...this.pending, [p.id]: action };
    try {
      const s =
        action === "start"
          ? await this.client.startProgram(p.id)
          : action === "stop"
            ? await this.client.stopProgram(p.id)
            : await this.client.restartProgram(p.id);
      this.#statusClock.supersede();
      this.statuses = withStatus(this.statuses, s);
      this.listError = null;
    } catch (e) {
      const err = this.#fail(e);
      if (err.code !== "unauthorized") this.listError = `${action} ${p.name}: ${err.message}`;
    } finally {
      const { [p.id]: _, ...rest } = this.pending;
      this.pending = rest;
      this.scheduleStatuses();
    }
  };

  remove = async (p: Program): Promise<void> => {
    this.removing = new Set([...this.removing, p.id]);
    try {
      await this.client.removeProgram(p.id);
      this.programs = (this.programs ?? []).filter((x) => x.id !== p.id);
      this.listError = null;
    } catch (e) {
      const err = this.#fail(e);
      // not_found: someone else removed it already; the refresh shows the truth.
      if (err.code !== "not_found" && err.code !== "unauthorized") this.listError = err.message;
    } finally {
      const next = new Set(this.removing);
      next.delete(p.id);
      this.removing = next;
      this.scheduleRefresh();
    }
  };

  /** A program was registered here: show it at once, then refresh. */
  added = (p: Program): void => {
    if (this.programs && !this.programs.some((x) => x.id === p.id)) this.programs = [...this.programs, p];
    this.scheduleRefresh();
  };

  /**
   * Load everything, then keep it current: the status and list refresh, the status poll,
   * the clock and (after the first status) the live feed. Returns the function that stops
   * all of it.
   */
  connect(): () => void {
    void this.refresh();
    void this.pollStatuses();
    const timer = setInterval(() => void this.refresh(), REFRESH_EVERY_MS);
    const statusEvery = setInterval(() => {
      this.now = Date.now();
      void this.pollStatuses();
    }, STATUS_EVERY_MS);
    const clock = setInterval(() => (this.now = Date.now()), 1000);
    return () => {
      clearInterval(timer);
      clearInterval(statusEvery);
      clearInterval(clock);
      if (this.#statusTimer) clearTimeout(this.#statusTimer);
      this.#statusClock.supersede();
      if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
      if (this.#jobsTickTimer) clearTimeout(this.#jobsTickTimer);
      this.#unsubscribe?.();
      this.#unsubscribe = null;
      this.#refreshSeq++;
    };
  }
}

const KEY = Symbol("vigil");

/** Make `state` the one every component below this one gets from `useVigil()`. */
export function provideVigil(state: VigilState): VigilState {
  return setContext(KEY, state);
}

/** The dashboard's shared state and client (from the shell's context). */
export function useVigil(): VigilState {
  const state = getContext<VigilState | undefined>(KEY);
  if (!state) throw new Error("useVigil() outside the dashboard: no VigilState in context");
  return state;
}
