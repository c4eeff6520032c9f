// Generated from the operation table (vigil_engine::api::ops) by
// `VIGIL_BLESS=1 cargo test -p vigil-engine --test bindings`. Do not edit by hand.

import type { Action, ActionRun, Attempt, CancelRun, Check, CheckRecord, CheckResult, CheckView, CreateAction, CreateCheck, CreateEndpoint, CreateJob, CreateRule, CreateTrigger, DeleteAction, DeleteCheck, DeleteEndpoint, DeleteJob, DeleteRule, Delivery, DeliveryDetail, Endpoint, Event, ExportJobs, GetCheck, GetCheckMetrics, GetDelivery, GetEndpoint, GetHealth, GetJob, GetJobStats, GetJobsDashboard, GetProgram, GetProgramProcesses, GetProgramStatus, GetRule, GetRun, GetRunOutput, GetSamples, GetSettings, GetStatus, GetSystem, Health, ImportJobs, ImportReport, Job, JobStats, JobsDashboard, JobsFile, ListActionRuns, ListActions, ListCheckHistory, ListChecks, ListDeliveries, ListEndpoints, ListEvents, ListJobs, ListPlugins, ListProcesses, ListProgramEvents, ListProgramStatus, ListPrograms, ListRules, ListRuns, ListTags, ListTriggers, MatchPreview, MetricSeries, NewProgram, NewTrigger, PluginInfo, PreviewMatch, PreviewSchedule, ProcessInfo, Program, ProgramSaved, ProgramStatus, RemoveProgram, ReplayDeliveries, Replayed, RescanPlugins, RestartProgram, RevokeTrigger, Rule, Run, RunAccepted, RunAction, RunCheck, RunJob, SampleBucket, Settings, SettingsChange, StartProgram, Status, StopProgram, SystemOverview, TailLog, TestEndpoint, TriggerCredential, UpdateAction, UpdateCheck, UpdateEndpoint, UpdateJob, UpdateProgram, UpdateRule, UpdateSettings } from "./types";

/** How an operation travels over HTTP; the desktop app invokes it by name instead. */
export type OperationSpec = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Under `/api`; `{name}` and `{name:text}` are request fields. */
  path: string;
  /** `none`: fields in the query; `fields`: the request is the JSON body; else the field that is the body. */
  body: string;
  /** HTTP status of a success; 204 answers nothing. */
  status: number;
  scope: "read" | "operate" | "admin";
};

