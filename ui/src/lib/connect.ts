import type { VigilClient } from "./client";
import { connection, reportingFetch } from "./connection.svelte";
import { createHttpClient } from "./http";
import { createTauriClient } from "./tauri";
import { TokenGate, loadToken } from "./token";

export function isTauri(w: object = globalThis): boolean {
  return "__TAURI_INTERNALS__" in w;
}

/**
 * Pick the transport: Tauri IPC inside the desktop app, HTTP in a browser. In a browser,
 * `gate` hears every refused token and `connection` whether the daemon can be reached (its
 * reconnect waits are the streams' backoff).
 */
export function createClient(gate?: TokenGate): VigilClient {
  if (isTauri()) return createTauriClient();
  return createHttpClient({
    baseUrl: "",
    getToken: loadToken,
    fetch: reportingFetch(connection),
    sleep: connection.wait,
    onRejected: gate?.rejected,
  });
}
