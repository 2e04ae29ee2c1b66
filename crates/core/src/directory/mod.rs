//! The services: every change to users, groups, clients and settings goes
//! through [`Directory`], which checks the operator's rights and the
//! invariants, writes the change and its audit event in one transaction,
//! and commits. One file per concern, each with its own `impl Directory`.
//!
//! Invariants enforced here (each has a test in `tests/`), and the file
//! that keeps each:
//! - **Rights**: every call checks the operator's permission, read fresh
//!   from the store (`Directory::actor` and `authorize` here); nobody
//!   grants a group, a permission or unmasked client data they do not
//!   hold, nor manages a user who holds rights they lack (`access.rs`).
//! - **Masking**: an operator with `mask_client_data` sees client names,
//!   emails and phones only masked, in the audit log too, and cannot enter
//!   or change them (`clients.rs`, [`crate::clients`]; audit events are
//!   masked by `audit.rs` for `audit_log.rs`).
//! - **Unique email**: an email is unique ignoring case; the store's unique
//!   index backs this up (`users.rs`).
//! - **Supervisor chain without cycle**: a supervisor exists, is another
//!   user and forms no cycle (`users.rs`, `check_supervisor`).
//! - **Last administrator**: at least one enabled administrator remains,
//!   and nobody disables or deletes themselves (`users.rs`).
//! - **Built-in group**: the Administrators group is never deleted, renamed
//!   or reduced (`groups.rs`).
//! - **First administrator**: they get the second factor that works here;
//!   none only when asked for, and that choice is audited; the command
//!   line's recovery path works only on a local file opened for writing
//!   (`setup.rs`).
//! - **Lockout**: failed sign-ins in a row lock the account for a delay
//!   that doubles, counted before the password is checked (`sign_in.rs`);
//!   wrong second-factor codes count too (`two_factor.rs`); an
//!   administrator lifts a lock (`credentials.rs`).
//! - **Second factor**: an [`Operator`] exists only after the second factor
//!   owed (`two_factor.rs`); nobody lowers their own sign-in security
//!   through an edit (`users.rs`) or without both factors (`sign_in.rs`); a
//!   method that cannot work here (email codes without mail) is refused
//!   (`ensure_method_works` here, `settings.rs`, `mail.rs`).
//! - **Optimistic versions**: an edit or deletion names the version its
//!   editor started from, and a stale one changes nothing
//!   ([`crate::Error::ChangedBySomeoneElse`]; `users.rs`, `groups.rs`,
//!   `clients.rs`).
//! - **Audit of every change**: each change writes its event in the same
//!   transaction as the change (`Actor::audit` in `access.rs`, the
//!   snapshots and diffs in `audit.rs`); a failed email after a commit is
//!   audited (`mail.rs`).
//! - **Settings**: checked as a whole, so a bad value changes nothing
//!   (`settings.rs`).
//! - **Account lifecycle**: an account past its "valid until" day signs in
//!   no more, with the one error of every failed sign-in, and its session
//!   ends (`sign_in.rs`, `actor` here); accounts without a sign-in for the
//!   set number of days are disabled, never the last enabled administrator
//!   nor the operator of the running session (`inactivity.rs`).
//!
//! Dependencies: `access.rs` and `audit.rs` are leaves and import nothing
//! from this module. This file holds the type and the helpers every
//! service shares. A service file imports only from here, `access` and
//! `audit`; where one calls another's helper on `Directory` it is one way:
//! `settings.rs` (`load_settings`, `policy`, `default_two_factor`) and
//! `mail.rs` (`deliver`, `send_after_commit`, `credentials_mailer`) call no
//! other service file, and `sign_in.rs` calls into `two_factor.rs` and
//! `inactivity.rs` (the rule is applied as a session starts).

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

use crate::domain::{Email, GroupId, Permission, Status, TwoFactor, UserId, UserName};
use crate::error::{Error, Result};
use crate::mail::{Delivery, Mailer};
use crate::model::{Group, User};
use crate::password::{
    generate, GeneratorOptions, Hasher, PasswordPolicy, PlainPassword, PolicyContext,
};
use crate::store::{Store, StoreError, Tx};

mod access;
mod audit;
mod audit_archive;
mod audit_log;
mod backups;
mod clients;
mod credentials;
mod groups;
mod inactivity;
mod mail;
mod recycle_bin;
mod settings;
mod setup;
mod sign_in;
mod store_check;
mod two_factor;
mod users;
mod users_bulk;
mod users_export;
mod users_import;

