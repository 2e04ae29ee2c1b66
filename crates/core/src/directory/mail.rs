//! Mail: the mail server's settings, the test message, and sending after
//! a change has committed (a failure is audited, never undoes the change).
//!
//! The mail server's settings live in the store, so every administrator
//! of a shared directory sees the same; its password does not: each
//! computer keeps it in its keychain (`MailSettings::keychain_name`),
//! builds the mailer and hands it to `set_mailer`.

use std::sync::Arc;

use serde_json::json;

use super::access::{Actor, Operator};
use super::audit::{diff, mail_snapshot};
use super::Directory;
use crate::domain::{Email, Permission, TwoFactor};
use crate::error::{Error, Result};
use crate::mail::{self, Delivery, Mailer};
use crate::model::{FieldChange, TargetKind, User};
use crate::smtp::{MailSecurity, MailSettings};
use crate::store::{StoreError, Tx, TxMode, UserQuery};

/// The mail server's settings (never its password, which stays in the
/// keychain of each computer that sends). An empty host means none.
const SETTING_MAIL_HOST: &str = "mail.host";
const SETTING_MAIL_PORT: &str = "mail.port";
const SETTING_MAIL_SECURITY: &str = "mail.security";
const SETTING_MAIL_USER: &str = "mail.user";
const SETTING_MAIL_SENDER_ADDRESS: &str = "mail.sender_address";
const SETTING_MAIL_SENDER_NAME: &str = "mail.sender_name";

