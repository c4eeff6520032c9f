//! The operation table: every operation of the API declared once, with its name, HTTP method
//! and path, the scope a caller needs, where its HTTP body goes, its success status, and its
//! request type (the response type is the request's [`Request::Response`]).
//!
//! Every front end is derived from this one table: the HTTP routes (`vigil-server`), the
//! desktop app's IPC (`src-tauri` dispatches by name), the TypeScript method table the UI's two
//! transports share (`ui/src/lib/operations.ts`, generated), and the CLI's typed client.
//! Routes that are not operations (event and log streams, downloads, hooks, the UI's files) are
//! listed by the server next to its router.
//!
//! Path parameters are written `{name}` for integer ids and `{name:text}` for text ids (job
//! ids); each names a field of the request. A request's fields come from the path parameters
//! and then either the query string (operations without a body) or the JSON body.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use ts_rs::TS;
use vigil_core::ApiError;

use super::*;
use crate::{Engine, Request};

/// An HTTP method an operation is served under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Reads; never changes anything.
    Get,
    /// Creates or acts.
    Post,
    /// Replaces.
    Put,
    /// Removes.
    Delete,
}

impl Method {
    /// The method as HTTP spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

/// What a caller's credentials must allow for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Look at anything (no secrets are ever returned).
    Read,
    /// Start, stop, run, cancel, test and replay what already exists.
    Operate,
    /// Create, change and delete programs, jobs, endpoints, rules and trigger credentials.
    Admin,
}

impl Scope {
    /// The scope's name in tokens and docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Operate => "operate",
            Self::Admin => "admin",
        }
    }
}

/// Where an operation's HTTP body goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// No body: the fields come from the path and the query string.
    None,
    /// The body is a JSON object holding the request's fields (path parameters are added; one
    /// the body also names must agree with the path). A blank body is `{}`.
    Fields,
    /// The body, any JSON value, is this one field of the request; the other fields come from
    /// the path and the query string.
    Field(&'static str),
}

type Answer = Pin<Box<dyn Future<Output = Result<Value, ApiError>> + Send>>;

/// One row of the table.
pub struct Operation {
    /// Its name: the IPC command, the TypeScript method (in camelCase) and the docs' name.
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The HTTP path under `/api`, with `{param}` / `{param:text}` placeholders.
    pub path: &'static str,
    /// What the caller must be allowed.
    pub scope: Scope,
    /// Where the HTTP body goes.
    pub body: Body,
    /// The HTTP status of a success (204: the answer is not sent).
    pub status: u16,
    /// One line for people, from the request type's first doc line.
    pub doc: &'static str,
    call: fn(Engine, HttpArgs) -> Answer,
    parse: fn(&HttpArgs) -> Result<(), ApiError>,
    request_ts: fn() -> (String, String),
    response_ts: fn() -> String,
}

/// A request type that is an operation of the table.
pub trait Op: Request + Serialize + DeserializeOwned + TS {
    /// Its row.
    fn operation() -> &'static Operation;
}

/// Reads the request type from its fields: JSON, or a form (text parsed into each field's type).
fn read<R: Op>(args: &HttpArgs) -> Result<R, ApiError> {
    match args {
        HttpArgs::Json(v) => {
            R::deserialize(v).map_err(|e| ApiError::invalid(format!("invalid request: {e}")))
        }
        HttpArgs::Form(f) => serde_urlencoded::from_str(f)
            .map_err(|e| ApiError::invalid(format!("invalid query: {e}"))),
    }
}

fn call<R: Op>(engine: Engine, args: HttpArgs) -> Answer {
    let request = read::<R>(&args);
    Box::pin(async move {
        let response = engine.call(request?).await?;
        serde_json::to_value(response)
            .map_err(|e| ApiError::internal(format!("cannot encode the answer: {e}")))
    })
}

