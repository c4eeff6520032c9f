//! Rules: which events go to which channels.

#[allow(unused_imports)]
use super::*;

/// Which events go to which channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Assigned by the store; ignored when creating.
    #[serde(default)]
    #[ts(as = "Option<i32>", optional)]
    pub id: RuleId,
    /// A name for people.
    pub name: String,
    /// Disabled rules send nothing.
    #[serde(default = "yes")]
    #[ts(as = "Option<bool>", optional)]
    pub enabled: bool,
    /// The kinds it sends; empty means every kind.
    #[serde(default)]
    #[ts(as = "Option<Vec<EventKind>>", optional)]
    pub kinds: Vec<EventKind>,
    /// Only events of these programs (or of the jobs / tags below); all empty means any.
    #[serde(default)]
    #[ts(as = "Option<Vec<i32>>", optional)]
    pub programs: Vec<ProgramId>,
    /// Only events of these jobs.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub jobs: Vec<JobId>,
    /// Only events of programs or jobs carrying one of these tags.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub tags: Vec<String>,
    /// Show an OS notification (desktop app).
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub os: bool,
    /// Webhook endpoints to send to.
    #[serde(default)]
    #[ts(as = "Option<Vec<i32>>", optional)]
    pub endpoints: Vec<EndpointId>,
    /// Repeats of the same event (same kind and subject) within this many seconds of the first
    /// are folded into one follow-up delivery with their count, sent when the window ends.
    /// 0 sends every one.
    #[serde(default = "default_fold")]
    #[ts(as = "Option<u32>", optional)]
    pub fold_secs: u32,
}

fn default_fold() -> u32 {
    300
}

impl Rule {
    /// Checks the fields that need no other state (endpoint ids are checked by the store).
    pub fn validate(mut self) -> Result<Self, ApiError> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() || self.name.chars().count() > 100 {
            return Err(ApiError::invalid_field(
                "name",
                "a rule name must be 1 to 100 characters",
            ));
        }
        if !self.os && self.endpoints.is_empty() {
            return Err(ApiError::invalid_field(
                "endpoints",
                "a rule needs a channel: the OS notification or at least one endpoint",
            ));
        }
        if self.fold_secs > MAX_FOLD_SECS {
            return Err(ApiError::invalid_field(
                "fold_secs",
                format!("fold_secs must be at most {MAX_FOLD_SECS}"),
            ));
        }
        for list in [&mut self.tags, &mut self.jobs] {
            list.sort();
            list.dedup();
        }
        self.programs.sort_unstable();
        self.programs.dedup();
        self.endpoints.sort_unstable();
        self.endpoints.dedup();
        self.kinds.sort_by_key(|k| k.as_str());
        self.kinds.dedup();
        Ok(self)
    }

    /// Whether the rule sends this event. `tags` are the tags of the event's program or job.
    pub fn matches(&self, event: &Event, tags: &[String]) -> bool {
        if !self.enabled || (!self.kinds.is_empty() && !self.kinds.contains(&event.kind)) {
            return false;
        }
        in_scope(&self.programs, &self.jobs, &self.tags, event, tags)
    }
}

/// Whether an event is within a filter of programs, jobs and tags (`tags`: those its subject
/// carries): all three empty means any event; otherwise any one of them matching. Rules and
/// actions filter events this same way.
pub fn in_scope(
    programs: &[ProgramId],
    jobs: &[JobId],
    scope_tags: &[String],
    event: &Event,
    tags: &[String],
) -> bool {
    if programs.is_empty() && jobs.is_empty() && scope_tags.is_empty() {
        return true;
    }
    event.program_id.is_some_and(|p| programs.contains(&p))
        || event.job_id.as_ref().is_some_and(|j| jobs.contains(j))
        || tags.iter().any(|t| scope_tags.contains(t))
}
