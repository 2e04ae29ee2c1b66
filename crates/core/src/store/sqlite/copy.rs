//! Reading and writing a whole local directory ([`crate::store::copy`]),
//! inside the caller's transaction.

use rusqlite::{params, Connection, OptionalExtension};

use super::internal;
use crate::domain::GroupName;
use crate::store::copy::{self, Snapshot};
use crate::store::StoreError;

/// Reads every row a copy moves (inside the caller's transaction).
pub(super) fn export(connection: &Connection) -> rusqlite::Result<Snapshot> {
    let mut snapshot = Snapshot::default();
    let mut permissions: std::collections::HashMap<i64, Vec<String>> =
        std::collections::HashMap::new();
    {
        let mut statement = connection.prepare(
            "SELECT group_id, permission FROM group_permissions ORDER BY group_id, permission",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get(1)?)))?;
        for row in rows {
            let (group, permission) = row?;
            permissions.entry(group).or_default().push(permission);
        }
    }
    let mut statement = connection.prepare(
        "SELECT id, name, description, builtin, created_at, updated_at, version FROM groups ORDER BY id",
    )?;
    snapshot.groups = statement
        .query_map([], |row| {
            Ok(copy::GroupRow {
                id: row.get(0)?,
                name: row.get(1)?,
                description: row.get(2)?,
                builtin: row.get(3)?,
                created_at: row.get(4)?,
                updated_at: row.get(5)?,
                version: row.get(6)?,
                permissions: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for group in &mut snapshot.groups {
        group.permissions = permissions.remove(&group.id).unwrap_or_default();
    }
    let mut statement = connection.prepare(
        "SELECT id, name, email, status, supervisor_id, password_hash, must_change_password, \
         mask_client_data, two_factor, created_at, updated_at, last_sign_in_at, failed_sign_ins, \
         locked_until, version FROM users ORDER BY id",
    )?;
    snapshot.users = statement
        .query_map([], |row| {
            Ok(copy::UserRow {
                id: row.get(0)?,
                name: row.get(1)?,
                email: row.get(2)?,
                status: row.get(3)?,
                supervisor_id: row.get(4)?,
                password_hash: row.get(5)?,
                must_change_password: row.get(6)?,
                mask_client_data: row.get(7)?,
                two_factor: row.get(8)?,
                created_at: row.get(9)?,
                updated_at: row.get(10)?,
                last_sign_in_at: row.get(11)?,
                failed_sign_ins: row.get(12)?,
                locked_until: row.get(13)?,
                version: row.get(14)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut statement = connection
        .prepare("SELECT user_id, group_id FROM memberships ORDER BY user_id, group_id")?;
    snapshot.memberships = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut statement = connection.prepare("SELECT key, value FROM settings ORDER BY key")?;
    snapshot.settings = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut statement = connection.prepare(
        "SELECT id, at, operator_id, operator_label, action, target_kind, target_id, target_label, \
         changes FROM audit_events ORDER BY id",
    )?;
    snapshot.audit = statement
        .query_map([], |row| {
            Ok(copy::AuditRow {
                id: row.get(0)?,
                at: row.get(1)?,
                operator_id: row.get(2)?,
                operator_label: row.get(3)?,
                action: row.get(4)?,
                target_kind: row.get(5)?,
                target_id: row.get(6)?,
                target_label: row.get(7)?,
                changes: row.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut statement = connection.prepare(
        "SELECT user_id, secret, confirmed, last_step, created_at FROM totp_enrolments ORDER BY user_id",
    )?;
    snapshot.totp = statement
        .query_map([], |row| {
            Ok(copy::TotpRow {
                user_id: row.get(0)?,
                secret: row.get(1)?,
                confirmed: row.get(2)?,
                last_step: row.get(3)?,
                created_at: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let last_id = |table: &str| -> rusqlite::Result<i64> {
        Ok(connection
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = ?1",
                [table],
                |row| row.get::<_, i64>(0),
            )
            .optional()?
            .unwrap_or(0))
    };
    snapshot.last_user_id = last_id("users")?;
    snapshot.last_group_id = last_id("groups")?;
    snapshot.last_client_id = last_id("clients")?;
    let mut statement = connection.prepare(
        "SELECT id, name, email, phone, country, created_at, updated_at, version \
         FROM clients ORDER BY id",
    )?;
    snapshot.clients = statement
        .query_map([], |row| {
            Ok(copy::ClientRow {
                id: row.get(0)?,
                name: row.get(1)?,
                email: row.get(2)?,
                phone: row.get(3)?,
                country: row.get(4)?,
                created_at: row.get(5)?,
                updated_at: row.get(6)?,
                version: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut statement = connection.prepare(
        "SELECT user_id, code_hash, used_at FROM recovery_codes ORDER BY user_id, code_hash",
    )?;
    snapshot.recovery_codes = statement
        .query_map([], |row| {
            Ok(copy::RecoveryCodeRow {
                user_id: row.get(0)?,
                code_hash: row.get(1)?,
                used_at: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(snapshot)
}

/// Writes a snapshot into an empty store (inside the caller's transaction).
pub(super) fn import(connection: &Connection, snapshot: &Snapshot) -> Result<(), StoreError> {
    for group in &snapshot.groups {
        if group.builtin {
            connection
                .execute(
                    "UPDATE groups SET description = ?1, created_at = ?2, updated_at = ?3, \
                     version = ?4 WHERE id = ?5",
                    params![
                        group.description,
                        group.created_at,
                        group.updated_at,
                        group.version,
                        group.id
                    ],
                )
                .map_err(internal)?;
            connection
                .execute(
                    "DELETE FROM group_permissions WHERE group_id = ?1",
                    [group.id],
                )
                .map_err(internal)?;
        } else {
            connection
                .execute(
                    "INSERT INTO groups (id, name, name_normalized, description, builtin, \
                     created_at, updated_at, version) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7)",
                    params![
                        group.id,
                        group.name,
                        GroupName::parse(&group.name)
                            .map_err(|_| StoreError::Corrupt {
                                detail: format!("group {} has an invalid name", group.id),
                            })?
                            .normalized(),
                        group.description,
                        group.created_at,
                        group.updated_at,
                        group.version
                    ],
                )
                .map_err(internal)?;
        }
        for permission in &group.permissions {
            connection
                .execute(
                    "INSERT INTO group_permissions (group_id, permission) VALUES (?1, ?2)",
                    params![group.id, permission],
                )
                .map_err(internal)?;
        }
    }
    // Supervisors point at users that may come later: insert without them,
    // then set them.
    for user in &snapshot.users {
        let (name_key, email_normalized) = copy::user_keys(user)?;
        connection
            .execute(
                "INSERT INTO users (id, name, name_key, email, email_normalized, status, \
                 password_hash, must_change_password, mask_client_data, two_factor, created_at, \
                 updated_at, last_sign_in_at, failed_sign_ins, locked_until, version) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                params![
                    user.id,
                    user.name,
                    name_key,
                    user.email,
                    email_normalized,
                    user.status,
                    user.password_hash,
                    user.must_change_password,
                    user.mask_client_data,
                    user.two_factor,
                    user.created_at,
                    user.updated_at,
                    user.last_sign_in_at,
                    user.failed_sign_ins,
                    user.locked_until,
                    user.version
                ],
            )
            .map_err(internal)?;
    }
    for user in snapshot.users.iter().filter(|u| u.supervisor_id.is_some()) {
        connection
            .execute(
                "UPDATE users SET supervisor_id = ?1 WHERE id = ?2",
                params![user.supervisor_id, user.id],
            )
            .map_err(internal)?;
    }
    for (user, group) in &snapshot.memberships {
        connection
            .execute(
                "INSERT INTO memberships (user_id, group_id) VALUES (?1, ?2)",
                params![user, group],
            )
            .map_err(internal)?;
    }
    for (key, value) in &snapshot.settings {
        connection
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(internal)?;
    }
    for event in &snapshot.audit {
        connection
            .execute(
                "INSERT INTO audit_events (id, at, operator_id, operator_label, action, \
                 target_kind, target_id, target_label, target_label_normalized, changes) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    event.id,
                    event.at,
                    event.operator_id,
                    event.operator_label,
                    event.action,
                    event.target_kind,
                    event.target_id,
                    event.target_label,
                    event.target_label.to_lowercase(),
                    event.changes
                ],
            )
            .map_err(internal)?;
    }
    for totp in &snapshot.totp {
        connection
            .execute(
                "INSERT INTO totp_enrolments (user_id, secret, confirmed, last_step, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    totp.user_id,
                    totp.secret,
                    totp.confirmed,
                    totp.last_step,
                    totp.created_at
                ],
            )
            .map_err(internal)?;
    }
    for client in &snapshot.clients {
        let keys = copy::client_keys(client)?;
        connection
            .execute(
                "INSERT INTO clients (id, name, name_key, email, email_normalized, phone, country, \
                 created_at, updated_at, version, name_folded) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    client.id,
                    client.name,
                    keys.name_key,
                    client.email,
                    keys.email_normalized,
                    client.phone,
                    client.country,
                    client.created_at,
                    client.updated_at,
                    client.version,
                    keys.name_folded
                ],
            )
            .map_err(internal)?;
    }
    for (table, last) in [
        ("users", snapshot.last_user_id),
        ("groups", snapshot.last_group_id),
        ("clients", snapshot.last_client_id),
    ] {
        connection
            .execute(
                "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1",
                params![table, last],
            )
            .map_err(internal)?;
        connection
            .execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT ?1, ?2 \
                 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1)",
                params![table, last],
            )
            .map_err(internal)?;
    }
    for code in &snapshot.recovery_codes {
        connection
            .execute(
                "INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES (?1, ?2, ?3)",
                params![code.user_id, code.code_hash, code.used_at],
            )
            .map_err(internal)?;
    }
    Ok(())
}
