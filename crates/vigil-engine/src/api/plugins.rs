//! Plugins, checks and actions: list, create, replace, delete, run now, history.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use vigil_core::{
    Action, ActionId, ActionRun, ApiError, Check, CheckId, CheckRecord, CheckResult, EventKind,
    MetricSeries, PluginKind, Probe,
};

pub use crate::plugins::{BreakerState, CheckView, PluginInfo};
use crate::{Engine, Request, now_ms, plugins};

/// Every plugin folder: the installed plugins and the refused ones with the reason.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListPlugins {}

impl Request for ListPlugins {
    type Response = Vec<PluginInfo>;

    async fn handle(self, engine: &Engine) -> Result<Vec<PluginInfo>, ApiError> {
        Ok(engine.plugins().info())
    }
}

/// Reads the plugins folder again (after installing, changing or removing a plugin).
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct RescanPlugins {}

impl Request for RescanPlugins {
    type Response = Vec<PluginInfo>;

    async fn handle(self, engine: &Engine) -> Result<Vec<PluginInfo>, ApiError> {
        let e = engine.clone();
        tokio::task::spawn_blocking(move || e.plugins().rescan())
            .await
            .map_err(|e| ApiError::internal(format!("rescan failed: {e}")))?;
        Ok(engine.plugins().info())
    }
}

/// Every check with its latest result.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListChecks {}

impl Request for ListChecks {
    type Response = Vec<CheckView>;

    async fn handle(self, engine: &Engine) -> Result<Vec<CheckView>, ApiError> {
        Ok(engine.plugins().views())
    }
}

/// One check with its latest result.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetCheck {
    /// Its id.
    #[ts(type = "number")]
    pub id: CheckId,
}

impl Request for GetCheck {
    type Response = CheckView;

    async fn handle(self, engine: &Engine) -> Result<CheckView, ApiError> {
        engine
            .plugins()
            .view(self.id)
            .ok_or_else(|| ApiError::not_found(format!("no check {}", self.id)))
    }
}

/// Checks what needs the engine: the plugin is installed and is a check, its config fits its
/// schema, a pattern compiles, the program exists.
fn check_against_engine(engine: &Engine, check: &Check) -> Result<(), ApiError> {
    if let Some(p) = check.program_id {
        let program = engine
            .program(p)
            .ok_or_else(|| ApiError::invalid_field("program_id", format!("no program {p}")))?;
        if check.restart_after.is_some() && !program.launch {
            return Err(ApiError::invalid_field(
                "restart_after",
                format!(
                    "{:?} is only watched: Vigil cannot restart a program it did not launch",
                    program.name
                ),
            ));
        }
    }
    match &check.probe {
        Probe::Plugin { plugin, config } => {
            let (manifest, _) = engine.plugins().plugin(plugin).ok_or_else(|| {
                ApiError::invalid_field(
                    "probe.plugin",
                    format!("no plugin named {plugin:?} is installed (see the plugins list)"),
                )
            })?;
            if manifest.kind != PluginKind::Check {
                return Err(ApiError::invalid_field(
                    "probe.plugin",
                    format!("plugin {plugin:?} is an action, not a check"),
                ));
            }
            manifest.config_argv(config).map_err(|e| e.under("probe"))?;
        }
        Probe::LogFile { pattern, .. } => {
            plugins::compiled(engine, pattern)?;
        }
        _ => {}
    }
    Ok(())
}

async fn save_check(engine: &Engine, check: Check) -> Result<Check, ApiError> {
    let check = check.validate()?;
    check_against_engine(engine, &check)?;
    let saved = engine
        .write(move |tx| vigil_store::put_check(tx, check, now_ms()))
        .await?;
    let manifest = saved
        .probe
        .plugin()
        .and_then(|p| engine.plugins().plugin(p))
        .map(|(m, _)| m);
    let (interval, _) = plugins::timing(&saved, manifest.as_ref());
    let before = engine
        .plugins()
        .view(saved.id)
        .and_then(|v| v.check.program_id);
    engine.plugins().check_saved(saved.clone(), interval);
    for p in [before, saved.program_id].into_iter().flatten() {
        plugins::publish_health(engine, p);
    }
    Ok(saved)
}

/// Creates a check (`POST /checks`): any id sent is ignored.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CreateCheck(pub Check);

impl Request for CreateCheck {
    type Response = Check;

