//! Setting up and choosing who acts without a sign-in: the first
//! administrator, the local command line's operator and its audited
//! recovery path, and who may move the installation to another store.

use serde_json::json;

use super::access::Operator;
use super::audit::{own_event, user_snapshot};
use super::{ensure_method_works, Created, Directory, PasswordChoice};
use crate::domain::{Email, Permission, Status, TwoFactor, UserName};
use crate::error::{Error, Result};
use crate::mail::Delivery;
use crate::model::{FieldChange, TargetKind, UserFields};
use crate::store::{TxMode, UserQuery, ADMINISTRATORS};

impl Directory {
    /// Whether `operator` may move this installation to another store (or
    /// test a connection to one): anyone before the first administrator
    /// exists, afterwards only holders of `settings.manage`.
    pub async fn authorize_store_change(&self, operator: Option<&Operator>) -> Result<()> {
        if !self.is_initialized().await? {
            return Ok(());
        }
        let operator = operator.ok_or(Error::NotSignedIn)?;
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?;
        Ok(())
    }

    /// True once the first administrator exists.
    pub async fn is_initialized(&self) -> Result<bool> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        Ok(tx.count_users().await? > 0)
    }

    /// Creates the first administrator. Refused once any user exists.
    ///
    /// `two_factor` is their second factor; `None` means the method that
    /// works here (the authenticator app without mail), so the account
    /// holding every right is protected like any other: they set it up at
    /// their first sign-in. [`TwoFactor::Off`] only when asked for, and
    /// then audited as `directory.initialize_without_two_factor` too.
    pub async fn initialize(
        &self,
        name: &str,
        email: &str,
        password: PasswordChoice,
        two_factor: Option<TwoFactor>,
    ) -> Result<Created> {
        let name = UserName::parse(name)?;
        let email = Email::parse(email)?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        if tx.count_users().await? > 0 {
            return Err(Error::AlreadyInitialized);
        }
        let two_factor = match two_factor {
            Some(method) => method,
            None => self.default_two_factor(&mut *tx).await?,
        };
        ensure_method_works(two_factor, self.mail_configured())?;
        let policy = Self::policy(&mut *tx).await?;
        let company = Self::company_name(&mut *tx).await?;
        let (hash, generated_password) =
            self.choose_password(&policy, company.as_deref(), password, &name, &email)?;
        let now = Self::now();
        let fields = UserFields {
            name,
            email,
            status: Status::Enabled,
            supervisor: None,
            must_change_password: false,
            mask_client_data: false,
            two_factor,
            valid_until: None,
        };
        let id = tx
            .insert_user(&fields, &hash, now)
            .await
            .map_err(Self::domain_error)?;
        tx.set_memberships(id, &[ADMINISTRATORS]).await?;
        let user = Self::existing_user(&mut *tx, id).await?;
        tx.append_audit(&own_event(
            &user,
            Some(id),
            "directory.initialize",
            user_snapshot(&user),
            now,
        ))
        .await?;
        if two_factor == TwoFactor::Off {
            // An action of its own, so an audit search finds the choice.
            tx.append_audit(&own_event(
                &user,
                Some(id),
                "directory.initialize_without_two_factor",
                vec![FieldChange {
                    field: "two_factor".into(),
                    before: serde_json::Value::Null,
                    after: json!(TwoFactor::Off),
                }],
                now,
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(Created {
            user,
            generated_password,
            delivery: Delivery::NotRequested,
        })
    }

    /// The operator for the local command line, which anyone able to open the
    /// store file could act as anyway: the named user, who must be enabled.
    pub async fn act_as(&self, email: &str) -> Result<Operator> {
        let email = Email::parse(email)?;
        let mut tx = self.store.begin(TxMode::Read).await?;
        let id = tx
            .user_id_by_email(email.normalized())
            .await?
            .ok_or_else(|| Error::UserNotFound {
                key: email.as_str().to_owned(),
            })?;
        let operator = Operator {
            id,
            recovery: false,
        };
        Self::actor(&mut *tx, &operator).await?;
        Ok(operator)
    }

    /// The command line's recovery path: acts as `email` without their
    /// password. Only someone who can write the store's file can do this,
    /// and they could change the file without Roster anyway, so it is
    /// allowed on a local file opened for writing and nowhere else (never on
    /// a shared server). It is recorded as `cli.recovery_as` naming the
    /// computer's account `by`, and every later event of this operator is
    /// labelled as a recovery.
    pub async fn recover_as(&self, email: &str, by: &str) -> Result<Operator> {
        if !self.store.is_writable_local_file() {
            return Err(Error::RecoveryNotAllowed);
        }
        let email = Email::parse(email)?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let id = tx
            .user_id_by_email(email.normalized())
            .await?
            .ok_or_else(|| Error::UserNotFound {
                key: email.as_str().to_owned(),
            })?;
        let operator = Operator { id, recovery: true };
        let actor = Self::actor(&mut *tx, &operator).await?;
        let event = actor.audit(
            "cli.recovery_as",
            TargetKind::User,
            Some(id.0),
            actor.user.email.as_str(),
            vec![FieldChange {
                field: "os_account".into(),
                before: serde_json::Value::Null,
                after: json!(by),
            }],
            Self::now(),
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(operator)
    }

    /// The command line's default operator: the longest-standing enabled administrator.
    pub async fn first_administrator(&self) -> Result<Operator> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        if tx.count_users().await? == 0 {
            return Err(Error::NotInitialized);
        }
        let page = tx
            .list_users(&UserQuery {
                group: Some(ADMINISTRATORS),
                status: Some(Status::Enabled.into()),
                sort: crate::store::SortField::Created,
                limit: 1,
                ..UserQuery::default()
            })
            .await?;
        page.users
            .first()
            .map(|u| Operator {
                id: u.id,
                recovery: false,
            })
            .ok_or(Error::NoEnabledAdministrator)
    }
}
