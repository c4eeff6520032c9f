//! Notification rules, stored as JSON documents.

use super::endpoints::documents;
#[allow(unused_imports)]
use super::*;

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
