import { getContext, setContext, untrack } from "svelte";
import type { VigilClient } from "./client";
import type { ApiError, Event, Program, ProgramStatus, Status, StatusUpdate } from "./types";
import { toApiError } from "./errors";
import { applyStatusUpdate, historyOf, withStatus, type History, type Sample, type StatusMap } from "./monitor";
import { JOB_EVENT_KINDS } from "./jobs";
import { Latest } from "./latest";
import { Timer } from "./timer";
import { Ticker } from "./ticker";

export type EngineState = "connecting" | "running" | "stopped" | "disconnected" | "error";
export type ProgramAction = "start" | "stop" | "restart";

/** How many events the live feed keeps (newest first). */
export const MAX_EVENTS = 50;
/** Retry delays of the first load while the daemon cannot be reached (then the live feed takes over). */
const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 15_000];

/** Event kinds after which the program list (and the header's status) is read again. */
const LIST_EVENT_KINDS: ReadonlySet<string> = new Set(["program_added", "program_removed", "program_changed", "engine_started"]);

/**
 * The dashboard's shared state: the daemon's status, the programs with their live status,
 * the live event feed, the engine's state and the clock pages tick with. Created once by
 * the shell (`Dashboard.svelte`), which starts it with `connect()`; pages reach it through
 * `useVigil()`. Nothing is polled: statuses are pushed (`watchStatuses`), and the program
 * list and the pages' data are read again when the live feed says they changed.
 */
export class VigilState {
  readonly client: VigilClient;
  readonly #onunauthorized: () => void;

