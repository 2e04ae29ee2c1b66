//! The directory's settings (Settings): password length, default second
//! factor, lockout, idle timeout and masked-search pace. The mail server's
//! settings are in `mail.rs`.

use roster_core::directory::Settings;
use tauri::State;

use super::{checked, signed_in, CommandResult};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn settings(state: State<'_, AppState>) -> CommandResult<Settings> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.settings(&operator).await)
}

/// Saves every setting at once; the session's idle timeout follows the
/// saved value.
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
