import type { VigilClient } from "./client";
import { createHttpClient } from "./http";
import { createTauriClient } from "./tauri";
import { loadToken } from "./token";

export function isTauri(w: object = globalThis): boolean {
  return "__TAURI_INTERNALS__" in w;
}

/** Pick the transport: Tauri IPC inside the desktop app, HTTP in a browser. */
export function createClient(): VigilClient {
  if (isTauri()) return createTauriClient();
  return createHttpClient({ baseUrl: "", getToken: loadToken });
}
