//! Routing: the writer's cache of rules and endpoints, and the deliveries an event makes inside its own transaction.

#[allow(unused_imports)]
use super::*;

/// What the writer routes events with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Routing {
    /// Whether an OS notification channel exists (the desktop app). Without one, rules' OS
    /// channel is ignored instead of piling up deliveries nobody can show.
    pub os_notifications: bool,
}

/// The writer thread's view of the rules and endpoints, reloaded after any change to them.
pub(crate) struct RuleCache {
    routing: Routing,
    cache: Option<Cache>,
}

struct Cache {
    rules: Vec<Rule>,
    endpoints: HashMap<EndpointId, Endpoint>,
}

impl RuleCache {
    pub(crate) fn new(routing: Routing) -> Self {
        Self {
            routing,
            cache: None,
        }
    }

    /// Forgets the cached rules; the next event reloads them inside its own transaction.
    pub(crate) fn reset(&mut self) {
        self.cache = None;
    }

    /// Writes the deliveries `event` causes. `skip` is an endpoint that must not hear of it
    /// (the one whose failure the event reports, which would otherwise feed on itself).
    pub(crate) fn route(
        &mut self,
        conn: &Connection,
        event: &Event,
        skip: Option<EndpointId>,
    ) -> Result<(), StoreError> {
        if self.cache.is_none() {
            self.cache = Some(Cache {
                rules: list_rules(conn)?,
                endpoints: list_endpoints(conn)?
                    .into_iter()
                    .map(|e| (e.id, e))
                    .collect(),
            });
        }
        let Some(cache) = &self.cache else {
            return Ok(());
        };
        // The subject's name and tags cost a query; most events interest no rule at all.
        let wanted = |r: &Rule| r.enabled && (r.kinds.is_empty() || r.kinds.contains(&event.kind));
        if !cache.rules.iter().any(wanted) {
            return Ok(());
        }
        let (subject, tags) = subject(conn, event)?;
        for rule in cache.rules.iter().filter(|r| r.matches(event, &tags)) {
            if rule.os && self.routing.os_notifications {
                enqueue(conn, rule, None, event, &subject, |n| {
                    Ok(serde_json::json!({
                        "title": n.title(),
                        "body": n.text(),
                        "link": n.link(),
                    })
                    .to_string())
                })?;
            }
            for id in rule.endpoints.iter().filter(|&&id| Some(id) != skip) {
                let Some(endpoint) = cache.endpoints.get(id).filter(|e| e.enabled) else {
                    continue;
                };
                enqueue(conn, rule, Some(endpoint.id), event, &subject, |n| {
                    endpoint.body(n)
                })?;
            }
        }
        Ok(())
    }
}

/// The name and tags of an event's program or job.
fn subject(conn: &Connection, event: &Event) -> Result<(Option<String>, Vec<String>), StoreError> {
    let row: Option<(String, Option<String>)> = if let Some(p) = event.program_id {
        conn.prepare_cached(
            "SELECT name, json_extract(options, '$.tags') FROM programs WHERE id = ?1",
        )?
        .query_row([p], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
    } else if let Some(j) = &event.job_id {
        conn.prepare_cached(
            "SELECT coalesce(json_extract(spec, '$.name'), id), json_extract(spec, '$.tags')
             FROM jobs WHERE id = ?1",
        )?
        .query_row([j], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
    } else {
        None
    };
    Ok(match row {
        Some((name, tags)) => (
            Some(name),
            tags.and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default(),
        ),
        None => (None, Vec::new()),
    })
}

/// Inserts (or folds into) the delivery of `event` for one rule and channel.
///
/// Folding: the first event of a kind and subject is sent at once (the lead). Repeats within
/// `fold_secs` of the lead go into one follow-up delivery that is due when the window ends and
/// carries their count; a repeat after the window starts a new lead.
fn enqueue(
    conn: &Connection,
    rule: &Rule,
    endpoint: Option<EndpointId>,
    event: &Event,
    subject: &Option<String>,
    body: impl Fn(&Notice) -> Result<String, ApiError>,
) -> Result<(), StoreError> {
    let channel = if endpoint.is_some() {
        Channel::Webhook
    } else {
        Channel::Os
    };
    let fold_key = format!(
        "{}:{}:{}:{}:{}",
        rule.id,
        endpoint.map_or_else(|| "os".to_owned(), |e| e.to_string()),
        event.kind.as_str(),
        event.program_id.map(|p| p.to_string()).unwrap_or_default(),
        event.job_id.as_deref().unwrap_or_default(),
    );
    let window = i64::from(rule.fold_secs) * 1000;
    let notice = |count: u32| Notice {
        event,
        subject: subject.clone(),
        count,
    };
    if window > 0 {
        let last: Option<(DeliveryId, i64, bool, String, u32)> = conn
            .prepare_cached(
                "SELECT id, lead_at, folded, status, count FROM deliveries
                 WHERE fold_key = ?1 ORDER BY id DESC LIMIT 1",
            )?
            .query_row([&fold_key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        if let Some((id, lead_at, folded, status, count)) = last
            && event.ts < lead_at + window
        {
            if folded && status == DeliveryStatus::Pending.as_str() {
                let n = notice(count + 1);
                conn.prepare_cached(
                    "UPDATE deliveries SET count = ?2, event_id = ?3, body = ?4, summary = ?5,
                     updated_at = ?6 WHERE id = ?1",
                )?
                .execute(params![
                    id,
                    count + 1,
                    event.id,
                    body(&n)?,
                    n.text(),
                    event.ts
                ])?;
                return Ok(());
            }
            if !folded {
                let n = notice(1);
                return insert_delivery(
                    conn,
                    rule.id,
                    endpoint,
                    channel,
                    event,
                    &fold_key,
                    (lead_at, true),
                    lead_at + window,
                    &n,
                    &body(&n)?,
                );
            }
        }
    }
    let n = notice(1);
    insert_delivery(
        conn,
        rule.id,
        endpoint,
        channel,
        event,
        &fold_key,
        (event.ts, false),
        event.ts,
        &n,
        &body(&n)?,
    )
}

#[allow(clippy::too_many_arguments)]
fn insert_delivery(
    conn: &Connection,
    rule: RuleId,
    endpoint: Option<EndpointId>,
    channel: Channel,
    event: &Event,
    fold_key: &str,
    (lead_at, folded): (i64, bool),
    due: i64,
    notice: &Notice,
    body: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO deliveries (event_id, rule_id, endpoint_id, channel, status, fold_key,
             lead_at, folded, count, next_at, created_at, updated_at, idempotency_key, summary,
             body)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?7, ?8, ?9, ?10, ?10,
             lower(hex(randomblob(16))), ?11, ?12)",
    )?
    .execute(params![
        event.id,
        rule,
        endpoint,
        channel.as_str(),
        fold_key,
        lead_at,
        folded,
        notice.count,
        due,
        event.ts,
        notice.text(),
        body
    ])?;
    Ok(())
}
