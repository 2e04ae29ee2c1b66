//! An administrator's actions on another user's credentials (the
//! `users.credentials` right): a new password, emailed or handed over, a
//! fresh start for the second factor, and lifting a lock.

use serde_json::json;

use super::access::{ensure_may_manage, Operator};
use super::audit::change;
use super::{Directory, PasswordChoice};
use crate::domain::{Permission, UserId};
use crate::error::Result;
use crate::mail::{self, CredentialsOccasion, Delivery};
use crate::model::{FieldChange, TargetKind, User};
use crate::password::PlainPassword;
use crate::store::TxMode;

/// A password reset: the user as it is now, the generated password when
/// Roster chose it (and did not email it), and what became of the email.
#[derive(Debug)]
pub struct PasswordReset {
    pub user: User,
    pub generated_password: Option<PlainPassword>,
    pub delivery: Delivery,
}

impl Directory {
    /// Sets a new password (typed or generated) and the forced-change flag.
    /// Returns the generated password, once, when Roster chose it.
    pub async fn reset_password(
        &self,
        operator: &Operator,
        id: UserId,
        password: PasswordChoice,
        must_change_password: bool,
    ) -> Result<Option<PlainPassword>> {
        let reset = self
            .reset_password_and_send(operator, id, password, must_change_password, false)
            .await?;
        Ok(reset.generated_password)
    }

    /// [`Self::reset_password`], then, with `send_credentials`, emails the
    /// user the new password. Refused before anything changes when no mail
    /// server is configured; a failed send leaves the password changed, and
    /// `delivery` says why (the generated password is returned for the
    /// hand-over; once sent, it is not returned).
    pub async fn reset_password_and_send(
        &self,
        operator: &Operator,
        id: UserId,
        password: PasswordChoice,
        must_change_password: bool,
        send_credentials: bool,
    ) -> Result<PasswordReset> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let (actor, user) =
            Self::authorize_on(&mut *tx, operator, Permission::UsersCredentials, id).await?;
        ensure_may_manage(&mut *tx, &actor, &user).await?;
        let mailer = self.credentials_mailer(send_credentials)?;
        let policy = Self::policy(&mut *tx).await?;
        let company = Self::company_name(&mut *tx).await?;
        let (hash, password, generated) = self.choose_password_keeping(
            &policy,
            company.as_deref(),
            password,
            &user.name,
            &user.email,
        )?;
        let now = Self::now();
        tx.set_password(id, &hash, must_change_password, now)
            .await?;
        let diff = vec![FieldChange {
            field: "must_change_password".into(),
            before: json!(user.must_change_password),
            after: json!(must_change_password),
        }];
        let event = actor.audit(
            "user.reset_password",
            TargetKind::User,
            Some(id.0),
            user.email.as_str(),
            diff,
            now,
        );
        tx.append_audit(&event).await?;
        let after = Self::existing_user(&mut *tx, id).await?;
        tx.commit().await?;
        let delivery = match mailer {
            Some(mailer) => {
                let message = mail::credentials(
                    &after.email,
                    after.name.as_str(),
                    &password,
                    must_change_password,
                    after.two_factor,
                    CredentialsOccasion::PasswordReset,
                );
                self.send_after_commit(&*mailer, &actor, &after, "credentials", &message)
                    .await
            }
            None => Delivery::NotRequested,
        };
        let generated_password = (generated && !delivery.is_sent()).then_some(password);
        Ok(PasswordReset {
            user: after,
            generated_password,
            delivery,
        })
    }

    /// Forgets a user's authenticator set-up and recovery codes: they set it
    /// up again at their next sign-in.
    pub async fn reset_two_factor(&self, operator: &Operator, id: UserId) -> Result<User> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let (actor, user) =
            Self::authorize_on(&mut *tx, operator, Permission::UsersCredentials, id).await?;
        ensure_may_manage(&mut *tx, &actor, &user).await?;
        tx.clear_two_factor(id).await?;
        let event = actor.audit(
            "user.reset_two_factor",
            TargetKind::User,
            Some(id.0),
            user.email.as_str(),
            Vec::new(),
            Self::now(),
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        if let Some(mailer) = self.mailer() {
            let message = mail::two_factor_reset(&user.email, user.name.as_str(), user.two_factor);
            self.send_after_commit(&*mailer, &actor, &user, "two_factor_reset", &message)
                .await;
        }
        Ok(user)
    }

    /// Lifts a lock and forgets the failed sign-ins.
    pub async fn unlock_user(&self, operator: &Operator, id: UserId) -> Result<User> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let (actor, before) =
            Self::authorize_on(&mut *tx, operator, Permission::UsersCredentials, id).await?;
        ensure_may_manage(&mut *tx, &actor, &before).await?;
        if before.failed_sign_ins == 0 && before.locked_until.is_none() {
            return Ok(before);
        }
        let now = Self::now();
        tx.clear_lockout(id, now).await?;
        let diff = [
            change("failed_sign_ins", json!(before.failed_sign_ins), json!(0)),
            change(
                "locked_until",
                json!(before.locked_until),
                serde_json::Value::Null,
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        let event = actor.audit(
            "user.unlock",
            TargetKind::User,
            Some(id.0),
            before.email.as_str(),
            diff,
            now,
        );
        tx.append_audit(&event).await?;
        let after = Self::existing_user(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }
}
