//! Client commands: find the daemon through the data dir's `endpoint` and `api-token` files and
//! call its HTTP API.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

use vigil_core::{DeliveryStatus, RunStatus};
use vigil_engine::api::ops::{Op, Operation};
use vigil_engine::api::{
    BreakerState, GetProgram, GetProgramProcesses, GetRun, GetSettings, GetStatus, ListActions,
    ListChecks, ListDeliveries, ListJobs, ListPlugins, ListProgramStatus, ListPrograms, ListRuns,
    RemoveProgram, ReplayDeliveries, RescanPlugins, RestartProgram, RunCheck, RunJob, StartProgram,
    StopProgram, TailLog, UpdateSettings,
};
use vigil_engine::{ApiError, NewProgram};

struct Daemon {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Daemon {
    fn find(data_dir: &Path) -> anyhow::Result<Self> {
        let endpoint_file = data_dir.join(vigil_server::ENDPOINT_FILE);
        let endpoint = std::fs::read_to_string(&endpoint_file).with_context(|| {
            format!(
                "Vigil is not running for {} (no {} file there): start the desktop app, or \
                 `vigil daemon`, or pass the --data-dir of the one that runs",
                data_dir.display(),
                vigil_server::ENDPOINT_FILE
            )
        })?;
        let token = std::fs::read_to_string(data_dir.join(vigil_server::TOKEN_FILE))
            .context("cannot read the API token")?;
        // A Vigil listening on every interface (LAN access on) is reached through loopback.
        let endpoint = match endpoint.trim().parse::<std::net::SocketAddr>() {
            Ok(addr) if addr.ip().is_unspecified() => {
                std::net::SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
                    .to_string()
            }
            _ => endpoint.trim().to_owned(),
        };
        Ok(Self {
            base: format!("http://{endpoint}"),
            token: token.trim().to_owned(),
            http: reqwest::Client::new(),
        })
    }

    /// Calls one operation of the table: the method, path, query and body come from its row.
    async fn call<R>(&self, request: R) -> anyhow::Result<R::Response>
    where
        R: Op,
        R::Response: DeserializeOwned,
    {
        let body = self.send(R::operation(), &request).await?;
        let body: &[u8] = if body.is_empty() { b"null" } else { &body };
        serde_json::from_slice(body).context("the daemon sent an unexpected response")
    }

    /// Calls an operation whose success has no body (HTTP 204).
    async fn call_no_content<R: Op>(&self, request: R) -> anyhow::Result<()> {
        self.send(R::operation(), &request).await.map(drop)
    }

