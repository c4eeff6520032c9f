// Clients on fake transports for the tests of the operations: an HTTP client whose
// requests are recorded, and a Tauri client whose `invoke` is given.
import { vi } from "vitest";
import { createHttpClient, type FetchLike } from "./http";
import { createTauriClient, type InvokeFn, type ListenFn } from "./tauri";

/** One request the HTTP client made (the body parsed from JSON). */
export type HttpCall = { url: string; method: string; body: unknown; headers: Record<string, string> };

/** An HTTP client (token "tok") whose requests are recorded in `calls` and answered by `respond`. */
export function recordingHttp(respond: (url: string, method: string) => Response) {
  const calls: HttpCall[] = [];
  const fetch: FetchLike = async (url, init) => {
    const method = init?.method ?? "GET";
    calls.push({
      url,
      method,
      body: init?.body === undefined ? undefined : JSON.parse(init.body as string),
      headers: (init?.headers ?? {}) as Record<string, string>,
    });
    return respond(url, method);
  };
  const c = createHttpClient({ baseUrl: "http://d", getToken: () => "tok", fetch, sleep: async () => {} });
  return { c, calls };
}

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

export const noContent = () => new Response(null, { status: 204 });

const noListen: ListenFn = async () => () => {};

/** A Tauri client over `invoke` (default: records each call and answers null), with no events. */
export function tauriClient(invoke: InvokeFn = vi.fn(async () => null) as unknown as InvokeFn) {
  return createTauriClient({ invoke, listen: noListen });
}

/** A Tauri client whose `invoke` records each call (see `invoke.mock.calls`) and answers null. */
export function recordingTauri() {
  const invoke = vi.fn(async () => null) as unknown as InvokeFn & ReturnType<typeof vi.fn>;
  return { c: tauriClient(invoke), invoke };
}