/** Every operation of the API. */
export const OPERATIONS = {
  status: { method: "GET", path: "/status", body: "none", status: 200, scope: "read" },
  overall_health: { method: "GET", path: "/health/overall", body: "none", status: 200, scope: "read" },
  list_events: { method: "GET", path: "/events/page", body: "none", status: 200, scope: "read" },
  list_programs: { method: "GET", path: "/programs", body: "none", status: 200, scope: "read" },
  add_program: { method: "POST", path: "/programs", body: "fields", status: 201, scope: "admin" },
  list_program_status: { method: "GET", path: "/programs/status", body: "none", status: 200, scope: "read" },
  get_program: { method: "GET", path: "/programs/{id}", body: "none", status: 200, scope: "read" },
  update_program: { method: "PUT", path: "/programs/{id}", body: "fields", status: 200, scope: "admin" },
  preview_match: { method: "GET", path: "/programs/match", body: "none", status: 200, scope: "read" },
  remove_program: { method: "DELETE", path: "/programs/{id}", body: "none", status: 204, scope: "admin" },
  get_program_status: { method: "GET", path: "/programs/{id}/status", body: "none", status: 200, scope: "read" },
  start_program: { method: "POST", path: "/programs/{id}/start", body: "none", status: 200, scope: "operate" },
  stop_program: { method: "POST", path: "/programs/{id}/stop", body: "fields", status: 200, scope: "operate" },
  get_program_processes: { method: "GET", path: "/programs/{id}/processes", body: "none", status: 200, scope: "read" },
  restart_program: { method: "POST", path: "/programs/{id}/restart", body: "none", status: 200, scope: "operate" },
  get_samples: { method: "GET", path: "/programs/{id}/samples", body: "none", status: 200, scope: "read" },
  list_program_events: { method: "GET", path: "/programs/{id}/events", body: "none", status: 200, scope: "read" },
  tail_log: { method: "GET", path: "/programs/{id}/logs", body: "none", status: 200, scope: "read" },
  list_tags: { method: "GET", path: "/tags", body: "none", status: 200, scope: "read" },
  get_system: { method: "GET", path: "/system", body: "none", status: 200, scope: "read" },
  list_processes: { method: "GET", path: "/processes", body: "none", status: 200, scope: "read" },
  get_settings: { method: "GET", path: "/settings", body: "none", status: 200, scope: "read" },
  update_settings: { method: "PUT", path: "/settings", body: "fields", status: 200, scope: "admin" },
  list_jobs: { method: "GET", path: "/jobs", body: "none", status: 200, scope: "read" },
  create_job: { method: "POST", path: "/jobs", body: "fields", status: 201, scope: "admin" },
  get_jobs_dashboard: { method: "GET", path: "/jobs/dashboard", body: "none", status: 200, scope: "read" },
  export_jobs: { method: "GET", path: "/jobs/export", body: "none", status: 200, scope: "read" },
  import_jobs: { method: "POST", path: "/jobs/import", body: "document", status: 200, scope: "admin" },
  get_job: { method: "GET", path: "/jobs/{id:text}", body: "none", status: 200, scope: "read" },
  update_job: { method: "PUT", path: "/jobs/{id:text}", body: "fields", status: 200, scope: "admin" },
  delete_job: { method: "DELETE", path: "/jobs/{id:text}", body: "none", status: 204, scope: "admin" },
  run_job: { method: "POST", path: "/jobs/{id:text}/run", body: "fields", status: 202, scope: "operate" },
  get_job_stats: { method: "GET", path: "/jobs/{id:text}/stats", body: "none", status: 200, scope: "read" },
  list_triggers: { method: "GET", path: "/jobs/{job:text}/triggers", body: "none", status: 200, scope: "read" },
  create_trigger: { method: "POST", path: "/jobs/{job:text}/triggers", body: "fields", status: 201, scope: "admin" },
  revoke_trigger: { method: "DELETE", path: "/jobs/{job:text}/triggers/{id}", body: "none", status: 204, scope: "admin" },
  preview_schedule: { method: "GET", path: "/schedule/preview", body: "none", status: 200, scope: "read" },
  list_runs: { method: "GET", path: "/runs", body: "none", status: 200, scope: "read" },
  get_run: { method: "GET", path: "/runs/{id}", body: "none", status: 200, scope: "read" },
  get_run_output: { method: "GET", path: "/runs/{id}/output", body: "none", status: 200, scope: "read" },
  cancel_run: { method: "POST", path: "/runs/{id}/cancel", body: "none", status: 200, scope: "operate" },
  list_endpoints: { method: "GET", path: "/endpoints", body: "none", status: 200, scope: "read" },
  create_endpoint: { method: "POST", path: "/endpoints", body: "fields", status: 201, scope: "admin" },
  get_endpoint: { method: "GET", path: "/endpoints/{id}", body: "none", status: 200, scope: "read" },
  update_endpoint: { method: "PUT", path: "/endpoints/{id}", body: "fields", status: 200, scope: "admin" },
  delete_endpoint: { method: "DELETE", path: "/endpoints/{id}", body: "none", status: 204, scope: "admin" },
  test_endpoint: { method: "POST", path: "/endpoints/{id}/test", body: "none", status: 200, scope: "operate" },
  list_rules: { method: "GET", path: "/rules", body: "none", status: 200, scope: "read" },
  create_rule: { method: "POST", path: "/rules", body: "fields", status: 201, scope: "admin" },
  get_rule: { method: "GET", path: "/rules/{id}", body: "none", status: 200, scope: "read" },
  update_rule: { method: "PUT", path: "/rules/{id}", body: "fields", status: 200, scope: "admin" },
  delete_rule: { method: "DELETE", path: "/rules/{id}", body: "none", status: 204, scope: "admin" },
  list_deliveries: { method: "GET", path: "/deliveries", body: "none", status: 200, scope: "read" },
  replay_deliveries: { method: "POST", path: "/deliveries/replay", body: "fields", status: 200, scope: "operate" },
  get_delivery: { method: "GET", path: "/deliveries/{id}", body: "none", status: 200, scope: "read" },
  list_plugins: { method: "GET", path: "/plugins", body: "none", status: 200, scope: "read" },
  rescan_plugins: { method: "POST", path: "/plugins/rescan", body: "none", status: 200, scope: "admin" },
  list_checks: { method: "GET", path: "/checks", body: "none", status: 200, scope: "read" },
  create_check: { method: "POST", path: "/checks", body: "fields", status: 201, scope: "admin" },
  get_check: { method: "GET", path: "/checks/{id}", body: "none", status: 200, scope: "read" },
  update_check: { method: "PUT", path: "/checks/{id}", body: "fields", status: 200, scope: "admin" },
  delete_check: { method: "DELETE", path: "/checks/{id}", body: "none", status: 204, scope: "admin" },
  run_check: { method: "POST", path: "/checks/{id}/run", body: "none", status: 200, scope: "operate" },
  list_check_history: { method: "GET", path: "/checks/{id}/history", body: "none", status: 200, scope: "read" },
  get_check_metrics: { method: "GET", path: "/checks/{id}/metrics", body: "none", status: 200, scope: "read" },
  list_actions: { method: "GET", path: "/actions", body: "none", status: 200, scope: "read" },
  create_action: { method: "POST", path: "/actions", body: "fields", status: 201, scope: "admin" },
  update_action: { method: "PUT", path: "/actions/{id}", body: "fields", status: 200, scope: "admin" },
  delete_action: { method: "DELETE", path: "/actions/{id}", body: "none", status: 204, scope: "admin" },
  run_action: { method: "POST", path: "/actions/{id}/run", body: "none", status: 200, scope: "operate" },
  list_action_runs: { method: "GET", path: "/actions/{id}/runs", body: "none", status: 200, scope: "read" },
} as const satisfies Record<string, OperationSpec>;

