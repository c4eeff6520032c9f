import { Channel, invoke as tauriInvoke } from "@tauri-apps/api/core";
import { listen as tauriListen } from "@tauri-apps/api/event";
import type { ApiError, Event, ProgramStatus, StatusUpdate } from "./types";
import { makeClient, type SubscribeHooks, type Transport, type VigilClient } from "./client";
import { OPERATIONS, type OperationName } from "./operations";
import { toApiError } from "./errors";
import { EventSequencer } from "./events";

export const EVENT_CHANNEL = "vigil://event";
/** Page size for the `list_events` catch-up. */
export const CATCH_UP_LIMIT = 200;

export type InvokeFn = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;
export type ListenFn = (event: string, handler: (e: { payload: unknown }) => void) => Promise<() => void>;

/** One message of a follow (a run's output, a program's log). */
export type Followed = { kind: "line"; line: string } | { kind: "end" };
/** What `follow_*` and `watch_statuses` take: Tauri's `Channel`, or a stand-in in tests. */
export type ChannelLike<T = Followed> = { onmessage: (m: T) => void };

export type TauriClientOptions = {
  invoke?: InvokeFn;
  listen?: ListenFn;
  /** Makes the channel a follow command streams into; injectable for tests. */
  channel?: () => ChannelLike<unknown>;
  /** Delay before retry `n` (1-based) of the status watch. */
  retryDelayMs?: (attempt: number) => number;
};

const defaultRetryDelay = (attempt: number): number => Math.min(250 * 2 ** Math.max(0, attempt - 1), 5000);

export function createTauriClient(opts: TauriClientOptions = {}): VigilClient {
  return makeClient(createTauriTransport(opts));
}

export function createTauriTransport(opts: TauriClientOptions = {}): Transport {
  const rawInvoke: InvokeFn = opts.invoke ?? ((cmd, args) => tauriInvoke(cmd, args));
  const listen: ListenFn = opts.listen ?? ((name, handler) => tauriListen(name, handler));
  const makeChannel = <T>(): ChannelLike<T> =>
    (opts.channel ? opts.channel() : new Channel<T>()) as ChannelLike<T>;
  const retryDelay = opts.retryDelayMs ?? defaultRetryDelay;

  async function invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await rawInvoke<T>(cmd, args);
    } catch (e) {
      throw toApiError(e);
    }
  }

  /** Every operation goes through the one `call` command, by name. */
  const call = (async (op: OperationName, args: Record<string, unknown>): Promise<unknown> => {
    const answer = await invoke<unknown>("call", { op, args: args ?? {} });
    return OPERATIONS[op].status === 204 ? undefined : answer;
  }) as Transport["call"];

  /**
   * Listen on `channel` before anything is asked, so nothing emitted meanwhile is lost.
   * Resolves with the way to stop listening; null when listening failed (told to
   * `hooks.onError`) or when `closed()` became true meanwhile (it has stopped already).
   */
  async function listenFirst(
    channel: string,
    handler: (msg: { payload: unknown }) => void,
    closed: () => boolean,
    hooks: SubscribeHooks,
  ): Promise<(() => void) | null> {
    try {
      const un = await listen(channel, handler);
      if (!closed()) return un;
      un();
    } catch (e) {
      hooks.onError?.(toApiError(e));
    }
    return null;
  }

  function subscribe(since: number, onEvent: (e: Event) => void, hooks: SubscribeHooks = {}): () => void {
    let closed = false;
    let unlisten: (() => void) | null = null;
    const seq = new EventSequencer(onEvent, since);
    // Live events that arrive while the backlog is still loading wait here.
    let buffer: Event[] | null = [];

    const onLive = (msg: { payload: unknown }) => {
      if (closed) return;
      const ev = msg.payload as Event;
      if (typeof ev?.id !== "number") return;
      if (buffer) buffer.push(ev);
      else seq.push(ev);
    };

    (async () => {
      unlisten = await listenFirst(EVENT_CHANNEL, onLive, () => closed, hooks);
      if (closed) return;
      try {
        for (;;) {
          const page = await call("list_events", { since: seq.lastId, limit: CATCH_UP_LIMIT });
          if (closed) return;
          const delivered = seq.pushMany(page);
          if (page.length < CATCH_UP_LIMIT || delivered === 0) break;
        }
      } catch (e) {
        if (!closed) hooks.onError?.(toApiError(e));
      }
      if (closed) return;
      const pending = buffer ?? [];
      buffer = null;
      seq.pushMany(pending);
      hooks.onOpen?.();
    })();

    return () => {
      closed = true;
      buffer = null;
      unlisten?.();
      unlisten = null;
    };
  }

  /**
   * Program statuses through one channel: the desktop sends every status first, then only
   * what changed, in order, so no change can overtake the first full update.
   */
  function watchStatuses(onUpdate: (u: StatusUpdate) => void, hooks: SubscribeHooks = {}): () => void {
    let closed = false;
    let followId: number | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;

    function start(attempt: number): void {
      timer = null;
      const channel = makeChannel<StatusUpdate>();
      channel.onmessage = (u) => {
        if (closed || !u || !Array.isArray(u.statuses)) return;
        onUpdate({ full: u.full, statuses: u.statuses, removed: u.removed ?? [] });
        if (u.full) hooks.onOpen?.();
      };
      invoke<number>("watch_statuses", { channel }).then(
        (f) => {
          followId = f;
          if (closed) unfollow(f);
        },
        (e: unknown) => {
          if (closed) return;
          hooks.onError?.(toApiError(e));
          timer = setTimeout(() => start(attempt + 1), retryDelay(attempt + 1));
        },
      );
    }
    start(0);

    return () => {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (followId !== null) unfollow(followId);
    };
  }

  function unfollow(f: number): void {
    void rawInvoke("unfollow", { follow: f }).catch(() => {});
  }

  /** Run a `follow_*` command into a fresh channel; the returned function unfollows. */
  function follow(
    cmd: string,
    id: number,
    onLine: (line: string) => void,
    onEnd: (() => void) | null,
    onError: (err: ApiError) => void,
  ): () => void {
    let closed = false;
    let followId: number | null = null;
    const channel = makeChannel<Followed>();
    channel.onmessage = (m) => {
      if (closed) return;
      if (m.kind === "line") onLine(m.line);
      else if (m.kind === "end") {
        closed = true;
        onEnd?.();
      }
    };
    invoke<number>(cmd, { id, channel }).then(
      (f) => {
        followId = f;
        if (closed) unfollow(f);
      },
      (e: unknown) => {
        if (closed) return;
        closed = true;
        onError(toApiError(e));
      },
    );
    return () => {
      if (closed) return;
      closed = true;
      if (followId !== null) unfollow(followId);
    };
  }

  return {
    transport: "tauri",
    call,
    subscribe,
    watchStatuses,
    followRunOutput: (id, onLine, onEnd) => follow("follow_run_output", id, onLine, () => onEnd(), (err) => onEnd(err)),
    followLog: (id, onLine, onError) => follow("follow_log", id, onLine, null, (err) => onError?.(err)),
  };
}