fn parse<R: Op>(args: &HttpArgs) -> Result<(), ApiError> {
    read::<R>(args).map(drop)
}

fn request_ts<R: TS>() -> (String, String) {
    (R::name(), R::decl())
}

fn response_ts<R: Request>() -> String
where
    R::Response: TS,
{
    <R::Response as TS>::name()
}

macro_rules! body {
    () => {
        Body::None
    };
    (body) => {
        Body::Fields
    };
    (body $field:ident) => {
        Body::Field(stringify!($field))
    };
}

macro_rules! status {
    () => {
        200
    };
    ($status:literal) => {
        $status
    };
}

macro_rules! response_ts {
    ($req:ty) => {
        response_ts::<$req>
    };
    ($req:ty, $ts:literal) => {{
        fn named() -> String {
            $ts.to_owned()
        }
        named
    }};
}

macro_rules! operations {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident: $method:ident $path:literal, $scope:ident
            $(, body $(($field:ident))?)? $(, $status:literal)? => $req:ty $(as $ts:literal)?;
    )*) => {
        /// Every operation, in the order the docs list them.
        pub static OPERATIONS: &[Operation] = &[$(
            Operation {
                name: stringify!($name),
                method: Method::$method,
                path: $path,
                scope: Scope::$scope,
                body: body!($(body $($field)?)?),
                status: status!($($status)?),
                doc: concat!($($doc),*),
                call: call::<$req>,
                parse: parse::<$req>,
                request_ts: request_ts::<$req>,
                response_ts: response_ts!($req $(, $ts)?),
            },
        )*];

        $(
            impl Op for $req {
                fn operation() -> &'static Operation {
                    find(stringify!($name)).expect("declared in this same table")
                }
            }
        )*
    };
}