impl Directory {
    /// The mail server's settings, or `None` when no mail server is configured.
    pub async fn mail_settings(&self, operator: &Operator) -> Result<Option<MailSettings>> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?;
        Self::read_mail_settings(&mut *tx).await
    }

    /// The mail server's settings for the desktop and the command line to
    /// build their mailer at start-up, before anyone signs in. They hold no
    /// secret.
    pub async fn load_mail_settings(&self) -> Result<Option<MailSettings>> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::read_mail_settings(&mut *tx).await
    }

    /// Saves the mail server's settings, or with `None` removes them (and
    /// this directory's mailer). Removing them is refused while any user
    /// signs in with email codes. Audited as `settings.mail` with the fields
    /// that changed; no password passes through here. After saving new
    /// settings the caller builds the mailer (it holds the password) and
    /// hands it to [`Self::set_mailer`].
    pub async fn update_mail_settings(
        &self,
        operator: &Operator,
        settings: Option<MailSettings>,
    ) -> Result<Option<MailSettings>> {
        let settings = settings.map(MailSettings::validate).transpose()?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?;
        let before = Self::read_mail_settings(&mut *tx).await?;
        if settings.is_none() && (before.is_some() || self.mail_configured()) {
            let users = count_email_code_users(&mut *tx).await?;
            if users > 0 {
                return Err(Error::MailNeededForEmailCodes { users });
            }
        }
        let values: [(&str, String); 6] = match &settings {
            Some(settings) => [
                (SETTING_MAIL_HOST, settings.host.clone()),
                (SETTING_MAIL_PORT, settings.port.to_string()),
                (SETTING_MAIL_SECURITY, settings.security.as_str().to_owned()),
                (SETTING_MAIL_USER, settings.user.clone().unwrap_or_default()),
                (
                    SETTING_MAIL_SENDER_ADDRESS,
                    settings.sender_address.as_str().to_owned(),
                ),
                (SETTING_MAIL_SENDER_NAME, settings.sender_name.clone()),
            ],
            None => [
                SETTING_MAIL_HOST,
                SETTING_MAIL_PORT,
                SETTING_MAIL_SECURITY,
                SETTING_MAIL_USER,
                SETTING_MAIL_SENDER_ADDRESS,
                SETTING_MAIL_SENDER_NAME,
            ]
            .map(|key| (key, String::new())),
        };
        for (key, value) in &values {
            tx.set_setting(key, value).await?;
        }
        let diff = diff(
            mail_snapshot(before.as_ref()),
            mail_snapshot(settings.as_ref()),
        );
        if !diff.is_empty() {
            let event = actor.audit(
                "settings.mail",
                TargetKind::Settings,
                None,
                "mail",
                diff,
                Self::now(),
            );
            tx.append_audit(&event).await?;
        }
        tx.commit().await?;
        if settings.is_none() {
            self.set_mailer(None);
        }
        Ok(settings)
    }

    /// Sends a short test message to `to` through this directory's mailer.
    pub async fn send_test_email(&self, operator: &Operator, to: &str) -> Result<()> {
        let to = Email::parse(to)?;
        let actor = {
            let mut tx = self.store.begin(TxMode::Read).await?;
            Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?
        };
        let mailer = self.mailer().ok_or(Error::MailNotConfigured {
            hint: "enter the mail server's settings first.",
        })?;
        let message = mail::test_message(&to, actor.user.email.as_str());
        Self::deliver(&*mailer, &message).await
    }

    async fn read_mail_settings(tx: &mut dyn Tx) -> Result<Option<MailSettings>> {
        let host = tx.setting(SETTING_MAIL_HOST).await?.unwrap_or_default();
        if host.is_empty() {
            return Ok(None);
        }
        let corrupt = |key: &str| -> Error {
            StoreError::Corrupt {
                detail: format!("setting {key}"),
            }
            .into()
        };
        let port = tx
            .setting(SETTING_MAIL_PORT)
            .await?
            .and_then(|port| port.parse::<u16>().ok())
            .ok_or_else(|| corrupt(SETTING_MAIL_PORT))?;
        let security = tx
            .setting(SETTING_MAIL_SECURITY)
            .await?
            .and_then(|security| security.parse::<MailSecurity>().ok())
            .ok_or_else(|| corrupt(SETTING_MAIL_SECURITY))?;
        let user = tx
            .setting(SETTING_MAIL_USER)
            .await?
            .filter(|user| !user.is_empty());
        let sender_address = tx
            .setting(SETTING_MAIL_SENDER_ADDRESS)
            .await?
            .and_then(|address| Email::parse(&address).ok())
            .ok_or_else(|| corrupt(SETTING_MAIL_SENDER_ADDRESS))?;
        let sender_name = tx
            .setting(SETTING_MAIL_SENDER_NAME)
            .await?
            .unwrap_or_default();
        Ok(Some(MailSettings {
            host,
            port,
            security,
            user,
            sender_address,
            sender_name,
        }))
    }

    pub(super) async fn deliver(mailer: &dyn Mailer, message: &mail::Message) -> Result<()> {
        mailer
            .send(message)
            .await
            .map_err(|error| Error::MailFailed {
                reason: error.to_string(),
            })
    }

    /// The mailer for a credentials email when one was asked for; refuses
    /// when none is configured, before anything changes.
    pub(super) fn credentials_mailer(
        &self,
        send_credentials: bool,
    ) -> Result<Option<Arc<dyn Mailer>>> {
        if !send_credentials {
            return Ok(None);
        }
        self.mailer().map(Some).ok_or(Error::MailNotConfigured {
            hint: "hand the credentials over in person.",
        })
    }

    /// Sends `message` about `target` after a change has committed. A
    /// failure does not undo the change: it is returned, and recorded in the
    /// audit log as `mail.failed` with what was being sent and why it failed
    /// (never the message itself).
    pub(super) async fn send_after_commit(
        &self,
        mailer: &dyn Mailer,
        actor: &Actor,
        target: &User,
        what: &'static str,
        message: &mail::Message,
    ) -> Delivery {
        let reason = match mailer.send(message).await {
            Ok(()) => return Delivery::Sent,
            Err(error) => error.to_string(),
        };
        let event = actor.audit(
            "mail.failed",
            TargetKind::User,
            Some(target.id.0),
            target.email.as_str(),
            vec![
                FieldChange {
                    field: "message".into(),
                    before: serde_json::Value::Null,
                    after: json!(what),
                },
                FieldChange {
                    field: "reason".into(),
                    before: serde_json::Value::Null,
                    after: json!(reason),
                },
            ],
            Self::now(),
        );
        // Best effort: the change itself has committed, and the caller learns
        // of the failure from the returned delivery either way.
        if let Ok(mut tx) = self.store.begin(TxMode::Write).await {
            if tx.append_audit(&event).await.is_ok() {
                let _ = tx.commit().await;
            }
        }
        Delivery::Failed { reason }
    }
}

/// How many users sign in with email codes. A scan of the overview, page by
/// page: removing the mail server is rare, and the store has no count by
/// method (yet).
async fn count_email_code_users(tx: &mut dyn Tx) -> Result<u64> {
    let mut query = UserQuery::default();
    let mut count = 0;
    loop {
        let (page, next) = tx.read_users(&query, UserQuery::READ_LIMIT).await?;
        count += page
            .iter()
            .filter(|user| user.two_factor == TwoFactor::EmailCode)
            .count() as u64;
        match next {
            Some(next) => query.after = Some(next),
            None => return Ok(count),
        }
    }
}
