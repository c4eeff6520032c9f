import { describe, expect, it } from "vitest";
import { createHttpClient } from "./http";
import { REJECTED_TOKEN_MESSAGE, TokenGate, type TokenPrompt } from "./token";
import { deferred } from "./deferred.test-util";

/** A token store in memory (localStorage in the browser). */
function memory(initial: string | null) {
  let t = initial;
  return {
    load: () => t,
    save: (v: string) => void (t = v),
    clear: () => void (t = null),
    get value() {
      return t;
    },
  };
}

const unauthorized = () =>
  new Response(JSON.stringify({ code: "unauthorized", message: "an `Authorization: Bearer <token>` header is required" }), {
    status: 401,
    headers: { "Content-Type": "application/json" },
  });

describe("TokenGate", () => {
  it("asks on a first visit without a message", () => {
    const gate = new TokenGate(memory(null));
    expect(gate.prompt).toEqual({ need: true, error: null });
  });

  it("records the first refusal of a token; later ones for it do not clear the message", () => {
    const store = memory("old");
    const gate = new TokenGate(store);
    const seen: TokenPrompt[] = [];
    gate.watch((p) => seen.push(p));
    expect(gate.prompt.need).toBe(false);
    gate.rejected("old");
    expect(store.value).toBeNull();
    expect(gate.prompt).toEqual({ need: true, error: REJECTED_TOKEN_MESSAGE });
    gate.rejected("old");
    gate.rejected(null);
    expect(gate.prompt).toEqual({ need: true, error: REJECTED_TOKEN_MESSAGE });
    expect(seen).toHaveLength(1);
  });

  it("a new token clears the message, and a late refusal of the old one is not held against it", () => {
    const store = memory("old");
    const gate = new TokenGate(store);
    gate.rejected("old");
    gate.submit("new");
    expect(store.value).toBe("new");
    expect(gate.prompt).toEqual({ need: false, error: null });
    gate.rejected("old");
    gate.rejected(null);
    expect(store.value).toBe("new");
    expect(gate.prompt).toEqual({ need: false, error: null });
    gate.rejected("new");
    expect(gate.prompt).toEqual({ need: true, error: REJECTED_TOKEN_MESSAGE });
  });

  it("two requests refused in parallel leave the message (the race of the old screen)", async () => {
    const store = memory("stale");
    const gate = new TokenGate(store);
    const answers = [deferred<Response>(), deferred<Response>()];
    let n = 0;
    const client = createHttpClient({
      baseUrl: "http://d",
      getToken: store.load,
      fetch: () => answers[n++].promise,
      onRejected: gate.rejected,
    });
    // Both requests leave with the stale token before either answer comes.
    const a = client.status();
    const b = client.listPrograms();
    await Promise.resolve();
    expect(n).toBe(2);
    answers[0].resolve(unauthorized());
    await expect(a).rejects.toMatchObject({ code: "unauthorized" });
    expect(gate.prompt).toEqual({ need: true, error: REJECTED_TOKEN_MESSAGE });
    answers[1].resolve(unauthorized());
    await expect(b).rejects.toMatchObject({ code: "unauthorized" });
    expect(gate.prompt).toEqual({ need: true, error: REJECTED_TOKEN_MESSAGE });
    expect(store.value).toBeNull();
  });
});
