//! Handing credentials over when they are not emailed: the password Roster
//! chose, shown once (`WithCredentials`, the answer of creating a user or
//! resetting a password), copied to the clipboard (cleared after a minute)
//! or written on a sign-in sheet through the native save dialog.

use std::time::Duration;

use roster_core::mail::Delivery;
use roster_core::model::User;
use roster_core::password::PlainPassword;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use tauri::State;
use tauri_plugin_clipboard_manager::ClipboardExt;

use super::dialogs::{save_privately, SaveDialog, Saved};
use super::{CommandError, CommandResult};
use crate::state::{Access, AppState};
use crate::store_choice::StoreChoice;

/// How long a copied password stays on the clipboard.
pub const CLIPBOARD_SECONDS: u64 = 60;

/// A user just given a password (created, or their password reset): the
/// user's fields, what became of the credentials email, and the password
/// when Roster generated it and did not email it (shown once, to hand over).
#[derive(Debug, Serialize)]
pub struct WithCredentials {
    #[serde(flatten)]
    pub user: User,
    pub delivery: Delivery,
    pub generated_password: Option<String>,
}

impl WithCredentials {
    pub(super) fn new(user: User, delivery: Delivery, generated: Option<PlainPassword>) -> Self {
        Self {
            user,
            delivery,
            generated_password: generated.map(|password| password.expose().to_owned()),
        }
    }
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
) -> CommandResult<Saved> {
    state.operator(Access::Full)?;
    let password = SecretString::from(password);
    let directory = match state.choice() {
        StoreChoice::Local => None,
        StoreChoice::Postgres(_) => state.directory().ok().map(|d| d.store().describe()),
    };
    let sheet = credentials_sheet(&Sheet {
        name: &name,
        email: &email,
        password: password.expose_secret(),
        must_change_password,
        directory: directory.as_deref(),
    });
    let dialog = SaveDialog {
        title: "Save the sign-in details",
        file_name: &sheet_file_name(&email),
        filter: ("Text", "txt"),
    };
    save_privately(&app, &dialog, sheet.expose_secret().as_bytes()).await
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
}
