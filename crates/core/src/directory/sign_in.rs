//! Signing in: the password half (the lockout, counted before the password
//! is checked), the operator's own account (their record, their own
//! password change, switching off their own second factor). The second
//! factor itself is in `two_factor.rs`.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::access::{Operator, PendingSignIn};
use super::audit::{change, own_event, user_diff};
use super::Directory;
use crate::domain::{Email, Status, TwoFactor};
use crate::error::{Error, Result};
use crate::model::{FieldChange, Me, TargetKind, User, UserFields};
use crate::password::{PlainPassword, PolicyContext, Verification};
use crate::store::{Tx, TxMode};

/// A sign-in attempt counted in advance (see `Directory::check_credentials`).
struct Attempt {
    /// The account as it was before this attempt was counted.
    user: User,
    hash: crate::password::PasswordHash,
    /// The lock this attempt set by reaching the threshold, if it did.
    claimed_lock: Option<DateTime<Utc>>,
}

/// How far a sign-in got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    /// Signed in.
    Complete(Operator),
    /// The password was right; a code from the authenticator app (or a
    /// recovery code) is owed.
    SecondFactor(PendingSignIn),
    /// The password was right; the user must first set up their authenticator app.
    TotpEnrolment(PendingSignIn),
    /// The password was right; a code was emailed to the user and is owed.
    EmailCode(PendingSignIn),
}

impl SignIn {
    /// The operator when the sign-in is complete.
    pub fn operator(self) -> Option<Operator> {
        match self {
            SignIn::Complete(operator) => Some(operator),
            SignIn::SecondFactor(_) | SignIn::TotpEnrolment(_) | SignIn::EmailCode(_) => None,
        }
    }
}

