/**
 * Actions (a plugin run on matching events): the editor's form and its conversion to and from
 * an `Action`, the event kinds offered, what an action does in words, and a run's result.
 */
import type { Action, ActionRun, EventKind, JobOption } from "./types";
import type { OptionInput } from "./jobs";
import { FormError } from "./errors";
import type { Confirmation } from "./confirmations";
import { parseTags } from "./format";
import { ALL_EVENT_KINDS, describeRule } from "./notify";
import { configInputs, configValues, MAX_SECS } from "./checks";

export type { Action, ActionRun } from "./types";

/** Every kind an action can run on. */
export function actionEventKinds(): EventKind[] {
  return [...ALL_EVENT_KINDS];
}

export type ActionForm = {
  name: string;
  plugin: string;
  config: Record<string, OptionInput>;
  /** The config as saved, kept as it is while the plugin's options are not known. */
  savedConfig: Record<string, unknown>;
  enabled: boolean;
  kinds: EventKind[];
  programs: number[];
  jobs: string[];
  /** Comma separated. */
  tags: string;
  timeout_secs: string;
};

export function emptyActionForm(): ActionForm {
  return { name: "", plugin: "", config: {}, savedConfig: {}, enabled: true, kinds: [], programs: [], jobs: [], tags: "", timeout_secs: "" };
}

/** The form of a saved action; `options`: its plugin's config options when known. */
export function actionToForm(a: Action, options: readonly JobOption[] | null = null): ActionForm {
  return {
    name: a.name,
    plugin: a.plugin,
    config: options ? configInputs(options, a.config) : {},
    savedConfig: { ...a.config },
    enabled: a.enabled ?? true,
    kinds: [...a.kinds],
    programs: [...(a.programs ?? [])],
    jobs: [...(a.jobs ?? [])],
    tags: (a.tags ?? []).join(", "),
    timeout_secs: a.timeout_secs === undefined ? "" : String(a.timeout_secs),
  };
}

/**
 * The action to save; throws a FormError (with its field) for what the form can tell is
 * wrong. `options`: the plugin's config options (null: not known, the saved config is kept).
 */
export function formToAction(f: ActionForm, options: readonly JobOption[] | null, id?: number): Action {
  const name = f.name.trim();
  if (name === "") throw new FormError("Give the action a name.", "name");
  if (f.plugin === "") throw new FormError("Pick the plugin it runs.", "plugin");
  if (f.kinds.length === 0) throw new FormError("Tick at least one event it runs on.", "kinds");
  const a: Action = {
    name,
    plugin: f.plugin,
    config: options ? configValues(options, f.config) : { ...f.savedConfig },
    enabled: f.enabled,
    kinds: [...f.kinds],
    programs: [...f.programs],
    jobs: [...f.jobs],
    tags: parseTags(f.tags),
  };
  const t = f.timeout_secs.trim();
  if (t !== "") {
    if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > MAX_SECS) throw new FormError(`Timeout: a whole number of seconds from 1 to ${MAX_SECS}.`, "timeout_secs");
    a.timeout_secs = Number(t);
  }
  if (id !== undefined && id > 0) a.id = id;
  return a;
}

/** The fields the action editor shows a message next to (daemon paths). */
export function actionEditorShows(path: string): boolean {
  return ["name", "plugin", "kinds", "programs", "jobs", "tags", "timeout_secs"].includes(path) || /^config\.[^.]+$/.test(path);
}

/** What an action runs on, in words for the list: its events and what they must be about. */
export function describeAction(a: Action, programs: ReadonlyMap<number, string>): { events: string; scope: string } {
  const d = describeRule({ name: a.name, kinds: a.kinds, programs: a.programs, jobs: a.jobs, tags: a.tags }, { programs });
  return { events: a.kinds.length === 0 ? "no events" : d.events, scope: d.scope };
}

/** A run's outcome in words: "Done: message", "Failed: message". */
export function runText(r: Pick<ActionRun, "ok" | "message">): string {
  const m = r.message.trim();
  return `${r.ok ? "Done" : "Failed"}${m ? `: ${m}` : "."}`;
}

/** Deleting an action: it no longer runs on events; its plugin stays installed. */
export function deleteActionConfirmation(name: string): Confirmation {
  return {
    title: `Delete action ${name}?`,
    lines: ["Events from now on no longer run it. Its plugin stays installed, and other actions using it are not changed."],
    confirm: "Delete action",
  };
}
