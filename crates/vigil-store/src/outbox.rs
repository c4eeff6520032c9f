//! The transactional outbox: endpoints, rules, deliveries and their attempts, and the
//! credentials of incoming triggers.
//!
//! Architecture Invariant: a delivery row is inserted by [`Routes::route`], which the writer
//! calls from [`Tx::event`](crate::Tx::event) inside the savepoint that inserts the event. The
//! event and its deliveries therefore commit or roll back together; nothing about a delivery
//! lives only in memory.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};
use vigil_core::{
    ApiError, Attempt, Channel, Delivery, DeliveryId, DeliveryStatus, Endpoint, EndpointId, Event,
    Notice, Rule, RuleId, TriggerCredential, TriggerKind,
};

use crate::{StoreError, Tx};

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Api(ApiError::internal(e.to_string())))
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| {
        StoreError::Api(ApiError::internal(format!(
            "stored {what} is unreadable: {e}"
        )))
    })
}

/// What the writer routes events with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Routing {
    /// Whether an OS notification channel exists (the desktop app). Without one, rules' OS
    /// channel is ignored instead of piling up deliveries nobody can show.
    pub os_notifications: bool,
}

/// The writer thread's view of the rules and endpoints, reloaded after any change to them.
pub(crate) struct Routes {
    routing: Routing,
    cache: Option<Cache>,
}

struct Cache {
    rules: Vec<Rule>,
    endpoints: HashMap<EndpointId, Endpoint>,
}

impl Routes {
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

/// Every endpoint with its secrets (callers mask before showing).
pub fn list_endpoints(conn: &Connection) -> Result<Vec<Endpoint>, StoreError> {
    documents(
        conn,
        "endpoint",
        "SELECT id, spec FROM endpoints ORDER BY id",
        |e: &mut Endpoint, id| e.id = id,
    )
}

/// Reads `(id, spec)` rows as JSON documents, putting each row's id into its document.
fn documents<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    what: &str,
    sql: &str,
    set_id: impl Fn(&mut T, i64),
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(id, spec)| {
            let mut doc: T = from_json(what, &spec)?;
            set_id(&mut doc, id);
            Ok(doc)
        })
        .collect()
}

/// One endpoint with its secrets, or `NotFound`.
pub fn get_endpoint(conn: &Connection, id: EndpointId) -> Result<Endpoint, StoreError> {
    let spec: Option<String> = conn
        .prepare_cached("SELECT spec FROM endpoints WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let mut e: Endpoint = from_json(
        "endpoint",
        &spec.ok_or_else(|| ApiError::not_found(format!("no endpoint {id}")))?,
    )?;
    e.id = id;
    Ok(e)
}

/// Creates (id 0) or replaces an endpoint; returns it with its id. A secret sent back masked
/// keeps its stored value.
pub fn put_endpoint(tx: &mut Tx<'_>, endpoint: Endpoint, now: i64) -> Result<Endpoint, StoreError> {
    let mut e = endpoint;
    let clash: Option<i64> = tx
        .conn()
        .query_row(
            "SELECT id FROM endpoints WHERE name = ?1 AND id != ?2",
            params![e.name, e.id],
            |r| r.get(0),
        )
        .optional()?;
    if clash.is_some() {
        return Err(
            ApiError::conflict(format!("an endpoint named {:?} already exists", e.name)).into(),
        );
    }
    if e.id == 0 {
        tx.conn().execute(
            "INSERT INTO endpoints (name, spec, created_at, updated_at) VALUES (?1, '{}', ?2, ?2)",
            params![e.name, now],
        )?;
        e.id = tx.conn().last_insert_rowid();
    } else {
        let stored = get_endpoint(tx.conn(), e.id)?;
        e = e.keep_secrets(&stored);
    }
    tx.conn().execute(
        "UPDATE endpoints SET name = ?2, spec = ?3, updated_at = ?4 WHERE id = ?1",
        params![e.id, e.name, to_json(&e)?, now],
    )?;
    tx.routes_changed();
    Ok(e)
}

