//! Reading and writing a whole server directory ([`crate::store::copy`]).

use std::collections::HashMap;

use super::{get, PgTx};
use crate::domain::GroupName;
use crate::store::copy::{self, Snapshot};
use crate::store::{SettingsTx, StoreError};

/// Rows per statement when a snapshot is written: one round trip moves
/// thousands of rows.
const IMPORT_BATCH: usize = 5_000;

/// Reading and writing a whole directory ([`copy`]).
impl PgTx {
    pub(super) async fn export(&mut self) -> Result<Snapshot, StoreError> {
        let mut snapshot = Snapshot::default();
        let mut permissions: HashMap<i64, Vec<String>> = HashMap::new();
        for row in self
            .pg_query(
                "SELECT group_id, permission FROM group_permissions ORDER BY group_id, permission",
                &[],
            )
            .await?
        {
            permissions
                .entry(get(&row, 0)?)
                .or_default()
                .push(get(&row, 1)?);
        }
        for row in self
            .pg_query(
                "SELECT id, name, description, builtin, created_at, updated_at, version \
                 FROM groups ORDER BY id",
                &[],
            )
            .await?
        {
            let id: i64 = get(&row, 0)?;
            snapshot.groups.push(copy::GroupRow {
                id,
                name: get(&row, 1)?,
                description: get(&row, 2)?,
                builtin: get(&row, 3)?,
                created_at: get(&row, 4)?,
                updated_at: get(&row, 5)?,
                version: get(&row, 6)?,
                permissions: permissions.remove(&id).unwrap_or_default(),
            });
        }
        for row in self
            .pg_query(
                "SELECT id, name, email, status, supervisor_id, password_hash, must_change_password, \
                 mask_client_data, two_factor, created_at, updated_at, last_sign_in_at, \
                 failed_sign_ins, locked_until, version FROM users ORDER BY id",
                &[],
            )
            .await?
        {
            snapshot.users.push(copy::UserRow {
                id: get(&row, 0)?,
                name: get(&row, 1)?,
                email: get(&row, 2)?,
                status: get(&row, 3)?,
                supervisor_id: get(&row, 4)?,
                password_hash: get(&row, 5)?,
                must_change_password: get(&row, 6)?,
                mask_client_data: get(&row, 7)?,
                two_factor: get(&row, 8)?,
                created_at: get(&row, 9)?,
                updated_at: get(&row, 10)?,
                last_sign_in_at: get(&row, 11)?,
                failed_sign_ins: get(&row, 12)?,
                locked_until: get(&row, 13)?,
                version: get(&row, 14)?,
            });
        }
        for row in self
            .pg_query(
                "SELECT user_id, group_id FROM memberships ORDER BY user_id, group_id",
                &[],
            )
            .await?
        {
            snapshot.memberships.push((get(&row, 0)?, get(&row, 1)?));
        }
        for row in self
            .pg_query("SELECT key, value FROM settings ORDER BY key", &[])
            .await?
        {
            snapshot.settings.push((get(&row, 0)?, get(&row, 1)?));
        }
        for row in self
            .pg_query(
                "SELECT id, at, operator_id, operator_label, action, target_kind, target_id, \
                 target_label, changes::text FROM audit_events ORDER BY id",
                &[],
            )
            .await?
        {
            snapshot.audit.push(copy::AuditRow {
                id: get(&row, 0)?,
                at: get(&row, 1)?,
                operator_id: get(&row, 2)?,
                operator_label: get(&row, 3)?,
                action: get(&row, 4)?,
                target_kind: get(&row, 5)?,
                target_id: get(&row, 6)?,
                target_label: get(&row, 7)?,
                changes: get(&row, 8)?,
            });
        }
        for row in self
            .pg_query(
                "SELECT user_id, secret, confirmed, last_step, created_at FROM totp_enrolments \
                 ORDER BY user_id",
                &[],
            )
            .await?
        {
            snapshot.totp.push(copy::TotpRow {
                user_id: get(&row, 0)?,
                secret: get(&row, 1)?,
                confirmed: get(&row, 2)?,
                last_step: get(&row, 3)?,
                created_at: get(&row, 4)?,
            });
        }
        for row in self
            .pg_query(
                "SELECT user_id, code_hash, used_at FROM recovery_codes ORDER BY user_id, code_hash",
                &[],
            )
            .await?
        {
            snapshot.recovery_codes.push(copy::RecoveryCodeRow {
                user_id: get(&row, 0)?,
                code_hash: get(&row, 1)?,
                used_at: get(&row, 2)?,
            });
        }
        // The highest id ever handed out: the identity's last value (deleted
        // rows included), or the highest row (Administrators has id 1
        // without the identity having been used).
        let last_id = |table: &str| {
            format!(
                "SELECT greatest(coalesce(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')::regclass), 0), \
                 coalesce((SELECT max(id) FROM {table}), 0))"
            )
        };
        let row = self.pg_query_one(&last_id("users"), &[]).await?;
        snapshot.last_user_id = get(&row, 0)?;
        let row = self.pg_query_one(&last_id("groups"), &[]).await?;
        snapshot.last_group_id = get(&row, 0)?;
        let row = self.pg_query_one(&last_id("clients"), &[]).await?;
        snapshot.last_client_id = get(&row, 0)?;
        for row in self
            .pg_query(
                "SELECT id, name, email, phone, country, created_at, updated_at, version \
                 FROM clients ORDER BY id",
                &[],
            )
            .await?
        {
            snapshot.clients.push(copy::ClientRow {
                id: get(&row, 0)?,
                name: get(&row, 1)?,
                email: get(&row, 2)?,
                phone: get(&row, 3)?,
                country: get(&row, 4)?,
                created_at: get(&row, 5)?,
                updated_at: get(&row, 6)?,
                version: get(&row, 7)?,
            });
        }
        Ok(snapshot)
    }

