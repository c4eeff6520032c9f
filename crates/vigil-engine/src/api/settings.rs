//! Reading and changing the engine's settings.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use vigil_core::{ApiError, EventKind, NewEvent, RESTART_NEEDED, Settings};

use crate::{Engine, Request, now_ms};

/// The engine's settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct GetSettings {}

impl Request for GetSettings {
    type Response = Settings;

    async fn handle(self, engine: &Engine) -> Result<Settings, ApiError> {
        Ok(engine.settings())
    }
}

/// Changes the settings named (the others keep their values); all are checked before any is
/// saved. `settings_changed` records what changed.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UpdateSettings(
    #[ts(
        type = "Partial<Omit<Settings, \"retention\">> & { retention?: Partial<RetentionSettings> }"
    )]
    pub Value,
);

/// What a settings change did.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SettingsChange {
    /// The settings now.
    pub settings: Settings,
    /// The fields that changed.
    pub changed: Vec<String>,
    /// The changed fields that take effect only when Vigil starts again.
    pub restart_needed: Vec<String>,
}

impl Request for UpdateSettings {
    type Response = SettingsChange;

    async fn handle(self, engine: &Engine) -> Result<SettingsChange, ApiError> {
        let _one_at_a_time = engine.settings_change().await;
        let current = engine.settings();
        let next = current.patched(&self.0)?;
        for job in &next.favourite_jobs {
            if engine.jobs().job(job).is_none() && !current.favourite_jobs.contains(job) {
                return Err(ApiError::invalid(format!(
                    "favourite job {job:?} does not exist"
                )));
            }
        }
        let changed: Vec<String> = next
            .changed_fields(&current)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if changed.is_empty() {
            return Ok(SettingsChange {
                settings: current,
                changed,
                restart_needed: Vec::new(),
            });
        }
        if engine.is_stopping() {
            return Err(ApiError::unavailable("the engine is stopping"));
        }
        let doc = serde_json::to_string(&next)
            .map_err(|e| ApiError::internal(format!("settings do not serialize: {e}")))?;
        let restart_needed: Vec<String> = changed
            .iter()
            .filter(|c| RESTART_NEEDED.contains(&c.as_str()))
            .cloned()
            .collect();
        let mut message = format!("settings changed: {}", changed.join(", "));
        if !restart_needed.is_empty() {
            message.push_str(&format!(
                " ({} take effect when Vigil starts again)",
                restart_needed.join(", ")
            ));
        }
        let event = NewEvent {
            ts: now_ms(),
            kind: EventKind::SettingsChanged,
            program_id: None,
            job_id: None,
            message,
            detail: None,
        };
        let resumed = current.schedules_paused && !next.schedules_paused;
        let now = now_ms();
        // In effect before the event is published, so a listener that reads the settings on
        // `settings_changed` sees the new ones; put back if the write fails.
        engine.apply_settings(next.clone());
        let saved = engine
            .write(move |tx| {
                if resumed {
                    // Fires skipped while paused are not made up by a later start's catch-up.
                    let at = now.to_string();
                    vigil_store::put_setting(tx, crate::settings::RESUMED_KEY, &at, None)?;
                }
                vigil_store::put_setting(tx, crate::settings::KEY, &doc, Some(event))
            })
            .await;
        if let Err(e) = saved {
            engine.apply_settings(current);
            return Err(e);
        }
        Ok(SettingsChange {
            settings: next,
            changed,
            restart_needed,
        })
    }
}
