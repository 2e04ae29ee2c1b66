//! Authenticator secrets sealed at rest in a local store (see
//! [`crate::sealing`]): the store's random id in its settings names the
//! keychain entry of its key.

use rand::rngs::OsRng;
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension};

use super::internal;
use crate::sealing::{is_sealed, user_context, StoreSealing};
use crate::store::StoreError;

use crate::store::rows::STORE_ID;

/// The store's id; with `create`, made (128 random bits, hex) when missing.
fn store_id(connection: &Connection, create: bool) -> Result<Option<String>, StoreError> {
    let found: Option<String> = connection
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [STORE_ID],
            |row| row.get(0),
        )
        .optional()
        .map_err(internal)?;
    if found.is_some() || !create {
        return Ok(found);
    }
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    connection
        .execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)",
            params![STORE_ID, id],
        )
        .map_err(internal)?;
    Ok(Some(id))
}

/// What to store for `secret`: sealed when the store seals, else as it is.
/// Inside a write transaction (it may add the store's id).
pub(super) fn seal(
    connection: &Connection,
    sealing: Option<&StoreSealing>,
    user_id: i64,
    secret: &str,
) -> Result<String, StoreError> {
    let Some(sealing) = sealing else {
        return Ok(secret.to_owned());
    };
    let id = store_id(connection, true)?.ok_or_else(|| StoreError::Internal {
        detail: "store id".into(),
    })?;
    match sealing.key_to_seal(&id)? {
        Some(key) => key.seal(&user_context(user_id), secret),
        None => Ok(secret.to_owned()),
    }
}

/// The secret behind a stored value: opened when sealed, else as it is.
pub(super) fn open(
    connection: &Connection,
    sealing: Option<&StoreSealing>,
    user_id: i64,
    stored: String,
) -> Result<String, StoreError> {
    if !is_sealed(&stored) {
        return Ok(stored);
    }
    let no_key = || StoreError::Sealing {
        reason: "Roster was started without access to this computer's keychain".into(),
    };
    let sealing = sealing.ok_or_else(no_key)?;
    let id = store_id(connection, false)?.ok_or_else(|| StoreError::Corrupt {
        detail: "sealed secrets without a store id".into(),
    })?;
    let opened = sealing
        .key_to_open(&id)?
        .open(&user_context(user_id), &stored)?;
    Ok(opened.as_str().to_owned())
}
