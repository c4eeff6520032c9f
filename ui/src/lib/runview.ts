// The run page's rules: the command line exactly as the engine starts it (one argv element
// per chip, and a copyable quoted line), the run's options as a table, the trigger in words.
// How a run is started: crates/vigil-engine/src/jobs/runner.rs (spawn_and_wait) and
// platform::shell_command: a plain job runs `command` with the run's argv (the job's args,
// then those built from its options); a shell job runs `/bin/sh -c LINE sh ARGS...` on
// Unix ($1... are the arguments, never parsed by the shell) and
// `cmd.exe /D /S /C "LINE "A1" "A2""` on Windows (one raw argument).
import type { Job, JobOption, Run, Trigger } from "./types";
import { naturalCompare } from "./sort";

export type Platform = "unix" | "windows";

/** The daemon's platform from the system overview's OS name (Unix unless it says Windows). */
export function platformOf(os: string | null | undefined): Platform {
  return os && /windows/i.test(os) ? "windows" : "unix";
}

/** A guess when the OS is not known: a drive letter or a backslash in the command means Windows. */
export function guessPlatform(command: string): Platform {
  return /^[a-z]:[\\/]/i.test(command) || /\\/.test(command) || /\.(exe|bat|cmd)$/i.test(command) ? "windows" : "unix";
}

/** One argument for a POSIX shell: bare when safe, else in single quotes ('' for empty). */
export function shellQuote(arg: string): string {
  if (arg === "") return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * One argument as Windows programs split a command line (CommandLineToArgvW): bare when it
 * has no space, tab or quote, else in double quotes with quotes and the backslashes before
 * them escaped.
 */
export function windowsQuote(arg: string): string {
  if (arg !== "" && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const c of arg) {
    if (c === "\\") {
      slashes++;
      continue;
    }
    if (c === '"') {
      out += "\\".repeat(slashes * 2 + 1) + '"';
    } else {
      out += "\\".repeat(slashes) + c;
    }
    slashes = 0;
  }
  return out + "\\".repeat(slashes * 2) + '"';
}

export type CommandLine = {
  /** Every element, the program first, exactly as the engine passes them. */
  argv: string[];
  /** The same as one line to copy into a terminal of that platform. */
  line: string;
  /** A word on how it runs ("through /bin/sh: $1… are the run's arguments"). */
  note: string | null;
};

/** The Windows `cmd /D /S /C` argument the engine writes for a shell job (see windows.rs). */
function cmdRaw(line: string, args: readonly string[]): string {
  let raw = `/D /S /C "${line}`;
  for (const a of args) {
    const trailing = a.length - a.replace(/\\+$/, "").length;
    raw += ` "${a}${"\\".repeat(trailing)}"`;
  }
  return raw + '"';
}

/** The command line of `run` of `job` on `platform`. */
export function commandLine(job: Pick<Job, "command" | "shell">, run: Pick<Run, "argv">, platform: Platform): CommandLine {
  if (!job.shell) {
    const argv = [job.command, ...run.argv];
    const quote = platform === "windows" ? windowsQuote : shellQuote;
    return { argv, line: argv.map(quote).join(" "), note: null };
  }
  if (platform === "windows") {
    const raw = cmdRaw(job.command, run.argv);
    return {
      argv: ["cmd.exe", raw],
      line: `cmd.exe ${raw}`,
      note: "Through cmd.exe, which reads its command line as written: the run's arguments follow the line, each in quotes.",
    };
  }
  const argv = ["/bin/sh", "-c", job.command, "sh", ...run.argv];
  return {
    argv,
    line: argv.map(shellQuote).join(" "),
    note: run.argv.length > 0 ? 'Through /bin/sh: the run\'s arguments are "$@" ($1, $2, …) of the line, never parsed by the shell.' : "Through /bin/sh.",
  };
}

export type OptionRow = { name: string; label: string; value: string; empty: boolean };

function valueText(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === "string" ? shellQuote(x) : JSON.stringify(x))).join(" ");
  return JSON.stringify(v);
}

/** The run's options, in the job's order (then others by name), with their labels. */
export function optionRows(options: Record<string, unknown>, defs: readonly JobOption[] = []): OptionRow[] {
  const order = new Map(defs.map((o, i) => [o.name, i]));
  return Object.entries(options)
    .sort(([a], [b]) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || naturalCompare(a, b))
    .map(([name, v]) => {
      const value = valueText(v);
      return { name, label: defs.find((o) => o.name === name)?.label ?? "", value, empty: value === "" || (Array.isArray(v) && v.length === 0) };
    });
}

const TRIGGER_WORDS: Record<Trigger, string> = {
  manual: "Manual: started by hand",
  schedule: "Schedule: started by the job's schedule",
  dependency: "Dependency: started because another job depends on it",
  chain: "Chain: started after another job's run ended",
  retry: "Retry",
  webhook: "Webhook: started by an incoming webhook",
};

/** What started a run, in words: "Retry (attempt 3)", "Schedule: started by the job's schedule". */
export function triggerText(run: Pick<Run, "trigger" | "attempt">): string {
  if (run.trigger === "retry") return `Retry (attempt ${run.attempt}): started again after attempt ${run.attempt - 1} failed`;
  const words = TRIGGER_WORDS[run.trigger] ?? String(run.trigger);
  return run.attempt > 1 ? `${words} (attempt ${run.attempt})` : words;
}
