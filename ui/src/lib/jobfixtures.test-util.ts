import type { Job, Run } from "./types";

export function makeJob(over: Partial<Job> = {}): Job {
  return {
    id: "backup",
    name: "Backup",
    command: "/usr/bin/backup",
    args: ["--all"],
    shell: false,
    cwd: null,
    env: {},
    category: null,
    tags: [],
    enabled: true,
    options: [],
    execution: { timeout_secs: null, retries: 0, retry_delay_ms: 1000, backoff: "fixed", retry_on: ["timeout", "failure", "start_error"], fix_command: null },
    schedule: null,
    timezone: null,
    overlap: "skip",
    missed: "skip",
    depends_on: [],
    on_success: [],
    on_failure: [],
    template: false,
    extends: null,
    vars: {},
    ...over,
  };
}

export function makeRun(over: Partial<Run> = {}): Run {
  return {
    id: 1,
    job_id: "backup",
    trigger: "manual",
    status: "running",
    attempt: 1,
    options: {},
    argv: [],
    queued_at: 1000,
    started_at: 1000,
    ended_at: null,
    exit_code: null,
    pid: 123,
    pid_start: 1,
    error: null,
    retried: false,
    ...over,
  };
}