operations! {
    /// The engine's version, uptime, program count and last event id.
    status: Get "/status", Read => GetStatus;
    /// Programs, jobs and deliveries summed up as ok / warning / critical.
    overall_health: Get "/health/overall", Read => GetHealth;
    /// A page of the event log after a cursor (the live feed is `GET /api/events`).
    list_events: Get "/events/page", Read => ListEvents;

    /// Every program.
    list_programs: Get "/programs", Read => ListPrograms;
    /// Registers a program.
    add_program: Post "/programs", Admin, body, 201 => AddProgram;
    /// Every program's live status.
    list_program_status: Get "/programs/status", Read => ListProgramStatus;
    /// One program.
    get_program: Get "/programs/{id}", Read => GetProgram;
    /// Changes a program, keeping its id and history; restarts it only where needed.
    update_program: Put "/programs/{id}", Admin, body => UpdateProgram;
    /// Which running processes a match rule finds now.
    preview_match: Get "/programs/match", Read => PreviewMatch;
    /// Removes a program (stopping it first if Vigil launched it).
    remove_program: Delete "/programs/{id}", Admin, 204 => RemoveProgram;
    /// One program's live status.
    get_program_status: Get "/programs/{id}/status", Read => GetProgramStatus;
    /// Starts a launched program.
    start_program: Post "/programs/{id}/start", Operate => StartProgram;
    /// Stops a launched program.
    stop_program: Post "/programs/{id}/stop", Operate, body => StopProgram;
    /// The processes a program has now (what its stop would end).
    get_program_processes: Get "/programs/{id}/processes", Read => GetProgramProcesses;
    /// Restarts a launched program.
    restart_program: Post "/programs/{id}/restart", Operate => RestartProgram;
    /// CPU and memory history in buckets.
    get_samples: Get "/programs/{id}/samples", Read => GetSamples;
    /// One program's events, newest first.
    list_program_events: Get "/programs/{id}/events", Read => ListProgramEvents;
    /// The last lines a program printed (`?follow=true` streams new ones instead).
    tail_log: Get "/programs/{id}/logs", Read => TailLog;
    /// Every tag in use on programs and jobs.
    list_tags: Get "/tags", Read => ListTags;
    /// The machine at a glance: CPU per core, memory, disks, network, top processes.
    get_system: Get "/system", Read => GetSystem;
    /// The running processes, busiest first (the register form's picker).
    list_processes: Get "/processes", Read => ListProcesses;

    /// The engine's settings.
    get_settings: Get "/settings", Read => GetSettings;
    /// Changes the settings named; says which need a restart.
    update_settings: Put "/settings", Admin, body => UpdateSettings;

    /// Every job.
    list_jobs: Get "/jobs", Read => ListJobs;
    /// Creates a job from its definition.
    create_job: Post "/jobs", Admin, body, 201 => CreateJob;
    /// Today's summary for the jobs page.
    get_jobs_dashboard: Get "/jobs/dashboard", Read => GetJobsDashboard;
    /// Every job as one importable file.
    export_jobs: Get "/jobs/export", Read => ExportJobs;
    /// Imports jobs, all or nothing.
    import_jobs: Post "/jobs/import", Admin, body(document) => ImportJobs;
    /// One job.
    get_job: Get "/jobs/{id:text}", Read => GetJob;
    /// Replaces a job.
    update_job: Put "/jobs/{id:text}", Admin, body => UpdateJob;
    /// Deletes a job.
    delete_job: Delete "/jobs/{id:text}", Admin, 204 => DeleteJob;
    /// Starts a run now with option values.
    run_job: Post "/jobs/{id:text}/run", Operate, body, 202 => RunJob;
    /// A job's success rate, recent durations, learned usual duration, next run.
    get_job_stats: Get "/jobs/{id:text}/stats", Read => GetJobStats;
    /// A job's trigger credentials.
    list_triggers: Get "/jobs/{job:text}/triggers", Read => ListTriggers;
    /// Creates a trigger credential; its secret is in this answer only.
    create_trigger: Post "/jobs/{job:text}/triggers", Admin, body, 201 => CreateTrigger;
    /// Revokes a trigger credential.
    revoke_trigger: Delete "/jobs/{job:text}/triggers/{id}", Admin, 204 => RevokeTrigger;
    /// The next fire times of a cron expression.
    preview_schedule: Get "/schedule/preview", Read => PreviewSchedule as "Array<number>";

    /// Runs, newest first, filtered and paged.
    list_runs: Get "/runs", Read => ListRuns;
    /// One run.
    get_run: Get "/runs/{id}", Read => GetRun;
    /// A run's stamped output (`?follow=true` streams it instead).
    get_run_output: Get "/runs/{id}/output", Read => GetRunOutput;
    /// Cancels a queued or running run.
    cancel_run: Post "/runs/{id}/cancel", Operate => CancelRun;

    /// Every notification endpoint (secrets masked).
    list_endpoints: Get "/endpoints", Read => ListEndpoints;
    /// Creates an endpoint.
    create_endpoint: Post "/endpoints", Admin, body, 201 => CreateEndpoint;
    /// One endpoint (secrets masked).
    get_endpoint: Get "/endpoints/{id}", Read => GetEndpoint;
    /// Replaces an endpoint.
    update_endpoint: Put "/endpoints/{id}", Admin, body => UpdateEndpoint;
    /// Deletes an endpoint no rule uses.
    delete_endpoint: Delete "/endpoints/{id}", Admin, 204 => DeleteEndpoint;
    /// Sends a test notice to an endpoint now.
    test_endpoint: Post "/endpoints/{id}/test", Operate => TestEndpoint;
    /// Every rule.
    list_rules: Get "/rules", Read => ListRules;
    /// Creates a rule.
    create_rule: Post "/rules", Admin, body, 201 => CreateRule;
    /// One rule.
    get_rule: Get "/rules/{id}", Read => GetRule;
    /// Replaces a rule.
    update_rule: Put "/rules/{id}", Admin, body => UpdateRule;
    /// Deletes a rule.
    delete_rule: Delete "/rules/{id}", Admin, 204 => DeleteRule;
    /// The delivery log, newest first.
    list_deliveries: Get "/deliveries", Read => ListDeliveries;
    /// Requeues dead deliveries.
    replay_deliveries: Post "/deliveries/replay", Operate, body => ReplayDeliveries;
    /// One delivery and its attempts.
    get_delivery: Get "/deliveries/{id}", Read => GetDelivery;

    /// Every plugin folder: installed plugins and refused ones with the reason.
    list_plugins: Get "/plugins", Read => ListPlugins;
    /// Reads the plugins folder again.
    rescan_plugins: Post "/plugins/rescan", Admin => RescanPlugins;
    /// Every check with its latest result.
    list_checks: Get "/checks", Read => ListChecks;
    /// Creates a check.
    create_check: Post "/checks", Admin, body, 201 => CreateCheck;
    /// One check with its latest result.
    get_check: Get "/checks/{id}", Read => GetCheck;
    /// Replaces a check (its history stays).
    update_check: Put "/checks/{id}", Admin, body => UpdateCheck;
    /// Deletes a check with its history.
    delete_check: Delete "/checks/{id}", Admin, 204 => DeleteCheck;
    /// Runs a check now and answers with its result.
    run_check: Post "/checks/{id}/run", Operate => RunCheck;
    /// A check's invocation log, newest first.
    list_check_history: Get "/checks/{id}/history", Read => ListCheckHistory;
    /// A check's metrics over a window.
    get_check_metrics: Get "/checks/{id}/metrics", Read => GetCheckMetrics;
    /// Every action.
    list_actions: Get "/actions", Read => ListActions;
    /// Creates an action.
    create_action: Post "/actions", Admin, body, 201 => CreateAction;
    /// Replaces an action.
    update_action: Put "/actions/{id}", Admin, body => UpdateAction;
    /// Deletes an action with its log.
    delete_action: Delete "/actions/{id}", Admin, 204 => DeleteAction;
    /// Runs an action now on a made-up event.
    run_action: Post "/actions/{id}/run", Operate => RunAction;
    /// An action's log, newest first.
    list_action_runs: Get "/actions/{id}/runs", Read => ListActionRuns;
}

