//! The mail server (Settings → Mail), and handing credentials over when they
//! are not emailed: copying the password to the clipboard (cleared after a
//! minute) and saving a sign-in sheet through the native save dialog.
//!
//! The mail server's settings are the directory's (every administrator sees
//! them); its password is this computer's, kept only in the OS keychain
//! under `MailSettings::keychain_name` and never sent back to the web view.

use std::path::Path;
use std::time::Duration;

use roster_core::domain::Email;
use roster_core::secrets::SecretsError;
use roster_core::smtp::{MailSecurity, MailSettings};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tauri::State;
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_dialog::DialogExt;

use super::{checked, signed_in, CommandError, CommandResult};
use crate::state::{Access, AppState};
use crate::store_choice::StoreChoice;

/// How long a copied password stays on the clipboard.
pub const CLIPBOARD_SECONDS: u64 = 60;

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

/// Puts `text` (a password being handed over) on the clipboard, hinting
/// clipboard managers to keep it out of their history, and clears the
/// clipboard after [`CLIPBOARD_SECONDS`] if it still holds exactly that text.
/// Returns nothing: it cannot be used to read the clipboard.
#[tauri::command(rename_all = "snake_case")]
pub async fn copy_secret<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    text: String,
) -> CommandResult<()> {
    state.operator(Access::Full)?;
    let text = SecretString::from(text);
    app.clipboard()
        .write_secret(text.expose_secret())
        .map_err(|error| CommandError {
            code: "clipboard_unavailable".into(),
            message: format!("The password could not be copied ({error})."),
            field: None,
        })?;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_secs(CLIPBOARD_SECONDS)).await;
        // Reading the clipboard may wait on another program: not on the
        // async workers.
        let _ = tauri::async_runtime::spawn_blocking(move || {
            let clipboard = app.clipboard();
            if clipboard.read_text().ok().as_deref() == Some(text.expose_secret()) {
                let _ = clipboard.clear();
            }
        })
        .await;
    });
    Ok(())
}

/// Where the sheet was saved; null when the person cancelled the dialog.
#[derive(Debug, Serialize)]
pub struct SavedSheet {
    pub saved: Option<String>,
}

/// Asks where to save a sign-in sheet for a user (the native save dialog)
/// and writes it there, readable by this computer's user only.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_credentials_sheet<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
    email: String,
    password: String,
    must_change_password: bool,
) -> CommandResult<SavedSheet> {
    state.operator(Access::Full)?;
    let password = SecretString::from(password);
    let directory = match state.choice() {
        StoreChoice::Local => None,
        StoreChoice::Postgres(_) => state.directory().ok().map(|d| d.store().describe()),
    };
    let (chosen, answer) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Save the sign-in details")
        .set_file_name(sheet_file_name(&email))
        .add_filter("Text", &["txt"])
        .save_file(move |path| {
            let _ = chosen.send(path);
        });
    let Some(path) = answer.await.ok().flatten() else {
        return Ok(SavedSheet { saved: None });
    };
    let path = path
        .into_path()
        .map_err(|error| save_failed(&error.to_string()))?;
    let sheet = credentials_sheet(&Sheet {
        name: &name,
        email: &email,
        password: password.expose_secret(),
        must_change_password,
        directory: directory.as_deref(),
    });
    write_private(&path, sheet.expose_secret()).map_err(|error| save_failed(&error.to_string()))?;
    Ok(SavedSheet {
        saved: Some(path.display().to_string()),
    })
}

pub(super) fn save_failed(detail: &str) -> CommandError {
    CommandError {
        code: "save_failed".into(),
        message: format!("The file could not be saved ({detail})."),
        field: None,
    }
}

/// "roster-credentials-ann@example.com.txt", with anything a file name
/// should not hold replaced.
fn sheet_file_name(email: &str) -> String {
    let safe: String = email
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "@.-_+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("roster-credentials-{safe}.txt")
}

/// What a sign-in sheet says.
struct Sheet<'a> {
    name: &'a str,
    email: &'a str,
    password: &'a str,
    must_change_password: bool,
    /// The shared directory to connect to, when it is on a server.
    directory: Option<&'a str>,
}

/// The sheet handed to a user: who it is for, where and how to sign in.
fn credentials_sheet(sheet: &Sheet<'_>) -> SecretString {
    let product = roster_core::mail::PRODUCT;
    let mut text = format!(
        "{product}: your sign-in details\n\n\
         For: {name}\n\n\
         Email address: {email}\n\
         Password:      {password}\n\n",
        name = sheet.name.trim(),
        email = sheet.email.trim(),
        password = sheet.password,
    );
    if sheet.must_change_password {
        text.push_str("You will be asked to choose a new password at first sign-in.\n\n");
    }
    match sheet.directory {
        Some(directory) => text.push_str(&format!(
            "Where to sign in: open the {product} app on a computer connected to {directory}, \
             and sign in with the email address and password above.\n\n"
        )),
        None => text.push_str(&format!(
            "Where to sign in: open the {product} app on the computer where your account \
             was created, and sign in with the email address and password above.\n\n"
        )),
    }
    text.push_str("Keep this sheet private, and destroy it once you have signed in.\n");
    SecretString::from(text)
}

/// Writes `text` to `path`, readable and writable by its owner only.
pub(super) fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        let mut file = options.open(path)?;
        // An existing file keeps its mode on open: narrow it too.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(path)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(must_change_password: bool, directory: Option<&str>) -> String {
        credentials_sheet(&Sheet {
            name: "Ann Lee",
            email: "ann@example.com",
            password: "Tulip-Quartz-58",
            must_change_password,
            directory,
        })
        .expose_secret()
        .to_owned()
    }

    #[test]
    fn a_sheet_names_the_account_the_password_and_where_to_sign_in() {
        let text = sheet(true, None);
        assert!(text.starts_with("Roster: your sign-in details"));
        assert!(text.contains("Email address: ann@example.com"));
        assert!(text.contains("Tulip-Quartz-58"));
        assert!(text.contains("You will be asked to choose a new password at first sign-in."));
        assert!(text.contains("open the Roster app"));
        let kept = sheet(false, Some("PostgreSQL database roster on db.example.com"));
        assert!(!kept.contains("choose a new password"));
        assert!(kept.contains("connected to PostgreSQL database roster on db.example.com"));
    }

    #[test]
    fn a_sheet_file_name_holds_no_path() {
        assert_eq!(
            sheet_file_name(" ann@example.com "),
            "roster-credentials-ann@example.com.txt"
        );
        assert_eq!(
            sheet_file_name("a/b\\c@example.com"),
            "roster-credentials-a_b_c@example.com.txt"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_sheet_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sheet.txt");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, "new").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }
}
