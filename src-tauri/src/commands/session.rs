//! Starting up, the first administrator, signing in and out.

use roster_core::directory::PasswordChoice;
use roster_core::model::Me;
use roster_core::password::PlainPassword;
use serde::Serialize;
use tauri::State;

use super::{checked, directory, signed_in, CommandResult};
use crate::state::AppState;

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
    let operator = directory
        .sign_in(created.user.email.as_str(), &password)
        .await?;
    state.sign_in(operator);
    Ok(directory.me(&operator).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_in(
    state: State<'_, AppState>,
    email: String,
    password: String,
) -> CommandResult<Me> {
    let directory = directory(&state)?;
    state.sign_out();
    let operator = directory
        .sign_in(&email, &PlainPassword::new(password))
        .await?;
    state.sign_in(operator);
    Ok(directory.me(&operator).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub fn sign_out(state: State<'_, AppState>) {
    state.sign_out();
}

#[tauri::command(rename_all = "snake_case")]
pub async fn me(state: State<'_, AppState>) -> CommandResult<Me> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.me(&operator).await)
}
