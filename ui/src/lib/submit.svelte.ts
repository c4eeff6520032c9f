import { tick } from "svelte";
import { FormError, errorField, placeField, shownMessage, underField, withoutField } from "./errors";

export type RunOptions = {
  /**
   * Clear `error` (and the field messages) when the call starts (default). `false` keeps
   * what is shown until the call fails (a delete after a failed save).
   */
  clearError?: boolean;
};

export type SubmitterOptions = {
  /**
   * The fields the form shows a message next to, as the daemon names them (dotted paths:
   * "name", "schedule", "restart.max_restarts"), or a test for paths with indexes
   * ("options.0.name"). A message about a field not shown (nor a parent of it) goes with the
   * whole form (`error`). Without it every message goes with the whole form.
   */
  fields?: readonly string[] | ((path: string) => boolean);
};

/** The attribute that ties an input (or a group of them) to its field: `data-field="schedule"`. */
export const FIELD_ATTR = "data-field";

/**
 * One form's (or one button's) call to the daemon: `busy` while it runs, `error` the text
 * to show with the whole form when it failed, `fields` the messages to show next to single
 * fields (by dotted path). An `unauthorized` failure goes to `onunauthorized` instead and
 * leaves no error (the app asks for the token).
 *
 * A form using field messages: give the Submitter the fields it shows, mark each field's
 * wrapper with `data-field="path"`, put `oninput={saver.oninput} onchange={saver.oninput}` on
 * the `<form>` (a field's message goes when that field changes), show
 * `saver.fieldError("path")` next to it (`FieldError.svelte`), check the obvious with
 * `saver.invalid({...})` or throw `new FormError(message, "path")` in a conversion run by
 * `checked`, and after a failure call `saver.focusFirst(formElement)`.
 */
export class Submitter {
  busy = $state(false);
  /** The message to show with the whole form; forms also set it themselves (their own checks). */
  error = $state<string | null>(null);
  /** Messages next to fields, by the field's path. */
  fields = $state<Record<string, string>>({});
  readonly #onunauthorized: () => void;
  readonly #shown: readonly string[] | ((path: string) => boolean);

  constructor(onunauthorized: () => void, options: SubmitterOptions = {}) {
    this.#onunauthorized = onunauthorized;
    this.#shown = options.fields ?? [];
  }

  /** The message for a field, or null. */
  fieldError(path: string): string | null {
    return this.fields[path] ?? null;
  }

  /** Whether anything is shown (a field message or the form's). */
  get failed(): boolean {
    return this.error !== null || Object.keys(this.fields).length > 0;
  }

  /** Show `message` about `path`: next to that field (or its nearest shown parent), else with the form. */
  show(message: string, path?: string | null): void {
    const at = path ? placeField(path, this.#shown) : null;
    if (at === null) this.error = message;
    else this.fields = { ...this.fields, [at]: message };
  }

  /** Remove the message of a field that changed, with those under it and those of its parents. */
  clearField(path: string): void {
    let next = withoutField(this.fields, path);
    for (const k of Object.keys(next)) {
      if (underField(path, k)) next = withoutField(next, k);
    }
    if (next !== this.fields) this.fields = next;
  }

  /** Forget every message. */
  clear(): void {
    this.error = null;
    if (Object.keys(this.fields).length > 0) this.fields = {};
  }

  /**
   * The form's `oninput`/`onchange`: the changed element's field (its nearest `data-field`)
   * loses its message. Also usable directly: `saver.oninput(event)`.
   */
  oninput = (e: Event): void => {
    const target = e.target;
    if (!target || typeof (target as Element).closest !== "function") return;
    const holder = (target as Element).closest(`[${FIELD_ATTR}]`);
    const path = holder?.getAttribute(FIELD_ATTR);
    if (path) this.clearField(path);
  };

  /**
   * A form's own checks before sending: `{ path: message or null }`. Shows each message
   * (replacing what was shown) and says whether any was wrong.
   */
  invalid(checks: Readonly<Record<string, string | null | undefined | false>>): boolean {
    const wrong = Object.entries(checks).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== "");
    if (wrong.length === 0) return false;
    this.clear();
    for (const [path, message] of wrong) this.show(message, path);
    return true;
  }

  /** Put the focus on the first field with a message inside `root` (after the DOM shows it). */
  async focusFirst(root: ParentNode | null | undefined): Promise<void> {
    if (!root) return;
    const paths = Object.keys(this.fields);
    if (paths.length === 0) return;
    await tick();
    {
      for (const holder of root.querySelectorAll<HTMLElement>(`[${FIELD_ATTR}]`)) {
        const path = holder.getAttribute(FIELD_ATTR) ?? "";
        if (!paths.some((p) => underField(p, path))) continue;
        const input = holder.matches("input, select, textarea")
          ? holder
          : holder.querySelector<HTMLElement>("input:not([type=hidden]):not(:disabled), select:not(:disabled), textarea:not(:disabled), button:not(:disabled)");
        if (input) {
          input.focus();
          return;
        }
      }
    }
  }

  /**
   * `build()`, a form's own conversion of what was typed; `undefined` when it threw a
   * `FormError`, whose message is shown (next to its field when it names one). Anything
   * else it throws is thrown on.
   */
  checked<T>(build: () => T): T | undefined {
    try {
      return build();
    } catch (e) {
      if (e instanceof FormError) {
        this.clear();
        this.show(e.message, e.field);
        return undefined;
      }
      throw e;
    }
  }

  /**
   * Run `fn` (the call and whatever follows a success). Resolves with its result, or with
   * `null` when it failed or when a run is still going (then `fn` is not called). A failure
   * naming a field (`invalid_input` with `field`) is shown next to that field.
   */
  async run<T>(fn: () => Promise<T>, options: RunOptions = {}): Promise<T | null> {
    if (this.busy) return null;
    this.busy = true;
    if (options.clearError !== false) this.clear();
    try {
      return await fn();
    } catch (e) {
      const message = shownMessage(e, this.#onunauthorized);
      if (message === null) this.clear();
      else {
        if (options.clearError === false) this.clear();
        this.show(message, errorField(e));
      }
      return null;
    } finally {
      this.busy = false;
    }
  }
}
