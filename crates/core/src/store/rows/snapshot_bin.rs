//! The recycle bin in a whole-directory copy (`snapshot.rs`): its users,
//! their authenticator secrets opened for the target to seal its own way,
//! and their recovery codes.

use crate::store::copy::{DeletedUserRow, RecoveryCodeRow, Snapshot};
use crate::store::sql::{ColumnType, Sql, Value};
use crate::store::StoreError;

const COLUMNS: &[(&str, ColumnType)] = {
    use ColumnType::{Bool, Int, Text};
    &[
        ("id", Int),
        ("name", Text),
        ("name_key", Text),
        ("email", Text),
        ("email_normalized", Text),
        ("status", Text),
        ("supervisor_id", Int),
        ("password_hash", Text),
        ("must_change_password", Bool),
        ("mask_client_data", Bool),
        ("two_factor", Text),
        ("created_at", Int),
        ("last_sign_in_at", Int),
        ("password_changed_at", Int),
        ("valid_until", Text),
        ("version", Int),
        ("group_ids", Text),
        ("totp_secret", Text),
        ("totp_confirmed", Bool),
        ("totp_last_step", Int),
        ("totp_created_at", Int),
        ("deleted_at", Int),
        ("deleted_by", Text),
    ]
};

/// Adds the bin to `snapshot`.
pub(super) async fn read<S: Sql + ?Sized>(
    sql: &mut S,
    snapshot: &mut Snapshot,
) -> Result<(), StoreError> {
    // The flag is read as a number on both stores (SQLite keeps 0 or 1,
    // PostgreSQL a boolean), so its absence reads as NULL.
    let names: Vec<&str> = COLUMNS
        .iter()
        .map(|(name, _)| match *name {
            "totp_confirmed" => {
                "CASE WHEN totp_confirmed IS NULL THEN NULL WHEN totp_confirmed THEN 1 ELSE 0 END"
            }
            name => name,
        })
        .collect();
    let statement = format!("SELECT {} FROM deleted_users ORDER BY id", names.join(", "));
    for row in sql.query(&statement, &[]).await? {
        let id = row.int(0)?;
        let totp_secret = match row.opt_text(17)? {
            Some(sealed) => Some(sql.open_secret(id, sealed)?),
            None => None,
        };
        let totp_confirmed = row.opt_int(18)?.map(|flag| flag != 0);
        snapshot.deleted_users.push(DeletedUserRow {
            id,
            name: row.text(1)?,
            name_key: row.text(2)?,
            email: row.text(3)?,
            email_normalized: row.text(4)?,
            status: row.text(5)?,
            supervisor_id: row.opt_int(6)?,
            password_hash: row.text(7)?,
            must_change_password: row.bool(8)?,
            mask_client_data: row.bool(9)?,
            two_factor: row.text(10)?,
            created_at: row.int(11)?,
            last_sign_in_at: row.int(12)?,
            password_changed_at: row.int(13)?,
            valid_until: row.opt_text(14)?,
            version: row.int(15)?,
            group_ids: row.text(16)?,
            totp_secret,
            totp_confirmed,
            totp_last_step: row.opt_int(19)?,
            totp_created_at: row.opt_int(20)?,
            deleted_at: row.int(21)?,
            deleted_by: row.text(22)?,
        });
    }
    sql.for_each(
        "SELECT user_id, code_hash, used_at FROM deleted_recovery_codes \
         ORDER BY user_id, code_hash",
        &[],
        &mut |mut row| {
            snapshot.deleted_recovery_codes.push(RecoveryCodeRow {
                user_id: row.int(0)?,
                code_hash: row.take_text(1)?,
                used_at: row.opt_int(2)?,
            });
            Ok(())
        },
    )
    .await
}

/// Writes the bin of `snapshot`, secrets sealed the target's way.
pub(super) async fn write<S: Sql + ?Sized>(
    sql: &mut S,
    snapshot: &Snapshot,
) -> Result<(), StoreError> {
    let mut rows = Vec::with_capacity(snapshot.deleted_users.len());
    for user in &snapshot.deleted_users {
        let secret: Value = match &user.totp_secret {
            Some(secret) => sql.seal_secret(user.id, secret)?.into(),
            None => Value::Null,
        };
        rows.push(vec![
            user.id.into(),
            user.name.as_str().into(),
            // Keyed again: a copy made before keys dropped accents holds
            // the name's lowercase.
            crate::domain::search_key(&user.name).into(),
            user.email.as_str().into(),
            user.email_normalized.as_str().into(),
            user.status.as_str().into(),
            user.supervisor_id.into(),
            user.password_hash.as_str().into(),
            user.must_change_password.into(),
            user.mask_client_data.into(),
            user.two_factor.as_str().into(),
            user.created_at.into(),
            user.last_sign_in_at.into(),
            user.password_changed_at.into(),
            user.valid_until.as_deref().into(),
            user.version.into(),
            user.group_ids.as_str().into(),
            secret,
            user.totp_confirmed.map_or(Value::Null, Value::Bool),
            user.totp_last_step.into(),
            user.totp_created_at.into(),
            user.deleted_at.into(),
            user.deleted_by.as_str().into(),
        ]);
    }
    super::snapshot::insert_all(sql, "deleted_users", COLUMNS, rows).await?;
    super::snapshot::insert_recovery_codes(
        sql,
        "deleted_recovery_codes",
        &snapshot.deleted_recovery_codes,
    )
    .await
}