/// The operation with this name.
pub fn find(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.name == name)
}

/// Runs the named operation with its request as JSON: how the desktop app's IPC reaches the
/// engine. An unknown name is `not_found`.
pub async fn dispatch(engine: &Engine, name: &str, args: Value) -> Result<Value, ApiError> {
    let op = find(name).ok_or_else(|| ApiError::not_found(format!("no operation {name:?}")))?;
    op.run(engine, args).await
}

/// One path parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// The request field it fills.
    pub name: &'static str,
    /// A text id (kept as a string) rather than an integer id.
    pub text: bool,
}

/// An operation's request as it arrived over HTTP.
#[derive(Debug, Clone, PartialEq)]
pub enum HttpArgs {
    /// Fields as JSON (operations with a body).
    Json(Value),
    /// Fields as a form-encoded string, text parsed into each field's type on the way in
    /// (operations without a body: path parameters and the query string).
    Form(String),
}

/// An HTTP request for an operation, as a client sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpCall {
    /// The method.
    pub method: Method,
    /// The path under `/api`, parameters filled in and percent-encoded.
    pub path: String,
    /// Query parameters (unencoded).
    pub query: Vec<(String, String)>,
    /// The JSON body, if the operation takes one.
    pub body: Option<Value>,
}

impl Operation {
    /// Runs this operation with its request as JSON.
    pub fn run(&self, engine: &Engine, args: Value) -> Answer {
        (self.call)(engine.clone(), HttpArgs::Json(args))
    }

    /// Reads the request as it arrived over HTTP into the operation's request type without
    /// running it: what a call would refuse as `invalid_input` before reaching the engine.
    pub fn parse_http(&self, args: &HttpArgs) -> Result<(), ApiError> {
        (self.parse)(args)
    }

