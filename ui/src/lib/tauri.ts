import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import { listen as tauriListen } from "@tauri-apps/api/event";
import type {
  Attempt,
  Delivery,
  DeliveryDetail,
  Endpoint,
  Event,
  Health,
  Job,
  NewProgram,
  NewTrigger,
  Program,
  ProgramStatus,
  Replayed,
  Rule,
  Run,
  SampleBucket,
  Status,
  TriggerCredential,
} from "./types";
import type { JobsDashboard, RunAccepted } from "./jobtypes";
import type { SubscribeHooks, VigilClient } from "./client";
import { toApiError } from "./errors";
import { EventSequencer } from "./events";

export const EVENT_CHANNEL = "vigil://event";
/** Page size for `events_since` catch-up. */
export const CATCH_UP_LIMIT = 200;

export type InvokeFn = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;
export type ListenFn = (event: string, handler: (e: { payload: unknown }) => void) => Promise<() => void>;

export type TauriClientOptions = {
  invoke?: InvokeFn;
  listen?: ListenFn;
};

export function createTauriClient(opts: TauriClientOptions = {}): VigilClient {
  const rawInvoke: InvokeFn = opts.invoke ?? ((cmd, args) => tauriInvoke(cmd, args));
  const listen: ListenFn = opts.listen ?? ((name, handler) => tauriListen(name, handler));

  async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await rawInvoke<T>(cmd, args);
    } catch (e) {
      throw toApiError(e);
    }
  }

  function subscribe(since: number, onEvent: (e: Event) => void, hooks: SubscribeHooks = {}): () => void {
    let closed = false;
    let unlisten: (() => void) | null = null;
    const seq = new EventSequencer(onEvent, since);
    // Live events that arrive while the backlog is still loading wait here.
    let buffer: Event[] | null = [];

    const onLive = (msg: { payload: unknown }) => {
      if (closed) return;
      const ev = msg.payload as Event;
      if (typeof ev?.id !== "number") return;
      if (buffer) buffer.push(ev);
      else seq.push(ev);
    };

    (async () => {
      // Listen first so nothing emitted during catch-up is lost.
      try {
        const un = await listen(EVENT_CHANNEL, onLive);
        if (closed) {
          un();
          return;
        }
        unlisten = un;
      } catch (e) {
        hooks.onError?.(toApiError(e));
      }
      try {
        for (;;) {
          const page = await call<Event[]>("events_since", { since: seq.lastId, limit: CATCH_UP_LIMIT });
          if (closed) return;
          const delivered = seq.pushMany(page);
          if (page.length < CATCH_UP_LIMIT || delivered === 0) break;
        }
      } catch (e) {
        if (!closed) hooks.onError?.(toApiError(e));
      }
      if (closed) return;
      const pending = buffer ?? [];
      buffer = null;
      seq.pushMany(pending);
      hooks.onOpen?.();
    })();

    return () => {
      closed = true;
      buffer = null;
      unlisten?.();
      unlisten = null;
    };
  }

  return {
    transport: "tauri",
    status: () => call<Status>("status"),
    listPrograms: () => call<Program[]>("list_programs"),
    getProgram: (id) => call<Program>("get_program", { id }),
    addProgram: (request: NewProgram) => call<Program>("add_program", { request }),
    removeProgram: async (id) => {
      await call<unknown>("remove_program", { id });
    },
    programStatuses: () => call<ProgramStatus[]>("program_statuses"),
    programStatus: (id) => call<ProgramStatus>("program_status", { id }),
    startProgram: (id) => call<ProgramStatus>("start_program", { id }),
    stopProgram: (id) => call<ProgramStatus>("stop_program", { id }),
    restartProgram: (id) => call<ProgramStatus>("restart_program", { id }),
    samples: (id, from, to, points) => call<SampleBucket[]>("samples", { id, from, to, points }),
    // Explicit nulls: the commands take Option<_> for both.
    programEvents: (id, before, limit) =>
      call<Event[]>("program_events", { id, before: before ?? null, limit: limit ?? null }),
    logTail: (id, lines) => call<string[]>("log_tail", { id, lines }),
    subscribe,
    listJobs: () => call<Job[]>("list_jobs"),
    getJob: (id) => call<Job>("get_job", { id }),
    createJob: (job) => call<Job>("save_job", { job, replace: false }),
    updateJob: (job) => call<Job>("save_job", { job, replace: true }),
    // The command answers with the removed job; the client API resolves with nothing.
    deleteJob: async (id) => {
      await call<unknown>("delete_job", { id });
    },
    runJob: (id, options) => call<RunAccepted>("run_job", { id, options }),
    listRuns: (f = {}) =>
      call<Run[]>("list_runs", { job: f.job ?? null, status: f.status ?? null, limit: f.limit ?? null, before: f.before ?? null }),
    getRun: (id) => call<Run>("get_run", { id }),
    runOutput: (id) => call<string>("run_output", { id }),
    cancelRun: (id) => call<Run>("cancel_run", { id }),
    jobsDashboard: () => call<JobsDashboard>("jobs_dashboard"),
    previewSchedule: (schedule, timezone) =>
      call<number[]>("preview_schedule", { schedule, timezone: timezone || null, count: 5 }),
    overallHealth: () => call<Health>("health"),
    listEndpoints: () => call<Endpoint[]>("list_endpoints"),
    getEndpoint: (id) => call<Endpoint>("get_endpoint", { id }),
    // One command for both: an endpoint without an id (or id 0) is created.
    saveEndpoint: (endpoint) => call<Endpoint>("save_endpoint", { endpoint }),
    // The command answers with the removed endpoint; the client API resolves with nothing.
    deleteEndpoint: async (id) => {
      await call<unknown>("delete_endpoint", { id });
    },
    testEndpoint: (id) => call<Attempt>("test_endpoint", { id }),
    listRules: () => call<Rule[]>("list_rules"),
    saveRule: (rule) => call<Rule>("save_rule", { rule }),
    deleteRule: async (id) => {
      await call<unknown>("delete_rule", { id });
    },
    listDeliveries: (f = {}) =>
      call<Delivery[]>("list_deliveries", {
        status: f.status ?? null,
        endpoint: f.endpoint ?? null,
        before: f.before ?? null,
        limit: f.limit ?? null,
      }),
    getDelivery: (id) => call<DeliveryDetail>("get_delivery", { id }),
    replayDeliveries: (ids, endpoint) => call<Replayed>("replay_deliveries", { ids, endpoint: endpoint ?? null }),
    listTriggers: (job) => call<TriggerCredential[]>("list_triggers", { job }),
    createTrigger: (job, name, kind) => call<NewTrigger>("create_trigger", { job, name, kind }),
    revokeTrigger: async (job, id) => {
      await call<unknown>("revoke_trigger", { job, id });
    },
  };
}