  // What the daemon sends is held as it came ($state.raw, never deeply proxied) and always
  // replaced, never changed in place: reading it costs nothing per tick, and a row whose
  // data did not change keeps its objects (nothing below it works again).
  status = $state.raw<Status | null>(null);
  /** When `status` was read (unix ms): the header's uptime ticks from there. */
  statusAt = $state(0);
  engine = $state<EngineState>("connecting");
  programs = $state.raw<Program[] | null>(null);
  /** The live feed, newest first, at most MAX_EVENTS. */
  events = $state.raw<Event[]>([]);
  listError = $state<string | null>(null);
  removing = $state.raw<Set<number>>(new Set());
  #statuses = $state.raw<StatusMap>({});
  /**
   * Live statuses by program; see `applyStatusUpdate` (a new map for each update, in which
   * a status that shows the same keeps its object; samples in a fixed ring). Setting it
   * also brings the list's rows (`row`) up to date.
   */
  get statuses(): StatusMap {
    return this.#statuses;
  }
  set statuses(next: StatusMap) {
    this.#statuses = next;
    for (const [id, r] of this.#rows) r.sync(next[id]);
  }
  readonly #rows = new Map<number, LiveRow>();
  pending = $state.raw<Record<number, ProgramAction>>({});
  now = $state(Date.now());
  /** Texts that follow the clock (the list's uptimes), brought up to date on its tick. */
  readonly ticker = new Ticker();
  /** Bumped (debounced) when a job or run event arrives: the jobs pages reload. */
  jobsTick = $state(0);
  /**
   * Bumped (debounced) for every event of the live feed: what any event may change (the
   * overall health, the delivery log: every event may be notified) reloads.
   */
  feedTick = $state(0);

  readonly #jobsTickTimer = new Timer();
  readonly #feedTickTimer = new Timer();
  readonly #refreshes = new Latest();
  readonly #refreshTimer = new Timer();
  readonly #retryTimer = new Timer();
  #retries = 0;
  #connected = false;
  #unsubscribe: (() => void) | null = null;
  #unwatch: (() => void) | null = null;

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

  /**
   * What the list's row of a program shows, as signals of its own: a status update wakes
   * only the rows it changes (not all of them, as reading `statuses` would).
   */
  row = (id: number): LiveRow => {
    let r = this.#rows.get(id);
    if (!r) {
      r = new LiveRow(untrack(() => this.#statuses[id]));
      this.#rows.set(id, r);
    }
    return r;
  };

  /** Reload status and program list; stale answers never overwrite newer ones. */
  refresh = async (): Promise<void> => {
    await this.#refreshes.load(
      () => Promise.all([this.client.status(), this.client.listPrograms()]),
      ([s, list]) => {
        this.status = s;
        this.statusAt = Date.now();
        this.programs = list;
        this.listError = null;
        if (this.engine !== "stopped") this.engine = "running";
        this.#retries = 0;
        if (!this.#unsubscribe) this.#startFeed(s);
      },
      (e) => {
        const err = this.#fail(e);
        if (err.code !== "unavailable" && err.code !== "unauthorized") {
          this.engine = "error";
          this.listError = err.message;
        }
        // Until the live feed runs, nothing else would try again.
        if (!this.#unsubscribe && this.#connected && err.code !== "unauthorized") this.#retryLater();
      },
    );
  };

  #retryLater(): void {
    const ms = RETRY_MS[Math.min(this.#retries, RETRY_MS.length - 1)];
    this.#retries++;
    this.#retryTimer.start(ms, () => void this.refresh());
  }

  scheduleRefresh(): void {
    this.#refreshTimer.start(100, () => void this.refresh());
  }

  #bumpJobs(): void {
    this.#jobsTickTimer.startIfIdle(150, () => this.jobsTick++);
  }

  #bumpFeed(): void {
    this.#feedTickTimer.startIfIdle(250, () => this.feedTick++);
  }

  /** One event from the live feed. */
  onEvent = (e: Event): void => {
    this.events = [e, ...this.events].slice(0, MAX_EVENTS);
    if (JOB_EVENT_KINDS.has(e.kind)) this.#bumpJobs();
    this.#bumpFeed();
    if (e.kind === "engine_stopped") this.engine = "stopped";
    else if (e.kind === "engine_started") this.engine = "running";
    if (LIST_EVENT_KINDS.has(e.kind)) this.scheduleRefresh();
  };

  /** A pushed status update (the first one, and one after each reconnect, is full). */
  onStatusUpdate = (u: StatusUpdate): void => {
    const next = applyStatusUpdate(this.#statuses, u);
    if (next !== this.#statuses) this.statuses = next;
    for (const id of u.removed) this.#rows.delete(id);
  };

  #startFeed(s: Status): void {
    // Start a little in the past so the recent-events list is not empty.
    const since = Math.max(0, s.last_event_id - MAX_EVENTS);
    this.#unsubscribe = this.client.subscribe(since, this.onEvent, {
      onOpen: () => this.scheduleRefresh(),
      onError: (err) => void this.#fail(err),
    });
  }

  /** Start, stop or restart a program (once at a time per program); a watched program's stop ends exactly `pids`. */
  act = async (p: Program, action: ProgramAction, pids?: number[]): Promise<void> => {
    if (this.pending[p.id]) return;
    this.pending = { ...this.pending, [p.id]: action };
    try {
      const s =
        action === "start"
          ? await this.client.startProgram({ id: p.id })
          : action === "stop"
            ? await this.client.stopProgram(pids ? { id: p.id, pids } : { id: p.id })
            : await this.client.restartProgram({ id: p.id });
      this.statuses = withStatus(this.statuses, s);
      this.listError = null;
    } catch (e) {
      const err = this.#fail(e);
      if (err.code !== "unauthorized") this.listError = `${action} ${p.name}: ${err.message}`;
    } finally {
      const { [p.id]: _, ...rest } = this.pending;
      this.pending = rest;
    }
  };

  /**
   * One program's part of a bulk action: pending while it runs and its status after, like
   * `act`, but what fails is thrown (the caller lists every failure) instead of shown.
   */
  actOrThrow = async (p: Program, action: ProgramAction): Promise<void> => {
    if (this.pending[p.id]) throw { code: "conflict", message: `${this.pending[p.id]} still going` };
    this.pending = { ...this.pending, [p.id]: action };
    try {
      const req = { id: p.id };
      const s =
        action === "start"
          ? await this.client.startProgram(req)
          : action === "stop"
            ? await this.client.stopProgram(req)
            : await this.client.restartProgram(req);
      this.statuses = withStatus(this.statuses, s);
    } finally {
      const { [p.id]: _, ...rest } = this.pending;
      this.pending = rest;
    }
  };

  /** Whether a launched program starts when Vigil starts; saved whole, as the form does. */
  setAutostart = async (p: Program, on: boolean): Promise<void> => {
    const saved = await this.client.updateProgram({
      id: p.id,
      name: p.name,
      path: p.path,
      args: p.args,
      cwd: p.cwd,
      env: p.env,
      launch: p.launch,
      autostart: on,
      match_by: p.match_by,
      tags: p.tags,
      restart: p.restart,
      limits: p.limits,
    });
    this.changed(saved.program);
  };

  remove = async (p: Program): Promise<void> => {
    this.removing = new Set([...this.removing, p.id]);
    try {
      await this.client.removeProgram({ id: p.id });
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

  /** A program was saved here: show it as saved at once, then refresh. */
  changed = (p: Program): void => {
    if (this.programs) this.programs = this.programs.map((x) => (x.id === p.id ? p : x));
    this.scheduleRefresh();
  };

  /**
   * Load everything, then keep it current: pushed statuses, the clock and (after the first
   * status) the live feed, whose events trigger every later read. Returns the function
   * that stops all of it.
   */
  connect(): () => void {
    this.#connected = true;
    void this.refresh();
    this.#unwatch = this.client.watchStatuses(this.onStatusUpdate, {
      onError: (err) => void this.#fail(err),
    });
    // A display clock only ("3 s ago"); it makes no request.
    const clock = setInterval(() => {
      this.now = Date.now();
      this.ticker.tick(this.now);
    }, 1000);
    return () => {
      this.#connected = false;
      clearInterval(clock);
      for (const t of [this.#refreshTimer, this.#retryTimer, this.#jobsTickTimer, this.#feedTickTimer]) t.stop();
      this.#unwatch?.();
      this.#unwatch = null;
      this.#unsubscribe?.();
      this.#unsubscribe = null;
      this.#refreshes.cancel();
    };
  }
}

const NO_SAMPLES: readonly Sample[] = [];

/**
 * One program's row in the list: its status (the same object while it shows the same) and
 * the samples its sparkline draws, replaced only when the drawing may change (`History.drawn`:
 * an idle program's level line is not redrawn every second). Kept up to date by `VigilState`.
 */
export class LiveRow {
  status = $state.raw<ProgramStatus | undefined>(undefined);
  spark = $state.raw<readonly Sample[]>(NO_SAMPLES);
  #history: History | undefined;
  #drawn = -1;

  constructor(s: ProgramStatus | undefined) {
    this.sync(s);
  }

  sync(s: ProgramStatus | undefined): void {
    if (s !== this.status) this.status = s;
    const h = historyOf(s);
    if (h === undefined) {
      this.#history = undefined;
      const recent = s?.recent ?? NO_SAMPLES;
      if (recent !== this.spark) this.spark = recent;
    } else if (h !== this.#history || h.drawn !== this.#drawn) {
      this.#history = h;
      this.#drawn = h.drawn;
      this.spark = h.toArray();
    }
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

/**
 * Calls `fn` each time `tick()` changes from now on (not for the value it has now); its
 * reads are not tracked. Call it while a component initialises (it is an effect).
 */
export function afterEachTick(tick: () => number, fn: () => void): void {
  let seen = untrack(tick);
  $effect(() => {
    const t = tick();
    if (t === seen) return;
    seen = t;
    untrack(fn);
  });
}
