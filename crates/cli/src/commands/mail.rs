//! `roster mail …`: the mail server every administrator of the store sends
//! through. Its settings are in the store; its password only in this
//! computer's keychain, taken from `ROSTER_SMTP_PASSWORD`.

use anyhow::{bail, Context as _};
use roster_core::domain::Email;
use roster_core::secrets::Secrets;
use roster_core::smtp::MailSettings;
use roster_core::Operator;

use super::{smtp_password_from_env, Session, SmtpPasswords, SMTP_PASSWORD_ENV};
use crate::cli::{MailCommand, MailSetArgs};
use crate::output;

pub async fn run(session: &Session, command: MailCommand) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    match command {
        MailCommand::Show(flag) => {
            let settings = session.directory.mail_settings(&operator).await?;
            print(settings.as_ref(), flag.json)
        }
        MailCommand::Set(args) => set(session, &operator, args).await,
        MailCommand::Clear => clear(session, &operator).await,
        MailCommand::Test(args) => {
            session
                .directory
                .send_test_email(&operator, &args.to)
                .await?;
            output::line(format!("Sent a test message to {}.", args.to.trim()))
        }
    }
}

async fn set(session: &Session, operator: &Operator, args: MailSetArgs) -> anyhow::Result<()> {
    let before = session.directory.mail_settings(operator).await?;
    let wanted = MailSettings {
        host: args.host,
        port: args.port.unwrap_or(args.security.default_port()),
        security: args.security,
        user: args.user,
        sender_address: Email::parse(&args.from)?,
        sender_name: args.from_name,
    }
    .validate()?;
    let passwords = SmtpPasswords::new();
    let password = smtp_password_from_env();
    if let Some(user) = &wanted.user {
        if password.is_none() && passwords.get(&wanted.keychain_name())?.is_none() {
            bail!(
                "Set {SMTP_PASSWORD_ENV} to the password of {user}: Roster keeps it in this computer's keychain, never in the store or on the command line."
            );
        }
    }
    let saved = session
        .directory
        .update_mail_settings(operator, Some(wanted))
        .await?
        .context("the mail settings were not saved")?;
    if let (Some(_), Some(password)) = (&saved.user, &password) {
        passwords
            .set(&saved.keychain_name(), password)
            .context("The mail settings were saved, but the password could not be kept")?;
    }
    if let Some(before) = before.filter(|b| b.user.is_some()) {
        if before.keychain_name() != saved.keychain_name() {
            // The old account's password is of no more use here.
            let _ = passwords.delete(&before.keychain_name());
        }
    }
    print(Some(&saved), args.json)
}

async fn clear(session: &Session, operator: &Operator) -> anyhow::Result<()> {
    let before = session.directory.mail_settings(operator).await?;
    session
        .directory
        .update_mail_settings(operator, None)
        .await?;
    match before {
        None => output::line("No mail server was configured."),
        Some(before) => {
            if before.user.is_some() {
                SmtpPasswords::new()
                    .delete(&before.keychain_name())
                    .context("The mail server was removed, but its password could not be removed from the keychain")?;
            }
            output::line(format!("Removed the mail server {}.", before.server()))
        }
    }
}

fn print(settings: Option<&MailSettings>, json: bool) -> anyhow::Result<()> {
    if json {
        return output::json(&settings);
    }
    let Some(settings) = settings else {
        return output::line("No mail server is configured.");
    };
    output::fields(&[
        ("Server", settings.host.clone()),
        ("Port", settings.port.to_string()),
        ("Security", settings.security.to_string()),
        (
            "User",
            settings
                .user
                .clone()
                .unwrap_or_else(|| "none (no sign-in)".into()),
        ),
        (
            "Sender",
            if settings.sender_name.is_empty() {
                settings.sender_address.to_string()
            } else {
                format!("{} <{}>", settings.sender_name, settings.sender_address)
            },
        ),
    ])
}
