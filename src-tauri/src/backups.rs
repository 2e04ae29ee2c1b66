//! Automatic backups of the local store: before a migration (the store not
//! open yet), at start when the last one is a day old (in the background,
//! so the window opens at once), and before bulk work or an import
//! (`AppState::back_up_before_bulk`). A failure never stops the app: it is
//! noted, and Settings → Backups says why.

use std::path::Path;
use std::sync::{Arc, Mutex};

use roster_core::backup::{BackupConfig, BackupError, Backups, Reason};
use roster_core::secrets::Secrets;

use crate::state::AppState;

/// The backups of the local store at `store`: this computer's folder and
/// retention, and the passphrase from the keychain.
pub async fn local_backups(
    store: &Path,
    keychain: &Arc<dyn Secrets>,
) -> Result<Backups, BackupError> {
    let passphrase =
        crate::commands::backups::kept_passphrase(keychain.clone(), store.to_owned()).await?;
    let config = BackupConfig::load(store)?;
    Ok(Backups::new(
        config.folder_for(store),
        config.keep,
        passphrase,
    ))
}

/// Notes how an automatic backup went: the reason it failed, or nothing.
pub fn note<E: std::fmt::Display>(slot: &Mutex<Option<String>>, made: Result<(), E>) {
    let problem = made
        .err()
        .map(|error| format!("The last automatic backup failed: {error}"));
    if let Some(problem) = &problem {
        eprintln!("roster: {problem}");
    }
    *slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = problem;
}

/// Backs the local store up in the background when its newest backup is
/// more than a day old.
pub fn daily_in_background(state: &AppState) {
    let (Ok(directory), Some(store)) = (state.directory(), state.local_store_path()) else {
        return;
    };
    let keychain = state.keychain();
    let slot = state.backup_problem_slot();
    tauri::async_runtime::spawn(async move {
        let made = async {
            let backups = local_backups(&store, &keychain)
                .await
                .map_err(|error| error.to_string())?;
            if backups.daily_due_now().map_err(|error| error.to_string())? {
                directory
                    .back_up_automatically(&backups, Reason::Daily)
                    .await
                    .map_err(|error| error.to_string())?;
            }
            Ok::<(), String>(())
        }
        .await;
        note(&slot, made);
    });
}
