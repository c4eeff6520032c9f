//! Deliveries: the due queue, attempts, the log and replay.

#[allow(unused_imports)]
use super::*;

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
