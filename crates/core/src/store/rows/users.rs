//! Users: their rows, memberships, supervisors and counts (the overview's
//! page is in `users_overview.rs`).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{
    Email, GroupId, GroupName, PermissionSet, Status, TwoFactor, UserId, UserName, ValidUntil,
};
use crate::model::{GroupRef, User, UserFields, UserRef};
use crate::password::PasswordHash;
use crate::store::sql::{self, corrupt, millis, time, Dialect, Params, RowRef, Sql, Value};
use crate::store::{Cursor, SortField, SortKey, StoreError, Total, UserPage, UserQuery};

use super::groups::parse_permissions;
use super::users_import;

/// Users, as one transaction reads and writes them.
#[async_trait]
pub trait UsersTx: Send {
    /// Inserts a user; a second user with the same normalised email fails
    /// with [`StoreError::DuplicateEmail`].
    async fn insert_user(
        &mut self,
        fields: &UserFields,
        password: &PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<UserId, StoreError>;
    /// Inserts new users, a thousand a statement, each created (and its
    /// password set) at the time given beside it, and gives their ids in
    /// the order given (an import's rows, a bench's seed). An email
    /// already taken is [`StoreError::DuplicateEmail`], naming it.
    async fn insert_users(
        &mut self,
        users: &[(UserFields, &PasswordHash, DateTime<Utc>)],
    ) -> Result<Vec<UserId>, StoreError>;
    /// Writes `fields` when the row is still at `expected_version`, bumping it;
    /// returns false (and writes nothing) when the row has moved on or is gone.
    async fn update_user(
        &mut self,
        id: UserId,
        expected_version: i64,
        fields: &UserFields,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// [`Self::update_user`] for everything but the name and email (which
    /// stay as they are, so their search index is not touched).
    async fn update_user_settings(
        &mut self,
        id: UserId,
        expected_version: i64,
        fields: &UserFields,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Sets the status of every user in `ids`, bumping their versions; for a
    /// caller that read them in this same writing transaction. Returns the
    /// number of users changed.
    async fn set_statuses(
        &mut self,
        ids: &[UserId],
        status: Status,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    async fn delete_user(&mut self, id: UserId) -> Result<bool, StoreError>;
    async fn user(&mut self, id: UserId) -> Result<Option<User>, StoreError>;
    /// The users among `ids` that exist, in no particular order: one
    /// statement per [`UserQuery::READ_LIMIT`] ids (an import reads back
    /// what it wrote).
    async fn users(&mut self, ids: &[UserId]) -> Result<Vec<User>, StoreError>;
    async fn user_id_by_email(&mut self, normalized: &str) -> Result<Option<UserId>, StoreError>;
    /// The users among `normalized` emails, as (normalized email, id).
    async fn user_ids_by_emails(
        &mut self,
        normalized: &[String],
    ) -> Result<Vec<(String, UserId)>, StoreError>;
    /// Replaces the user's memberships with exactly `groups`.
    async fn set_memberships(&mut self, id: UserId, groups: &[GroupId]) -> Result<(), StoreError>;
    /// Adds these (user, group) memberships, which must not exist yet (new
    /// users' groups, written all at once by an import).
    async fn add_memberships(&mut self, pairs: &[(UserId, GroupId)]) -> Result<(), StoreError>;
    /// Sets each (user, supervisor) of `pairs`, leaving the users' version
    /// and time of change as they are: an import's users whose supervisor
    /// is a later row of the same file, just created in this transaction.
    async fn set_supervisors(&mut self, pairs: &[(UserId, UserId)]) -> Result<(), StoreError>;
    /// The supervisor of `id`, if any.
    async fn supervisor_of(&mut self, id: UserId) -> Result<Option<UserId>, StoreError>;
    /// Whether `user` is in `lead`'s team: the lead themselves, or one of
    /// their reports, direct or indirect.
    async fn in_team(&mut self, lead: UserId, user: UserId) -> Result<bool, StoreError>;
    /// Users whose supervisor is `id`.
    async fn subordinates(&mut self, id: UserId) -> Result<Vec<UserRef>, StoreError>;
    /// Clears the supervisor of everyone who reports to `id`, bumping their versions.
    async fn release_subordinates(
        &mut self,
        id: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Every user, from the kept counts.
    async fn count_users(&mut self) -> Result<u64, StoreError>;
    /// Users in `group` who may sign in: enabled, and not past their
    /// "valid until" day.
    async fn count_enabled_members(&mut self, group: GroupId) -> Result<u64, StoreError>;
    /// The union of the permissions of the user's groups.
    async fn user_permissions(&mut self, id: UserId) -> Result<PermissionSet, StoreError>;
    /// One keyset page of the users overview.
    async fn list_users(&mut self, query: &UserQuery) -> Result<UserPage, StoreError>;
    /// The total of [`Self::list_users`]'s `query` counted in full, up to
    /// the overview's cap, where its page said only "more than" a number
    /// read quickly ([`UserPage::counting`]).
    async fn count_listed_users(&mut self, query: &UserQuery) -> Result<Total, StoreError>;
    /// The users [`Self::list_users`] finds after `query.after`, up to
    /// `limit` of them (not capped), with the next page's cursor and no
    /// total: for reading everyone a query finds (bulk actions, exports).
    async fn read_users(
        &mut self,
        query: &UserQuery,
        limit: u32,
    ) -> Result<(Vec<User>, Option<Cursor>), StoreError>;
    /// Users with `status`, from the kept counts.
    async fn count_with_status(&mut self, status: Status) -> Result<u64, StoreError>;
    /// Enabled users whose "valid until" is before `today` (`YYYY-MM-DD`).
    async fn count_expired(&mut self, today: &str) -> Result<u64, StoreError>;
    /// Enabled users who have not signed in since `cutoff` and were created
    /// before it (those who never signed in count from their creation).
    async fn inactive_users(&mut self, cutoff: DateTime<Utc>) -> Result<Vec<User>, StoreError>;
}

pub(super) const USER_COLUMNS: &str =
    "u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, \
     u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, \
     u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, \
     u.password_changed_at";

/// A users row before its groups and supervisor are attached.
pub(super) struct UserRow {
    pub(super) id: i64,
    name: String,
    email: String,
    email_normalized: String,
    status: String,
    supervisor_id: Option<i64>,
    must_change_password: bool,
    mask_client_data: bool,
    two_factor: String,
    created_at: i64,
    updated_at: i64,
    last_sign_in_at: i64,
    failed_sign_ins: i64,
    locked_until: Option<i64>,
    version: i64,
    valid_until: Option<String>,
    password_changed_at: i64,
}

impl UserRow {
    /// A row read in [`USER_COLUMNS`] order.
    fn read(row: &dyn RowRef) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.int(0)?,
            name: row.text(1)?,
            email: row.text(2)?,
            email_normalized: row.text(3)?,
            status: row.text(4)?,
            supervisor_id: row.opt_int(5)?,
            must_change_password: row.bool(6)?,
            mask_client_data: row.bool(7)?,
            two_factor: row.text(8)?,
            created_at: row.int(9)?,
            updated_at: row.int(10)?,
            last_sign_in_at: row.int(11)?,
            failed_sign_ins: row.int(12)?,
            locked_until: row.opt_int(13)?,
            version: row.int(14)?,
            valid_until: row.opt_text(15)?,
            password_changed_at: row.int(16)?,
        })
    }

    pub(super) fn sort_key(&self, sort: SortField) -> SortKey {
        match sort {
            SortField::Name => SortKey::Text(crate::domain::search_key(&self.name)),
            SortField::Email => SortKey::Text(self.email_normalized.clone()),
            SortField::Created => SortKey::Integer(self.created_at),
            SortField::LastSignIn => SortKey::Integer(self.last_sign_in_at),
            SortField::PasswordChanged => SortKey::Integer(self.password_changed_at),
            SortField::FailedSignIns => SortKey::Integer(self.failed_sign_ins),
        }
    }

    fn into_user(
        self,
        groups: Vec<GroupRef>,
        supervisor: Option<UserRef>,
    ) -> Result<User, StoreError> {
        let status = match self.status.as_str() {
            "enabled" => Status::Enabled,
            "disabled" => Status::Disabled,
            other => return Err(corrupt("status", other)),
        };
        let two_factor = match self.two_factor.as_str() {
            "off" => TwoFactor::Off,
            "email_code" => TwoFactor::EmailCode,
            "totp" => TwoFactor::Totp,
            other => return Err(corrupt("two-factor method", other)),
        };
        let valid_until = match self.valid_until.as_deref() {
            None => None,
            Some(text) => {
                Some(ValidUntil::from_stored(text).ok_or_else(|| corrupt("valid until", text))?)
            }
        };
        Ok(User {
            id: UserId(self.id),
            name: UserName::from_stored(self.name),
            email: Email::from_stored(self.email, self.email_normalized),
            status,
            groups,
            supervisor,
            must_change_password: self.must_change_password,
            mask_client_data: self.mask_client_data,
            two_factor,
            created_at: time(self.created_at)?,
            updated_at: time(self.updated_at)?,
            last_sign_in_at: match self.last_sign_in_at {
                0 => None,
                at => Some(time(at)?),
            },
            failed_sign_ins: u32::try_from(self.failed_sign_ins).unwrap_or(u32::MAX),
            locked_until: self.locked_until.map(time).transpose()?,
            password_changed_at: time(self.password_changed_at)?,
            valid_until,
            expired: valid_until.is_some_and(|date| date.has_passed(Utc::now())),
            version: self.version,
        })
    }
}

/// Users changed by one statement of [`UsersTx::set_statuses`]: on SQLite
/// one parameter each; on PostgreSQL one array, and fewer statements run
/// the statement triggers (V16) fewer times (measured in psql, disabling
/// 90,000 of 100,000: 3.3 s in statements of 500, 2.8 s of 5,000, 2.2 s
/// of 20,000).
pub(super) fn ids_per_statement(dialect: Dialect) -> usize {
    match dialect {
        Dialect::Sqlite => 500,
        Dialect::Postgres => 10_000,
    }
}

/// Emails looked up by one statement of [`UsersTx::user_ids_by_emails`].
const EMAILS_PER_LOOKUP: usize = 500;

/// A `UserRef` read from `id, name, email, email_normalized`.
fn user_ref(row: &dyn RowRef) -> Result<UserRef, StoreError> {
    Ok(UserRef {
        id: UserId(row.int(0)?),
        name: UserName::from_stored(row.text(1)?),
        email: Email::from_stored(row.text(2)?, row.text(3)?),
    })
}

fn duplicate_email(error: sql::SqlError, fields: &UserFields) -> StoreError {
    if error.is_unique("email_normalized") {
        StoreError::DuplicateEmail {
            email: fields.email.as_str().to_owned(),
        }
    } else {
        error.into()
    }
}

pub(super) async fn query_user_rows<S: Sql + ?Sized>(
    sql: &mut S,
    statement: &str,
    params: &[sql::Value],
) -> Result<Vec<UserRow>, StoreError> {
    let mut rows = Vec::new();
    sql.query_each(statement, params, &mut |row| {
        rows.push(UserRow::read(row)?);
        Ok(())
    })
    .await?;
    Ok(rows)
}

/// Attaches groups and supervisors to rows with two queries for the whole batch.
pub(super) async fn complete_users<S: Sql + ?Sized>(
    sql: &mut S,
    rows: Vec<UserRow>,
) -> Result<Vec<User>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let dialect = sql.dialect();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut params = Params::default();
    let members = params.any_of(dialect, "m.user_id", &ids);
    let mut groups_of: HashMap<i64, Vec<GroupRef>> = HashMap::new();
    let statement = format!(
        "SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id \
         WHERE {members} ORDER BY g.name_normalized"
    );
    sql.query_each(&statement, &params.0, &mut |row| {
        groups_of.entry(row.int(0)?).or_default().push(GroupRef {
            id: GroupId(row.int(1)?),
            name: GroupName::from_stored(row.text(2)?),
        });
        Ok(())
    })
    .await?;
    let supervisor_ids: Vec<i64> = rows.iter().filter_map(|r| r.supervisor_id).collect();
    let mut supervisors: HashMap<i64, UserRef> = HashMap::new();
    if !supervisor_ids.is_empty() {
        let mut params = Params::default();
        let wanted = params.any_of(dialect, "id", &supervisor_ids);
        let statement =
            format!("SELECT id, name, email, email_normalized FROM users WHERE {wanted}");
        sql.query_each(&statement, &params.0, &mut |row| {
            let supervisor = user_ref(row)?;
            supervisors.insert(supervisor.id.0, supervisor);
            Ok(())
        })
        .await?;
    }
    rows.into_iter()
        .map(|row| {
            let groups = groups_of.remove(&row.id).unwrap_or_default();
            let supervisor = row
                .supervisor_id
                .and_then(|id| supervisors.get(&id).cloned());
            row.into_user(groups, supervisor)
        })
        .collect()
}

#[async_trait]
impl<S: Sql + ?Sized> UsersTx for S {
    async fn insert_user(
        &mut self,
        fields: &UserFields,
        password: &PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<UserId, StoreError> {
        let rows = self
            .query(
                "INSERT INTO users (name, name_key, email, email_normalized, status, supervisor_id, \
                 password_hash, must_change_password, mask_client_data, two_factor, valid_until, \
                 created_at, updated_at, password_changed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $12) RETURNING id",
                &[
                    fields.name.as_str().into(),
                    fields.name.sort_key().into(),
                    fields.email.as_str().into(),
                    fields.email.normalized().into(),
                    fields.status.as_str().into(),
                    fields.supervisor.map(|s| s.0).into(),
                    password.as_str().into(),
                    fields.must_change_password.into(),
                    fields.mask_client_data.into(),
                    fields.two_factor.as_str().into(),
                    fields.valid_until.map(ValidUntil::as_string).into(),
                    millis(now),
                ],
            )
            .await
            .map_err(|error| duplicate_email(error, fields))?;
        match rows.first() {
            Some(row) => Ok(UserId(row.int(0)?)),
            None => Err(StoreError::Internal {
                detail: "insert returned no id".into(),
            }),
        }
    }

    async fn insert_users(
        &mut self,
        users: &[(UserFields, &PasswordHash, DateTime<Utc>)],
    ) -> Result<Vec<UserId>, StoreError> {
        users_import::insert_users(self, users).await
    }

    async fn update_user(
        &mut self,
        id: UserId,
        expected_version: i64,
        fields: &UserFields,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "UPDATE users SET name = $1, name_key = $2, email = $3, email_normalized = $4, \
                 status = $5, supervisor_id = $6, must_change_password = $7, mask_client_data = $8, \
                 two_factor = $9, valid_until = $10, updated_at = $11, version = version + 1 \
                 WHERE id = $12 AND version = $13",
                &[
                    fields.name.as_str().into(),
                    fields.name.sort_key().into(),
                    fields.email.as_str().into(),
                    fields.email.normalized().into(),
                    fields.status.as_str().into(),
                    fields.supervisor.map(|s| s.0).into(),
                    fields.must_change_password.into(),
                    fields.mask_client_data.into(),
                    fields.two_factor.as_str().into(),
                    fields.valid_until.map(ValidUntil::as_string).into(),
                    millis(now),
                    id.0.into(),
                    expected_version.into(),
                ],
            )
            .await
            .map_err(|error| duplicate_email(error, fields))?;
        Ok(changed == 1)
    }

