//! Trigger credentials: who may run a job from outside (hashed tokens or HMAC keys).

use rusqlite::{Connection, params};
use vigil_core::{ApiError, TriggerCredential, TriggerKind};

use crate::{StoreError, Tx};

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
