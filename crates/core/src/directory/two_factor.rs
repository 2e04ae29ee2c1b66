//! The second factor of a sign-in: codes from the authenticator app (each
//! time step accepted once), recovery codes (each used once), emailed
//! codes (ten minutes, single use, void after five wrong attempts), and
//! setting up the authenticator app. Wrong codes count toward the lockout.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::access::{Operator, PendingSignIn};
use super::audit::own_event;
use super::Directory;
use crate::domain::TwoFactor;
use crate::error::{Error, Result};
use crate::mail;
use crate::model::{FieldChange, User};
use crate::store::{EmailCode, TotpEnrolment, Tx, TxMode};
use crate::two_factor;

impl Directory {
    /// Makes a new emailed code for `user` (replacing any earlier one),
    /// audits it, and returns the message to send once the change commits.
    pub(super) async fn issue_email_code(
        tx: &mut dyn Tx,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<mail::Message> {
        let code = two_factor::new_email_code();
        tx.store_email_code(
            user.id,
            &EmailCode {
                code_hash: two_factor::hash_email_code(&code),
                created_at: now,
                expires_at: now + chrono::Duration::minutes(two_factor::EMAIL_CODE_MINUTES),
                attempts: 0,
            },
        )
        .await?;
        tx.append_audit(&own_event(
            user,
            None,
            "auth.email_code_sent",
            Vec::new(),
            now,
        ))
        .await?;
        Ok(mail::sign_in_code(
            &user.email,
            user.name.as_str(),
            &code,
            two_factor::EMAIL_CODE_MINUTES,
        ))
    }

    /// Emails a new sign-in code for a pending sign-in, replacing the
    /// earlier one; not sooner than half a minute after the last.
    pub async fn resend_email_code(&self, pending: &PendingSignIn) -> Result<()> {
        let now = Self::now();
        let mut tx = self.store.begin(TxMode::Write).await?;
        let user = Self::pending_user(&mut *tx, pending).await?;
        if user.two_factor != TwoFactor::EmailCode {
            return Err(Error::NotEnrolling);
        }
        let Some(mailer) = self.mailer() else {
            return Err(Error::TwoFactorUnavailable);
        };
        if let Some(previous) = tx.email_code(user.id).await? {
            let wait =
                two_factor::EMAIL_CODE_RESEND_SECONDS - (now - previous.created_at).num_seconds();
            if wait > 0 {
                return Err(Error::EmailCodeTooSoon { seconds: wait });
            }
        }
        let message = Self::issue_email_code(&mut *tx, &user, now).await?;
        tx.commit().await?;
        Self::deliver(&*mailer, &message).await
    }

    /// Checks a code from the user's authenticator app (each time step
    /// accepted once, so a seen code cannot be replayed) or one of their
    /// unused recovery codes (then used up). Records what it accepted.
    pub(super) async fn accept_authenticator_code(
        tx: &mut dyn Tx,
        user: &User,
        enrolment: &TotpEnrolment,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        if two_factor::looks_like_recovery_code(code) {
            for stored in tx.unused_recovery_codes(user.id).await? {
                if two_factor::recovery_code_matches(&stored, code) {
                    return Ok(tx.use_recovery_code(user.id, &stored, now).await?);
                }
            }
            return Ok(false);
        }
        let seconds = u64::try_from(now.timestamp()).unwrap_or(0);
        match two_factor::check_code(&enrolment.secret, code, seconds)? {
            Some(step) if step > enrolment.last_step => {
                tx.record_totp_step(user.id, step).await?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Finishes a sign-in with a code from the authenticator app (each time
    /// step accepted once) or an unused recovery code. Wrong codes count
    /// toward the account's lockout like wrong passwords.
    pub async fn verify_second_factor(
        &self,
        pending: &PendingSignIn,
        code: &str,
    ) -> Result<Operator> {
        let now = Self::now();
        let mut tx = self.store.begin(TxMode::Write).await?;
        let user = Self::pending_user(&mut *tx, pending).await?;
        if user.locked_until.is_some_and(|until| until > now) {
            return Err(Error::SignInFailed);
        }
        if user.two_factor == TwoFactor::EmailCode {
            return Self::verify_email_code(tx, &user, code, now).await;
        }
        let enrolment = tx
            .totp_enrolment(user.id)
            .await?
            .filter(|e| e.confirmed)
            .ok_or(Error::NotEnrolling)?;
        let accepted =
            Self::accept_authenticator_code(&mut *tx, &user, &enrolment, code, now).await?;
        if !accepted {
            Self::record_wrong_code(&mut *tx, &user, now).await?;
            tx.commit().await?;
            return Err(Error::SecondFactorFailed);
        }
        let operator = Self::complete_sign_in(&mut *tx, &user, now).await?;
        tx.commit().await?;
        Ok(operator)
    }

    /// A wrong second-factor code counts toward the account's lockout like a
    /// wrong password.
    pub(super) async fn record_wrong_code(
        tx: &mut dyn Tx,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let settings = Self::load_settings(tx).await?;
        let failed = user.failed_sign_ins.saturating_add(1);
        let locked_until = settings.lock_duration(failed).map(|delay| now + delay);
        tx.record_failed_sign_in(user.id, locked_until).await?;
        tx.append_audit(&own_event(
            user,
            None,
            "auth.second_factor_failed",
            vec![FieldChange {
                field: "failed_sign_ins".into(),
                before: json!(user.failed_sign_ins),
                after: json!(failed),
            }],
            now,
        ))
        .await?;
        Ok(())
    }

    /// Checks an emailed code: it works once, for ten minutes, and a fifth
    /// wrong attempt voids it (a new one must be sent).
    async fn verify_email_code(
        mut tx: Box<dyn Tx>,
        user: &User,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Operator> {
        let Some(outstanding) = tx.email_code(user.id).await? else {
            return Err(Error::EmailCodeExpired);
        };
        if outstanding.expires_at <= now || outstanding.attempts >= two_factor::EMAIL_CODE_ATTEMPTS
        {
            tx.delete_email_code(user.id).await?;
            tx.commit().await?;
            return Err(Error::EmailCodeExpired);
        }
        if !two_factor::email_code_matches(&outstanding.code_hash, code) {
            if outstanding.attempts + 1 >= two_factor::EMAIL_CODE_ATTEMPTS {
                tx.delete_email_code(user.id).await?;
            } else {
                tx.record_email_code_attempt(user.id).await?;
            }
            Self::record_wrong_code(&mut *tx, user, now).await?;
            tx.commit().await?;
            return Err(Error::SecondFactorFailed);
        }
        tx.delete_email_code(user.id).await?;
        let operator = Self::complete_sign_in(&mut *tx, user, now).await?;
        tx.commit().await?;
        Ok(operator)
    }

    /// Starts setting up the authenticator app for a pending sign-in: a new
    /// secret, shown this once.
    pub async fn begin_totp_enrolment(
        &self,
        pending: &PendingSignIn,
    ) -> Result<two_factor::Enrolment> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let user = Self::pending_user(&mut *tx, pending).await?;
        if user.two_factor != TwoFactor::Totp
            || tx
                .totp_enrolment(user.id)
                .await?
                .is_some_and(|e| e.confirmed)
        {
            return Err(Error::NotEnrolling);
        }
        let secret = two_factor::new_secret();
        tx.start_totp_enrolment(user.id, &secret, Self::now())
            .await?;
        let enrolment = two_factor::enrolment(&secret, user.email.as_str())?;
        tx.commit().await?;
        Ok(enrolment)
    }

    /// Confirms the set-up with a first code, finishes the sign-in, and
    /// returns the ten recovery codes, which are shown only now.
    pub async fn finish_totp_enrolment(
        &self,
        pending: &PendingSignIn,
        code: &str,
    ) -> Result<(Operator, Vec<String>)> {
        let now = Self::now();
        let mut tx = self.store.begin(TxMode::Write).await?;
        let user = Self::pending_user(&mut *tx, pending).await?;
        let enrolment = tx
            .totp_enrolment(user.id)
            .await?
            .filter(|e| !e.confirmed)
            .ok_or(Error::NotEnrolling)?;
        let seconds = u64::try_from(now.timestamp()).unwrap_or(0);
        let step = two_factor::check_code(&enrolment.secret, code, seconds)?
            .ok_or(Error::SecondFactorFailed)?;
        let codes = two_factor::new_recovery_codes();
        let hashes = codes
            .iter()
            .map(|c| two_factor::hash_recovery_code(c))
            .collect::<Result<Vec<String>>>()?;
        tx.confirm_totp_enrolment(user.id, step, &hashes).await?;
        tx.append_audit(&own_event(
            &user,
            Some(user.id),
            "user.enrol_totp",
            Vec::new(),
            now,
        ))
        .await?;
        let operator = Self::complete_sign_in(&mut *tx, &user, now).await?;
        tx.commit().await?;
        Ok((operator, codes))
    }
}