pub(crate) use access::Actor;
pub use access::{Operator, PendingSignIn};
pub use audit_archive::{archive_cutoff, AuditArchivePlan, AuditArchived};
pub use backups::BackupSettings;
pub use credentials::PasswordReset;
pub use groups::GroupChanges;
pub use inactivity::InactivityNotice;
pub use recycle_bin::{DeletedUser, DeletedUsersPage, RestoreOptions, MAX_BIN_PAGE};
pub use settings::Settings;
pub use sign_in::SignIn;
pub use store_check::{Finding, StoreCheck};
pub use users::{NewUser, UserChanges, UserHandle, UserRights};
pub use users_bulk::{BulkAction, BulkPlan, BulkRefusal, BulkReport, BulkSelection};

use audit::own_event;

/// How a new password is chosen.
#[derive(Debug)]
pub enum PasswordChoice {
    /// The administrator typed it.
    Given(PlainPassword),
    /// Roster generates one and returns it once.
    Generate(GeneratorOptions),
}

/// A created user, with the generated password when Roster chose it (and
/// did not email it), and what became of the credentials email.
#[derive(Debug)]
pub struct Created {
    pub user: User,
    pub generated_password: Option<PlainPassword>,
    pub delivery: Delivery,
}

pub struct Directory {
    store: Arc<dyn Store>,
    hasher: Hasher,
    /// How mail leaves this installation, when it can.
    mailer: RwLock<Option<Arc<dyn Mailer>>>,
}

