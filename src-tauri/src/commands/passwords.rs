//! Password generation and checking for the forms.

use roster_core::password::{generate, GeneratorOptions, PlainPassword, PolicyVerdict};
use tauri::State;

use super::{directory, CommandResult};
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
