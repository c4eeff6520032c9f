//! Webhook endpoints, stored as JSON documents.

#[allow(unused_imports)]
use super::*;

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
pub(super) fn documents<T: serde::de::DeserializeOwned>(
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