impl Directory {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_hasher(store, Hasher::default())
    }

    /// A directory whose new passwords are hashed with `hasher` (tests of
    /// parameter upgrades; benchmark seeding).
    pub fn with_hasher(store: Arc<dyn Store>, hasher: Hasher) -> Self {
        Self {
            store,
            hasher,
            mailer: RwLock::new(None),
        }
    }

    /// Sets (or, with `None`, removes) the way mail is sent. Without one,
    /// nothing that needs mail is offered.
    pub fn set_mailer(&self, mailer: Option<Arc<dyn Mailer>>) {
        match self.mailer.write() {
            Ok(mut slot) => *slot = mailer,
            Err(poisoned) => *poisoned.into_inner() = mailer,
        }
    }

    fn mailer(&self) -> Option<Arc<dyn Mailer>> {
        match self.mailer.read() {
            Ok(slot) => slot.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// True when this installation can send mail.
    pub fn mail_configured(&self) -> bool {
        self.mailer().is_some()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub(crate) fn now() -> DateTime<Utc> {
        Utc::now()
    }

    /// Loads the operator fresh: a deleted, disabled or expired account
    /// acts no more (its session ends at its next request). The command
    /// line's recovery path on a local file still acts for an expired
    /// account, so an expired last administrator can extend their date.
    pub(crate) async fn actor(tx: &mut dyn Tx, operator: &Operator) -> Result<Actor> {
        let user = tx
            .user(operator.id)
            .await?
            .filter(|u| u.may_sign_in() || (operator.recovery && u.status == Status::Enabled))
            .ok_or(Error::OperatorInvalid)?;
        let permissions = tx.user_permissions(user.id).await?;
        Ok(Actor {
            user,
            permissions,
            recovery: operator.recovery,
        })
    }

    pub(crate) async fn authorize(
        tx: &mut dyn Tx,
        operator: &Operator,
        permission: Permission,
    ) -> Result<Actor> {
        let actor = Self::actor(tx, operator).await?;
        actor.require(permission)?;
        Ok(actor)
    }

    /// Loads the operator and requires `permission` for everyone or for
    /// their team: the caller then keeps to [`Actor::reach`] (a query's
    /// team, or a target checked against it).
    pub(crate) async fn authorize_reach(
        tx: &mut dyn Tx,
        operator: &Operator,
        permission: Permission,
    ) -> Result<Actor> {
        let actor = Self::actor(tx, operator).await?;
        actor.reach(permission)?;
        Ok(actor)
    }

    /// Loads the operator and the user `id` they act on with `permission`,
    /// which reaches everyone or the operator's team
    /// ([`access::ensure_reaches`]).
    pub(crate) async fn authorize_on(
        tx: &mut dyn Tx,
        operator: &Operator,
        permission: Permission,
        id: UserId,
    ) -> Result<(Actor, User)> {
        let actor = Self::authorize_reach(tx, operator, permission).await?;
        let user = Self::existing_user(tx, id).await?;
        access::ensure_reaches(tx, &actor, permission, &user).await?;
        Ok((actor, user))
    }

    async fn existing_user(tx: &mut dyn Tx, id: UserId) -> Result<User> {
        tx.user(id).await?.ok_or_else(|| Error::UserNotFound {
            key: format!("with id {id}"),
        })
    }

    async fn existing_group(tx: &mut dyn Tx, id: GroupId) -> Result<Group> {
        tx.group(id).await?.ok_or_else(|| Error::GroupNotFound {
            key: format!("with id {id}"),
        })
    }

    /// Picks or checks the password for `name`/`email` and hashes it; returns
    /// the generated password when Roster chose it.
    fn choose_password(
        &self,
        policy: &PasswordPolicy,
        company: Option<&str>,
        choice: PasswordChoice,
        name: &UserName,
        email: &Email,
    ) -> Result<(crate::password::PasswordHash, Option<PlainPassword>)> {
        let (hash, password, generated) =
            self.choose_password_keeping(policy, company, choice, name, email)?;
        Ok((hash, generated.then_some(password)))
    }

    /// [`Self::choose_password`], keeping the password whoever chose it (to
    /// email it), and whether Roster generated it.
    fn choose_password_keeping(
        &self,
        policy: &PasswordPolicy,
        company: Option<&str>,
        choice: PasswordChoice,
        name: &UserName,
        email: &Email,
    ) -> Result<(crate::password::PasswordHash, PlainPassword, bool)> {
        let context = PolicyContext {
            name: name.as_str(),
            email: email.as_str(),
            company,
        };
        let (password, generated) = match choice {
            PasswordChoice::Given(password) => (password, false),
            PasswordChoice::Generate(options) => (
                generate_passing(policy, &options, &context, |_| true)?,
                true,
            ),
        };
        policy.enforce(&password, &context)?;
        let hash = self.hasher.hash(&password)?;
        Ok((hash, password, generated))
    }

    /// Turns the store's duplicate errors into the domain's.
    fn domain_error(error: StoreError) -> Error {
        match error {
            StoreError::DuplicateEmail { email } => Error::EmailTaken { email },
            StoreError::DuplicateGroupName { name } => Error::GroupNameTaken { name },
            other => Error::Store(other),
        }
    }

    /// Records a finished sign-in: the time, no failures, an audit event.
    async fn complete_sign_in(
        tx: &mut dyn Tx,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<Operator> {
        tx.record_sign_in(user.id, now).await?;
        tx.append_audit(&own_event(
            user,
            Some(user.id),
            "auth.sign_in",
            Vec::new(),
            now,
        ))
        .await?;
        Ok(Operator {
            id: user.id,
            recovery: false,
        })
    }

    /// Loads the user of a pending sign-in; one who was disabled, deleted
    /// or expired meanwhile cannot finish.
    async fn pending_user(tx: &mut dyn Tx, pending: &PendingSignIn) -> Result<User> {
        tx.user(pending.id)
            .await?
            .filter(User::may_sign_in)
            .ok_or(Error::SignInFailed)
    }
}

/// Refuses a two-factor method this installation cannot carry out: email
/// codes need a mail server.
fn ensure_method_works(method: TwoFactor, mail_configured: bool) -> Result<()> {
    match method {
        TwoFactor::EmailCode if !mail_configured => Err(Error::EmailCodesNeedMail),
        TwoFactor::EmailCode | TwoFactor::Off | TwoFactor::Totp => Ok(()),
    }
}

/// Draws before a generated password is given up on.
const PASSWORD_ATTEMPTS: usize = 20;

/// A password drawn with `options` that `policy` accepts for `context`
/// and that `acceptable` accepts too, drawing again up to
/// [`PASSWORD_ATTEMPTS`] times: a random draw can hold a short context
/// word by chance (a user called "Bo Li" and two letters in sixteen),
/// and a generated password must never be refused as the user's own.
fn generate_passing(
    policy: &PasswordPolicy,
    options: &GeneratorOptions,
    context: &PolicyContext<'_>,
    acceptable: impl Fn(&PlainPassword) -> bool,
) -> std::result::Result<PlainPassword, crate::password::PasswordError> {
    let mut last = None;
    for _ in 0..PASSWORD_ATTEMPTS {
        let password = generate(options)?;
        if !acceptable(&password) {
            continue;
        }
        match policy.enforce(&password, context) {
            Ok(()) => return Ok(password),
            Err(error) => last = Some(error),
        }
    }
    Err(
        last.unwrap_or(crate::password::PasswordError::InvalidGeneratorOptions {
            reason: "No acceptable password could be generated.".into(),
        }),
    )
}
