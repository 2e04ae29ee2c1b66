//! A whole directory read and written at once ([`crate::store::copy`]),
//! inside the caller's transaction, the same way on both stores.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::domain::{Grant, GroupName};
use crate::store::copy::{self, Snapshot};
use crate::store::sql::{ColumnType, Dialect, Sql, Value};
use crate::store::StoreError;

use super::{AuditTx, SettingsTx};

/// Rows per statement when a snapshot is written: on a server, one round
/// trip moves thousands of rows.
const BATCH: usize = 5_000;

/// The setting that names a local store's sealing key: it belongs to that
/// file and is never copied.
pub(crate) const STORE_ID: &str = "store_id";

/// A whole directory, as one transaction reads and writes it.
#[async_trait]
pub trait CopyTx: Send {
    /// True when the directory holds no users, no clients and no groups
    /// besides the built-in Administrators.
    async fn is_empty_directory(&mut self) -> Result<bool, StoreError>;
    /// Reads every row a copy moves, authenticator secrets opened.
    async fn read_snapshot(&mut self) -> Result<Snapshot, StoreError>;
    /// Writes `snapshot` into an empty directory, ids unchanged.
    async fn write_snapshot(&mut self, snapshot: &Snapshot) -> Result<(), StoreError>;
}

#[async_trait]
impl<S: Sql + ?Sized> CopyTx for S {
    async fn is_empty_directory(&mut self) -> Result<bool, StoreError> {
        is_empty(self).await
    }

    async fn read_snapshot(&mut self) -> Result<Snapshot, StoreError> {
        read(self).await
    }

    async fn write_snapshot(&mut self, snapshot: &Snapshot) -> Result<(), StoreError> {
        write(self, snapshot).await
    }
}

async fn is_empty<S: Sql + ?Sized>(sql: &mut S) -> Result<bool, StoreError> {
    let rows = sql
        .query(
            "SELECT NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (SELECT 1 FROM clients) \
             AND NOT EXISTS (SELECT 1 FROM groups WHERE builtin = FALSE)",
            &[],
        )
        .await?;
    match rows.first() {
        Some(row) => row.bool(0),
        None => Ok(false),
    }
}

