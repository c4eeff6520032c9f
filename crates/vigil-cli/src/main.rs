//! `vigil`: the headless daemon (engine + local HTTP API) and a client for a running one.

mod client;
mod platform;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use vigil_engine::{Engine, EngineConfig};
use vigil_server::ServerConfig;

/// The identifier the desktop app uses for its data dir, so the CLI finds the same data.
const APP_ID: &str = "dev.vigil.app";

#[derive(Parser)]
#[command(
    name = "vigil",
    version,
    about = "Watches your programs, runs your jobs, tells you what happened."
)]
struct Cli {
    /// Data directory (default: the desktop app's, or $VIGIL_DATA_DIR).
    #[arg(long, global = true, env = "VIGIL_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the engine headless and serves the API until interrupted.
    Daemon {
        /// Address to listen on (port 0 picks a free port). Default: the settings' port on
        /// 127.0.0.1, or on every interface when the settings allow LAN access.
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Shows the running daemon's status.
    Status,
    /// Manages registered programs.
    Programs {
        #[command(subcommand)]
        command: ProgramsCommand,
    },
    /// Lists jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Runs a job, streams its output, and exits with the run's exit code.
    Run {
        /// The job's id.
        job: String,
        /// An option value, `name=value` (JSON values such as `true` or `["a","b"]` are typed).
        #[arg(long = "opt", value_name = "NAME=VALUE")]
        opts: Vec<String>,
    },
    /// Lists webhook and notification deliveries, or replays dead-lettered ones.
    Deliveries {
        #[command(subcommand)]
        command: DeliveriesCommand,
    },
    /// Reads or changes the engine's settings.
    Settings {
        #[command(subcommand)]
        command: SettingsCommand,
    },
    /// Lists installed plugins (and refused plugin folders with the reason).
    Plugins {
        #[command(subcommand)]
        command: PluginsCommand,
    },
    /// Lists checks with their latest answers, or runs one now.
    Checks {
        #[command(subcommand)]
        command: ChecksCommand,
    },
    /// Lists actions (plugins run on events).
    Actions {
        #[command(subcommand)]
        command: ActionsCommand,
    },
    /// Lists recent runs, newest first.
    Runs {
        /// Only this job's runs.
        #[arg(long)]
        job: Option<String>,
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum DeliveriesCommand {
    /// Lists deliveries, newest first.
    Ls {
        /// Only these: pending, delivered or dead.
        #[arg(long)]
        status: Option<String>,
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Sends dead-lettered deliveries again: the given ids, or every dead one.
    Replay {
        /// Delivery ids; none means every dead delivery.
        ids: Vec<i64>,
    },
}

#[derive(Subcommand)]
enum SettingsCommand {
    /// Prints every setting as JSON, or one by name (`retention.event_days`).
    Get {
        /// A setting's name; none prints all.
        name: Option<String>,
    },
    /// Changes settings: `vigil settings set sweep_ms=2000 retention.event_days=7`. All are
    /// checked before any is saved.
    Set {
        /// NAME=VALUE pairs.
        #[arg(required = true, value_name = "NAME=VALUE")]
        pairs: Vec<String>,
    },
}

#[derive(Subcommand)]
enum PluginsCommand {
    /// Lists plugin folders: name, version, kind, protocol, breaker; refused ones with why.
    Ls,
    /// Reads the plugins folder again, then lists.
    Rescan,
}

#[derive(Subcommand)]
enum ChecksCommand {
    /// Lists checks with their latest answer.
    Ls,
    /// Runs a check now and prints its answer; exits with its Nagios code (0 OK, 1 WARNING,
    /// 2 CRITICAL, 3 UNKNOWN).
    Run {
        /// The check's id.
        id: i64,
    },
}

#[derive(Subcommand)]
enum ActionsCommand {
    /// Lists actions with the events they run on.
    Ls,
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Lists jobs with their schedules.
    Ls,
}

#[derive(Subcommand)]
enum ProgramsCommand {
    /// Lists registered programs.
    Ls,
    /// Registers a program: `vigil programs add NAME PATH [-- ARGS...]`.
    Add {
        /// Unique name.
        name: String,
        /// Absolute path of the executable.
        path: String,
        /// Arguments, passed as they are.
        #[arg(last = true)]
        args: Vec<String>,
        /// Working directory.
        #[arg(long)]
        cwd: Option<String>,
    },
    /// Unregisters a program by id.
    Rm {
        /// The program's id.
        id: i64,
    },
    /// Starts a launched program.
    Start {
        /// The program's id.
        id: i64,
    },
    /// Stops a program: a launched one politely, then its whole process tree. A watched one
    /// (not started by Vigil) only by naming its processes: `--pid` for each, or `--yes` for
    /// every process it has now (without either, the list is shown and nothing is ended).
    Stop {
        /// The program's id.
        id: i64,
        /// A watched program's process to end (repeatable).
        #[arg(long = "pid")]
        pids: Vec<u32>,
        /// End every process the watched program has now.
        #[arg(long)]
        yes: bool,
    },
    /// Restarts a launched program.
    Restart {
        /// The program's id.
        id: i64,
    },
    /// Prints the last lines a launched program printed.
    Logs {
        /// The program's id.
        id: i64,
        /// How many lines.
        #[arg(long, default_value_t = 50)]
        lines: usize,
    },
}

fn default_data_dir() -> anyhow::Result<PathBuf> {
    dirs::data_dir()
        .map(|d| d.join(APP_ID))
        .context("no per-user data directory on this system; pass --data-dir")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("vigil: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("vigil: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let data_dir = match cli.data_dir {
        Some(d) => d,
        None => default_data_dir()?,
    };
    match cli.command {
        Command::Daemon { listen } => daemon(data_dir, listen).await,
        Command::Status => client::status(&data_dir).await,
        Command::Programs { command } => match command {
            ProgramsCommand::Ls => client::list_programs(&data_dir).await,
            ProgramsCommand::Add {
                name,
                path,
                args,
                cwd,
            } => client::add_program(&data_dir, name, path, args, cwd).await,
            ProgramsCommand::Rm { id } => client::remove_program(&data_dir, id).await,
            ProgramsCommand::Start { id } => {
                client::control(&data_dir, id, client::Action::Start).await
            }
            ProgramsCommand::Stop { id, pids, yes } => {
                client::control(&data_dir, id, client::Action::Stop { pids, yes }).await
            }
            ProgramsCommand::Restart { id } => {
                client::control(&data_dir, id, client::Action::Restart).await
            }
            ProgramsCommand::Logs { id, lines } => client::logs(&data_dir, id, lines).await,
        },
        Command::Jobs {
            command: JobsCommand::Ls,
        } => client::list_jobs(&data_dir).await,
        Command::Run { job, opts } => client::run_job(&data_dir, &job, &opts).await,
        Command::Deliveries { command } => match command {
            DeliveriesCommand::Ls { status, limit } => {
                client::list_deliveries(&data_dir, status.as_deref(), limit).await
            }
            DeliveriesCommand::Replay { ids } => client::replay(&data_dir, ids).await,
        },
        Command::Settings { command } => match command {
            SettingsCommand::Get { name } => client::settings_get(&data_dir, name.as_deref()).await,
            SettingsCommand::Set { pairs } => client::settings_set(&data_dir, &pairs).await,
        },
        Command::Plugins { command } => match command {
            PluginsCommand::Ls => client::list_plugins(&data_dir, false).await,
            PluginsCommand::Rescan => client::list_plugins(&data_dir, true).await,
        },
        Command::Checks { command } => match command {
            ChecksCommand::Ls => client::list_checks(&data_dir).await,
            ChecksCommand::Run { id } => client::run_check(&data_dir, id).await,
        },
        Command::Actions {
            command: ActionsCommand::Ls,
        } => client::list_actions(&data_dir).await,
        Command::Runs { job, limit } => client::list_runs(&data_dir, job.as_deref(), limit).await,
    }
}

async fn daemon(data_dir: PathBuf, listen: Option<SocketAddr>) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VIGIL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut config = EngineConfig::new(data_dir.clone());
    config.kind = "daemon".into();
    let engine = Engine::start(config)
        .await
        .map_err(|e| anyhow::anyhow!(e.message))
        .with_context(|| format!("cannot start the engine in {}", data_dir.display()))?;
    let server = match listen {
        Some(listen) => ServerConfig {
            listen,
            data_dir: data_dir.clone(),
            fallback_port: false,
        },
        None => ServerConfig {
            fallback_port: false,
            ..ServerConfig::from_settings(&engine.settings(), data_dir.clone())
        },
    };
    let listen = server.listen;
    let bound = match vigil_server::bind(engine.clone(), &server).await {
        Ok(b) => b,
        Err(e) => {
            engine.stop().await;
            return Err(e).with_context(|| format!("cannot listen on {listen}"));
        }
    };
    let stopper = engine.clone();
    let (endpoint_file, addr) = (data_dir.join(vigil_server::ENDPOINT_FILE), bound.addr());
    let served = bound
        .serve(async move {
            platform::shutdown_signal().await;
            tracing::info!("shutting down");
            // Withdrawn before the stop releases the data dir to whoever comes next.
            vigil_server::withdraw(&endpoint_file, addr);
            // Stopping the engine ends open event streams, which lets the server drain.
            stopper.stop().await;
        })
        .await;
    engine.stop().await;
    served.context("the API server failed")?;
    Ok(ExitCode::SUCCESS)
}
