import type { RetentionSettings, Settings, UpdateSettings } from "./types";
import { FormError } from "./errors";

/** The numeric settings at the top level of `Settings`. */
export type TopNumberKey = "sweep_ms" | "discovery_ms" | "max_concurrent_runs" | "max_run_output_kib" | "stop_grace_secs" | "max_deliveries_in_flight" | "port";
export type RetentionKey = keyof RetentionSettings;
export type NumberKey = TopNumberKey | RetentionKey;

/** One numeric field of the settings page: what it is, its unit and its bounds, in words. */
export type NumberField = {
  key: NumberKey;
  /** True for the fields under `retention`. */
  retention: boolean;
  label: string;
  unit: string;
  help: string;
};

export type SettingsGroup = "Monitoring" | "History kept" | "Jobs" | "Notifications" | "Network";

const n = (key: NumberKey, label: string, unit: string, help: string): NumberField => ({
  key,
  retention: RETENTION_KEYS.includes(key as RetentionKey),
  label,
  unit,
  help,
});

export const RETENTION_KEYS: readonly RetentionKey[] = [
  "raw_samples_hours",
  "minute_rollup_days",
  "hour_rollup_days",
  "event_days",
  "run_days",
  "delivery_days",
];

/** The numeric fields by group, in the order shown (the switches and lists are laid out by the page). */
export const NUMBER_FIELDS: Record<SettingsGroup, readonly NumberField[]> = {
  Monitoring: [
    n("sweep_ms", "Sweep interval", "ms", "How often CPU and memory of watched processes are read; 250 to 60,000 ms."),
    n("discovery_ms", "Discovery interval", "ms", "How often Vigil looks for new processes matching a watched program; at least the sweep interval, at most 600,000 ms (10 min)."),
    n("stop_grace_secs", "Stop grace period", "s", "How long a stopping program may take before its process tree is killed; 1 to 600 s."),
  ],
  "History kept": [
    n("raw_samples_hours", "Raw samples", "hours", "Every sweep's sample, for the detailed charts; 1 to 720 hours, at most the per-minute rollups' time."),
    n("minute_rollup_days", "Per-minute rollups", "days", "Averages per minute; 1 to 3,650 days, at most as long as the per-hour rollups."),
    n("hour_rollup_days", "Per-hour rollups", "days", "Averages per hour, for long ranges; 1 to 3,650 days."),
    n("event_days", "Events", "days", "The event timeline; 1 to 3,650 days."),
    n("run_days", "Job runs", "days", "Finished runs and their output; 1 to 3,650 days."),
    n("delivery_days", "Deliveries", "days", "Delivered and dead-lettered notification deliveries; 1 to 3,650 days."),
  ],
  Jobs: [
    n("max_concurrent_runs", "Runs at once", "runs", "Most job runs at the same time; others wait their turn. 1 to 64."),
    n("max_run_output_kib", "Output kept per run", "KiB", "Output beyond this is dropped from the run's log; 64 KiB to 1,048,576 KiB (1 GiB)."),
  ],
  Notifications: [
    n("max_deliveries_in_flight", "Deliveries at once", "requests", "Most webhook requests in flight at the same time; 1 to 256."),
  ],
  Network: [
    n("port", "API port", "", "The port of the local API (browser UI and CLI); 1024 to 65535. Takes effect when Vigil starts again."),
  ],
};

export const SETTINGS_GROUPS = Object.keys(NUMBER_FIELDS) as SettingsGroup[];

/** Labels of every setting, for "needs a restart" and the like. */
export const SETTING_LABELS: Record<string, string> = {
  ...Object.fromEntries(Object.values(NUMBER_FIELDS).flatMap((fs) => fs.map((f) => [f.key, f.label]))),
  allow_lan: "Allow other PCs on the network",
  schedules_paused: "Pause schedules",
  leave_running_on_quit: "Leave programs running on quit",
  favourite_jobs: "Favourite jobs",
  retention: "History kept",
};

/** A setting's name for people ("retention.run_days" and "run_days" both read "Job runs"). */
export function settingLabel(field: string): string {
  const leaf = field.replace(/^retention\./, "");
  return SETTING_LABELS[field] ?? SETTING_LABELS[leaf] ?? field.replace(/_/g, " ");
}

/** What the settings form edits: numbers as typed. */
export type SettingsForm = {
  numbers: Record<NumberKey, string>;
  allow_lan: boolean;
  schedules_paused: boolean;
  leave_running_on_quit: boolean;
  favourite_jobs: string[];
};

const ALL_NUMBER_KEYS: readonly NumberKey[] = Object.values(NUMBER_FIELDS).flatMap((fs) => fs.map((f) => f.key));

function isRetention(k: NumberKey): k is RetentionKey {
  return (RETENTION_KEYS as readonly string[]).includes(k);
}

function numberOf(s: Settings, k: NumberKey): number {
  return isRetention(k) ? s.retention[k] : s[k];
}

export function settingsToForm(s: Settings): SettingsForm {
  const numbers = {} as Record<NumberKey, string>;
  for (const k of ALL_NUMBER_KEYS) numbers[k] = String(numberOf(s, k));
  return {
    numbers,
    allow_lan: s.allow_lan,
    schedules_paused: s.schedules_paused,
    leave_running_on_quit: s.leave_running_on_quit,
    favourite_jobs: [...s.favourite_jobs],
  };
}

/**
 * The `update_settings` request for what changed between `saved` and `form`: only changed
 * fields, `retention` only with its changed fields; `{}` when nothing changed. A number
 * field that is not a whole number throws a `FormError`; bounds are the daemon's to check.
 */
export function settingsPatch(saved: Settings, form: SettingsForm): UpdateSettings {
  const patch: UpdateSettings = {};
  const retention: Partial<RetentionSettings> = {};
  for (const k of ALL_NUMBER_KEYS) {
    const text = form.numbers[k].trim().replace(/[,_\s]/g, "");
    const value = Number(text);
    if (text === "" || !Number.isSafeInteger(value)) {
      throw new FormError(`${settingLabel(k)}: enter a whole number.`);
    }
    if (value === numberOf(saved, k)) continue;
    if (isRetention(k)) retention[k] = value;
    else patch[k] = value;
  }
  if (Object.keys(retention).length > 0) patch.retention = retention;
  if (form.allow_lan !== saved.allow_lan) patch.allow_lan = form.allow_lan;
  if (form.schedules_paused !== saved.schedules_paused) patch.schedules_paused = form.schedules_paused;
  if (form.leave_running_on_quit !== saved.leave_running_on_quit) patch.leave_running_on_quit = form.leave_running_on_quit;
  if (!sameList(form.favourite_jobs, saved.favourite_jobs)) patch.favourite_jobs = [...form.favourite_jobs];
  return patch;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Favourites with `id` checked or unchecked: kept in order, a newly checked one goes last. */
export function toggleFavourite(list: readonly string[], id: string, on: boolean): string[] {
  const without = list.filter((x) => x !== id);
  return on ? [...without, id] : without;
}

/** The most favourite jobs the tray offers. */
export const MAX_FAVOURITES = 20;