/// Deletes an endpoint no rule uses; its waiting deliveries are dead-lettered.
pub fn delete_endpoint(tx: &mut Tx<'_>, id: EndpointId, now: i64) -> Result<Endpoint, StoreError> {
    let e = get_endpoint(tx.conn(), id)?;
    let users: Vec<String> = list_rules(tx.conn())?
        .into_iter()
        .filter(|r| r.endpoints.contains(&id))
        .map(|r| r.name)
        .collect();
    if !users.is_empty() {
        return Err(ApiError::conflict(format!(
            "endpoint {:?} is used by rules {}; remove it from them first",
            e.name,
            users.join(", ")
        ))
        .into());
    }
    tx.conn()
        .execute("DELETE FROM endpoints WHERE id = ?1", [id])?;
    tx.conn().execute(
        "UPDATE deliveries SET status = 'dead', last_error = 'the endpoint was deleted',
         updated_at = ?2 WHERE endpoint_id = ?1 AND status = 'pending'",
        params![id, now],
    )?;
    tx.routes_changed();
    Ok(e)
}

/// Every rule.
pub fn list_rules(conn: &Connection) -> Result<Vec<Rule>, StoreError> {
    documents(
        conn,
        "rule",
        "SELECT id, spec FROM rules ORDER BY id",
        |r: &mut Rule, id| r.id = id,
    )
}

/// Creates (id 0) or replaces a rule; every endpoint it names must exist.
pub fn put_rule(tx: &mut Tx<'_>, rule: Rule, now: i64) -> Result<Rule, StoreError> {
    let mut r = rule;
    for id in &r.endpoints {
        get_endpoint(tx.conn(), *id).map_err(|_| ApiError::invalid(format!("no endpoint {id}")))?;
    }
    if r.id == 0 {
        tx.conn().execute(
            "INSERT INTO rules (spec, created_at, updated_at) VALUES ('{}', ?1, ?1)",
            [now],
        )?;
        r.id = tx.conn().last_insert_rowid();
    } else if tx.conn().execute(
        "UPDATE rules SET updated_at = ?2 WHERE id = ?1",
        params![r.id, now],
    )? == 0
    {
        return Err(ApiError::not_found(format!("no rule {}", r.id)).into());
    }
    tx.conn().execute(
        "UPDATE rules SET spec = ?2 WHERE id = ?1",
        params![r.id, to_json(&r)?],
    )?;
    tx.routes_changed();
    Ok(r)
}

/// Deletes a rule; deliveries it already made go on.
pub fn delete_rule(tx: &mut Tx<'_>, id: RuleId) -> Result<(), StoreError> {
    if tx.conn().execute("DELETE FROM rules WHERE id = ?1", [id])? == 0 {
        return Err(ApiError::not_found(format!("no rule {id}")).into());
    }
    tx.routes_changed();
    Ok(())
}

/// A delivery ready to send.
#[derive(Debug, Clone)]
pub struct Due {
    /// Its id.
    pub id: DeliveryId,
    /// Webhook endpoint, or none for an OS notification.
    pub endpoint_id: Option<EndpointId>,
    /// The request body (webhook) or the notification as JSON (OS).
    pub body: String,
    /// Sent as `Idempotency-Key`.
    pub idempotency_key: String,
    /// Attempts since the last replay.
    pub round_tries: u32,
    /// Attempts in all.
    pub attempts: u32,
}

/// Up to `limit` pending deliveries due at `now`, oldest first, leaving out those already in
/// flight and those of endpoints that are resting (circuit open).
pub fn due_deliveries(
    conn: &Connection,
    now: i64,
    limit: usize,
    in_flight: &[DeliveryId],
    resting: &[EndpointId],
) -> Result<Vec<Due>, StoreError> {
    let mut stmt = conn.prepare_cached(
        // Forced: with the status index SQLite would sort every pending row per batch.
        "SELECT id, endpoint_id, body, idempotency_key, round_tries, attempts
         FROM deliveries INDEXED BY deliveries_due
         WHERE status = 'pending' AND next_at <= ?1
           AND id NOT IN (SELECT value FROM json_each(?2))
           AND (endpoint_id IS NULL OR endpoint_id NOT IN (SELECT value FROM json_each(?3)))
         ORDER BY next_at, id LIMIT ?4",
    )?;
    let rows = stmt
        .query_map(
            params![now, to_json(&in_flight)?, to_json(&resting)?, limit as i64],
            |r| {
                Ok(Due {
                    id: r.get(0)?,
                    endpoint_id: r.get(1)?,
                    body: r.get(2)?,
                    idempotency_key: r.get(3)?,
                    round_tries: r.get(4)?,
                    attempts: r.get(5)?,
                })
            },
        )?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// When the next pending delivery after `after` falls due, leaving out resting endpoints.
pub fn next_due_at(
    conn: &Connection,
    after: i64,
    resting: &[EndpointId],
) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT min(next_at) FROM deliveries INDEXED BY deliveries_due
             WHERE status = 'pending' AND next_at > ?1
               AND (endpoint_id IS NULL OR endpoint_id NOT IN (SELECT value FROM json_each(?2)))",
        )?
        .query_row(params![after, to_json(&resting)?], |r| r.get(0))?)
}