    async fn update_user_settings(
        &mut self,
        id: UserId,
        expected_version: i64,
        fields: &UserFields,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "UPDATE users SET status = $1, supervisor_id = $2, must_change_password = $3, \
                 mask_client_data = $4, two_factor = $5, valid_until = $6, updated_at = $7, \
                 version = version + 1 WHERE id = $8 AND version = $9",
                &[
                    fields.status.as_str().into(),
                    fields.supervisor.map(|s| s.0).into(),
                    fields.must_change_password.into(),
                    fields.mask_client_data.into(),
                    fields.two_factor.as_str().into(),
                    fields.valid_until.map(ValidUntil::as_string).into(),
                    millis(now),
                    id.0.into(),
                    expected_version.into(),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn set_statuses(
        &mut self,
        ids: &[UserId],
        status: Status,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let dialect = self.dialect();
        let mut changed = 0;
        for chunk in ids.chunks(ids_per_statement(dialect)) {
            let ids: Vec<i64> = chunk.iter().map(|id| id.0).collect();
            let mut params = Params::default();
            let status = params.push(status.as_str());
            let now = params.push(millis(now));
            let wanted = params.any_of(dialect, "id", &ids);
            let statement = format!(
                "UPDATE users SET status = {status}, updated_at = {now}, version = version + 1 \
                 WHERE {wanted}"
            );
            changed += self.execute(&statement, &params.0).await?;
        }
        Ok(changed)
    }

    async fn delete_user(&mut self, id: UserId) -> Result<bool, StoreError> {
        let deleted = self
            .execute("DELETE FROM users WHERE id = $1", &[id.0.into()])
            .await?;
        Ok(deleted == 1)
    }

    async fn users(&mut self, ids: &[UserId]) -> Result<Vec<User>, StoreError> {
        let mut users = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(UserQuery::READ_LIMIT as usize) {
            let ids: Vec<i64> = chunk.iter().map(|id| id.0).collect();
            let mut params = Params::default();
            let wanted = params.any_of(self.dialect(), "u.id", &ids);
            let statement = format!("SELECT {USER_COLUMNS} FROM users u WHERE {wanted}");
            let rows = query_user_rows(self, &statement, &params.0).await?;
            users.extend(complete_users(self, rows).await?);
        }
        Ok(users)
    }

    async fn user(&mut self, id: UserId) -> Result<Option<User>, StoreError> {
        let statement = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let rows = query_user_rows(self, &statement, &[id.0.into()]).await?;
        Ok(complete_users(self, rows).await?.into_iter().next())
    }

    async fn user_id_by_email(&mut self, normalized: &str) -> Result<Option<UserId>, StoreError> {
        let row = sql::query_opt(
            self,
            "SELECT id FROM users WHERE email_normalized = $1",
            &[normalized.into()],
        )
        .await?;
        row.map(|row| row.int(0).map(UserId)).transpose()
    }

    async fn user_ids_by_emails(
        &mut self,
        normalized: &[String],
    ) -> Result<Vec<(String, UserId)>, StoreError> {
        let dialect = self.dialect();
        let mut found = Vec::new();
        // SQLite takes one parameter per email: a few hundred a statement.
        for chunk in normalized.chunks(EMAILS_PER_LOOKUP) {
            let mut params = Params::default();
            let statement = match dialect {
                Dialect::Sqlite => {
                    let wanted = params.any_text_of(dialect, "email_normalized", chunk);
                    format!("SELECT email_normalized, id FROM users WHERE {wanted}")
                }
                // `= ANY($1)` let PostgreSQL's planner pick the address's
                // trigram index (before V19) for the equality (measured: 4 s
                // for 500 emails among 2,000 users); a range of one value
                // can use only the btree (1 ms).
                Dialect::Postgres => {
                    let list = params.push(Value::Texts(chunk.to_vec()));
                    format!(
                        "SELECT u.email_normalized, u.id FROM unnest({list}::text[]) AS e(email) \
                         JOIN users u ON u.email_normalized >= e.email AND u.email_normalized <= e.email"
                    )
                }
            };
            self.query_each(&statement, &params.0, &mut |row| {
                found.push((row.text(0)?, UserId(row.int(1)?)));
                Ok(())
            })
            .await?;
        }
        Ok(found)
    }

    async fn set_memberships(&mut self, id: UserId, groups: &[GroupId]) -> Result<(), StoreError> {
        self.execute("DELETE FROM memberships WHERE user_id = $1", &[id.0.into()])
            .await?;
        let mut distinct: Vec<GroupId> = groups.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        let pairs: Vec<(UserId, GroupId)> = distinct.into_iter().map(|g| (id, g)).collect();
        self.add_memberships(&pairs).await
    }

    async fn add_memberships(&mut self, pairs: &[(UserId, GroupId)]) -> Result<(), StoreError> {
        let rows = pairs
            .iter()
            .map(|(user, group)| vec![user.0.into(), group.0.into()])
            .collect();
        self.insert_rows(
            "memberships",
            &[
                ("user_id", sql::ColumnType::Int),
                ("group_id", sql::ColumnType::Int),
            ],
            rows,
        )
        .await
    }

    async fn set_supervisors(&mut self, pairs: &[(UserId, UserId)]) -> Result<(), StoreError> {
        users_import::set_supervisors(self, pairs).await
    }

    async fn supervisor_of(&mut self, id: UserId) -> Result<Option<UserId>, StoreError> {
        let row = sql::query_opt(
            self,
            "SELECT supervisor_id FROM users WHERE id = $1",
            &[id.0.into()],
        )
        .await?;
        Ok(match row {
            Some(row) => row.opt_int(0)?.map(UserId),
            None => None,
        })
    }

    async fn in_team(&mut self, lead: UserId, user: UserId) -> Result<bool, StoreError> {
        if lead == user {
            return Ok(true);
        }
        let found = sql::count(
            self,
            "SELECT count(*) FROM user_ancestors WHERE ancestor_id = $1 AND user_id = $2",
            &[lead.0.into(), user.0.into()],
        )
        .await?;
        Ok(found > 0)
    }

    async fn subordinates(&mut self, id: UserId) -> Result<Vec<UserRef>, StoreError> {
        self.query(
            "SELECT id, name, email, email_normalized FROM users WHERE supervisor_id = $1 \
             ORDER BY name_key, id",
            &[id.0.into()],
        )
        .await?
        .into_iter()
        .map(|row| user_ref(&row))
        .collect()
    }

    async fn release_subordinates(
        &mut self,
        id: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET supervisor_id = NULL, updated_at = $1, version = version + 1 \
             WHERE supervisor_id = $2",
            &[millis(now), id.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn count_users(&mut self) -> Result<u64, StoreError> {
        // Both rows read through the table's key, not a scan: on
        // PostgreSQL every update of a count writes a new version of its
        // row, and many in one transaction (a thousand users created one
        // at a time) leave the table's file long after a vacuum, whose
        // live rows sit at its end so it cannot be shortened. A scan reads
        // every page of it on every overview page: 8.7 ms for the 42 MB
        // a million such inserts left, two index probes instead.
        sql::count(
            self,
            "SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts \
             WHERE status IN ('enabled', 'disabled')",
            &[],
        )
        .await
    }

    async fn count_enabled_members(&mut self, group: GroupId) -> Result<u64, StoreError> {
        // Enabled and not expired: those who may sign in today.
        let today = ValidUntil::expiry_bound(Utc::now());
        sql::count(
            self,
            "SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.group_id = $1 AND u.status = 'enabled' \
             AND (u.valid_until IS NULL OR u.valid_until >= $2)",
            &[group.0.into(), today.into()],
        )
        .await
    }

    async fn user_permissions(&mut self, id: UserId) -> Result<PermissionSet, StoreError> {
        let rows = self
            .query(
                "SELECT g.builtin, p.permission, p.scope FROM memberships m \
                 JOIN groups g ON g.id = m.group_id \
                 LEFT JOIN group_permissions p ON p.group_id = g.id \
                 WHERE m.user_id = $1",
                &[id.0.into()],
            )
            .await?;
        let mut codes = Vec::new();
        for row in &rows {
            if row.bool(0)? {
                return Ok(PermissionSet::all());
            }
            if let (Some(code), Some(scope)) = (row.opt_text(1)?, row.opt_text(2)?) {
                codes.push((code, scope));
            }
        }
        parse_permissions(codes)
    }

    async fn count_with_status(&mut self, status: Status) -> Result<u64, StoreError> {
        sql::count(
            self,
            "SELECT coalesce((SELECT users FROM user_counts WHERE status = $1), 0)",
            &[status.as_str().into()],
        )
        .await
    }

    async fn count_expired(&mut self, today: &str) -> Result<u64, StoreError> {
        let statement = format!(
            "SELECT count(*) FROM users u WHERE {}",
            super::users_filters::expired_condition(self.dialect(), "$1")
        );
        sql::count(self, &statement, &[today.into()]).await
    }

    async fn inactive_users(&mut self, cutoff: DateTime<Utc>) -> Result<Vec<User>, StoreError> {
        let statement = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.last_sign_in_at < $1 \
             AND u.created_at < $1 AND u.status = 'enabled' ORDER BY u.id"
        );
        let rows = query_user_rows(self, &statement, &[millis(cutoff)]).await?;
        complete_users(self, rows).await
    }

    async fn list_users(&mut self, query: &UserQuery) -> Result<UserPage, StoreError> {
        super::users_overview::list_users(self, query).await
    }

    async fn count_listed_users(&mut self, query: &UserQuery) -> Result<Total, StoreError> {
        super::users_overview::count_listed_users(self, query).await
    }

    async fn read_users(
        &mut self,
        query: &UserQuery,
        limit: u32,
    ) -> Result<(Vec<User>, Option<Cursor>), StoreError> {
        super::users_overview::read_users(self, query, limit).await
    }
}
