//! `roster backup create|list|verify|restore|config`: the core's backup services
//! for the local store `--store` names, with the folder and retention
//! chosen for it (`backups.json` beside it) and the passphrase from
//! `--passphrase-file`, `ROSTER_BACKUP_PASSPHRASE` or the keychain.

use std::ffi::OsStr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use roster_core::backup::{config, BackupConfig, BackupError, BackupInfo, Backups, Retention};
use roster_core::secrets::{Keychain, SecretsError};
use roster_core::store::sqlite::backup::{needs_migration, FileSummary};
use secrecy::SecretString;

use super::Session;
use crate::cli::{BackupArgs, BackupCommand, BackupConfigArgs};
use crate::output;
use crate::store_arg::StoreArg;

/// The environment variable a backup passphrase is read from.
pub const PASSPHRASE_ENV: &str = "ROSTER_BACKUP_PASSPHRASE";

pub async fn run(
    store: Option<&OsStr>,
    session: Session,
    command: BackupCommand,
) -> anyhow::Result<ExitCode> {
    let store = StoreArg::resolve(store)?;
    let operator = session.operator().await?;
    let directory = &session.directory;
    match command {
        BackupCommand::Create(args) => {
            let backups = backups(&store, &args).await?;
            let backup = directory.back_up(&operator, &backups).await?;
            if args.json {
                output::json(&backup)?;
            } else {
                output::line(format!(
                    "Backed up to {} ({}{}).",
                    backup.path.display(),
                    size(backup.size),
                    if backup.manifest.encrypted {
                        ", encrypted"
                    } else {
                        ", not encrypted: set a passphrase to encrypt backups"
                    }
                ))?;
            }
        }
        BackupCommand::List(args) => {
            let backups = backups(&store, &args).await?;
            let list = directory.list_backups(&operator, &backups).await?;
            print_list(&list, args.json)?;
        }
        BackupCommand::Verify(args) => {
            let backups = backups(&store, &args.common).await?;
            let (backup, summary) = directory
                .verify_backup(&operator, &backups, &args.backup)
                .await?;
            print_summary(&backup, &summary, args.common.json)?;
        }
        BackupCommand::Restore(args) => {
            let common = &args.backup.common;
            let backups = backups(&store, common).await?;
            let (backup, summary) = directory
                .verify_backup(&operator, &backups, &args.backup.backup)
                .await?;
            if !args.yes {
                print_summary(&backup, &summary, common.json)?;
                if !common.json {
                    output::line("Nothing was restored; add --yes to replace the directory with this backup (its current state is backed up first).")?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            let restored = directory
                .restore_backup(&operator, &backups, &backup.name)
                .await?;
            if common.json {
                output::json(&restored)?;
            } else {
                output::line(format!(
                    "Restored {}; the state it replaced is kept in {}.",
                    restored.restored.name,
                    restored.replaced.path.display()
                ))?;
            }
        }
        BackupCommand::Config(args) => configure(&session, &operator, &args).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `roster backup config`: each change through the core's service (rights,
/// checks, audit), in the order given, then the settings as they are.
async fn configure(
    session: &Session,
    operator: &roster_core::directory::Operator,
    args: &BackupConfigArgs,
) -> anyhow::Result<()> {
    let directory = &session.directory;
    let keychain = Keychain::from_env();
    if args.folder.is_some() || args.default_folder {
        directory
            .set_backup_folder(operator, args.folder.clone())
            .await?;
    }
    if args.keep_daily.is_some() || args.keep_weekly.is_some() || args.keep_monthly.is_some() {
        let kept = directory.backup_settings(operator, &keychain).await?.keep;
        let keep = Retention {
            daily: args.keep_daily.unwrap_or(kept.daily),
            weekly: args.keep_weekly.unwrap_or(kept.weekly),
            monthly: args.keep_monthly.unwrap_or(kept.monthly),
        };
        directory.set_backup_retention(operator, keep).await?;
    }
    if args.set_passphrase {
        let passphrase = new_passphrase(args.passphrase_file.as_deref())?;
        directory
            .set_backup_passphrase(operator, &keychain, Some(&passphrase))
            .await?;
    }
    if args.clear_passphrase {
        directory
            .set_backup_passphrase(operator, &keychain, None)
            .await?;
    }
    let settings = directory.backup_settings(operator, &keychain).await?;
    if args.json {
        return output::json(&settings);
    }
    output::fields(&[
        (
            "Folder",
            format!(
                "{}{}",
                settings.folder.display(),
                if settings.default_folder {
                    " (beside the store)"
                } else {
                    ""
                }
            ),
        ),
        (
            "Kept",
            format!(
                "the last {} days, {} weeks and {} months",
                settings.keep.daily, settings.keep.weekly, settings.keep.monthly
            ),
        ),
        (
            "Encrypted",
            if settings.encrypted {
                "yes, with the passphrase kept in the keychain".to_owned()
            } else {
                "no: whoever can read the folder can read every account; set a passphrase to encrypt backups".to_owned()
            },
        ),
    ])
}

/// The passphrase to keep: the first line of `file`, else the environment.
fn new_passphrase(file: Option<&Path>) -> anyhow::Result<SecretString> {
    if let Some(file) = file {
        return read_passphrase_file(file);
    }
    std::env::var(PASSPHRASE_ENV)
        .ok()
        .filter(|value| !value.is_empty())
        .map(SecretString::from)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--set-passphrase reads the passphrase from --passphrase-file or {PASSPHRASE_ENV}; neither was given."
            )
        })
}

fn read_passphrase_file(file: &Path) -> anyhow::Result<SecretString> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("The passphrase file {} cannot be read", file.display()))?;
    let line = text.lines().next().unwrap_or_default().to_owned();
    if line.is_empty() {
        anyhow::bail!("The passphrase file {} is empty.", file.display());
    }
    Ok(SecretString::from(line))
}

