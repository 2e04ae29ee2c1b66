//! Starting up, the first administrator, signing in and out.

use roster_core::directory::PasswordChoice;
use roster_core::model::Me;
use roster_core::password::PlainPassword;
use serde::Serialize;
use tauri::State;

use super::{checked, directory, signed_in_for, CommandResult};
use crate::state::{Access, AppState, SessionFlags};

#[derive(Debug, Serialize)]
pub struct StoreInfo {
    pub kind: &'static str,
    pub description: String,
    pub path: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AppStatus {
    pub name: String,
    pub version: String,
    pub store: StoreInfo,
    pub initialized: bool,
    pub session: Option<Me>,
    /// Locked, or a password change pending, and the idle timeout.
    pub session_state: Option<SessionFlags>,
}

/// What the window needs to decide its first screen.
#[tauri::command(rename_all = "snake_case")]
pub async fn app_status<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<AppStatus> {
    let package = app.package_info();
    let directory = directory(&state)?;
    let session = match state.current() {
        Some(operator) => checked(&state, directory.me(&operator).await).ok(),
        None => None,
    };
    Ok(AppStatus {
        name: package.name.clone(),
        version: package.version.to_string(),
        store: StoreInfo {
            kind: "local",
            description: directory.store().describe(),
            path: state.store_path().map(|p| p.display().to_string()),
        },
        initialized: directory.is_initialized().await?,
        session_state: session.as_ref().and_then(|_| state.flags()),
        session,
    })
}

/// Creates the first administrator and signs them in.
#[tauri::command(rename_all = "snake_case")]
pub async fn initialize(
    state: State<'_, AppState>,
    name: String,
    email: String,
    password: String,
) -> CommandResult<Me> {
    let directory = directory(&state)?;
    let password = PlainPassword::new(password);
    let created = directory
        .initialize(&name, &email, PasswordChoice::Given(password.clone()))
        .await?;
    start_session(&state, created.user.email.as_str(), &password).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_in(
    state: State<'_, AppState>,
    email: String,
    password: String,
) -> CommandResult<Me> {
    start_session(&state, &email, &PlainPassword::new(password)).await
}

/// Signs in and opens a session: pending a password change when the user is
/// flagged for one.
async fn start_session(
    state: &AppState,
    email: &str,
    password: &PlainPassword,
) -> CommandResult<Me> {
    let directory = directory(state)?;
    state.sign_out();
    let operator = directory.sign_in(email, password).await?;
    let me = directory.me(&operator).await?;
    let idle = directory.idle_timeout_minutes().await?;
    state.sign_in(operator, me.user.must_change_password, idle);
    Ok(me)
}

#[tauri::command(rename_all = "snake_case")]
pub fn sign_out(state: State<'_, AppState>) {
    state.sign_out();
}

#[tauri::command(rename_all = "snake_case")]
pub async fn me(state: State<'_, AppState>) -> CommandResult<Me> {
    let (directory, operator) = signed_in_for(&state, Access::PasswordChange)?;
    checked(&state, directory.me(&operator).await)
}

/// Changes the signed-in operator's own password; ends a pending change.
#[tauri::command(rename_all = "snake_case")]
pub async fn change_password(
    state: State<'_, AppState>,
    current_password: String,
    new_password: String,
) -> CommandResult<Me> {
    let (directory, operator) = signed_in_for(&state, Access::PasswordChange)?;
    let me = checked(
        &state,
        directory
            .change_own_password(
                &operator,
                &PlainPassword::new(current_password),
                &PlainPassword::new(new_password),
            )
            .await,
    )?;
    state.password_changed();
    Ok(me)
}

/// Locks the session now (the UI's idle timer or the person's choice).
#[tauri::command(rename_all = "snake_case")]
pub fn lock_session(state: State<'_, AppState>) {
    state.lock();
}

/// Unlocks a locked session with the operator's password. Wrong passwords
/// count toward the account's lockout like any sign-in.
#[tauri::command(rename_all = "snake_case")]
pub async fn unlock_session(state: State<'_, AppState>, password: String) -> CommandResult<Me> {
    let directory = directory(&state)?;
    let operator = state.current().ok_or(roster_core::Error::NotSignedIn)?;
    let me = checked(&state, directory.me(&operator).await)?;
    let again = directory
        .sign_in(me.user.email.as_str(), &PlainPassword::new(password))
        .await?;
    if again != operator {
        return Err(roster_core::Error::SignInFailed.into());
    }
    state.unlock();
    Ok(me)
}