export type OperationName = keyof typeof OPERATIONS;

/** Each operation's request and response types. */
export type OperationTypes = {
  status: { request: GetStatus; response: Status };
  overall_health: { request: GetHealth; response: Health };
  list_events: { request: ListEvents; response: Array<Event> };
  list_programs: { request: ListPrograms; response: Array<Program> };
  add_program: { request: NewProgram; response: Program };
  list_program_status: { request: ListProgramStatus; response: Array<ProgramStatus> };
  get_program: { request: GetProgram; response: Program };
  update_program: { request: UpdateProgram; response: ProgramSaved };
  preview_match: { request: PreviewMatch; response: MatchPreview };
  remove_program: { request: RemoveProgram; response: void };
  get_program_status: { request: GetProgramStatus; response: ProgramStatus };
  start_program: { request: StartProgram; response: ProgramStatus };
  stop_program: { request: StopProgram; response: ProgramStatus };
  get_program_processes: { request: GetProgramProcesses; response: Array<ProcessInfo> };
  restart_program: { request: RestartProgram; response: ProgramStatus };
  get_samples: { request: GetSamples; response: Array<SampleBucket> };
  list_program_events: { request: ListProgramEvents; response: Array<Event> };
  tail_log: { request: TailLog; response: Array<string> };
  list_tags: { request: ListTags; response: Array<string> };
  get_system: { request: GetSystem; response: SystemOverview };
  list_processes: { request: ListProcesses; response: Array<ProcessInfo> };
  get_settings: { request: GetSettings; response: Settings };
  update_settings: { request: UpdateSettings; response: SettingsChange };
  list_jobs: { request: ListJobs; response: Array<Job> };
  create_job: { request: CreateJob; response: Job };
  get_jobs_dashboard: { request: GetJobsDashboard; response: JobsDashboard };
  export_jobs: { request: ExportJobs; response: JobsFile };
  import_jobs: { request: ImportJobs; response: ImportReport };
  get_job: { request: GetJob; response: Job };
  update_job: { request: UpdateJob; response: Job };
  delete_job: { request: DeleteJob; response: void };
  run_job: { request: RunJob; response: RunAccepted };
  get_job_stats: { request: GetJobStats; response: JobStats };
  list_triggers: { request: ListTriggers; response: Array<TriggerCredential> };
  create_trigger: { request: CreateTrigger; response: NewTrigger };
  revoke_trigger: { request: RevokeTrigger; response: void };
  preview_schedule: { request: PreviewSchedule; response: Array<number> };
  list_runs: { request: ListRuns; response: Array<Run> };
  get_run: { request: GetRun; response: Run };
  get_run_output: { request: GetRunOutput; response: string };
  cancel_run: { request: CancelRun; response: Run };
  list_endpoints: { request: ListEndpoints; response: Array<Endpoint> };
  create_endpoint: { request: CreateEndpoint; response: Endpoint };
  get_endpoint: { request: GetEndpoint; response: Endpoint };
  update_endpoint: { request: UpdateEndpoint; response: Endpoint };
  delete_endpoint: { request: DeleteEndpoint; response: void };
  test_endpoint: { request: TestEndpoint; response: Attempt };
  list_rules: { request: ListRules; response: Array<Rule> };
  create_rule: { request: CreateRule; response: Rule };
  get_rule: { request: GetRule; response: Rule };
  update_rule: { request: UpdateRule; response: Rule };
  delete_rule: { request: DeleteRule; response: void };
  list_deliveries: { request: ListDeliveries; response: Array<Delivery> };
  replay_deliveries: { request: ReplayDeliveries; response: Replayed };
  get_delivery: { request: GetDelivery; response: DeliveryDetail };
  list_plugins: { request: ListPlugins; response: Array<PluginInfo> };
  rescan_plugins: { request: RescanPlugins; response: Array<PluginInfo> };
  list_checks: { request: ListChecks; response: Array<CheckView> };
  create_check: { request: CreateCheck; response: Check };
  get_check: { request: GetCheck; response: CheckView };
  update_check: { request: UpdateCheck; response: Check };
  delete_check: { request: DeleteCheck; response: void };
  run_check: { request: RunCheck; response: CheckResult };
  list_check_history: { request: ListCheckHistory; response: Array<CheckRecord> };
  get_check_metrics: { request: GetCheckMetrics; response: Array<MetricSeries> };
  list_actions: { request: ListActions; response: Array<Action> };
  create_action: { request: CreateAction; response: Action };
  update_action: { request: UpdateAction; response: Action };
  delete_action: { request: DeleteAction; response: void };
  run_action: { request: RunAction; response: ActionRun };
  list_action_runs: { request: ListActionRuns; response: Array<ActionRun> };
};

