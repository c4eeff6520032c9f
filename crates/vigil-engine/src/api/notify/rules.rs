//! Notification rules: list, read, create, replace, delete.

#[allow(unused_imports)]
use super::*;

/// Every rule.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListRules {}

impl Request for ListRules {
    type Response = Vec<Rule>;

    async fn handle(self, engine: &Engine) -> Result<Vec<Rule>, ApiError> {
        engine.read(vigil_store::list_rules).await
    }
}

/// One rule.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetRule {
    /// Its id.
    #[ts(type = "number")]
    pub id: RuleId,
}

impl Request for GetRule {
    type Response = Rule;

    async fn handle(self, engine: &Engine) -> Result<Rule, ApiError> {
        engine
            .read(vigil_store::list_rules)
            .await?
            .into_iter()
            .find(|r| r.id == self.id)
            .ok_or_else(|| ApiError::not_found(format!("no rule {}", self.id)))
    }
}

/// Creates a rule (`id` 0 or absent) or replaces one.
#[derive(Debug, Clone, Deserialize)]
pub struct SaveRule {
    /// The rule as sent.
    pub rule: Rule,
}

impl Request for SaveRule {
    type Response = Rule;

    async fn handle(self, engine: &Engine) -> Result<Rule, ApiError> {
        let rule = self.rule.validate()?;
        engine
            .write(move |tx| vigil_store::put_rule(tx, rule, now_ms()))
            .await
    }
}

/// Creates a rule (`POST /rules`): any id sent is ignored.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CreateRule(pub Rule);

impl Request for CreateRule {
    type Response = Rule;

    async fn handle(self, engine: &Engine) -> Result<Rule, ApiError> {
        let mut rule = self.0;
        rule.id = 0;
        SaveRule { rule }.handle(engine).await
    }
}

/// Replaces the rule with this id.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UpdateRule(pub Rule);

impl Request for UpdateRule {
    type Response = Rule;

    async fn handle(self, engine: &Engine) -> Result<Rule, ApiError> {
        let rule = self.0;
        if rule.id <= 0 {
            return Err(ApiError::not_found(format!(
                "no object with id {}",
                rule.id
            )));
        }
        SaveRule { rule }.handle(engine).await
    }
}

/// Deletes a rule.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DeleteRule {
    /// Its id.
    #[ts(type = "number")]
    pub id: RuleId,
}

impl Request for DeleteRule {
    type Response = ();

    async fn handle(self, engine: &Engine) -> Result<(), ApiError> {
        engine
            .write(move |tx| vigil_store::delete_rule(tx, self.id))
            .await
    }
}
