import type { ApiError, Event, NewProgram, Program, Status } from "./types";
import { createHttpClient } from "./http";
import { createTauriClient } from "./tauri";
import { loadToken } from "./token";

export type SubscribeHooks = {
  /** The live feed is (re)connected and caught up. */
  onOpen?: () => void;
  /** Catch-up or connection failed; the client keeps retrying by itself. */
  onError?: (err: ApiError) => void;
};

/**
 * One typed API over both transports. Every failure rejects with an
 * ApiError-shaped `{ code, message }`; callers branch on `code` only.
 */
export interface VigilClient {
  readonly transport: "tauri" | "http";
  status(): Promise<Status>;
  listPrograms(): Promise<Program[]>;
  getProgram(id: number): Promise<Program>;
  addProgram(p: NewProgram): Promise<Program>;
  removeProgram(id: number): Promise<void>;
  /**
   * Events with id > `since`: first the backlog, then live ones, each
   * delivered once and in increasing id order. Returns an unsubscribe function.
   */
  subscribe(since: number, onEvent: (e: Event) => void, hooks?: SubscribeHooks): () => void;
}

export function isTauri(w: object = globalThis): boolean {
  return "__TAURI_INTERNALS__" in w;
}

/** Pick the transport: Tauri IPC inside the desktop app, HTTP in a browser. */
export function createClient(): VigilClient {
  if (isTauri()) return createTauriClient();
  return createHttpClient({ baseUrl: "", getToken: loadToken });
}
