//! Second factors: authenticator-app enrolments, recovery codes and
//! emailed sign-in codes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::UserId;
use crate::store::sql::{self, millis, ColumnType, Sql};
use crate::store::{EmailCode, StoreError, TotpEnrolment};

/// Second factors, as one transaction reads and writes them.
#[async_trait]
pub trait TwoFactorTx: Send {
    async fn totp_enrolment(&mut self, id: UserId) -> Result<Option<TotpEnrolment>, StoreError>;
    /// Starts (or restarts) an unconfirmed enrolment with `secret`; forgets
    /// any earlier enrolment and its recovery codes.
    async fn start_totp_enrolment(
        &mut self,
        id: UserId,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Confirms the enrolment at time step `step` and stores the recovery codes' hashes.
    async fn confirm_totp_enrolment(
        &mut self,
        id: UserId,
        step: u64,
        recovery_code_hashes: &[String],
    ) -> Result<(), StoreError>;
    async fn record_totp_step(&mut self, id: UserId, step: u64) -> Result<(), StoreError>;
    /// The stored hashes of the user's recovery codes not used yet.
    async fn unused_recovery_codes(&mut self, id: UserId) -> Result<Vec<String>, StoreError>;
    /// Marks an unused recovery code used; false when there is no such unused code.
    async fn use_recovery_code(
        &mut self,
        id: UserId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Forgets the enrolment, recovery codes and any email code (an
    /// administrator's reset).
    async fn clear_two_factor(&mut self, id: UserId) -> Result<(), StoreError>;
    /// Keeps `code` as the user's one outstanding email sign-in code,
    /// replacing any earlier one.
    async fn store_email_code(&mut self, id: UserId, code: &EmailCode) -> Result<(), StoreError>;
    async fn email_code(&mut self, id: UserId) -> Result<Option<EmailCode>, StoreError>;
    /// Counts one wrong attempt against the user's outstanding email code.
    async fn record_email_code_attempt(&mut self, id: UserId) -> Result<(), StoreError>;
    /// Forgets the user's outstanding email code (used, expired or spent).
    async fn delete_email_code(&mut self, id: UserId) -> Result<(), StoreError>;
}

fn step_value(step: u64) -> sql::Value {
    i64::try_from(step).unwrap_or(i64::MAX).into()
}

#[async_trait]
impl<S: Sql + ?Sized> TwoFactorTx for S {
    async fn totp_enrolment(&mut self, id: UserId) -> Result<Option<TotpEnrolment>, StoreError> {
        let Some(row) = sql::query_opt(
            self,
            "SELECT secret, confirmed, last_step FROM totp_enrolments WHERE user_id = $1",
            &[id.0.into()],
        )
        .await?
        else {
            return Ok(None);
        };
        let stored = row.text(0)?;
        Ok(Some(TotpEnrolment {
            secret: self.open_secret(id.0, stored)?,
            confirmed: row.bool(1)?,
            last_step: u64::try_from(row.int(2)?).unwrap_or(0),
        }))
    }

    async fn start_totp_enrolment(
        &mut self,
        id: UserId,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM recovery_codes WHERE user_id = $1",
            &[id.0.into()],
        )
        .await?;
        let kept = self.seal_secret(id.0, secret)?;
        self.execute(
            "INSERT INTO totp_enrolments (user_id, secret, confirmed, last_step, created_at) \
             VALUES ($1, $2, FALSE, 0, $3) ON CONFLICT (user_id) DO UPDATE SET \
             secret = excluded.secret, confirmed = FALSE, last_step = 0, created_at = excluded.created_at",
            &[id.0.into(), kept.into(), millis(now)],
        )
        .await?;
        Ok(())
    }

    async fn confirm_totp_enrolment(
        &mut self,
        id: UserId,
        step: u64,
        recovery_code_hashes: &[String],
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE totp_enrolments SET confirmed = TRUE, last_step = $1 WHERE user_id = $2",
            &[step_value(step), id.0.into()],
        )
        .await?;
        let rows = recovery_code_hashes
            .iter()
            .map(|hash| vec![id.0.into(), hash.into()])
            .collect();
        self.insert_rows(
            "recovery_codes",
            &[
                ("user_id", ColumnType::Int),
                ("code_hash", ColumnType::Text),
            ],
            rows,
        )
        .await
    }

    async fn record_totp_step(&mut self, id: UserId, step: u64) -> Result<(), StoreError> {
        self.execute(
            "UPDATE totp_enrolments SET last_step = $1 WHERE user_id = $2",
            &[step_value(step), id.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn unused_recovery_codes(&mut self, id: UserId) -> Result<Vec<String>, StoreError> {
        self.query(
            "SELECT code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
            &[id.0.into()],
        )
        .await?
        .iter()
        .map(|row| row.text(0))
        .collect()
    }

    async fn use_recovery_code(
        &mut self,
        id: UserId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let used = self
            .execute(
                "UPDATE recovery_codes SET used_at = $1 \
                 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
                &[millis(now), id.0.into(), code_hash.into()],
            )
            .await?;
        Ok(used == 1)
    }

    async fn clear_two_factor(&mut self, id: UserId) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM recovery_codes WHERE user_id = $1",
            &[id.0.into()],
        )
        .await?;
        self.execute(
            "DELETE FROM totp_enrolments WHERE user_id = $1",
            &[id.0.into()],
        )
        .await?;
        self.delete_email_code(id).await
    }

    async fn store_email_code(&mut self, id: UserId, code: &EmailCode) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO email_codes (user_id, code_hash, created_at, expires_at, attempts) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET \
             code_hash = excluded.code_hash, created_at = excluded.created_at, \
             expires_at = excluded.expires_at, attempts = excluded.attempts",
            &[
                id.0.into(),
                code.code_hash.as_str().into(),
                millis(code.created_at),
                millis(code.expires_at),
                i64::from(code.attempts).into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn email_code(&mut self, id: UserId) -> Result<Option<EmailCode>, StoreError> {
        let Some(row) = sql::query_opt(
            self,
            "SELECT code_hash, created_at, expires_at, attempts FROM email_codes \
             WHERE user_id = $1",
            &[id.0.into()],
        )
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(EmailCode {
            code_hash: row.text(0)?,
            created_at: row.time(1)?,
            expires_at: row.time(2)?,
            attempts: u32::try_from(row.int(3)?).unwrap_or(u32::MAX),
        }))
    }

    async fn record_email_code_attempt(&mut self, id: UserId) -> Result<(), StoreError> {
        self.execute(
            "UPDATE email_codes SET attempts = attempts + 1 WHERE user_id = $1",
            &[id.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn delete_email_code(&mut self, id: UserId) -> Result<(), StoreError> {
        self.execute("DELETE FROM email_codes WHERE user_id = $1", &[id.0.into()])
            .await?;
        Ok(())
    }
}
