//! Password generation and checking for the forms, settings, and the native
//! confirmation dialog.

use roster_core::directory::Settings;
use roster_core::password::{generate, GeneratorOptions, PlainPassword, PolicyVerdict};
use tauri::State;
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

use super::{checked, directory, signed_in, CommandResult};
use crate::state::AppState;

/// A generated password for a form. It crosses to the web view because the
/// administrator must see it to hand it over; it is never stored as text.
#[tauri::command(rename_all = "snake_case")]
pub fn generate_password(options: Option<GeneratorOptions>) -> CommandResult<String> {
    let password = generate(&options.unwrap_or_default()).map_err(roster_core::Error::from)?;
    Ok(password.expose().to_owned())
}

/// The policy's verdict and strength for a password being typed. Allowed
/// before anyone is signed in: the first-run form needs it.
#[tauri::command(rename_all = "snake_case")]
pub async fn check_password(
    state: State<'_, AppState>,
    password: String,
    name: String,
    email: String,
) -> CommandResult<PolicyVerdict> {
    let directory = directory(&state)?;
    let verdict = directory
        .check_password(&PlainPassword::new(password), &name, &email)
        .await?;
    Ok(verdict)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn settings(state: State<'_, AppState>) -> CommandResult<Settings> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.settings(&operator).await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_settings(
    state: State<'_, AppState>,
    settings: Settings,
) -> CommandResult<Settings> {
    let (directory, operator) = signed_in(&state)?;
    let saved = checked(
        &state,
        directory.update_settings(&operator, &settings).await,
    )?;
    state.set_idle_timeout(saved.idle_timeout_minutes);
    Ok(saved)
}

/// Asks a question in a native dialog; true when the person chose `ok_label`.
#[tauri::command(rename_all = "snake_case")]
pub async fn confirm<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    title: String,
    message: String,
    ok_label: String,
) -> CommandResult<bool> {
    let answer = app
        .dialog()
        .message(message)
        .title(title)
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            ok_label,
            "Cancel".into(),
        ))
        .blocking_show();
    Ok(answer)
}
