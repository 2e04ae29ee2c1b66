//! Sign-in bookkeeping: password hashes, failed attempts and locks.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::UserId;
use crate::password::PasswordHash;
use crate::store::sql::{self, millis, Sql, Value};
use crate::store::StoreError;

/// Passwords and lockout, as one transaction reads and writes them.
#[async_trait]
pub trait SignInTx: Send {
    async fn password_hash(&mut self, id: UserId) -> Result<Option<PasswordHash>, StoreError>;
    /// Sets a new hash and the forced-change flag, clears failed sign-ins and
    /// any lock, bumps the version.
    async fn set_password(
        &mut self,
        id: UserId,
        password: &PasswordHash,
        must_change_password: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Sign-in bookkeeping: the time of a successful sign-in, failed
    /// attempts, and a rehashed password. None of it bumps the version, so an
    /// administrator's open edit form does not go stale when someone signs in.
    async fn record_sign_in(&mut self, id: UserId, now: DateTime<Utc>) -> Result<(), StoreError>;
    /// Counts one more failed sign-in and sets (or keeps) the lock.
    async fn record_failed_sign_in(
        &mut self,
        id: UserId,
        locked_until: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError>;
    /// Takes back one failure counted in advance for an attempt whose
    /// password turned out right: one failure fewer, and the lock that this
    /// attempt set (`claimed_lock`) back to `previous_lock`. A lock set by
    /// another, parallel attempt stays.
    async fn undo_failed_sign_in(
        &mut self,
        id: UserId,
        claimed_lock: Option<DateTime<Utc>>,
        previous_lock: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError>;
    /// An administrator's unlock: no failures, no lock; bumps the version.
    async fn clear_lockout(&mut self, id: UserId, now: DateTime<Utc>) -> Result<(), StoreError>;
    async fn replace_password_hash(
        &mut self,
        id: UserId,
        password: &PasswordHash,
    ) -> Result<(), StoreError>;
}

fn optional_millis(at: Option<DateTime<Utc>>) -> Value {
    at.map_or(Value::Null, millis)
}

#[async_trait]
impl<S: Sql + ?Sized> SignInTx for S {
    async fn password_hash(&mut self, id: UserId) -> Result<Option<PasswordHash>, StoreError> {
        let Some(row) = sql::query_opt(
            self,
            "SELECT password_hash FROM users WHERE id = $1",
            &[id.0.into()],
        )
        .await?
        else {
            return Ok(None);
        };
        PasswordHash::from_phc(row.text(0)?)
            .map(Some)
            .map_err(|_| StoreError::Corrupt {
                detail: format!("password hash of user {id}"),
            })
    }

    async fn set_password(
        &mut self,
        id: UserId,
        password: &PasswordHash,
        must_change_password: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET password_hash = $1, must_change_password = $2, failed_sign_ins = 0, \
             locked_until = NULL, updated_at = $3, password_changed_at = $3, version = version + 1 \
             WHERE id = $4",
            &[
                password.as_str().into(),
                must_change_password.into(),
                millis(now),
                id.0.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn record_sign_in(&mut self, id: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET last_sign_in_at = $1, failed_sign_ins = 0, locked_until = NULL \
             WHERE id = $2",
            &[millis(now), id.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn record_failed_sign_in(
        &mut self,
        id: UserId,
        locked_until: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET failed_sign_ins = failed_sign_ins + 1, \
             locked_until = coalesce(CAST($1 AS BIGINT), locked_until) WHERE id = $2",
            &[optional_millis(locked_until), id.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn undo_failed_sign_in(
        &mut self,
        id: UserId,
        claimed_lock: Option<DateTime<Utc>>,
        previous_lock: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET failed_sign_ins = CASE WHEN failed_sign_ins > 0 \
             THEN failed_sign_ins - 1 ELSE 0 END, \
             locked_until = CASE WHEN CAST($1 AS BIGINT) IS NOT NULL AND locked_until = $1 \
             THEN CAST($2 AS BIGINT) ELSE locked_until END WHERE id = $3",
            &[
                optional_millis(claimed_lock),
                optional_millis(previous_lock),
                id.0.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn clear_lockout(&mut self, id: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET failed_sign_ins = 0, locked_until = NULL, updated_at = $1, \
             version = version + 1 WHERE id = $2",
            &[millis(now), id.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn replace_password_hash(
        &mut self,
        id: UserId,
        password: &PasswordHash,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET password_hash = $1 WHERE id = $2",
            &[password.as_str().into(), id.0.into()],
        )
        .await?;
        Ok(())
    }
}