async fn read<S: Sql + ?Sized>(sql: &mut S) -> Result<Snapshot, StoreError> {
    let mut snapshot = Snapshot::default();
    let mut permissions: HashMap<i64, Vec<String>> = HashMap::new();
    for row in sql
        .query(
            "SELECT group_id, permission, scope FROM group_permissions \
             ORDER BY group_id, permission",
            &[],
        )
        .await?
    {
        // Written as a grant: `users.edit`, or `users.edit:team`.
        let (code, scope) = (row.text(1)?, row.text(2)?);
        let grant = if scope == "all" {
            code
        } else {
            format!("{code}:{scope}")
        };
        permissions.entry(row.int(0)?).or_default().push(grant);
    }
    for row in sql
        .query(
            "SELECT id, name, description, builtin, created_at, updated_at, version \
             FROM groups ORDER BY id",
            &[],
        )
        .await?
    {
        let id = row.int(0)?;
        snapshot.groups.push(copy::GroupRow {
            id,
            name: row.text(1)?,
            description: row.text(2)?,
            builtin: row.bool(3)?,
            created_at: row.int(4)?,
            updated_at: row.int(5)?,
            version: row.int(6)?,
            permissions: permissions.remove(&id).unwrap_or_default(),
        });
    }
    sql.for_each(
        "SELECT id, name, email, status, supervisor_id, password_hash, must_change_password, \
             mask_client_data, two_factor, created_at, updated_at, last_sign_in_at, \
             failed_sign_ins, locked_until, version, valid_until, password_changed_at \
             FROM users ORDER BY id",
        &[],
        &mut |mut row| {
            snapshot.users.push(copy::UserRow {
                id: row.int(0)?,
                name: row.take_text(1)?,
                email: row.take_text(2)?,
                status: row.take_text(3)?,
                supervisor_id: row.opt_int(4)?,
                password_hash: row.take_text(5)?,
                must_change_password: row.bool(6)?,
                mask_client_data: row.bool(7)?,
                two_factor: row.take_text(8)?,
                created_at: row.int(9)?,
                updated_at: row.int(10)?,
                last_sign_in_at: row.int(11)?,
                failed_sign_ins: row.int(12)?,
                locked_until: row.opt_int(13)?,
                version: row.int(14)?,
                valid_until: row.opt_text(15)?,
                password_changed_at: row.int(16)?,
            });
            Ok(())
        },
    )
    .await?;
    sql.for_each(
        "SELECT user_id, group_id FROM memberships ORDER BY user_id, group_id",
        &[],
        &mut |row| {
            snapshot.memberships.push((row.int(0)?, row.int(1)?));
            Ok(())
        },
    )
    .await?;
    for row in sql
        .query("SELECT key, value FROM settings ORDER BY key", &[])
        .await?
    {
        let key = row.text(0)?;
        if key != STORE_ID {
            snapshot.settings.push((key, row.text(1)?));
        }
    }
    sql.for_each(
        "SELECT id, at, operator_id, operator_label, action, target_kind, target_id, \
             target_label, CAST(changes AS TEXT), seq, category, operator_label_normalized, hash \
             FROM audit_events ORDER BY id",
        &[],
        &mut |mut row| {
            snapshot.audit.push(copy::AuditRow {
                id: row.int(0)?,
                at: row.int(1)?,
                operator_id: row.opt_int(2)?,
                operator_label: row.take_text(3)?,
                action: row.take_text(4)?,
                target_kind: row.take_text(5)?,
                target_id: row.opt_int(6)?,
                target_label: row.take_text(7)?,
                changes: row.take_text(8)?,
                seq: row.opt_int(9)?,
                category: row.take_opt_text(10)?,
                operator_label_normalized: row.take_opt_text(11)?,
                hash: row.take_opt_text(12)?,
            });
            Ok(())
        },
    )
    .await?;
    let head = sql.audit_chain_head().await?;
    snapshot.audit_chain = copy::AuditChainRow {
        events: head.events,
        last_hash: head.last_hash,
        anchor_seq: head.anchor_seq,
        anchor_hash: head.anchor_hash,
    };
    for row in sql
        .query(
            "SELECT user_id, secret, confirmed, last_step, created_at FROM totp_enrolments \
             ORDER BY user_id",
            &[],
        )
        .await?
    {
        let user_id = row.int(0)?;
        // The target seals secrets its own way, or not at all.
        let secret = sql.open_secret(user_id, row.text(1)?)?;
        snapshot.totp.push(copy::TotpRow {
            user_id,
            secret,
            confirmed: row.bool(2)?,
            last_step: row.int(3)?,
            created_at: row.int(4)?,
        });
    }
    sql.for_each(
        "SELECT user_id, code_hash, used_at FROM recovery_codes ORDER BY user_id, code_hash",
        &[],
        &mut |mut row| {
            snapshot.recovery_codes.push(copy::RecoveryCodeRow {
                user_id: row.int(0)?,
                code_hash: row.take_text(1)?,
                used_at: row.opt_int(2)?,
            });
            Ok(())
        },
    )
    .await?;
    sql.for_each(
        "SELECT id, name, email, phone, country, created_at, updated_at, version, \
             account_manager_id FROM clients ORDER BY id",
        &[],
        &mut |mut row| {
            snapshot.clients.push(copy::ClientRow {
                id: row.int(0)?,
                name: row.take_text(1)?,
                email: row.take_opt_text(2)?,
                phone: row.take_opt_text(3)?,
                country: row.take_opt_text(4)?,
                created_at: row.int(5)?,
                updated_at: row.int(6)?,
                version: row.int(7)?,
                account_manager_id: row.opt_int(8)?,
            });
            Ok(())
        },
    )
    .await?;
    super::snapshot_bin::read(sql, &mut snapshot).await?;
    snapshot.last_user_id = last_id(sql, "users").await?;
    snapshot.last_group_id = last_id(sql, "groups").await?;
    snapshot.last_client_id = last_id(sql, "clients").await?;
    Ok(snapshot)
}