    async fn send(
        &self,
        op: &Operation,
        request: &impl serde::Serialize,
    ) -> anyhow::Result<Vec<u8>> {
        let fields = serde_json::to_value(request)?;
        let call = op
            .to_http(&fields)
            .map_err(|e| anyhow::anyhow!(e.message))?;
        let method = reqwest::Method::from_bytes(call.method.as_str().as_bytes())?;
        let mut req = self
            .http
            .request(method, self.url(&call.path))
            .query(&call.query);
        if let Some(body) = &call.body {
            req = req.json(body);
        }
        let resp = req
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| {
                if e.is_connect() {
                    anyhow::anyhow!(
                        "Vigil is not running: nothing answers at {} (the endpoint file is left \
                         from a Vigil that ended unexpectedly); start the desktop app or `vigil daemon`",
                        self.base
                    )
                } else {
                    anyhow::Error::new(e).context(format!("cannot reach Vigil at {}", self.base))
                }
            })?;
        let status = resp.status();
        let body = resp.bytes().await?;
        if status.is_success() {
            return Ok(body.to_vec());
        }
        match serde_json::from_slice::<ApiError>(&body) {
            Ok(e) => bail!("{} ({:?})", e.message, e.code),
            Err(_) => bail!("the daemon answered HTTP {status}"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api{path}", self.base)
    }
}

pub(crate) async fn status(data_dir: &Path) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let s = d.call(GetStatus {}).await?;
    println!("vigil {} running for {}s", s.version, s.uptime_secs);
    println!("programs: {}", s.programs);
    println!("last event: {}", s.last_event_id);
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn list_programs(data_dir: &Path) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let programs = d.call(ListPrograms {}).await?;
    let statuses = d.call(ListProgramStatus {}).await?;
    if programs.is_empty() {
        println!("no programs registered");
    }
    for p in programs {
        let status = statuses.iter().find(|s| s.program_id == p.id);
        let state = status
            .map(|s| format!("{:?}", s.state).to_lowercase())
            .unwrap_or_default();
        let pid = status
            .and_then(|s| s.processes.first())
            .map(|proc_| format!("pid {}", proc_.pid))
            .unwrap_or_else(|| "-".into());
        let health = status
            .and_then(|s| s.health)
            .map(|h| format!(" ({})", format!("{h:?}").to_lowercase()))
            .unwrap_or_default();
        let mut line = format!("{}\t{}\t{state}{health}\t{pid}\t{}", p.id, p.name, p.path);
        for a in &p.args {
            line.push(' ');
            line.push_str(a);
        }
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn add_program(
    data_dir: &Path,
    name: String,
    path: String,
    args: Vec<String>,
    cwd: Option<String>,
) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let request = NewProgram {
        name,
        path,
        args,
        cwd,
        ..NewProgram::default()
    };
    let p = d.call(request).await?;
    println!("registered {} as id {}", p.name, p.id);
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn remove_program(data_dir: &Path, id: i64) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    d.call_no_content(RemoveProgram { id }).await?;
    println!("unregistered program {id}");
    Ok(ExitCode::SUCCESS)
}

/// What `vigil programs start|stop|restart` asks for.
pub(crate) enum Action {
    Start,
    /// For a watched program: the PIDs named, or every current one with `yes`.
    Stop {
        pids: Vec<u32>,
        yes: bool,
    },
    Restart,
}

pub(crate) async fn control(data_dir: &Path, id: i64, action: Action) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let s = match action {
        Action::Start => d.call(StartProgram { id }).await?,
        Action::Stop { pids, yes } => {
            let program = d.call(GetProgram { id }).await?;
            if program.launch {
                d.call(StopProgram { id, pids: None }).await?
            } else {
                let procs = d.call(GetProgramProcesses { id }).await?;
                if procs.is_empty() {
                    println!(
                        "{:?} is watched and has no processes now; nothing to stop",
                        program.name
                    );
                    return Ok(ExitCode::SUCCESS);
                }
                let chosen = if !pids.is_empty() {
                    pids
                } else if yes {
                    procs.iter().map(|p| p.pid).collect()
                } else {
                    println!(
                        "{:?} is only watched (Vigil did not start it). Stopping it ends these {} process(es):",
                        program.name,
                        procs.len()
                    );
                    for p in &procs {
                        println!("  {:>7}  {}  {}", p.pid, p.name, p.cmd.join(" "));
                    }
                    println!(
                        "Nothing was ended: run again with --yes to end all of them, or --pid PID for each one to end."
                    );
                    return Ok(ExitCode::from(2));
                };
                d.call(StopProgram {
                    id,
                    pids: Some(chosen),
                })
                .await?
            }
        }
        Action::Restart => d.call(RestartProgram { id }).await?,
    };
    let state = format!("{:?}", s.state).to_lowercase();
    match s.processes.first() {
        Some(p) => println!("program {id}: {state} (pid {})", p.pid),
        None => println!("program {id}: {state}"),
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn logs(data_dir: &Path, id: i64, lines: usize) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let out = d
        .call(TailLog {
            id,
            lines: Some(lines),
        })
        .await?;
    for line in out {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn list_jobs(data_dir: &Path) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let jobs = d.call(ListJobs {}).await?;
    if jobs.is_empty() {
        println!("no jobs");
    }
    for j in jobs {
        let schedule = j.schedule.as_deref().unwrap_or("manual");
        let state = if j.enabled { "" } else { " (disabled)" };
        println!("{}\t{}\t{schedule}{state}", j.id, j.name);
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn list_plugins(data_dir: &Path, rescan: bool) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let plugins = if rescan {
        d.call(RescanPlugins {}).await?
    } else {
        d.call(ListPlugins {}).await?
    };
    if plugins.is_empty() {
        println!(
            "no plugins (put plugin folders in {})",
            data_dir.join("plugins").display()
        );
    }
    for p in plugins {
        match (&p.manifest, &p.error) {
            (Some(m), _) => {
                let breaker = match p.breaker {
                    BreakerState::Closed => String::new(),
                    BreakerState::Open => format!("\tresting after {} failures", p.failures),
                    BreakerState::HalfOpen => "\ttrial next".to_owned(),
                };
                let kind = format!("{:?}", m.kind).to_lowercase();
                let protocol = format!("{:?}", m.protocol).to_lowercase();
                println!("{}\t{}\t{kind}\t{protocol}{breaker}", m.name, m.version);
            }
            (None, error) => println!(
                "{}\trefused: {}",
                p.name,
                error.as_deref().unwrap_or("unknown reason")
            ),
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn list_checks(data_dir: &Path) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let checks = d.call(ListChecks {}).await?;
    if checks.is_empty() {
        println!("no checks");
    }
    for v in checks {
        let (status, message) = match &v.latest {
            Some(r) => (
                r.answer.status.as_str().to_uppercase(),
                r.answer.message.clone(),
            ),
            None => ("PENDING".to_owned(), "not run yet".to_owned()),
        };
        let off = if v.check.enabled { "" } else { " (disabled)" };
        println!("{}\t{}{off}\t{status}\t{message}", v.check.id, v.check.name);
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn run_check(data_dir: &Path, id: i64) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let r = d.call(RunCheck { id }).await?;
    println!(
        "{}: {}",
        r.answer.status.as_str().to_uppercase(),
        r.answer.message
    );
    for m in &r.answer.metrics {
        println!("  {} = {}{}", m.label, m.value, m.unit);
    }
    if let Some(e) = &r.error {
        eprintln!("the plugin failed after {} attempt(s): {e}", r.attempts);
    }
    Ok(ExitCode::from(match r.answer.status {
        vigil_core::CheckStatus::Ok => 0,
        vigil_core::CheckStatus::Warning => 1,
        vigil_core::CheckStatus::Critical => 2,
        vigil_core::CheckStatus::Unknown => 3,
    }))
}

pub(crate) async fn list_actions(data_dir: &Path) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let actions = d.call(ListActions {}).await?;
    if actions.is_empty() {
        println!("no actions");
    }
    for a in actions {
        let kinds: Vec<&str> = a.kinds.iter().map(|k| k.as_str()).collect();
        let off = if a.enabled { "" } else { " (disabled)" };
        println!(
            "{}\t{}{off}\t{}\ton {}",
            a.id,
            a.name,
            a.plugin,
            kinds.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn list_runs(
    data_dir: &Path,
    job: Option<&str>,
    limit: u32,
) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let runs = d
        .call(ListRuns {
            job: job.map(str::to_owned),
            status: None,
            limit: Some(limit),
            before: None,
        })
        .await?;
    for r in runs {
        let code = r
            .exit_code
            .map(|c| c.to_string())
            .unwrap_or_else(|| "-".into());
        let took = r
            .duration_ms()
            .map(|ms| format!("{ms} ms"))
            .unwrap_or_else(|| "-".into());
        println!(
            "{}\t{}\t{}\t{}\tattempt {}\texit {code}\t{took}",
            r.id,
            r.job_id,
            r.trigger.as_str(),
            r.status.as_str(),
            r.attempt
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn list_deliveries(
    data_dir: &Path,
    status: Option<&str>,
    limit: u32,
) -> anyhow::Result<ExitCode> {
    let status: Option<DeliveryStatus> = status
        .map(|s| {
            serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
                anyhow::anyhow!("--status takes pending, delivered or dead, got {s:?}")
            })
        })
        .transpose()?;
    let d = Daemon::find(data_dir)?;
    let all = d
        .call(ListDeliveries {
            status,
            endpoint: None,
            before: None,
            limit: Some(limit as usize),
        })
        .await?;
    for x in all {
        let to = x
            .endpoint_id
            .map_or_else(|| "os".to_owned(), |e| format!("endpoint {e}"));
        println!(
            "{}	{}	{to}	{} attempt(s)	{}	{}",
            x.id,
            x.status.as_str(),
            x.attempts,
            x.summary,
            x.last_error.unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn replay(data_dir: &Path, ids: Vec<i64>) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let answer = d
        .call(ReplayDeliveries {
            ids,
            endpoint: None,
        })
        .await?;
    println!("replayed {}", answer.replayed);
    Ok(ExitCode::SUCCESS)
}

/// Parses `name=value`; the value is JSON when it parses as JSON, otherwise text.
pub(crate) fn parse_opt(raw: &str) -> anyhow::Result<(String, serde_json::Value)> {
    let Some((name, value)) = raw.split_once('=') else {
        bail!("--opt takes name=value, got {raw:?}");
    };
    let value =
        serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
    Ok((name.to_owned(), value))
}

pub(crate) async fn run_job(
    data_dir: &Path,
    job: &str,
    opts: &[String],
) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let options: BTreeMap<String, serde_json::Value> = opts
        .iter()
        .map(|o| parse_opt(o))
        .collect::<anyhow::Result<_>>()?;
    let accepted = d
        .call(RunJob {
            id: job.to_owned(),
            options,
        })
        .await?;
    let id = accepted.run_id;
    eprintln!("run {id} of {job}");
    let mut printed = 0usize;
    loop {
        // The output follow is a stream, not an operation (see vigil_server::NOT_OPERATIONS).
        let resp = d
            .http
            .get(d.url(&format!("/runs/{id}/output?follow=true")))
            .bearer_auth(&d.token)
            .send()
            .await?;
        let mut body = resp.bytes_stream();
        let mut buf = String::new();
        let mut seen = 0usize;
        while let Some(chunk) = body.next().await {
            buf.push_str(&String::from_utf8_lossy(&chunk?));
            while let Some(end) = buf.find("\n\n") {
                let record: String = buf.drain(..end + 2).collect();
                for line in record.lines().filter_map(|l| l.strip_prefix("data:")) {
                    seen += 1;
                    if seen > printed {
                        printed = seen;
                        print_output_line(line.trim_start());
                    }
                }
            }
        }
        let run = d.call(GetRun { id }).await?;
        if run.status.is_final() {
            eprintln!("run {id}: {}", run.status.as_str());
            return Ok(match (run.status, run.exit_code) {
                (RunStatus::Succeeded, _) => ExitCode::SUCCESS,
                (_, Some(code)) => ExitCode::from(u8::try_from(code.clamp(1, 255)).unwrap_or(1)),
                _ => ExitCode::FAILURE,
            });
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Prints `<time> <out|err> <text>` as text on stdout or stderr.
fn print_output_line(line: &str) {
    let mut parts = line.splitn(3, ' ');
    let (_, stream, text) = (parts.next(), parts.next(), parts.next().unwrap_or(""));
    match stream {
        Some("err") => eprintln!("{text}"),
        Some("out") => println!("{text}"),
        _ => println!("{line}"),
    }
}

/// `vigil settings get [NAME]`: every setting as JSON, or one (`retention.event_days`).
pub(crate) async fn settings_get(data_dir: &Path, name: Option<&str>) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let settings = serde_json::to_value(d.call(GetSettings {}).await?)?;
    let shown = match name {
        None => &settings,
        Some(name) => name
            .split('.')
            .try_fold(&settings, |v, part| v.get(part))
            .with_context(|| format!("there is no setting {name:?}"))?,
    };
    println!("{}", serde_json::to_string_pretty(shown)?);
    Ok(ExitCode::SUCCESS)
}

/// Turns `NAME=VALUE` pairs into a settings change: `retention.event_days=7` nests, a value
/// that reads as JSON (`true`, `7`, `["a"]`) is typed, anything else is a string.
pub(crate) fn settings_patch(pairs: &[String]) -> anyhow::Result<serde_json::Value> {
    let mut patch = serde_json::Map::new();
    for pair in pairs {
        let (name, value) = pair
            .split_once('=')
            .with_context(|| format!("{pair:?} is not NAME=VALUE"))?;
        let value = serde_json::from_str(value)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
        match name.split_once('.') {
            None if !name.is_empty() => {
                patch.insert(name.to_owned(), value);
            }
            Some((group, field)) if !group.is_empty() && !field.is_empty() => {
                let slot = patch
                    .entry(group.to_owned())
                    .or_insert_with(|| serde_json::json!({}));
                match slot.as_object_mut() {
                    Some(o) => {
                        o.insert(field.to_owned(), value);
                    }
                    None => bail!("{group:?} is set both whole and by field"),
                }
            }
            _ => bail!("{pair:?} has no setting name"),
        }
    }
    if patch.is_empty() {
        bail!("name at least one NAME=VALUE to set");
    }
    Ok(serde_json::Value::Object(patch))
}

/// `vigil settings set NAME=VALUE...`: changes those settings (all or none) and says what
/// changed and what needs a restart.
pub(crate) async fn settings_set(data_dir: &Path, pairs: &[String]) -> anyhow::Result<ExitCode> {
    let patch = settings_patch(pairs)?;
    let d = Daemon::find(data_dir)?;
    let change = d.call(UpdateSettings(patch)).await?;
    if change.changed.is_empty() {
        println!("nothing changed");
    } else {
        println!("changed: {}", change.changed.join(", "));
    }
    if !change.restart_needed.is_empty() {
        println!(
            "takes effect when Vigil starts again: {}",
            change.restart_needed.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_become_a_typed_nested_patch() {
        let p = settings_patch(&[
            "sweep_ms=2000".into(),
            "allow_lan=true".into(),
            "retention.event_days=7".into(),
            "retention.run_days=9".into(),
            "favourite_jobs=[\"a\"]".into(),
            "port=abc".into(),
        ])
        .unwrap();
        assert_eq!(
            p,
            serde_json::json!({
                "sweep_ms": 2000, "allow_lan": true, "favourite_jobs": ["a"], "port": "abc",
                "retention": { "event_days": 7, "run_days": 9 }
            })
        );
        for bad in ["nope", "=1", ".x=1", "retention.=1"] {
            assert!(settings_patch(&[bad.into()]).is_err(), "{bad}");
        }
        assert!(settings_patch(&["retention=1".into(), "retention.x=1".into()]).is_err());
        assert!(settings_patch(&[]).is_err());
    }
}
