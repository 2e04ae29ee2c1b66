//! The mail server (Settings → Mail): its settings, and a test message.
//!
//! The mail server's settings are the directory's (every administrator sees
//! them); its password is this computer's, kept only in the OS keychain
//! under `MailSettings::keychain_name` and never sent back to the web view.

use roster_core::domain::Email;
use roster_core::secrets::SecretsError;
use roster_core::smtp::{MailSecurity, MailSettings};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tauri::State;

use super::{checked, signed_in, CommandError, CommandResult};
use crate::state::AppState;

/// The mail settings as the web view sees them: never the password, only
/// whether this computer's keychain holds one.
#[derive(Debug, Serialize)]
pub struct MailSettingsView {
    pub settings: Option<MailSettings>,
    /// True when the settings name a user and the keychain holds their password.
    pub has_password: bool,
}

/// The mail settings form. The sender address arrives as typed, so that a bad
/// one is reported beside its field rather than as unreadable arguments.
#[derive(Debug, Deserialize)]
pub struct MailSettingsForm {
    host: String,
    port: u16,
    security: MailSecurity,
    user: Option<String>,
    sender_address: String,
    sender_name: String,
}

impl MailSettingsForm {
    fn parse(self) -> CommandResult<MailSettings> {
        let sender_address = Email::parse(&self.sender_address).map_err(|error| CommandError {
            code: "invalid_mail_setting".into(),
            message: error.to_string(),
            field: Some("sender_address".into()),
        })?;
        let settings = MailSettings {
            host: self.host,
            port: self.port,
            security: self.security,
            user: self.user,
            sender_address,
            sender_name: self.sender_name,
        };
        // Trimmed here, so the keychain name is the one the core stores.
        Ok(settings.validate()?)
    }
}

fn keychain_error(error: &SecretsError) -> CommandError {
    CommandError {
        code: "keychain_unavailable".into(),
        message: error.to_string(),
        field: Some("password".into()),
    }
}

fn view(state: &AppState, settings: Option<MailSettings>) -> MailSettingsView {
    let has_password = settings
        .as_ref()
        .filter(|settings| settings.user.is_some())
        .is_some_and(|settings| {
            // An unreadable keychain counts as holding nothing: the page then
            // asks for the password, and saving says what is wrong.
            matches!(state.keychain().get(&settings.keychain_name()), Ok(Some(_)))
        });
    MailSettingsView {
        settings,
        has_password,
    }
}

/// The mail server's settings (needs `settings.manage`).
#[tauri::command(rename_all = "snake_case")]
pub async fn mail_settings(state: State<'_, AppState>) -> CommandResult<MailSettingsView> {
    let (directory, operator) = signed_in(&state)?;
    let settings = checked(&state, directory.mail_settings(&operator).await)?;
    Ok(view(&state, settings))
}

/// Saves the mail server's settings, or with `settings: null` removes them.
/// `password`: null keeps the keychain's, "" forgets it, anything else is
/// kept in the keychain. Then this computer sends through the new settings.
#[tauri::command(rename_all = "snake_case")]
pub async fn update_mail_settings(
    state: State<'_, AppState>,
    settings: Option<MailSettingsForm>,
    password: Option<String>,
) -> CommandResult<MailSettingsView> {
    let (directory, operator) = signed_in(&state)?;
    // Refuses an operator without settings.manage before the keychain is touched.
    let before = checked(&state, directory.mail_settings(&operator).await)?;
    let settings = settings.map(MailSettingsForm::parse).transpose()?;
    let keychain = state.keychain();
    if let Some(wanted) = settings.as_ref().filter(|s| s.user.is_some()) {
        let name = wanted.keychain_name();
        match password.as_deref() {
            Some("") => keychain.delete(&name).map_err(|e| keychain_error(&e))?,
            Some(typed) => keychain
                .set(&name, &SecretString::from(typed.to_owned()))
                .map_err(|e| keychain_error(&e))?,
            None if matches!(keychain.get(&name), Ok(Some(_))) => {}
            None => {
                return Err(CommandError {
                    code: "invalid_mail_setting".into(),
                    message: format!(
                        "Enter the password of {}: this computer keeps it in its keychain.",
                        wanted.user.as_deref().unwrap_or_default()
                    ),
                    field: Some("password".into()),
                })
            }
        }
    }
    let saved = checked(
        &state,
        directory.update_mail_settings(&operator, settings).await,
    )?;
    // The old account's password is of no more use on this computer.
    if let Some(old) = before.filter(|old| old.user.is_some()) {
        if saved.as_ref().map(MailSettings::keychain_name) != Some(old.keychain_name()) {
            let _ = keychain.delete(&old.keychain_name());
        }
    }
    state.reinstall_mailer().await?;
    Ok(view(&state, saved))
}

/// Sends a short test message through the mail server (needs `settings.manage`).
#[tauri::command(rename_all = "snake_case")]
pub async fn send_test_email(state: State<'_, AppState>, to: String) -> CommandResult<()> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.send_test_email(&operator, &to).await)
}