/// What an attempt decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Done.
    Delivered,
    /// Try again at this time (unix ms).
    Retry(i64),
    /// Out of attempts.
    Dead,
}

/// Logs an attempt and moves the delivery on.
pub fn record_attempt(
    tx: &mut Tx<'_>,
    id: DeliveryId,
    attempt: &Attempt,
    outcome: AttemptOutcome,
) -> Result<(), StoreError> {
    tx.conn().execute(
        "INSERT INTO attempts (delivery_id, n, ts, status_code, error, latency_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            attempt.n,
            attempt.ts,
            attempt.status_code,
            attempt.error,
            attempt.latency_ms
        ],
    )?;
    let (status, next_at) = match outcome {
        AttemptOutcome::Delivered => (DeliveryStatus::Delivered, None),
        AttemptOutcome::Retry(at) => (DeliveryStatus::Pending, Some(at)),
        AttemptOutcome::Dead => (DeliveryStatus::Dead, None),
    };
    let last_error = attempt.error.clone().or_else(|| {
        attempt
            .status_code
            .filter(|c| !(200..300).contains(c))
            .map(|c| format!("HTTP {c}"))
    });
    tx.conn().execute(
        "UPDATE deliveries SET status = ?2, attempts = ?3, round_tries = round_tries + 1,
         next_at = coalesce(?4, next_at), last_error = ?5, updated_at = ?6 WHERE id = ?1",
        params![
            id,
            status.as_str(),
            attempt.n,
            next_at,
            last_error,
            attempt.ts
        ],
    )?;
    Ok(())
}

const DELIVERY_COLUMNS: &str = "id, event_id, rule_id, endpoint_id, channel, status, count,
    attempts, next_at, created_at, updated_at, idempotency_key, summary, last_error";

fn delivery_row(r: &Row<'_>) -> rusqlite::Result<Delivery> {
    let channel: String = r.get(4)?;
    let status: String = r.get(5)?;
    Ok(Delivery {
        id: r.get(0)?,
        event_id: r.get(1)?,
        rule_id: r.get(2)?,
        endpoint_id: r.get(3)?,
        channel: Channel::parse(&channel).unwrap_or(Channel::Webhook),
        status: DeliveryStatus::parse(&status).unwrap_or(DeliveryStatus::Dead),
        count: r.get(6)?,
        attempts: r.get(7)?,
        next_at: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        idempotency_key: r.get(11)?,
        summary: r.get(12)?,
        last_error: r.get(13)?,
    })
}

/// Which deliveries to list.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// Only in this state.
    pub status: Option<DeliveryStatus>,
    /// Only to this endpoint.
    pub endpoint: Option<EndpointId>,
    /// Only ids below this (paging backwards).
    pub before: Option<DeliveryId>,
    /// At most this many, newest first.
    pub limit: usize,
}

/// Deliveries, newest first.
pub fn list_deliveries(conn: &Connection, f: &DeliveryFilter) -> Result<Vec<Delivery>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries
         WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR endpoint_id = ?2)
           AND (?3 IS NULL OR id < ?3)
         ORDER BY id DESC LIMIT ?4"
    ))?;
    let rows = stmt
        .query_map(
            params![
                f.status.map(DeliveryStatus::as_str),
                f.endpoint,
                f.before,
                f.limit as i64
            ],
            delivery_row,
        )?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// One delivery and every attempt at it, or `NotFound`.
