//! The recycle bin: deleted users kept restorable (`deleted_users`,
//! `deleted_recovery_codes`, migration V12). A user goes in with their row,
//! their groups' ids and their two-factor enrolment, and comes back under
//! the same id, so their history in the audit log is theirs again.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{GroupId, UserId};
use crate::store::sql::{self, millis, time, Dialect, Params, RowRef, Sql};
use crate::store::StoreError;

/// A user in the recycle bin, as the bin's list and a restore read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinnedUser {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub email_normalized: String,
    pub mask_client_data: bool,
    pub supervisor: Option<UserId>,
    /// The ids of the groups they were in when deleted.
    pub groups: Vec<GroupId>,
    pub deleted_at: DateTime<Utc>,
    /// Who deleted them, as the audit log names operators.
    pub deleted_by: String,
}

/// Where a page of the bin ends: the newest deletions come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BinCursor {
    pub deleted_at: i64,
    pub id: i64,
}

/// The recycle bin, as one transaction reads and writes it.
#[async_trait]
pub trait RecycleBinTx: Send {
    /// Moves the users in `ids` into the bin: their rows, group ids,
    /// enrolment and recovery codes are kept, then the users are deleted
    /// (memberships and two-factor rows with them). Returns how many moved.
    async fn bin_users(
        &mut self,
        ids: &[UserId],
        deleted_by: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    async fn binned_user(&mut self, id: UserId) -> Result<Option<BinnedUser>, StoreError>;
    /// A page of the bin, newest deletion first, after `after`.
    async fn binned_users(
        &mut self,
        after: Option<BinCursor>,
        limit: u32,
    ) -> Result<Vec<BinnedUser>, StoreError>;
    async fn count_binned_users(&mut self) -> Result<u64, StoreError>;
    /// Brings a user back from the bin under their id, with `supervisor`
    /// and their enrolment and recovery codes (not their groups: the caller
    /// sets those). Fails with [`StoreError::DuplicateEmail`] when another
    /// user holds the address; returns false when they are not in the bin.
    async fn restore_binned_user(
        &mut self,
        id: UserId,
        supervisor: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Removes users from the bin for good; returns how many.
    async fn purge_binned_users(&mut self, ids: &[UserId]) -> Result<u64, StoreError>;
    /// Up to `limit` users deleted before `cutoff`, oldest first.
    async fn binned_before(
        &mut self,
        cutoff: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<BinnedUser>, StoreError>;
}

/// Users moved or purged by one statement.
const IDS_PER_STATEMENT: usize = 500;

const BINNED_COLUMNS: &str = "id, name, email, email_normalized, mask_client_data, \
     supervisor_id, group_ids, deleted_at, deleted_by";

fn binned(row: &dyn RowRef) -> Result<BinnedUser, StoreError> {
    let groups = row.text(6)?;
    let groups = groups
        .split(',')
        .filter(|id| !id.is_empty())
        .map(|id| {
            id.parse::<i64>()
                .map(GroupId)
                .map_err(|_| sql::corrupt("group id of a deleted user", id))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(BinnedUser {
        id: UserId(row.int(0)?),
        name: row.text(1)?,
        email: row.text(2)?,
        email_normalized: row.text(3)?,
        mask_client_data: row.bool(4)?,
        supervisor: row.opt_int(5)?.map(UserId),
        groups,
        deleted_at: time(row.int(7)?)?,
        deleted_by: row.text(8)?,
    })
}

async fn binned_rows<S: Sql + ?Sized>(
    sql: &mut S,
    statement: &str,
    params: &[sql::Value],
) -> Result<Vec<BinnedUser>, StoreError> {
    let mut users = Vec::new();
    sql.query_each(statement, params, &mut |row| {
        users.push(binned(row)?);
        Ok(())
    })
    .await?;
    Ok(users)
}

#[async_trait]
impl<S: Sql + ?Sized> RecycleBinTx for S {
    async fn bin_users(
        &mut self,
        ids: &[UserId],
        deleted_by: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let dialect = self.dialect();
        let group_ids = match dialect {
            Dialect::Sqlite => "group_concat(m.group_id, ',')",
            Dialect::Postgres => "string_agg(m.group_id::text, ',')",
        };
        let mut moved = 0;
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let ids: Vec<i64> = chunk.iter().map(|id| id.0).collect();
            let mut params = Params::default();
            let now = params.push(millis(now));
            let by = params.push(deleted_by);
            let wanted = params.any_of(dialect, "u.id", &ids);
            let statement = format!(
                "INSERT INTO deleted_users (id, name, name_key, email, email_normalized, status, \
                 supervisor_id, password_hash, must_change_password, mask_client_data, two_factor, \
                 created_at, last_sign_in_at, password_changed_at, valid_until, version, group_ids, \
                 totp_secret, totp_confirmed, totp_last_step, totp_created_at, deleted_at, deleted_by) \
                 SELECT u.id, u.name, u.name_key, u.email, u.email_normalized, u.status, \
                 u.supervisor_id, u.password_hash, u.must_change_password, u.mask_client_data, \
                 u.two_factor, u.created_at, u.last_sign_in_at, u.password_changed_at, \
                 u.valid_until, u.version, \
                 coalesce((SELECT {group_ids} FROM memberships m WHERE m.user_id = u.id), ''), \
                 t.secret, t.confirmed, t.last_step, t.created_at, {now}, {by} \
                 FROM users u LEFT JOIN totp_enrolments t ON t.user_id = u.id WHERE {wanted}"
            );
            moved += self.execute(&statement, &params.0).await?;
            let mut params = Params::default();
            let wanted = params.any_of(dialect, "user_id", &ids);
            let statement = format!(
                "INSERT INTO deleted_recovery_codes (user_id, code_hash, used_at) \
                 SELECT user_id, code_hash, used_at FROM recovery_codes WHERE {wanted}"
            );
            self.execute(&statement, &params.0).await?;
            let mut params = Params::default();
            let wanted = params.any_of(dialect, "id", &ids);
            self.execute(&format!("DELETE FROM users WHERE {wanted}"), &params.0)
                .await?;
        }
        Ok(moved)
    }

    async fn binned_user(&mut self, id: UserId) -> Result<Option<BinnedUser>, StoreError> {
        let statement = format!("SELECT {BINNED_COLUMNS} FROM deleted_users WHERE id = $1");
        Ok(binned_rows(self, &statement, &[id.0.into()])
            .await?
            .into_iter()
            .next())
    }

    async fn binned_users(
        &mut self,
        after: Option<BinCursor>,
        limit: u32,
    ) -> Result<Vec<BinnedUser>, StoreError> {
        let dialect = self.dialect();
        let mut params = Params::default();
        let condition = match after {
            None => String::new(),
            Some(cursor) => {
                let at = params.push(cursor.deleted_at);
                let id = params.push(cursor.id);
                format!("WHERE (deleted_at < {at} OR (deleted_at = {at} AND id < {id}))")
            }
        };
        let limit = params.limit(dialect, u64::from(limit));
        let statement = format!(
            "SELECT {BINNED_COLUMNS} FROM deleted_users {condition} \
             ORDER BY deleted_at DESC, id DESC LIMIT {limit}"
        );
        binned_rows(self, &statement, &params.0).await
    }

    async fn count_binned_users(&mut self) -> Result<u64, StoreError> {
        let row = sql::query_opt(self, "SELECT count(*) FROM deleted_users", &[]).await?;
        let count = row.map(|row| row.int(0)).transpose()?.unwrap_or(0);
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn restore_binned_user(
        &mut self,
        id: UserId,
        supervisor: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        // The id was handed out by the users table before: PostgreSQL's
        // identity column takes it back only when told to.
        let overriding = match self.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => "OVERRIDING SYSTEM VALUE",
        };
        let statement = format!(
            "INSERT INTO users (id, name, name_key, email, email_normalized, status, \
             supervisor_id, password_hash, must_change_password, mask_client_data, two_factor, \
             created_at, updated_at, last_sign_in_at, password_changed_at, valid_until, version) \
             {overriding} \
             SELECT id, name, name_key, email, email_normalized, status, $2, password_hash, \
             must_change_password, mask_client_data, two_factor, created_at, $3, \
             last_sign_in_at, password_changed_at, valid_until, version + 1 \
             FROM deleted_users WHERE id = $1"
        );
        let params = [id.0.into(), supervisor.map(|s| s.0).into(), millis(now)];
        let restored = match self.execute(&statement, &params).await {
            Ok(restored) => restored,
            Err(error) if error.is_unique("email_normalized") => {
                let email = sql::query_opt(
                    self,
                    "SELECT email FROM deleted_users WHERE id = $1",
                    &[id.0.into()],
                )
                .await?
                .map(|row| row.text(0))
                .transpose()?
                .unwrap_or_default();
                return Err(StoreError::DuplicateEmail { email });
            }
            Err(error) => return Err(error.into()),
        };
        if restored != 1 {
            return Ok(false);
        }
        self.execute(
            "INSERT INTO totp_enrolments (user_id, secret, confirmed, last_step, created_at) \
             SELECT id, totp_secret, totp_confirmed, totp_last_step, totp_created_at \
             FROM deleted_users WHERE id = $1 AND totp_secret IS NOT NULL",
            &[id.0.into()],
        )
        .await?;
        self.execute(
            "INSERT INTO recovery_codes (user_id, code_hash, used_at) \
             SELECT user_id, code_hash, used_at FROM deleted_recovery_codes WHERE user_id = $1",
            &[id.0.into()],
        )
        .await?;
        self.purge_binned_users(&[id]).await?;
        Ok(true)
    }

    async fn purge_binned_users(&mut self, ids: &[UserId]) -> Result<u64, StoreError> {
        let dialect = self.dialect();
        let mut purged = 0;
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let ids: Vec<i64> = chunk.iter().map(|id| id.0).collect();
            let mut params = Params::default();
            let codes = params.any_of(dialect, "user_id", &ids);
            self.execute(
                &format!("DELETE FROM deleted_recovery_codes WHERE {codes}"),
                &params.0,
            )
            .await?;
            let mut params = Params::default();
            let wanted = params.any_of(dialect, "id", &ids);
            purged += self
                .execute(
                    &format!("DELETE FROM deleted_users WHERE {wanted}"),
                    &params.0,
                )
                .await?;
        }
        Ok(purged)
    }

    async fn binned_before(
        &mut self,
        cutoff: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<BinnedUser>, StoreError> {
        let dialect = self.dialect();
        let mut params = Params::default();
        let cutoff = params.push(millis(cutoff));
        let limit = params.limit(dialect, u64::from(limit));
        let statement = format!(
            "SELECT {BINNED_COLUMNS} FROM deleted_users WHERE deleted_at < {cutoff} \
             ORDER BY deleted_at, id LIMIT {limit}"
        );
        binned_rows(self, &statement, &params.0).await
    }
}
