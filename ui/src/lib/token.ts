/** Browser-mode API token, kept in localStorage. */
export const TOKEN_KEY = "vigil.token";

export function loadToken(): string | null {
  try {
    const t = globalThis.localStorage?.getItem(TOKEN_KEY);
    return t && t.trim() ? t.trim() : null;
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  globalThis.localStorage?.setItem(TOKEN_KEY, token.trim());
}

export function clearToken(): void {
  globalThis.localStorage?.removeItem(TOKEN_KEY);
}

/** What the token screen says after the daemon refused a token. */
export const REJECTED_TOKEN_MESSAGE =
  "The daemon rejected this token (it may have changed when the daemon restarted). Paste the current one from api-token in the daemon's data directory.";

export type TokenPrompt = {
  /** Ask for a token (none stored, or the stored one was refused). */
  need: boolean;
  /** Why it is asked for again; null on a first visit. */
  error: string | null;
};

type Store = { load: () => string | null; save: (t: string) => void; clear: () => void };
const LOCAL: Store = { load: loadToken, save: saveToken, clear: clearToken };

/**
 * The browser's token and the screen that asks for it. Requests run in parallel, so
 * several may be refused for the same token: the first refusal of a token clears it and
 * records why, later ones (of that token, or sent without one since) change nothing, and a
 * refusal of an older token after a new one was given is not held against the new one.
 * Only a new token clears the message.
 */
export class TokenGate {
  #prompt: TokenPrompt;
  readonly #store: Store;
  readonly #listeners = new Set<(p: TokenPrompt) => void>();

  constructor(store: Store = LOCAL) {
    this.#store = store;
    this.#prompt = { need: store.load() === null, error: null };
  }

  get prompt(): TokenPrompt {
    return this.#prompt;
  }

  /** Call `fn` with each new prompt; returns the function that stops it. */
  watch(fn: (p: TokenPrompt) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** The daemon answered 401 to a request that carried `used` (null: no token). */
  rejected = (used: string | null): void => {
    const current = this.#store.load();
    // Another token's late answer (an older one, or none): the token in use now is not judged by it.
    if (used !== current) return;
    if (current !== null) {
      this.#store.clear();
      this.#set({ need: true, error: REJECTED_TOKEN_MESSAGE });
    } else if (!this.#prompt.need) {
      this.#set({ need: true, error: this.#prompt.error });
    }
  };

  /** A new token from the person: stored, the message cleared. */
  submit = (token: string): void => {
    this.#store.save(token);
    this.#set({ need: false, error: null });
  };

  #set(p: TokenPrompt): void {
    this.#prompt = p;
    for (const fn of [...this.#listeners]) fn(p);
  }
}