pub fn get_delivery(
    conn: &Connection,
    id: DeliveryId,
) -> Result<(Delivery, Vec<Attempt>), StoreError> {
    let d = conn
        .prepare_cached(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = ?1"
        ))?
        .query_row([id], delivery_row)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no delivery {id}")))?;
    let attempts = conn
        .prepare_cached(
            "SELECT n, ts, status_code, error, latency_ms FROM attempts
             WHERE delivery_id = ?1 ORDER BY n",
        )?
        .query_map([id], |r| {
            Ok(Attempt {
                n: r.get(0)?,
                ts: r.get(1)?,
                status_code: r.get(2)?,
                error: r.get(3)?,
                latency_ms: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok((d, attempts))
}

/// Pending and dead deliveries.
pub fn delivery_counts(conn: &Connection) -> Result<(u64, u64), StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM deliveries WHERE status = 'pending'),
                    (SELECT count(*) FROM deliveries WHERE status = 'dead')",
        )?
        .query_row([], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
        })?)
}

/// Sends dead deliveries again: the given ids (each must exist and be dead), or every dead
/// one (of one endpoint, if given) when `ids` is empty. Returns how many were requeued.
pub fn replay(
    tx: &mut Tx<'_>,
    ids: &[DeliveryId],
    endpoint: Option<EndpointId>,
    now: i64,
) -> Result<u64, StoreError> {
    for id in ids {
        let (d, _) = get_delivery(tx.conn(), *id)?;
        if d.status != DeliveryStatus::Dead {
            return Err(ApiError::conflict(format!(
                "delivery {id} is {}, only dead deliveries can be replayed",
                d.status.as_str()
            ))
            .into());
        }
        if let Some(e) = d.endpoint_id {
            get_endpoint(tx.conn(), e)
                .map_err(|_| ApiError::conflict(format!("delivery {id}'s endpoint was deleted")))?;
        }
    }
    let n = tx.conn().execute(
        "UPDATE deliveries SET status = 'pending', round_tries = 0, next_at = ?1, updated_at = ?1
         WHERE status = 'dead'
           AND (json_array_length(?2) = 0 OR id IN (SELECT value FROM json_each(?2)))
           AND (?3 IS NULL OR endpoint_id = ?3)
           AND (endpoint_id IS NULL OR endpoint_id IN (SELECT id FROM endpoints))",
        params![now, to_json(&ids)?, endpoint],
    )?;
    Ok(n as u64)
}

/// Stores a new trigger credential; `stored` is the token's hash or the HMAC key.
pub fn insert_trigger(
    tx: &mut Tx<'_>,
    job_id: &str,
    name: &str,
    kind: TriggerKind,
    stored: &str,
    now: i64,
) -> Result<TriggerCredential, StoreError> {
    tx.conn().execute(
        "INSERT INTO triggers (job_id, name, kind, secret, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![job_id, name, kind.as_str(), stored, now],
    )?;
    Ok(TriggerCredential {
        id: tx.conn().last_insert_rowid(),
        job_id: job_id.to_owned(),
        name: name.to_owned(),
        kind,
        created_at: now,
        last_used_at: None,
    })
}

fn trigger_kind(s: &str) -> TriggerKind {
    if s == TriggerKind::Hmac.as_str() {
        TriggerKind::Hmac
    } else {
        TriggerKind::Token
    }
}

/// A job's trigger credentials with what is stored for each (hash or key), for checking.
pub fn trigger_secrets(
    conn: &Connection,
    job_id: &str,
) -> Result<Vec<(TriggerCredential, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, job_id, name, kind, created_at, last_used_at, secret FROM triggers
         WHERE job_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([job_id], |r| {
            let kind: String = r.get(3)?;
            Ok((
                TriggerCredential {
                    id: r.get(0)?,
                    job_id: r.get(1)?,
                    name: r.get(2)?,
                    kind: trigger_kind(&kind),
                    created_at: r.get(4)?,
                    last_used_at: r.get(5)?,
                },
                r.get(6)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Revokes a credential.
pub fn delete_trigger(tx: &mut Tx<'_>, job_id: &str, id: i64) -> Result<(), StoreError> {
    if tx.conn().execute(
        "DELETE FROM triggers WHERE id = ?1 AND job_id = ?2",
        params![id, job_id],
    )? == 0
    {
        return Err(ApiError::not_found(format!("job {job_id:?} has no trigger {id}")).into());
    }
    Ok(())
}

/// Notes when a credential was last used.
pub fn trigger_used(tx: &mut Tx<'_>, id: i64, now: i64) -> Result<(), StoreError> {
    tx.conn().execute(
        "UPDATE triggers SET last_used_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}