    /// Runs this operation with its request as it arrived over HTTP.
    pub fn run_http(&self, engine: &Engine, args: HttpArgs) -> Answer {
        (self.call)(engine.clone(), args)
    }

    /// The name of the UI client's method for it: the name in camelCase.
    pub fn method_name(&self) -> String {
        let mut out = String::new();
        let mut upper = false;
        for c in self.name.chars() {
            if c == '_' {
                upper = true;
            } else if upper {
                out.extend(c.to_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The path parameters, in order.
    pub fn params(&self) -> impl Iterator<Item = Param> + '_ {
        self.path.split('/').filter_map(|segment| {
            let inner = segment.strip_prefix('{')?.strip_suffix('}')?;
            Some(match inner.strip_suffix(":text") {
                Some(name) => Param { name, text: true },
                None => Param {
                    name: inner,
                    text: false,
                },
            })
        })
    }

    /// The path with every parameter written `{pN}` by position, as axum routes it (one name
    /// per position, whatever each operation calls it).
    pub fn route_path(&self) -> String {
        let mut n = 0;
        self.path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    n += 1;
                    format!("{{p{}}}", n - 1)
                } else {
                    segment.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The request's TypeScript type name and declaration.
    pub fn request_typescript(&self) -> (String, String) {
        (self.request_ts)()
    }

    /// The TypeScript type the UI sees for a success (`void` for 204).
    pub fn response_typescript(&self) -> String {
        if self.status == 204 {
            "void".to_owned()
        } else {
            (self.response_ts)()
        }
    }

    /// The request, from an HTTP request's path parameters (by position), raw query string and
    /// body. Bad input names what is wrong.
    pub fn request_from_http(
        &self,
        params: &[String],
        query: Option<&str>,
        body: &[u8],
    ) -> Result<HttpArgs, ApiError> {
        let declared: Vec<Param> = self.params().collect();
        if declared.len() != params.len() {
            return Err(ApiError::invalid("wrong number of path parameters"));
        }
        let mut fields = Map::new();
        for (param, raw) in declared.iter().zip(params) {
            let value = if param.text {
                Value::String(raw.clone())
            } else {
                let id = raw.parse::<i64>().map_err(|_| {
                    ApiError::invalid(format!("{} must be an integer, got {raw:?}", param.name))
                })?;
                Value::from(id)
            };
            fields.insert(param.name.to_owned(), value);
        }
        let query = query.unwrap_or("");
        let asked = query_pairs(query)?;
        if let Some((key, _)) = asked.iter().find(|(k, _)| fields.contains_key(k)) {
            return Err(ApiError::invalid(format!(
                "{key} is given twice (path and query)"
            )));
        }
        let blank = body.iter().all(u8::is_ascii_whitespace);
        let parse_body = || -> Result<Value, ApiError> {
            serde_json::from_slice(body)
                .map_err(|e| ApiError::invalid(format!("invalid JSON body: {e}")))
        };
        match self.body {
            Body::None => {
                let mut form = fields
                    .iter()
                    .map(|(k, v)| format!("{k}={}", percent_encode(&scalar(v))))
                    .collect::<Vec<_>>();
                if !query.is_empty() {
                    form.push(query.to_owned());
                }
                Ok(HttpArgs::Form(form.join("&")))
            }
            Body::Fields => {
                if !asked.is_empty() {
                    return Err(ApiError::invalid(format!(
                        "{} takes its fields in the body, not the query",
                        self.name
                    )));
                }
                let sent = if blank {
                    Value::Object(Map::new())
                } else {
                    parse_body()?
                };
                let Value::Object(sent) = sent else {
                    return Err(ApiError::invalid("the body must be a JSON object"));
                };
                for (key, value) in sent {
                    match fields.get(&key) {
                        Some(from_path) if *from_path != value => {
                            return Err(ApiError::invalid(format!(
                                "the body's {key} {value} does not match the path's {from_path}"
                            )));
                        }
                        Some(_) => {}
                        None => {
                            fields.insert(key, value);
                        }
                    }
                }
                Ok(HttpArgs::Json(Value::Object(fields)))
            }
            Body::Field(field) => {
                // Flags beside a body: `true`, `false` and integers are typed, the rest text.
                for (key, text) in asked {
                    let value = match text.as_str() {
                        "true" => Value::Bool(true),
                        "false" => Value::Bool(false),
                        t => t
                            .parse::<i64>()
                            .map_or_else(|_| Value::String(text.clone()), Value::from),
                    };
                    fields.insert(key, value);
                }
                if blank {
                    return Err(ApiError::invalid(format!(
                        "{} needs a JSON body ({field})",
                        self.name
                    )));
                }
                fields.insert(field.to_owned(), parse_body()?);
                Ok(HttpArgs::Json(Value::Object(fields)))
            }
        }
    }

    /// The HTTP request a client sends for this operation with `request` (its fields as JSON).
    pub fn to_http(&self, request: &Value) -> Result<HttpCall, ApiError> {
        let Value::Object(fields) = request else {
            return Err(ApiError::invalid("a request is a JSON object"));
        };
        let mut rest = fields.clone();
        let mut path = String::new();
        for segment in self.path.split('/').skip(1) {
            path.push('/');
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(inner) => {
                    let name = inner.strip_suffix(":text").unwrap_or(inner);
                    let value = fields
                        .get(name)
                        .ok_or_else(|| ApiError::invalid(format!("{} needs {name}", self.name)))?;
                    if self.body != Body::Fields {
                        rest.remove(name);
                    }
                    path.push_str(&percent_encode(&scalar(value)));
                }
                None => path.push_str(segment),
            }
        }
        let (query, body) = match self.body {
            Body::Fields => (Vec::new(), Some(Value::Object(rest))),
            Body::None => (pairs(rest), None),
            Body::Field(field) => {
                let body = rest.remove(field).unwrap_or(Value::Null);
                (pairs(rest), Some(body))
            }
        };
        Ok(HttpCall {
            method: self.method,
            path,
            query,
            body,
        })
    }
}

/// A scalar as query or path text (strings unquoted).
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn pairs(fields: Map<String, Value>) -> Vec<(String, String)> {
    fields
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k, scalar(&v)))
        .collect()
}

/// The query's decoded pairs; a name given twice is refused.
fn query_pairs(raw: &str) -> Result<Vec<(String, String)>, ApiError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for part in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let (k, v) = (percent_decode(k)?, percent_decode(v)?);
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(ApiError::invalid(format!(
                "query parameter {k} is given twice"
            )));
        }
        out.push((k, v));
    }
    Ok(out)
}