/// The highest id `table` ever handed out, deleted rows included (or its
/// highest row: Administrators has id 1 without the identity being used).
pub(super) async fn last_id<S: Sql + ?Sized>(sql: &mut S, table: &str) -> Result<i64, StoreError> {
    let statement = match sql.dialect() {
        Dialect::Sqlite => format!(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), \
             coalesce((SELECT max(id) FROM {table}), 0))"
        ),
        Dialect::Postgres => format!(
            "SELECT greatest(coalesce(pg_sequence_last_value(\
             pg_get_serial_sequence('{table}', 'id')::regclass), 0), \
             coalesce((SELECT max(id) FROM {table}), 0))"
        ),
    };
    let rows = sql.query(&statement, &[]).await?;
    match rows.first() {
        Some(row) => Ok(row.opt_int(0)?.unwrap_or(0)),
        None => Ok(0),
    }
}

/// Moves `table`'s identity past `last`, so no deleted row's id (which the
/// audit log still names) is handed out again.
pub(super) async fn continue_ids_after<S: Sql + ?Sized>(
    sql: &mut S,
    table: &str,
    last: i64,
) -> Result<(), StoreError> {
    match sql.dialect() {
        // SQLite's audit ids follow the highest row by themselves.
        Dialect::Sqlite if table == "audit_events" => {}
        Dialect::Sqlite => {
            sql.execute(
                "UPDATE sqlite_sequence SET seq = max(seq, $2) WHERE name = $1",
                &[table.into(), last.into()],
            )
            .await?;
            sql.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT $1, $2 \
                 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = $1)",
                &[table.into(), last.into()],
            )
            .await?;
        }
        Dialect::Postgres => {
            sql.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     greatest($1::bigint, (SELECT coalesce(max(id), 0) FROM {table}), 1), \
                     greatest($1::bigint, (SELECT coalesce(max(id), 0) FROM {table})) > 0)"
                ),
                &[last.into()],
            )
            .await?;
        }
    }
    Ok(())
}

/// Writes `items` into `table`, each turned into a row by `row_of`, a batch
/// at a time (so a million rows are never all built at once).
async fn insert_each<S: Sql + ?Sized, T: Sync>(
    sql: &mut S,
    table: &str,
    columns: &[(&str, ColumnType)],
    items: &[T],
    row_of: fn(&T) -> Result<Vec<Value>, StoreError>,
) -> Result<(), StoreError> {
    for chunk in items.chunks(BATCH) {
        let rows = chunk.iter().map(row_of).collect::<Result<Vec<_>, _>>()?;
        sql.insert_rows(table, columns, rows).await?;
    }
    Ok(())
}

/// Writes recovery codes into `table` (the users' or the recycle bin's).
pub(super) async fn insert_recovery_codes<S: Sql + ?Sized>(
    sql: &mut S,
    table: &str,
    codes: &[copy::RecoveryCodeRow],
) -> Result<(), StoreError> {
    use ColumnType::{Int, Text};
    insert_each(
        sql,
        table,
        &[("user_id", Int), ("code_hash", Text), ("used_at", Int)],
        codes,
        |code| {
            Ok(vec![
                code.user_id.into(),
                code.code_hash.as_str().into(),
                code.used_at.into(),
            ])
        },
    )
    .await
}

/// Writes `rows` into `table` with their own ids, a batch at a time.
pub(super) async fn insert_all<S: Sql + ?Sized>(
    sql: &mut S,
    table: &str,
    columns: &[(&str, ColumnType)],
    rows: Vec<Vec<Value>>,
) -> Result<(), StoreError> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<Vec<Value>> = rows.by_ref().take(BATCH).collect();
        sql.insert_rows(table, columns, batch).await?;
    }
    Ok(())
}