/// Backs up a local store that opening it is about to migrate. A backup
/// that fails is reported and the command goes on.
pub async fn before_migration(store: &StoreArg) {
    let Some(path) = store.sqlite_path() else {
        return;
    };
    if !needs_migration(path).unwrap_or(false) {
        return;
    }
    let args = BackupArgs {
        folder: None,
        passphrase_file: None,
        json: false,
    };
    let made = match backups(store, &args).await {
        Ok(backups) => backups.before_migration(path).map_err(anyhow::Error::from),
        Err(error) => Err(error),
    };
    match made {
        Ok(Some(backup)) => eprintln!(
            "roster: the store's schema is being updated; its state before was backed up to {}.",
            backup.path.display()
        ),
        Ok(None) => {}
        Err(error) => eprintln!(
            "roster: warning: no backup was made before updating the store's schema: {error:#}"
        ),
    }
}

/// The backups of `store`: its folder (or `--folder`), its retention, and
/// the passphrase.
async fn backups(store: &StoreArg, args: &BackupArgs) -> anyhow::Result<Backups> {
    let Some(path) = store.sqlite_path() else {
        // A server's backups are its own; the services say so after the
        // operator's rights are checked.
        return Ok(Backups::new(std::env::temp_dir(), Default::default(), None));
    };
    let config = BackupConfig::load(path)?;
    let folder = args
        .folder
        .clone()
        .unwrap_or_else(|| config.folder_for(path));
    Ok(Backups::new(
        folder,
        config.keep,
        passphrase(path, args).await?,
    ))
}

async fn passphrase(store: &Path, args: &BackupArgs) -> anyhow::Result<Option<SecretString>> {
    if let Some(file) = &args.passphrase_file {
        return read_passphrase_file(file).map(Some);
    }
    if let Some(value) = std::env::var(PASSPHRASE_ENV).ok().filter(|v| !v.is_empty()) {
        return Ok(Some(SecretString::from(value)));
    }
    // The keychain may block (D-Bus); keep it off the runtime's thread.
    // Without a keychain only the file or the environment gives one.
    let store = store.to_owned();
    let kept =
        tokio::task::spawn_blocking(move || config::passphrase(&Keychain::from_env(), &store))
            .await?;
    match kept {
        Err(BackupError::Keychain(SecretsError::Unavailable { .. })) => Ok(None),
        other => Ok(other?),
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

fn print_list(list: &[BackupInfo], json: bool) -> anyhow::Result<()> {
    if json {
        return output::json(list);
    }
    if list.is_empty() {
        return output::line("No backups yet.");
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|backup| {
            vec![
                backup.name.clone(),
                output::time(&backup.manifest.created_at),
                backup.manifest.reason.as_str().to_owned(),
                size(backup.size),
                backup.manifest.users.to_string(),
                backup.manifest.groups.to_string(),
                output::yes_no(backup.manifest.encrypted),
            ]
        })
        .collect();
    output::table(
        &[
            "Backup",
            "Made",
            "Why",
            "Size",
            "Users",
            "Groups",
            "Encrypted",
        ],
        &rows,
    )
}

fn print_summary(backup: &BackupInfo, summary: &FileSummary, json: bool) -> anyhow::Result<()> {
    if json {
        return output::json(&serde_json::json!({
            "backup": backup,
            "intact": true,
            "users": summary.users,
            "groups": summary.groups,
            "schema": summary.schema,
            "last_event": summary.last_event,
        }));
    }
    let last_event = summary.last_event.as_ref().map_or_else(
        || "(none)".to_owned(),
        |event| format!("{} at {}", event.action, output::time(&event.at)),
    );
    output::fields(&[
        ("Backup", backup.name.clone()),
        ("Made", output::time(&backup.manifest.created_at)),
        ("Check", "intact: it can be restored".to_owned()),
        ("Users", summary.users.to_string()),
        ("Groups", summary.groups.to_string()),
        ("Newest audit event", last_event),
        ("Encrypted", output::yes_no(backup.manifest.encrypted)),
    ])
}
