import type {
  ApiError,
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
  TriggerKind,
} from "./types";
import type { JobsDashboard, RunAccepted, RunFilter } from "./jobtypes";
import type { DeliveryFilter } from "./notify";
import { createHttpClient } from "./http";
import { createTauriClient } from "./tauri";
import { loadToken } from "./token";

export type SubscribeHooks = {
  /** The live feed is (re)connected and caught up. */
  onOpen?: () => void;
  /** Catch-up or connection failed; the client keeps retrying by itself. */
  onError?: (err: ApiError) => void;
};

/**
 * One typed API over both transports. Every failure rejects with an
 * ApiError-shaped `{ code, message }`; callers branch on `code` only.
 */
export interface VigilClient {
  readonly transport: "tauri" | "http";
  status(): Promise<Status>;
  listPrograms(): Promise<Program[]>;
  getProgram(id: number): Promise<Program>;
  addProgram(p: NewProgram): Promise<Program>;
  removeProgram(id: number): Promise<void>;
  /** Live status of every program (served from memory: cheap to poll). */
  programStatuses(): Promise<ProgramStatus[]>;
  programStatus(id: number): Promise<ProgramStatus>;
  /** Start / stop / restart a program; resolves with its status afterwards. */
  startProgram(id: number): Promise<ProgramStatus>;
  stopProgram(id: number): Promise<ProgramStatus>;
  restartProgram(id: number): Promise<ProgramStatus>;
  /** Resource history between `from` and `to` (unix ms) in about `points` buckets. */
  samples(id: number, from: number, to: number, points: number): Promise<SampleBucket[]>;
  /** One program's events, newest first; `before` pages back by event id. */
  programEvents(id: number, before?: number, limit?: number): Promise<Event[]>;
  /** The last `lines` lines the program printed, oldest first. */
  logTail(id: number, lines: number): Promise<string[]>;
  /**
   * Events with id > `since`: first the backlog, then live ones, each
   * delivered once and in increasing id order. Returns an unsubscribe function.
   */
  subscribe(since: number, onEvent: (e: Event) => void, hooks?: SubscribeHooks): () => void;

  // ------------------------------------------------------------ jobs
  listJobs(): Promise<Job[]>;
  getJob(id: string): Promise<Job>;
  /** A new job (refused with `conflict` when the id exists). */
  createJob(job: Job): Promise<Job>;
  /** Replace the job with `job.id`. */
  updateJob(job: Job): Promise<Job>;
  deleteJob(id: string): Promise<void>;
  /** Start a run now with these option values; resolves with its id. */
  runJob(id: string, options: Record<string, unknown>): Promise<RunAccepted>;
  /** Runs, newest first; `before` pages back by run id. */
  listRuns(filter?: RunFilter): Promise<Run[]>;
  getRun(id: number): Promise<Run>;
  /** The run's stamped output: lines `<rfc3339> <out|err> <text>`. */
  runOutput(id: number): Promise<string>;
  cancelRun(id: number): Promise<Run>;
  jobsDashboard(): Promise<JobsDashboard>;
  /** The next five fires (unix ms) of a cron expression; `invalid_input` names a bad one. */
  previewSchedule(schedule: string, timezone?: string | null): Promise<number[]>;

  // ------------------------------------------------------------ notifications
  /** The overall health: programs, failing jobs, the delivery backlog (`health` / `/api/health/overall`). */
  overallHealth(): Promise<Health>;
  listEndpoints(): Promise<Endpoint[]>;
  getEndpoint(id: number): Promise<Endpoint>;
  /**
   * Create (no `id`, or 0) or replace the endpoint. Secret values still holding the mask
   * `********` keep what is stored.
   */
  saveEndpoint(endpoint: Endpoint): Promise<Endpoint>;
  deleteEndpoint(id: number): Promise<void>;
  /** Send a test notice to the endpoint now; resolves with how that went. */
  testEndpoint(id: number): Promise<Attempt>;
  listRules(): Promise<Rule[]>;
  /** Create (no `id`, or 0) or replace the rule. */
  saveRule(rule: Rule): Promise<Rule>;
  deleteRule(id: number): Promise<void>;
  /** Deliveries, newest first; `before` pages back by delivery id. */
  listDeliveries(filter?: DeliveryFilter): Promise<Delivery[]>;
  getDelivery(id: number): Promise<DeliveryDetail>;
  /** Requeue these dead deliveries; no ids: every dead one (of `endpoint`, if given). */
  replayDeliveries(ids: number[], endpoint?: number): Promise<Replayed>;
  listTriggers(job: string): Promise<TriggerCredential[]>;
  /** A new trigger credential; its secret is in this answer only. */
  createTrigger(job: string, name: string, kind: TriggerKind): Promise<NewTrigger>;
  revokeTrigger(job: string, id: number): Promise<void>;
}

export function isTauri(w: object = globalThis): boolean {
  return "__TAURI_INTERNALS__" in w;
}

/** Pick the transport: Tauri IPC inside the desktop app, HTTP in a browser. */
export function createClient(): VigilClient {
  if (isTauri()) return createTauriClient();
  return createHttpClient({ baseUrl: "", getToken: loadToken });
}
