//! The inactivity rule while the app runs: the core applies it when a
//! session starts (`Directory::sign_in`); here it is applied again every
//! hour while someone is signed in, sparing that operator, so a directory
//! left open for days still disables the accounts that fall idle. Nothing
//! is decided here: the setting, the last administrator and the audit are
//! the core's. The recycle bin's purge of users deleted longer ago than its
//! setting runs on the same clock. A failure is printed and tried again at the next hour.

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// How often the rule runs while a session is open ("at least daily").
const EVERY: Duration = Duration::from_secs(60 * 60);

/// Starts the hourly run for the app's lifetime.
pub fn hourly_in_background<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(EVERY).await;
            let state = app.state::<AppState>();
            let (Ok(directory), Some(operator)) = (state.directory(), state.current()) else {
                continue;
            };
            if let Err(error) = directory.disable_inactive_accounts(Some(&operator)).await {
                eprintln!("roster: the inactivity rule could not run: {error}");
            }
            if let Err(error) = directory.purge_recycle_bin().await {
                eprintln!("roster: the recycle bin could not be emptied of old users: {error}");
            }
        }
    });
}