/** One method per operation, named in camelCase. */
export interface VigilOperations {
  /**  The engine's version, uptime, program count and last event id. (`GET /api/status`) */
  status(request?: GetStatus): Promise<Status>;
  /**  Programs, jobs and deliveries summed up as ok / warning / critical. (`GET /api/health/overall`) */
  overallHealth(request?: GetHealth): Promise<Health>;
  /**  A page of the event log after a cursor (the live feed is `GET /api/events`). (`GET /api/events/page`) */
  listEvents(request: ListEvents): Promise<Array<Event>>;
  /**  Every program. (`GET /api/programs`) */
  listPrograms(request?: ListPrograms): Promise<Array<Program>>;
  /**  Registers a program. (`POST /api/programs`) */
  addProgram(request: NewProgram): Promise<Program>;
  /**  Every program's live status. (`GET /api/programs/status`) */
  listProgramStatus(request?: ListProgramStatus): Promise<Array<ProgramStatus>>;
  /**  One program. (`GET /api/programs/{id}`) */
  getProgram(request: GetProgram): Promise<Program>;
  /**  Changes a program, keeping its id and history; restarts it only where needed. (`PUT /api/programs/{id}`) */
  updateProgram(request: UpdateProgram): Promise<ProgramSaved>;
  /**  Which running processes a match rule finds now. (`GET /api/programs/match`) */
  previewMatch(request: PreviewMatch): Promise<MatchPreview>;
  /**  Removes a program (stopping it first if Vigil launched it). (`DELETE /api/programs/{id}`) */
  removeProgram(request: RemoveProgram): Promise<void>;
  /**  One program's live status. (`GET /api/programs/{id}/status`) */
  getProgramStatus(request: GetProgramStatus): Promise<ProgramStatus>;
  /**  Starts a launched program. (`POST /api/programs/{id}/start`) */
  startProgram(request: StartProgram): Promise<ProgramStatus>;
  /**  Stops a launched program. (`POST /api/programs/{id}/stop`) */
  stopProgram(request: StopProgram): Promise<ProgramStatus>;
  /**  The processes a program has now (what its stop would end). (`GET /api/programs/{id}/processes`) */
  getProgramProcesses(request: GetProgramProcesses): Promise<Array<ProcessInfo>>;
  /**  Restarts a launched program. (`POST /api/programs/{id}/restart`) */
  restartProgram(request: RestartProgram): Promise<ProgramStatus>;
  /**  CPU and memory history in buckets. (`GET /api/programs/{id}/samples`) */
  getSamples(request: GetSamples): Promise<Array<SampleBucket>>;
  /**  One program's events, newest first. (`GET /api/programs/{id}/events`) */
  listProgramEvents(request: ListProgramEvents): Promise<Array<Event>>;
  /**  The last lines a program printed (`?follow=true` streams new ones instead). (`GET /api/programs/{id}/logs`) */
  tailLog(request: TailLog): Promise<Array<string>>;
  /**  Every tag in use on programs and jobs. (`GET /api/tags`) */
  listTags(request?: ListTags): Promise<Array<string>>;
  /**  The machine at a glance: CPU per core, memory, disks, network, top processes. (`GET /api/system`) */
  getSystem(request?: GetSystem): Promise<SystemOverview>;
  /**  The running processes, busiest first (the register form's picker). (`GET /api/processes`) */
  listProcesses(request: ListProcesses): Promise<Array<ProcessInfo>>;
  /**  The engine's settings. (`GET /api/settings`) */
  getSettings(request?: GetSettings): Promise<Settings>;
  /**  Changes the settings named; says which need a restart. (`PUT /api/settings`) */
  updateSettings(request: UpdateSettings): Promise<SettingsChange>;
  /**  Every job. (`GET /api/jobs`) */
  listJobs(request?: ListJobs): Promise<Array<Job>>;
  /**  Creates a job from its definition. (`POST /api/jobs`) */
  createJob(request: CreateJob): Promise<Job>;
  /**  Today's summary for the jobs page. (`GET /api/jobs/dashboard`) */
  getJobsDashboard(request?: GetJobsDashboard): Promise<JobsDashboard>;
  /**  Every job as one importable file. (`GET /api/jobs/export`) */
  exportJobs(request?: ExportJobs): Promise<JobsFile>;
  /**  Imports jobs, all or nothing. (`POST /api/jobs/import`) */
  importJobs(request: ImportJobs): Promise<ImportReport>;
  /**  One job. (`GET /api/jobs/{id:text}`) */
  getJob(request: GetJob): Promise<Job>;
  /**  Replaces a job. (`PUT /api/jobs/{id:text}`) */
  updateJob(request: UpdateJob): Promise<Job>;
  /**  Deletes a job. (`DELETE /api/jobs/{id:text}`) */
  deleteJob(request: DeleteJob): Promise<void>;
  /**  Starts a run now with option values. (`POST /api/jobs/{id:text}/run`) */
  runJob(request: RunJob): Promise<RunAccepted>;
  /**  A job's success rate, recent durations, learned usual duration, next run. (`GET /api/jobs/{id:text}/stats`) */
  getJobStats(request: GetJobStats): Promise<JobStats>;
  /**  A job's trigger credentials. (`GET /api/jobs/{job:text}/triggers`) */
  listTriggers(request: ListTriggers): Promise<Array<TriggerCredential>>;
  /**  Creates a trigger credential; its secret is in this answer only. (`POST /api/jobs/{job:text}/triggers`) */
  createTrigger(request: CreateTrigger): Promise<NewTrigger>;
  /**  Revokes a trigger credential. (`DELETE /api/jobs/{job:text}/triggers/{id}`) */
  revokeTrigger(request: RevokeTrigger): Promise<void>;
  /**  The next fire times of a cron expression. (`GET /api/schedule/preview`) */
  previewSchedule(request: PreviewSchedule): Promise<Array<number>>;
  /**  Runs, newest first, filtered and paged. (`GET /api/runs`) */
  listRuns(request: ListRuns): Promise<Array<Run>>;
  /**  One run. (`GET /api/runs/{id}`) */
  getRun(request: GetRun): Promise<Run>;
  /**  A run's stamped output (`?follow=true` streams it instead). (`GET /api/runs/{id}/output`) */
  getRunOutput(request: GetRunOutput): Promise<string>;
  /**  Cancels a queued or running run. (`POST /api/runs/{id}/cancel`) */
  cancelRun(request: CancelRun): Promise<Run>;
  /**  Every notification endpoint (secrets masked). (`GET /api/endpoints`) */
  listEndpoints(request?: ListEndpoints): Promise<Array<Endpoint>>;
  /**  Creates an endpoint. (`POST /api/endpoints`) */
  createEndpoint(request: CreateEndpoint): Promise<Endpoint>;
  /**  One endpoint (secrets masked). (`GET /api/endpoints/{id}`) */
  getEndpoint(request: GetEndpoint): Promise<Endpoint>;
  /**  Replaces an endpoint. (`PUT /api/endpoints/{id}`) */
  updateEndpoint(request: UpdateEndpoint): Promise<Endpoint>;
  /**  Deletes an endpoint no rule uses. (`DELETE /api/endpoints/{id}`) */
  deleteEndpoint(request: DeleteEndpoint): Promise<void>;
  /**  Sends a test notice to an endpoint now. (`POST /api/endpoints/{id}/test`) */
  testEndpoint(request: TestEndpoint): Promise<Attempt>;
  /**  Every rule. (`GET /api/rules`) */
  listRules(request?: ListRules): Promise<Array<Rule>>;
  /**  Creates a rule. (`POST /api/rules`) */
  createRule(request: CreateRule): Promise<Rule>;
  /**  One rule. (`GET /api/rules/{id}`) */
  getRule(request: GetRule): Promise<Rule>;
  /**  Replaces a rule. (`PUT /api/rules/{id}`) */
  updateRule(request: UpdateRule): Promise<Rule>;
  /**  Deletes a rule. (`DELETE /api/rules/{id}`) */
  deleteRule(request: DeleteRule): Promise<void>;
  /**  The delivery log, newest first. (`GET /api/deliveries`) */
  listDeliveries(request: ListDeliveries): Promise<Array<Delivery>>;
  /**  Requeues dead deliveries. (`POST /api/deliveries/replay`) */
  replayDeliveries(request: ReplayDeliveries): Promise<Replayed>;
  /**  One delivery and its attempts. (`GET /api/deliveries/{id}`) */
  getDelivery(request: GetDelivery): Promise<DeliveryDetail>;
  /**  Every plugin folder: installed plugins and refused ones with the reason. (`GET /api/plugins`) */
  listPlugins(request?: ListPlugins): Promise<Array<PluginInfo>>;
  /**  Reads the plugins folder again. (`POST /api/plugins/rescan`) */
  rescanPlugins(request?: RescanPlugins): Promise<Array<PluginInfo>>;
  /**  Every check with its latest result. (`GET /api/checks`) */
  listChecks(request?: ListChecks): Promise<Array<CheckView>>;
  /**  Creates a check. (`POST /api/checks`) */
  createCheck(request: CreateCheck): Promise<Check>;
  /**  One check with its latest result. (`GET /api/checks/{id}`) */
  getCheck(request: GetCheck): Promise<CheckView>;
  /**  Replaces a check (its history stays). (`PUT /api/checks/{id}`) */
  updateCheck(request: UpdateCheck): Promise<Check>;
  /**  Deletes a check with its history. (`DELETE /api/checks/{id}`) */
  deleteCheck(request: DeleteCheck): Promise<void>;
  /**  Runs a check now and answers with its result. (`POST /api/checks/{id}/run`) */
  runCheck(request: RunCheck): Promise<CheckResult>;
  /**  A check's invocation log, newest first. (`GET /api/checks/{id}/history`) */
  listCheckHistory(request: ListCheckHistory): Promise<Array<CheckRecord>>;
  /**  A check's metrics over a window. (`GET /api/checks/{id}/metrics`) */
  getCheckMetrics(request: GetCheckMetrics): Promise<Array<MetricSeries>>;
  /**  Every action. (`GET /api/actions`) */
  listActions(request?: ListActions): Promise<Array<Action>>;
  /**  Creates an action. (`POST /api/actions`) */
  createAction(request: CreateAction): Promise<Action>;
  /**  Replaces an action. (`PUT /api/actions/{id}`) */
  updateAction(request: UpdateAction): Promise<Action>;
  /**  Deletes an action with its log. (`DELETE /api/actions/{id}`) */
  deleteAction(request: DeleteAction): Promise<void>;
  /**  Runs an action now on a made-up event. (`POST /api/actions/{id}/run`) */
  runAction(request: RunAction): Promise<ActionRun>;
  /**  An action's log, newest first. (`GET /api/actions/{id}/runs`) */
  listActionRuns(request: ListActionRuns): Promise<Array<ActionRun>>;
}