    async fn handle(self, engine: &Engine) -> Result<Check, ApiError> {
        let mut check = self.0;
        check.id = 0;
        save_check(engine, check).await
    }
}

/// Replaces the check with this id (its history stays).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UpdateCheck(pub Check);

impl Request for UpdateCheck {
    type Response = Check;

    async fn handle(self, engine: &Engine) -> Result<Check, ApiError> {
        if self.0.id <= 0 || engine.plugins().view(self.0.id).is_none() {
            return Err(ApiError::not_found(format!("no check {}", self.0.id)));
        }
        save_check(engine, self.0).await
    }
}

/// Deletes a check with its history.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DeleteCheck {
    /// Its id.
    #[ts(type = "number")]
    pub id: CheckId,
}

impl Request for DeleteCheck {
    type Response = ();

    async fn handle(self, engine: &Engine) -> Result<(), ApiError> {
        let id = self.id;
        let deleted = engine
            .write(move |tx| vigil_store::delete_check(tx, id))
            .await;
        // Forgotten either way: one the store no longer has must not run on.
        if let Some(p) = engine
            .plugins()
            .check_removed(id)
            .and_then(|c| c.program_id)
        {
            plugins::publish_health(engine, p);
        }
        deleted
    }
}

/// Runs a check now (enabled or not) and answers with its result, which is logged like any
/// other. A plugin that rests (its breaker open) is refused.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RunCheck {
    /// Its id.
    #[ts(type = "number")]
    pub id: CheckId,
}

impl Request for RunCheck {
    type Response = CheckResult;

    async fn handle(self, engine: &Engine) -> Result<CheckResult, ApiError> {
        let check = engine
            .plugins()
            .view(self.id)
            .ok_or_else(|| ApiError::not_found(format!("no check {}", self.id)))?
            .check;
        // One run of a check at a time: a log file's new lines are read once, a CRITICAL
        // counted once.
        let _running = plugins::Running::claim(engine, check.id).ok_or_else(|| {
            ApiError::conflict(format!(
                "check {:?} is running now; its answer comes shortly",
                check.name
            ))
        })?;
        let result = plugins::invoke_check(engine, &check).await.ok_or_else(|| {
            ApiError::conflict(format!(
                "plugin {:?} rests after repeated failures; it runs again after its rest",
                check.probe.plugin().unwrap_or("?")
            ))
        })?;
        plugins::finish(engine, &check, result.clone()).await;
        plugins::flush(engine.clone()).await;
        Ok(result)
    }
}

/// Most history rows one page returns.
pub const MAX_CHECK_HISTORY: usize = 1000;

/// A check's invocation log, newest first.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ListCheckHistory {
    /// The check.
    #[ts(type = "number")]
    pub id: CheckId,
    /// Only rows before this id (the next page).
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub before: Option<i64>,
    /// Most rows (default 100, at most 1000).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

impl Request for ListCheckHistory {
    type Response = Vec<CheckRecord>;

    async fn handle(self, engine: &Engine) -> Result<Vec<CheckRecord>, ApiError> {
        if engine.plugins().view(self.id).is_none() {
            return Err(ApiError::not_found(format!("no check {}", self.id)));
        }
        let limit = self
            .limit
            .map_or(100, |l| l as usize)
            .clamp(1, MAX_CHECK_HISTORY);
        // What waits to be logged is part of the history.
        plugins::flush(engine.clone()).await;
        let (id, before) = (self.id, self.before);
        engine
            .read(move |c| vigil_store::check_history(c, id, before, limit))
            .await
    }
}

/// A check's metrics over a window (the last 24 hours by default), in buckets fitting the
/// window's length.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetCheckMetrics {
    /// The check.
    #[ts(type = "number")]
    pub id: CheckId,
    /// Start, unix ms.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub from: Option<i64>,
    /// End, unix ms (now by default).
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub to: Option<i64>,
}

impl Request for GetCheckMetrics {
    type Response = Vec<MetricSeries>;

    async fn handle(self, engine: &Engine) -> Result<Vec<MetricSeries>, ApiError> {
        if engine.plugins().view(self.id).is_none() {
            return Err(ApiError::not_found(format!("no check {}", self.id)));
        }
        let to = self.to.unwrap_or_else(now_ms);
        let from = self.from.unwrap_or(to.saturating_sub(86_400_000));
        if from >= to {
            return Err(ApiError::invalid_field("from", "from must be before to"));
        }
        plugins::flush(engine.clone()).await;
        let (id, retention, now) = (self.id, engine.live().retention, now_ms());
        engine
            .read(move |c| vigil_store::check_metrics(c, id, from, to, retention, now))
            .await
    }
}

