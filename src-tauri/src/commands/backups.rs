//! Settings → Backups: the local store's backups (list, back up now,
//! check, restore), their folder and passphrase, and the store check.
//! Every right and rule is the core's (`settings.manage`); a restore signs
//! everyone out. On PostgreSQL the list says backups are the server's job.

use roster_core::backup::{config, BackupError, BackupInfo, Backups, Retention};
use roster_core::directory::StoreCheck;
use roster_core::store::sqlite::backup::LastEvent;
use roster_core::Error;
use secrecy::SecretString;
use serde::Serialize;
use tauri::State;
use tauri_plugin_dialog::DialogExt;

use super::dialogs::{choose_save_path, SaveDialog, Saved};
use super::{checked, signed_in, CommandError, CommandResult};
use crate::state::AppState;

/// What Settings → Backups shows.
#[derive(Debug, Serialize)]
pub struct BackupsOverview {
    /// False on a server: backups are its administrators' job.
    pub local: bool,
    pub folder: Option<String>,
    pub encrypted: bool,
    pub keep: Retention,
    pub backups: Vec<BackupInfo>,
    /// Why the last automatic backup failed, if it did.
    pub problem: Option<String>,
}

/// A backup checked as a restore would check it.
#[derive(Debug, Serialize)]
pub struct BackupContents {
    pub backup: BackupInfo,
    pub users: i64,
    pub groups: i64,
    pub last_event: Option<LastEvent>,
}