/// The kept counts follow through their triggers.
async fn write<S: Sql + ?Sized>(sql: &mut S, snapshot: &Snapshot) -> Result<(), StoreError> {
    use ColumnType::{Bool, Int, Json, Text};
    let mut groups = Vec::new();
    let mut permissions = Vec::new();
    for group in &snapshot.groups {
        if group.builtin {
            sql.execute(
                "UPDATE groups SET description = $1, created_at = $2, updated_at = $3, \
                 version = $4 WHERE id = $5 AND builtin = TRUE",
                &[
                    group.description.as_str().into(),
                    group.created_at.into(),
                    group.updated_at.into(),
                    group.version.into(),
                    group.id.into(),
                ],
            )
            .await?;
            sql.execute(
                "DELETE FROM group_permissions WHERE group_id = $1",
                &[group.id.into()],
            )
            .await?;
        } else {
            let normalized = GroupName::parse_kept(&group.name)
                .map_err(|_| StoreError::Corrupt {
                    detail: format!("group {} has an invalid name", group.id),
                })?
                .normalized();
            groups.push(vec![
                group.id.into(),
                group.name.as_str().into(),
                normalized.into(),
                group.description.as_str().into(),
                false.into(),
                group.created_at.into(),
                group.updated_at.into(),
                group.version.into(),
            ]);
        }
        for permission in &group.permissions {
            let grant = Grant::parse(permission).ok_or_else(|| StoreError::Corrupt {
                detail: format!("group {} has an unknown permission", group.id),
            })?;
            permissions.push(vec![
                group.id.into(),
                grant.permission.code().into(),
                grant.scope.as_str().into(),
            ]);
        }
    }
    insert_all(
        sql,
        "groups",
        &[
            ("id", Int),
            ("name", Text),
            ("name_normalized", Text),
            ("description", Text),
            ("builtin", Bool),
            ("created_at", Int),
            ("updated_at", Int),
            ("version", Int),
        ],
        groups,
    )
    .await?;
    insert_all(
        sql,
        "group_permissions",
        &[("group_id", Int), ("permission", Text), ("scope", Text)],
        permissions,
    )
    .await?;

    // Supervisors point at users that may come later: insert without them,
    // then set them.
    insert_each(
        sql,
        "users",
        &[
            ("id", Int),
            ("name", Text),
            ("name_key", Text),
            ("email", Text),
            ("email_normalized", Text),
            ("status", Text),
            ("password_hash", Text),
            ("must_change_password", Bool),
            ("mask_client_data", Bool),
            ("two_factor", Text),
            ("created_at", Int),
            ("updated_at", Int),
            ("last_sign_in_at", Int),
            ("failed_sign_ins", Int),
            ("locked_until", Int),
            ("version", Int),
            ("valid_until", Text),
            ("password_changed_at", Int),
        ],
        &snapshot.users,
        |user| {
            let (name_key, email_normalized) = copy::user_keys(user)?;
            Ok(vec![
                user.id.into(),
                user.name.as_str().into(),
                name_key.into(),
                user.email.as_str().into(),
                email_normalized.into(),
                user.status.as_str().into(),
                user.password_hash.as_str().into(),
                user.must_change_password.into(),
                user.mask_client_data.into(),
                user.two_factor.as_str().into(),
                user.created_at.into(),
                user.updated_at.into(),
                user.last_sign_in_at.into(),
                user.failed_sign_ins.into(),
                user.locked_until.into(),
                user.version.into(),
                user.valid_until.as_deref().into(),
                user.password_changed_at.into(),
            ])
        },
    )
    .await?;
    let supervised: Vec<&copy::UserRow> = snapshot
        .users
        .iter()
        .filter(|u| u.supervisor_id.is_some())
        .collect();
    if !supervised.is_empty() {
        sql.execute(
            "CREATE TEMP TABLE IF NOT EXISTS staged_supervisors \
             (id BIGINT PRIMARY KEY, supervisor_id BIGINT NOT NULL)",
            &[],
        )
        .await?;
        insert_each(
            sql,
            "staged_supervisors",
            &[("id", Int), ("supervisor_id", Int)],
            &supervised,
            |user| Ok(vec![user.id.into(), user.supervisor_id.into()]),
        )
        .await?;
        sql.execute(
            "UPDATE users SET supervisor_id = (SELECT s.supervisor_id FROM staged_supervisors s \
             WHERE s.id = users.id) WHERE id IN (SELECT id FROM staged_supervisors)",
            &[],
        )
        .await?;
        sql.execute("DROP TABLE staged_supervisors", &[]).await?;
    }
    insert_each(
        sql,
        "memberships",
        &[("user_id", Int), ("group_id", Int)],
        &snapshot.memberships,
        |(user, group)| Ok(vec![(*user).into(), (*group).into()]),
    )
    .await?;
    for (key, value) in &snapshot.settings {
        sql.set_setting(key, value).await?;
    }
    insert_each(
        sql,
        "audit_events",
        &[
            ("id", Int),
            ("at", Int),
            ("operator_id", Int),
            ("operator_label", Text),
            ("action", Text),
            ("target_kind", Text),
            ("target_id", Int),
            ("target_label", Text),
            ("target_label_normalized", Text),
            ("changes", Json),
            ("seq", Int),
            ("category", Text),
            ("operator_label_normalized", Text),
            ("hash", Text),
        ],
        &snapshot.audit,
        |event| {
            Ok(vec![
                event.id.into(),
                event.at.into(),
                event.operator_id.into(),
                event.operator_label.as_str().into(),
                event.action.as_str().into(),
                event.target_kind.as_str().into(),
                event.target_id.into(),
                event.target_label.as_str().into(),
                event.target_label.to_lowercase().into(),
                event.changes.as_str().into(),
                event.seq.into(),
                event.category.as_deref().into(),
                event.operator_label_normalized.as_deref().into(),
                event.hash.as_deref().into(),
            ])
        },
    )
    .await?;
    let head = &snapshot.audit_chain;
    sql.execute(
        "UPDATE audit_chain SET events = $1, last_hash = $2, anchor_seq = $3, anchor_hash = $4, \
         chained = $5 WHERE id = 1",
        &[
            head.events.into(),
            head.last_hash.as_str().into(),
            head.anchor_seq.into(),
            head.anchor_hash.as_str().into(),
            true.into(),
        ],
    )
    .await?;
    let mut totp = Vec::with_capacity(snapshot.totp.len());
    for row in &snapshot.totp {
        totp.push(vec![
            row.user_id.into(),
            sql.seal_secret(row.user_id, &row.secret)?.into(),
            row.confirmed.into(),
            row.last_step.into(),
            row.created_at.into(),
        ]);
    }
    insert_all(
        sql,
        "totp_enrolments",
        &[
            ("user_id", Int),
            ("secret", Text),
            ("confirmed", Bool),
            ("last_step", Int),
            ("created_at", Int),
        ],
        totp,
    )
    .await?;
    insert_recovery_codes(sql, "recovery_codes", &snapshot.recovery_codes).await?;
    insert_each(
        sql,
        "clients",
        &[
            ("id", Int),
            ("name", Text),
            ("name_key", Text),
            ("email", Text),
            ("email_normalized", Text),
            ("phone", Text),
            ("country", Text),
            ("created_at", Int),
            ("updated_at", Int),
            ("version", Int),
            ("name_folded", Text),
            ("account_manager_id", Int),
        ],
        &snapshot.clients,
        |client| {
            let keys = copy::client_keys(client)?;
            Ok(vec![
                client.id.into(),
                client.name.as_str().into(),
                keys.name_key.into(),
                client.email.as_deref().into(),
                keys.email_normalized.into(),
                client.phone.as_deref().into(),
                client.country.as_deref().into(),
                client.created_at.into(),
                client.updated_at.into(),
                client.version.into(),
                keys.name_folded.into(),
                client.account_manager_id.into(),
            ])
        },
    )
    .await?;
    super::snapshot_bin::write(sql, snapshot).await?;
    let last_audit = snapshot.audit.iter().map(|e| e.id).max().unwrap_or(0);
    for (table, last) in [
        ("users", snapshot.last_user_id),
        ("groups", snapshot.last_group_id),
        ("clients", snapshot.last_client_id),
        ("audit_events", last_audit),
    ] {
        continue_ids_after(sql, table, last).await?;
    }
    Ok(())
}
