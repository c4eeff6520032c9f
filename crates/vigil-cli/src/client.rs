//! Client commands: find the daemon through the data dir's `endpoint` and `api-token` files and
//! call its HTTP API.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::de::DeserializeOwned;
use vigil_engine::api::{ProgramStatus, Status};
use vigil_engine::{ApiError, NewProgram, Program};

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
                "no daemon is running for {} (cannot read {}); start one with `vigil daemon`",
                data_dir.display(),
                endpoint_file.display()
            )
        })?;
        let token = std::fs::read_to_string(data_dir.join(vigil_server::TOKEN_FILE))
            .context("cannot read the API token")?;
        Ok(Self {
            base: format!("http://{}", endpoint.trim()),
            token: token.trim().to_owned(),
            http: reqwest::Client::new(),
        })
    }

    async fn send<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> anyhow::Result<T> {
        let resp = req
            .bearer_auth(&self.token)
            .send()
            .await
            .with_context(|| format!("cannot reach the daemon at {}", self.base))?;
        let status = resp.status();
        let body = resp.bytes().await?;
        if status.is_success() {
            let body: &[u8] = if body.is_empty() { b"null" } else { &body };
            return serde_json::from_slice(body).context("the daemon sent an unexpected response");
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
    let s: Status = d.send(d.http.get(d.url("/status"))).await?;
    println!("vigil {} running for {}s", s.version, s.uptime_secs);
    println!("programs: {}", s.programs);
    println!("last event: {}", s.last_event_id);
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn list_programs(data_dir: &Path) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let programs: Vec<Program> = d.send(d.http.get(d.url("/programs"))).await?;
    let statuses: Vec<ProgramStatus> = d.send(d.http.get(d.url("/programs/status"))).await?;
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
        let mut line = format!("{}\t{}\t{state}\t{pid}\t{}", p.id, p.name, p.path);
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
    let p: Program = d
        .send(d.http.post(d.url("/programs")).json(&request))
        .await?;
    println!("registered {} as id {}", p.name, p.id);
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn remove_program(data_dir: &Path, id: i64) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let () = d
        .send(d.http.delete(d.url(&format!("/programs/{id}"))))
        .await?;
    println!("unregistered program {id}");
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn control(data_dir: &Path, id: i64, action: &str) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let s: ProgramStatus = d
        .send(d.http.post(d.url(&format!("/programs/{id}/{action}"))))
        .await?;
    let state = format!("{:?}", s.state).to_lowercase();
    match s.processes.first() {
        Some(p) => println!("program {id}: {state} (pid {})", p.pid),
        None => println!("program {id}: {state}"),
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn logs(data_dir: &Path, id: i64, lines: usize) -> anyhow::Result<ExitCode> {
    let d = Daemon::find(data_dir)?;
    let out: Vec<String> = d
        .send(
            d.http
                .get(d.url(&format!("/programs/{id}/logs?lines={lines}"))),
        )
        .await?;
    for line in out {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}
