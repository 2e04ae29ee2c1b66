//! "Deleted users": the recycle bin's page, restore and permanent delete.

use roster_core::directory::{DeletedUsersPage, RestoreOptions};
use roster_core::domain::UserId;
use roster_core::model::User;
use tauri::State;

use super::{checked, signed_in, CommandResult};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn deleted_users(
    state: State<'_, AppState>,
    after: Option<String>,
    limit: Option<u32>,
) -> CommandResult<DeletedUsersPage> {
    let (directory, operator) = signed_in(&state)?;
    let limit = limit.unwrap_or(50);
    checked(
        &state,
        directory
            .deleted_users(&operator, after.as_deref(), limit)
            .await,
    )
}

/// With `without_supervisor`, a user whose supervisor no longer exists
/// comes back without one (the core refuses otherwise, saying so).
#[tauri::command(rename_all = "snake_case")]
pub async fn restore_user(
    state: State<'_, AppState>,
    id: UserId,
    without_supervisor: Option<bool>,
) -> CommandResult<User> {
    let (directory, operator) = signed_in(&state)?;
    let options = RestoreOptions {
        without_missing_supervisor: without_supervisor.unwrap_or(false),
    };
    checked(&state, directory.restore_user(&operator, id, options).await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn purge_deleted_user(state: State<'_, AppState>, id: UserId) -> CommandResult<()> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.purge_deleted_user(&operator, id).await)
}