fn percent_decode(s: &str) -> Result<String, ApiError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| ApiError::invalid(format!("bad percent-escape in {s:?}")))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ApiError::invalid(format!("{s:?} is not UTF-8")))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What a server makes of a client's request: the path split back into its segments and
    /// percent-decoded, the query encoded as a form.
    fn served(op: &Operation, call: &HttpCall) -> Result<HttpArgs, ApiError> {
        let template: Vec<&str> = op.path.split('/').collect();
        let sent: Vec<&str> = call.path.split('/').collect();
        assert_eq!(template.len(), sent.len(), "{} {}", op.path, call.path);
        let params: Vec<String> = template
            .iter()
            .zip(&sent)
            .filter(|(t, _)| t.starts_with('{'))
            .map(|(_, s)| percent_decode(s).unwrap())
            .collect();
        let query = serde_urlencoded::to_string(&call.query).unwrap();
        let body = call
            .body
            .as_ref()
            .map(|b| serde_json::to_vec(b).unwrap())
            .unwrap_or_default();
        op.request_from_http(&params, Some(&query), &body)
    }

    proptest! {
        /// Every operation's path parameters survive the trip from a client's request to the
        /// server's reading of it, whatever the text ids hold.
        #[test]
        fn path_parameters_arrive_as_sent(
            which in 0..OPERATIONS.len(),
            id in any::<i64>(),
            text in "\\PC{1,40}",
        ) {
            let op = &OPERATIONS[which];
            let mut fields = Map::new();
            for p in op.params() {
                let v = if p.text { Value::String(text.clone()) } else { Value::from(id) };
                fields.insert(p.name.to_owned(), v);
            }
            if let Body::Field(f) = op.body {
                fields.insert(f.to_owned(), json_doc());
            }
            let call = op.to_http(&Value::Object(fields.clone())).unwrap();
            let args = served(op, &call).unwrap();
            for p in op.params() {
                match &args {
                    HttpArgs::Json(Value::Object(got)) => {
                        prop_assert_eq!(got.get(p.name), fields.get(p.name));
                    }
                    HttpArgs::Form(form) => {
                        let got: Vec<(String, String)> = serde_urlencoded::from_str(form).unwrap();
                        let want = scalar(&fields[p.name]);
                        prop_assert!(got.iter().any(|(k, v)| k == p.name && *v == want), "{form}");
                    }
                    other => prop_assert!(false, "{other:?}"),
                }
            }
        }

        /// Whatever arrives over HTTP, reading it into a request returns (an answer or a clear
        /// error), never panics.
        #[test]
        fn any_http_request_is_read_or_refused(
            which in 0..OPERATIONS.len(),
            params in proptest::collection::vec("\\PC{0,12}", 0..3),
            query in "\\PC{0,40}",
            body in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let op = &OPERATIONS[which];
            if let Ok(args) = op.request_from_http(&params, Some(&query), &body) {
                let _ = op.parse_http(&args);
            }
        }
    }

    fn json_doc() -> Value {
        Value::Object(Map::new())
    }

    #[test]
    fn reading_refuses_what_it_must() {
        let get_program = find("get_program").unwrap();
        let err = get_program
            .request_from_http(&["x".into()], None, b"")
            .unwrap_err();
        assert!(err.message.contains("id must be an integer"), "{err:?}");
        let err = get_program.request_from_http(&[], None, b"").unwrap_err();
        assert!(err.message.contains("path parameters"), "{err:?}");
        let list_runs = find("list_runs").unwrap();
        let err = list_runs
            .request_from_http(&[], Some("limit=1&limit=2"), b"")
            .unwrap_err();
        assert!(err.message.contains("twice"), "{err:?}");
        let err = list_runs
            .request_from_http(&[], Some("%zz"), b"")
            .unwrap_err();
        assert!(err.message.contains("percent"), "{err:?}");
        let args = list_runs
            .request_from_http(&[], Some("limit=abc"), b"")
            .unwrap();
        assert!(list_runs.parse_http(&args).is_err());
        let update_job = find("update_job").unwrap();
        let err = update_job
            .request_from_http(&["a".into()], None, br#"{"id": "b"}"#)
            .unwrap_err();
        assert!(err.message.contains("does not match"), "{err:?}");
        let err = update_job
            .request_from_http(&["a".into()], Some("x=1"), br#"{"id": "a"}"#)
            .unwrap_err();
        assert!(err.message.contains("not the query"), "{err:?}");
        let import = find("import_jobs").unwrap();
        let err = import
            .request_from_http(&[], Some("replace=true"), b"  ")
            .unwrap_err();
        assert!(err.message.contains("needs a JSON body"), "{err:?}");
        let args = import
            .request_from_http(&[], Some("replace=true"), b"[]")
            .unwrap();
        assert_eq!(
            args,
            HttpArgs::Json(serde_json::json!({"replace": true, "document": []}))
        );
    }
}
