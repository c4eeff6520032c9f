import type { ApiError, Event, StatusUpdate } from "./types";
import { METHOD_OPERATIONS, type OperationName, type OperationTypes, type VigilOperations } from "./operations";

export type SubscribeHooks = {
  /** The live feed is (re)connected and caught up. */
  onOpen?: () => void;
  /** Catch-up or connection failed; the client keeps retrying by itself. */
  onError?: (err: ApiError) => void;
};

/** The streams that are not operations; each returns the function that stops it. */
export interface VigilStreams {
  /**
   * Events with id > `since`: first the backlog, then live ones, each
   * delivered once and in increasing id order.
   */
  subscribe(since: number, onEvent: (e: Event) => void, hooks?: SubscribeHooks): () => void;
  /**
   * Program statuses, pushed: first a `full` update with every program (again after a
   * reconnect), then deltas with only the changed programs, whose `recent` holds only new
   * samples. Reconnects by itself.
   */
  watchStatuses(onUpdate: (u: StatusUpdate) => void, hooks?: SubscribeHooks): () => void;
  /**
   * A run's stamped output: what was printed so far, then new lines as they come.
   * `onEnd` is called once: without an error when the run ended, with one when the
   * stream failed. A line at the seam of backlog and live lines may come twice.
   */
  followRunOutput(id: number, onLine: (line: string) => void, onEnd: (err?: ApiError) => void): () => void;
  /**
   * Lines a launched program prints from now on (the backlog is `tailLog`). `onError`
   * hears a refusal (`conflict` for a watched program) or a broken stream.
   */
  followLog(id: number, onLine: (line: string) => void, onError?: (err: ApiError) => void): () => void;
}

/**
 * One typed API over both transports: a method per operation of the table, plus the
 * streams. Every failure rejects with an ApiError-shaped `{ code, message }`; callers
 * branch on `code` only.
 */
export type VigilClient = VigilOperations &
  VigilStreams & {
    readonly transport: "tauri" | "http";
  };

/** What a transport provides: one way to call any operation, and the streams. */
export interface Transport extends VigilStreams {
  readonly transport: "tauri" | "http";
  call<K extends OperationName>(op: K, args: OperationTypes[K]["request"]): Promise<OperationTypes[K]["response"]>;
}

/** The client over a transport: every operation method is built from `METHOD_OPERATIONS`. */
export function makeClient(t: Transport): VigilClient {
  const client: Record<string, unknown> = {
    transport: t.transport,
    subscribe: t.subscribe,
    watchStatuses: t.watchStatuses,
    followRunOutput: t.followRunOutput,
    followLog: t.followLog,
  };
  for (const [method, op] of Object.entries(METHOD_OPERATIONS) as [string, OperationName][]) {
    client[method] = (request?: unknown) => t.call(op, (request ?? {}) as never);
  }
  return client as unknown as VigilClient;
}
