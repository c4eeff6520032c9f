import { FormError, shownMessage } from "./errors";

export type RunOptions = {
  /**
   * Clear `error` when the call starts (default). `false` keeps the message shown until
   * the call fails (a delete after a failed save).
   */
  clearError?: boolean;
};

/**
 * One form's (or one button's) call to the daemon: `busy` while it runs, `error` the text
 * to show when it failed. An `unauthorized` failure goes to `onunauthorized` instead and
 * leaves no error (the app asks for the token).
 */
export class Submitter {
  busy = $state(false);
  /** The message to show; forms also set it themselves (their own checks). */
  error = $state<string | null>(null);
  readonly #onunauthorized: () => void;

  constructor(onunauthorized: () => void) {
    this.#onunauthorized = onunauthorized;
  }

  /**
   * `build()`, a form's own conversion of what was typed; `undefined` when it threw a
   * `FormError`, whose message becomes `error`. Anything else it throws is thrown on.
   */
  checked<T>(build: () => T): T | undefined {
    try {
      return build();
    } catch (e) {
      if (e instanceof FormError) {
        this.error = e.message;
        return undefined;
      }
      throw e;
    }
  }

  /**
   * Run `fn` (the call and whatever follows a success). Resolves with its result, or with
   * `null` when it failed or when a run is still going (then `fn` is not called).
   */
  async run<T>(fn: () => Promise<T>, options: RunOptions = {}): Promise<T | null> {
    if (this.busy) return null;
    this.busy = true;
    if (options.clearError !== false) this.error = null;
    try {
      return await fn();
    } catch (e) {
      this.error = shownMessage(e, this.#onunauthorized);
      return null;
    } finally {
      this.busy = false;
    }
  }
}