/** Method name to operation name. */
export const METHOD_OPERATIONS = {
  status: "status",
  overallHealth: "overall_health",
  listEvents: "list_events",
  listPrograms: "list_programs",
  addProgram: "add_program",
  listProgramStatus: "list_program_status",
  getProgram: "get_program",
  updateProgram: "update_program",
  previewMatch: "preview_match",
  removeProgram: "remove_program",
  getProgramStatus: "get_program_status",
  startProgram: "start_program",
  stopProgram: "stop_program",
  getProgramProcesses: "get_program_processes",
  restartProgram: "restart_program",
  getSamples: "get_samples",
  listProgramEvents: "list_program_events",
  tailLog: "tail_log",
  listTags: "list_tags",
  getSystem: "get_system",
  listProcesses: "list_processes",
  getSettings: "get_settings",
  updateSettings: "update_settings",
  listJobs: "list_jobs",
  createJob: "create_job",
  getJobsDashboard: "get_jobs_dashboard",
  exportJobs: "export_jobs",
  importJobs: "import_jobs",
  getJob: "get_job",
  updateJob: "update_job",
  deleteJob: "delete_job",
  runJob: "run_job",
  getJobStats: "get_job_stats",
  listTriggers: "list_triggers",
  createTrigger: "create_trigger",
  revokeTrigger: "revoke_trigger",
  previewSchedule: "preview_schedule",
  listRuns: "list_runs",
  getRun: "get_run",
  getRunOutput: "get_run_output",
  cancelRun: "cancel_run",
  listEndpoints: "list_endpoints",
  createEndpoint: "create_endpoint",
  getEndpoint: "get_endpoint",
  updateEndpoint: "update_endpoint",
  deleteEndpoint: "delete_endpoint",
  testEndpoint: "test_endpoint",
  listRules: "list_rules",
  createRule: "create_rule",
  getRule: "get_rule",
  updateRule: "update_rule",
  deleteRule: "delete_rule",
  listDeliveries: "list_deliveries",
  replayDeliveries: "replay_deliveries",
  getDelivery: "get_delivery",
  listPlugins: "list_plugins",
  rescanPlugins: "rescan_plugins",
  listChecks: "list_checks",
  createCheck: "create_check",
  getCheck: "get_check",
  updateCheck: "update_check",
  deleteCheck: "delete_check",
  runCheck: "run_check",
  listCheckHistory: "list_check_history",
  getCheckMetrics: "get_check_metrics",
  listActions: "list_actions",
  createAction: "create_action",
  updateAction: "update_action",
  deleteAction: "delete_action",
  runAction: "run_action",
  listActionRuns: "list_action_runs",
} as const satisfies Record<keyof VigilOperations, OperationName>;