/// The local store's backups, as this computer chose them.
async fn backups(state: &AppState) -> CommandResult<Backups> {
    state.local_backups().await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn backups_overview(state: State<'_, AppState>) -> CommandResult<BackupsOverview> {
    let (directory, operator) = signed_in(&state)?;
    let problem = state.backup_problem();
    let backups = match backups(&state).await {
        Ok(backups) => backups,
        // The rights first; on a server the list says backups are its job.
        Err(error) => {
            let nowhere = Backups::new(std::env::temp_dir(), Retention::default(), None);
            return match directory.list_backups(&operator, &nowhere).await {
                Err(Error::Backup(BackupError::NotLocal)) => Ok(server_overview()),
                Err(refused) => checked(&state, Err(refused)),
                Ok(_) => Err(error),
            };
        }
    };
    match directory.list_backups(&operator, &backups).await {
        Ok(list) => Ok(BackupsOverview {
            local: true,
            folder: Some(backups.folder().display().to_string()),
            encrypted: backups.encrypts(),
            keep: backups.keep(),
            backups: list,
            problem,
        }),
        Err(Error::Backup(BackupError::NotLocal)) => Ok(server_overview()),
        Err(error) => checked(&state, Err(error)),
    }
}

fn server_overview() -> BackupsOverview {
    BackupsOverview {
        local: false,
        folder: None,
        encrypted: false,
        keep: Retention::default(),
        backups: Vec::new(),
        problem: None,
    }
}

#[tauri::command(rename_all = "snake_case")]
pub async fn back_up_now(state: State<'_, AppState>) -> CommandResult<BackupInfo> {
    let (directory, operator) = signed_in(&state)?;
    let backups = backups(&state).await?;
    checked(&state, directory.back_up(&operator, &backups).await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn verify_backup(
    state: State<'_, AppState>,
    name: String,
) -> CommandResult<BackupContents> {
    let (directory, operator) = signed_in(&state)?;
    let backups = backups(&state).await?;
    let (backup, summary) = checked(
        &state,
        directory.verify_backup(&operator, &backups, &name).await,
    )?;
    Ok(BackupContents {
        backup,
        users: summary.users,
        groups: summary.groups,
        last_event: summary.last_event,
    })
}

/// Replaces the directory with the backup `name` (the UI has shown what it
/// holds and asked), keeping a backup of the state it replaces, then signs
/// everyone out.
#[tauri::command(rename_all = "snake_case")]
pub async fn restore_backup(
    state: State<'_, AppState>,
    name: String,
) -> CommandResult<roster_core::backup::Restored> {
    let (directory, operator) = signed_in(&state)?;
    let backups = backups(&state).await?;
    let restored = checked(
        &state,
        directory.restore_backup(&operator, &backups, &name).await,
    )?;
    state.sign_out();
    Ok(restored)
}

/// Chooses the backup folder in the native folder dialog (`default`: back
/// to the folder beside the store). Null when the dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn choose_backup_folder<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    default: Option<bool>,
) -> CommandResult<Option<String>> {
    let (directory, operator) = signed_in(&state)?;
    let folder = if default.unwrap_or(false) {
        None
    } else {
        let (chosen, answer) = tokio::sync::oneshot::channel();
        app.dialog()
            .file()
            .set_title("Folder for backups")
            .pick_folder(move |path| {
                let _ = chosen.send(path);
            });
        let Some(path) = answer.await.ok().flatten() else {
            return Ok(None);
        };
        Some(path.into_path().map_err(|error| CommandError {
            code: "invalid_folder".into(),
            message: format!("That folder cannot be used ({error})."),
            field: None,
        })?)
    };
    let config = checked(&state, directory.set_backup_folder(&operator, folder).await)?;
    let store = state.local_store_path().unwrap_or_default();
    Ok(Some(config.folder_for(&store).display().to_string()))
}

/// Sets the backup passphrase (kept in the OS keychain), or clears it.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_backup_passphrase(
    state: State<'_, AppState>,
    passphrase: Option<String>,
) -> CommandResult<()> {
    let (directory, operator) = signed_in(&state)?;
    let passphrase = passphrase.map(SecretString::from);
    let keychain = state.keychain();
    checked(
        &state,
        directory
            .set_backup_passphrase(&operator, &*keychain, passphrase.as_ref())
            .await,
    )
}

/// The store check; `repair` recounts kept counts.
#[tauri::command(rename_all = "snake_case")]
pub async fn check_store(state: State<'_, AppState>, repair: bool) -> CommandResult<StoreCheck> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.check_store(&operator, repair).await)
}

/// The passphrase kept for `store`, read off the runtime's threads (the
/// keychain may block on D-Bus). Without a keychain there is none: backups
/// are then unencrypted, and Settings says so.
pub(crate) async fn kept_passphrase(
    keychain: std::sync::Arc<dyn roster_core::secrets::Secrets>,
    store: std::path::PathBuf,
) -> Result<Option<SecretString>, BackupError> {
    let kept = tauri::async_runtime::spawn_blocking(move || config::passphrase(&*keychain, &store))
        .await
        .unwrap_or(Ok(None));
    match kept {
        Err(BackupError::Keychain(roster_core::secrets::SecretsError::Unavailable { .. })) => {
            Ok(None)
        }
        other => other,
    }
}

/// "Save a copy to a file": the whole directory in use (on a server too)
/// written as a backup file chosen in the native save dialog, encrypted with
/// `passphrase` when one is given; it checks and restores like any backup.
/// The core refuses an operator without the right before the dialog opens,
/// and leaves no file behind when the copy fails.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_store_copy<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    passphrase: Option<String>,
) -> CommandResult<Saved> {
    let (directory, operator) = signed_in(&state)?;
    let passphrase = passphrase.filter(|p| !p.is_empty()).map(SecretString::from);
    checked(
        &state,
        directory.authorize_store_change(Some(&operator)).await,
    )?;
    if let Some(passphrase) = &passphrase {
        config::check_passphrase(passphrase).map_err(Error::from)?;
    }
    let dialog = SaveDialog {
        title: "Save a copy of the directory",
        file_name: "roster-copy.roster-backup",
        filter: ("Roster backup", "roster-backup"),
    };
    let Some(path) = choose_save_path(&app, &dialog).await? else {
        return Ok(Saved { saved: None });
    };
    let saved = checked(
        &state,
        directory
            .save_copy_to_file(&operator, &path, passphrase.as_ref())
            .await,
    )?;
    Ok(Saved {
        saved: Some(saved.path.display().to_string()),
    })
}