impl Directory {
    /// Checks an email and password. Every failure gives the same error
    /// (unknown email, wrong password, disabled or locked account), and an
    /// unknown email still costs one Argon2 verification, so neither the
    /// message nor the time tells whether an account exists.
    ///
    /// Failures in a row are counted; at the threshold the account locks for
    /// a delay that doubles with each further failure. While locked even the
    /// right password fails. Attempts on existing accounts are audited. A hash
    /// made with older parameters is replaced on success.
    ///
    /// The inactivity rule is applied first, as a session starts: an
    /// account it disables fails here like any other disabled one.
    pub async fn sign_in(&self, email: &str, password: &PlainPassword) -> Result<SignIn> {
        self.disable_inactive_accounts(None).await?;
        self.purge_recycle_bin().await?;
        let (user, mut tx, now) = self.check_credentials(email, password).await?;
        let pending = PendingSignIn { id: user.id };
        let outcome = match user.two_factor {
            TwoFactor::Off => SignIn::Complete(Self::complete_sign_in(&mut *tx, &user, now).await?),
            TwoFactor::Totp => match tx.totp_enrolment(user.id).await? {
                Some(enrolment) if enrolment.confirmed => SignIn::SecondFactor(pending),
                _ => SignIn::TotpEnrolment(pending),
            },
            TwoFactor::EmailCode => {
                let Some(mailer) = self.mailer() else {
                    return Err(Error::TwoFactorUnavailable);
                };
                let message = Self::issue_email_code(&mut *tx, &user, now).await?;
                tx.commit().await?;
                Self::deliver(&*mailer, &message).await?;
                return Ok(SignIn::EmailCode(pending));
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Confirms the signed-in operator's password, to open a locked screen:
    /// the same checks, failure count and lockout as a sign-in, but no
    /// second factor (that was given at sign-in, and no code is emailed).
    pub async fn confirm_password(
        &self,
        operator: &Operator,
        password: &PlainPassword,
    ) -> Result<()> {
        let email = {
            let mut tx = self.store.begin(TxMode::Read).await?;
            Self::actor(&mut *tx, operator).await?.user.email
        };
        let (user, tx, _) = self.check_credentials(email.as_str(), password).await?;
        if user.id != operator.id {
            return Err(Error::SignInFailed);
        }
        tx.commit().await?;
        Ok(())
    }

    /// The password half of a sign-in. On success returns the user and the
    /// open write transaction (the rehash, if any, is in it) for the caller
    /// to finish.
    ///
    /// The lockout is decided before the password is checked, under the
    /// store's writer lock: the attempt is first counted as a failure (and
    /// locks the account at the threshold), then verified, and a right
    /// password takes its count back. So parallel wrong guesses see each
    /// other's counts, the account locks, and no more than the threshold's
    /// worth of guesses is ever tried against the hash.
    async fn check_credentials(
        &self,
        email: &str,
        password: &PlainPassword,
    ) -> Result<(User, Box<dyn Tx>, DateTime<Utc>)> {
        let now = Self::now();
        // An unknown address and a locked account cost one verification
        // too, so the time taken does not tell them apart from a wrong password.
        let attempt = match self.claim_attempt(email, now).await {
            Ok(Some(attempt)) => attempt,
            Ok(None) | Err(Error::SignInFailed) => {
                self.hasher.verify_dummy(password);
                return Err(Error::SignInFailed);
            }
            Err(other) => return Err(other),
        };
        let Attempt {
            user,
            hash,
            claimed_lock,
        } = attempt;
        let verification = self.hasher.verify(password, &hash);
        let mut tx = self.store.begin(TxMode::Write).await?;
        let event = |action: &'static str, changes: Vec<FieldChange>| {
            own_event(&user, None, action, changes, now)
        };
        if !verification.is_match() {
            let failed = user.failed_sign_ins.saturating_add(1);
            let mut changes = vec![FieldChange {
                field: "failed_sign_ins".into(),
                before: json!(user.failed_sign_ins),
                after: json!(failed),
            }];
            if let Some(until) = claimed_lock {
                changes.push(FieldChange {
                    field: "locked_until".into(),
                    before: serde_json::Value::Null,
                    after: json!(until),
                });
            }
            tx.append_audit(&event("auth.sign_in_failed", changes))
                .await?;
            tx.commit().await?;
            return Err(Error::SignInFailed);
        }
        tx.undo_failed_sign_in(user.id, claimed_lock, user.locked_until)
            .await?;
        if user.status != Status::Enabled {
            tx.append_audit(&event("auth.sign_in_refused_disabled", Vec::new()))
                .await?;
            tx.commit().await?;
            return Err(Error::SignInFailed);
        }
        // The same one error as every failure: nothing tells the caller the
        // account ended; the audit log says why.
        if user.expired {
            tx.append_audit(&event("auth.sign_in_refused_expired", Vec::new()))
                .await?;
            tx.commit().await?;
            return Err(Error::SignInFailed);
        }
        if verification == Verification::MatchNeedsRehash {
            let rehashed = self.hasher.hash(password)?;
            tx.replace_password_hash(user.id, &rehashed).await?;
        }
        Ok((user, tx, now))
    }

    /// Counts a sign-in attempt on `email` as a failure in advance, in one
    /// write transaction: `None` for an address with no account (nothing to
    /// count), a refusal while the account is locked (audited), otherwise
    /// the account as it was before this attempt, its hash, and the lock
    /// this attempt set.
    async fn claim_attempt(&self, email: &str, now: DateTime<Utc>) -> Result<Option<Attempt>> {
        let Ok(email) = Email::parse(email) else {
            return Ok(None);
        };
        let mut tx = self.store.begin(TxMode::Write).await?;
        let Some(id) = tx.user_id_by_email(email.normalized()).await? else {
            return Ok(None);
        };
        let user = Self::existing_user(&mut *tx, id).await?;
        let Some(hash) = tx.password_hash(id).await? else {
            return Ok(None);
        };
        if user.locked_until.is_some_and(|until| until > now) {
            tx.append_audit(&own_event(
                &user,
                None,
                "auth.sign_in_refused_locked",
                Vec::new(),
                now,
            ))
            .await?;
            tx.commit().await?;
            return Err(Error::SignInFailed);
        }
        let settings = Self::load_settings(&mut *tx).await?;
        let failed = user.failed_sign_ins.saturating_add(1);
        let claimed_lock = settings.lock_duration(failed).map(|delay| now + delay);
        tx.record_failed_sign_in(id, claimed_lock).await?;
        tx.commit().await?;
        Ok(Some(Attempt {
            user,
            hash,
            claimed_lock,
        }))
    }

    /// Changes the operator's own password: the current one must be given,
    /// the new one must pass the policy and differ from it. Clears "must
    /// change password".
    pub async fn change_own_password(
        &self,
        operator: &Operator,
        current: &PlainPassword,
        new: &PlainPassword,
    ) -> Result<Me> {
        let (user, hash, policy, company) = {
            let mut tx = self.store.begin(TxMode::Read).await?;
            let actor = Self::actor(&mut *tx, operator).await?;
            let hash = tx
                .password_hash(actor.user.id)
                .await?
                .ok_or(Error::OperatorInvalid)?;
            let policy = Self::policy(&mut *tx).await?;
            let company = Self::company_name(&mut *tx).await?;
            (actor.user, hash, policy, company)
        };
        if !self.hasher.verify(current, &hash).is_match() {
            return Err(Error::CurrentPasswordIncorrect);
        }
        policy.enforce(
            new,
            &PolicyContext {
                name: user.name.as_str(),
                email: user.email.as_str(),
                company: company.as_deref(),
            },
        )?;
        if self.hasher.verify(new, &hash).is_match() {
            return Err(Error::PasswordUnchanged);
        }
        let new_hash = self.hasher.hash(new)?;
        let now = Self::now();
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        tx.set_password(user.id, &new_hash, false, now).await?;
        let diff = change(
            "must_change_password",
            json!(user.must_change_password),
            json!(false),
        )
        .into_iter()
        .collect();
        let event = actor.audit(
            "user.change_password",
            TargetKind::User,
            Some(user.id.0),
            user.email.as_str(),
            diff,
            now,
        );
        tx.append_audit(&event).await?;
        let me = Me {
            user: Self::existing_user(&mut *tx, user.id).await?,
            permissions: actor.permissions,
        };
        tx.commit().await?;
        Ok(me)
    }

    /// Switches off the operator's own second factor. Lowering one's own
    /// sign-in security takes both factors again, so that someone at an
    /// unattended session cannot do it: the password (wrong ones count
    /// toward the lockout, as at sign-in) and a current code from the
    /// authenticator app or an unused recovery code (likewise). Someone who
    /// signs in with emailed codes asks another administrator instead.
    pub async fn turn_off_own_two_factor(
        &self,
        operator: &Operator,
        password: &PlainPassword,
        code: &str,
    ) -> Result<Me> {
        self.confirm_password(operator, password).await?;
        let now = Self::now();
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        let before = actor.user.clone();
        match before.two_factor {
            TwoFactor::Off => {
                return Ok(Me {
                    user: before,
                    permissions: actor.permissions,
                })
            }
            TwoFactor::EmailCode => return Err(Error::OwnEmailCodesStay),
            TwoFactor::Totp => {}
        }
        let Some(enrolment) = tx.totp_enrolment(before.id).await?.filter(|e| e.confirmed) else {
            return Err(Error::NotEnrolling);
        };
        if !Self::accept_authenticator_code(&mut *tx, &before, &enrolment, code, now).await? {
            Self::record_wrong_code(&mut *tx, &before, now).await?;
            tx.commit().await?;
            return Err(Error::SecondFactorFailed);
        }
        let mut fields = UserFields::of(&before);
        fields.two_factor = TwoFactor::Off;
        if !tx
            .update_user(before.id, before.version, &fields, now)
            .await?
        {
            return Err(Error::ChangedBySomeoneElse);
        }
        tx.clear_two_factor(before.id).await?;
        let after = Self::existing_user(&mut *tx, before.id).await?;
        let event = actor.audit(
            "user.turn_off_own_two_factor",
            TargetKind::User,
            Some(before.id.0),
            before.email.as_str(),
            user_diff(&before, &after),
            now,
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(Me {
            user: after,
            permissions: actor.permissions,
        })
    }

    /// The operator's own record and rights, read fresh.
    pub async fn me(&self, operator: &Operator) -> Result<Me> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        Ok(Me {
            user: actor.user,
            permissions: actor.permissions,
        })
    }
}