/// Every action.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListActions {}

impl Request for ListActions {
    type Response = Vec<Action>;

    async fn handle(self, engine: &Engine) -> Result<Vec<Action>, ApiError> {
        engine.read(vigil_store::list_actions).await
    }
}

async fn save_action(engine: &Engine, action: Action) -> Result<Action, ApiError> {
    let action = action.validate()?;
    if let Some(k) = action
        .kinds
        .iter()
        .find(|k| matches!(k, EventKind::EngineStarted | EventKind::EngineStopped))
    {
        return Err(ApiError::invalid_field(
            "kinds",
            format!(
                "an action cannot run on {}: Vigil is not running actions yet, or no longer",
                k.as_str()
            ),
        ));
    }
    if action.kinds.contains(&EventKind::ActionFailed) {
        return Err(ApiError::invalid_field(
            "kinds",
            "an action cannot run on action_failed: a failing action would feed itself \
             (route action failures to a notification rule instead)",
        ));
    }
    let (manifest, _) = engine.plugins().plugin(&action.plugin).ok_or_else(|| {
        ApiError::invalid_field(
            "plugin",
            format!(
                "no plugin named {:?} is installed (see the plugins list)",
                action.plugin
            ),
        )
    })?;
    if manifest.kind != PluginKind::Action {
        return Err(ApiError::invalid_field(
            "plugin",
            format!("plugin {:?} is a check, not an action", action.plugin),
        ));
    }
    manifest.config_argv(&action.config)?;
    let saved = engine
        .write(move |tx| vigil_store::put_action(tx, action, now_ms()))
        .await?;
    reload_actions(engine).await?;
    Ok(saved)
}

async fn reload_actions(engine: &Engine) -> Result<(), ApiError> {
    let actions = engine.read(vigil_store::list_actions).await?;
    engine.plugins().set_actions(actions);
    Ok(())
}

/// Creates an action: any id sent is ignored.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CreateAction(pub Action);

impl Request for CreateAction {
    type Response = Action;

    async fn handle(self, engine: &Engine) -> Result<Action, ApiError> {
        let mut action = self.0;
        action.id = 0;
        save_action(engine, action).await
    }
}

/// Replaces the action with this id.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UpdateAction(pub Action);

impl Request for UpdateAction {
    type Response = Action;

    async fn handle(self, engine: &Engine) -> Result<Action, ApiError> {
        if self.0.id <= 0 || plugins::action(engine, self.0.id).is_none() {
            return Err(ApiError::not_found(format!("no action {}", self.0.id)));
        }
        save_action(engine, self.0).await
    }
}

/// Deletes an action with its log.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DeleteAction {
    /// Its id.
    #[ts(type = "number")]
    pub id: ActionId,
}

impl Request for DeleteAction {
    type Response = ();

    async fn handle(self, engine: &Engine) -> Result<(), ApiError> {
        let id = self.id;
        engine
            .write(move |tx| vigil_store::delete_action(tx, id))
            .await?;
        reload_actions(engine).await
    }
}

/// Runs an action now on a made-up event (its first kind, program and job), to try it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RunAction {
    /// Its id.
    #[ts(type = "number")]
    pub id: ActionId,
}

impl Request for RunAction {
    type Response = ActionRun;

    async fn handle(self, engine: &Engine) -> Result<ActionRun, ApiError> {
        let action = plugins::action(engine, self.id)
            .ok_or_else(|| ApiError::not_found(format!("no action {}", self.id)))?;
        Ok(plugins::run_action(engine, &action, None).await)
    }
}

/// An action's log, newest first.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ListActionRuns {
    /// The action.
    #[ts(type = "number")]
    pub id: ActionId,
    /// Most rows (default 100, at most 1000).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

impl Request for ListActionRuns {
    type Response = Vec<ActionRun>;

    async fn handle(self, engine: &Engine) -> Result<Vec<ActionRun>, ApiError> {
        if plugins::action(engine, self.id).is_none() {
            return Err(ApiError::not_found(format!("no action {}", self.id)));
        }
        let limit = self
            .limit
            .map_or(100, |l| l as usize)
            .clamp(1, MAX_CHECK_HISTORY);
        let id = self.id;
        engine
            .read(move |c| vigil_store::action_runs(c, id, limit))
            .await
    }
}