    /// Writes a snapshot into this (empty) directory, ids unchanged, in
    /// batches; the kept counts follow through their triggers.
    pub(super) async fn import(&mut self, snapshot: &Snapshot) -> Result<(), StoreError> {
        for group in &snapshot.groups {
            if group.builtin {
                self.pg_execute(
                    "UPDATE groups SET description = $1, created_at = $2, updated_at = $3, \
                     version = $4 WHERE id = $5 AND builtin",
                    &[
                        &group.description,
                        &group.created_at,
                        &group.updated_at,
                        &group.version,
                        &group.id,
                    ],
                )
                .await?;
                self.pg_execute(
                    "DELETE FROM group_permissions WHERE group_id = $1",
                    &[&group.id],
                )
                .await?;
            } else {
                let normalized = GroupName::parse(&group.name)
                    .map_err(|_| StoreError::Corrupt {
                        detail: format!("group {} has an invalid name", group.id),
                    })?
                    .normalized();
                self.pg_execute(
                    "INSERT INTO groups (id, name, name_normalized, description, builtin, \
                     created_at, updated_at, version) OVERRIDING SYSTEM VALUE \
                     VALUES ($1, $2, $3, $4, FALSE, $5, $6, $7)",
                    &[
                        &group.id,
                        &group.name,
                        &normalized,
                        &group.description,
                        &group.created_at,
                        &group.updated_at,
                        &group.version,
                    ],
                )
                .await?;
            }
            self.pg_execute(
                "INSERT INTO group_permissions (group_id, permission) SELECT $1, unnest($2::text[])",
                &[&group.id, &group.permissions],
            )
            .await?;
        }
        // Supervisors point at users that may come later: insert without
        // them, then set them.
        for batch in snapshot.users.chunks(IMPORT_BATCH) {
            let mut keys = Vec::with_capacity(batch.len());
            for user in batch {
                keys.push(copy::user_keys(user)?);
            }
            let column = |f: fn(&copy::UserRow) -> i64| batch.iter().map(f).collect::<Vec<i64>>();
            let text = |f: fn(&copy::UserRow) -> &str| batch.iter().map(f).collect::<Vec<&str>>();
            let flag = |f: fn(&copy::UserRow) -> bool| batch.iter().map(f).collect::<Vec<bool>>();
            self.pg_execute(
                "INSERT INTO users (id, name, name_key, email, email_normalized, status, \
                 password_hash, must_change_password, mask_client_data, two_factor, created_at, \
                 updated_at, last_sign_in_at, failed_sign_ins, locked_until, version) \
                 OVERRIDING SYSTEM VALUE \
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], \
                 $6::text[], $7::text[], $8::boolean[], $9::boolean[], $10::text[], $11::bigint[], \
                 $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[])",
                &[
                    &column(|u| u.id),
                    &text(|u| &u.name),
                    &keys.iter().map(|(name_key, _)| name_key.as_str()).collect::<Vec<_>>(),
                    &text(|u| &u.email),
                    &keys.iter().map(|(_, email)| email.as_str()).collect::<Vec<_>>(),
                    &text(|u| &u.status),
                    &text(|u| &u.password_hash),
                    &flag(|u| u.must_change_password),
                    &flag(|u| u.mask_client_data),
                    &text(|u| &u.two_factor),
                    &column(|u| u.created_at),
                    &column(|u| u.updated_at),
                    &column(|u| u.last_sign_in_at),
                    &column(|u| u.failed_sign_ins),
                    &batch.iter().map(|u| u.locked_until).collect::<Vec<_>>(),
                    &column(|u| u.version),
                ],
            )
            .await?;
        }
        let supervised: Vec<&copy::UserRow> = snapshot
            .users
            .iter()
            .filter(|u| u.supervisor_id.is_some())
            .collect();
        for batch in supervised.chunks(IMPORT_BATCH) {
            let ids: Vec<i64> = batch.iter().map(|u| u.id).collect();
            let supervisors: Vec<Option<i64>> = batch.iter().map(|u| u.supervisor_id).collect();
            self.pg_execute(
                "UPDATE users SET supervisor_id = s.supervisor_id \
                 FROM unnest($1::bigint[], $2::bigint[]) AS s (id, supervisor_id) \
                 WHERE users.id = s.id",
                &[&ids, &supervisors],
            )
            .await?;
        }
        for batch in snapshot.memberships.chunks(IMPORT_BATCH) {
            let users: Vec<i64> = batch.iter().map(|(user, _)| *user).collect();
            let groups: Vec<i64> = batch.iter().map(|(_, group)| *group).collect();
            self.pg_execute(
                "INSERT INTO memberships (user_id, group_id) \
                 SELECT * FROM unnest($1::bigint[], $2::bigint[])",
                &[&users, &groups],
            )
            .await?;
        }
        for (key, value) in &snapshot.settings {
            self.set_setting(key, value).await?;
        }
        for batch in snapshot.audit.chunks(IMPORT_BATCH) {
            let ids: Vec<i64> = batch.iter().map(|e| e.id).collect();
            let at: Vec<i64> = batch.iter().map(|e| e.at).collect();
            let operators: Vec<Option<i64>> = batch.iter().map(|e| e.operator_id).collect();
            let operator_labels: Vec<&str> =
                batch.iter().map(|e| e.operator_label.as_str()).collect();
            let actions: Vec<&str> = batch.iter().map(|e| e.action.as_str()).collect();
            let kinds: Vec<&str> = batch.iter().map(|e| e.target_kind.as_str()).collect();
            let targets: Vec<Option<i64>> = batch.iter().map(|e| e.target_id).collect();
            let labels: Vec<&str> = batch.iter().map(|e| e.target_label.as_str()).collect();
            let normalized: Vec<String> = batch
                .iter()
                .map(|e| e.target_label.to_lowercase())
                .collect();
            let changes: Vec<&str> = batch.iter().map(|e| e.changes.as_str()).collect();
            self.pg_execute(
                "INSERT INTO audit_events (id, at, operator_id, operator_label, action, target_kind, \
                 target_id, target_label, target_label_normalized, changes) OVERRIDING SYSTEM VALUE \
                 SELECT id, at, operator_id, operator_label, action, target_kind, target_id, \
                 target_label, target_label_normalized, CAST(changes AS json) \
                 FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], \
                 $6::text[], $7::bigint[], $8::text[], $9::text[], $10::text[]) \
                 AS e (id, at, operator_id, operator_label, action, target_kind, target_id, \
                 target_label, target_label_normalized, changes)",
                &[
                    &ids,
                    &at,
                    &operators,
                    &operator_labels,
                    &actions,
                    &kinds,
                    &targets,
                    &labels,
                    &normalized,
                    &changes,
                ],
            )
            .await?;
        }
        for totp in &snapshot.totp {
            self.pg_execute(
                "INSERT INTO totp_enrolments (user_id, secret, confirmed, last_step, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &totp.user_id,
                    &totp.secret,
                    &totp.confirmed,
                    &totp.last_step,
                    &totp.created_at,
                ],
            )
            .await?;
        }
        for batch in snapshot.recovery_codes.chunks(IMPORT_BATCH) {
            let users: Vec<i64> = batch.iter().map(|c| c.user_id).collect();
            let hashes: Vec<&str> = batch.iter().map(|c| c.code_hash.as_str()).collect();
            let used: Vec<Option<i64>> = batch.iter().map(|c| c.used_at).collect();
            self.pg_execute(
                "INSERT INTO recovery_codes (user_id, code_hash, used_at) \
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])",
                &[&users, &hashes, &used],
            )
            .await?;
        }
        for batch in snapshot.clients.chunks(IMPORT_BATCH) {
            let mut keys = Vec::with_capacity(batch.len());
            for client in batch {
                keys.push(copy::client_keys(client)?);
            }
            let column = |f: fn(&copy::ClientRow) -> i64| batch.iter().map(f).collect::<Vec<i64>>();
            let optional = |f: fn(&copy::ClientRow) -> Option<&str>| {
                batch.iter().map(f).collect::<Vec<Option<&str>>>()
            };
            self.pg_execute(
                "INSERT INTO clients (id, name, name_key, email, email_normalized, phone, country, \
                 created_at, updated_at, version, name_folded) OVERRIDING SYSTEM VALUE \
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], \
                 $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::text[])",
                &[
                    &column(|c| c.id),
                    &batch.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
                    &keys.iter().map(|k| k.name_key.as_str()).collect::<Vec<_>>(),
                    &optional(|c| c.email.as_deref()),
                    &keys
                        .iter()
                        .map(|k| k.email_normalized.as_deref())
                        .collect::<Vec<_>>(),
                    &optional(|c| c.phone.as_deref()),
                    &optional(|c| c.country.as_deref()),
                    &column(|c| c.created_at),
                    &column(|c| c.updated_at),
                    &column(|c| c.version),
                    &keys.iter().map(|k| k.name_folded.as_str()).collect::<Vec<_>>(),
                ],
            )
            .await?;
        }
        // The identities go on after the highest id the source ever handed
        // out, so no deleted user's, group's or client's id is handed out again.
        let last_audit = snapshot.audit.iter().map(|e| e.id).max().unwrap_or(0);
        for (table, last) in [
            ("users", snapshot.last_user_id),
            ("groups", snapshot.last_group_id),
            ("clients", snapshot.last_client_id),
            ("audit_events", last_audit),
        ] {
            self.pg_execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     greatest($1::bigint, (SELECT coalesce(max(id), 0) FROM {table}), 1), \
                     greatest($1::bigint, (SELECT coalesce(max(id), 0) FROM {table})) > 0)"
                ),
                &[&last],
            )
            .await?;
        }
        Ok(())
    }
}
