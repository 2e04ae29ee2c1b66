//! `roster backup …`: backups of a local store, for people and nightly jobs.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Back up the store now (a consistent copy, even while the desktop app
    /// uses it), then remove backups the retention no longer keeps.
    Create(BackupArgs),
    /// List the backups in the backup folder, newest first.
    List(BackupArgs),
    /// Check a backup completely without restoring it: its checksum, its
    /// decryption (with the passphrase), SQLite's integrity checks and its
    /// summary. Exit status 1 when it cannot be restored.
    Verify(BackupNameArgs),
    /// Show what a backup holds and, with --yes, replace the store with it.
    /// The state it replaces is backed up first.
    Restore(BackupRestoreArgs),
    /// Show the backup settings of this computer (folder, how many kept,
    /// encrypted or not) and, with options, change them as Settings →
    /// Backups does (needs settings.manage; each change is audited).
    Config(BackupConfigArgs),
}

/// `roster backup config`: each option given changes one setting.
#[derive(Debug, Args)]
pub struct BackupConfigArgs {
    /// Back up into this folder (created when absent, and checked writable).
    #[arg(long, value_name = "DIR", conflicts_with = "default_folder")]
    pub folder: Option<PathBuf>,
    /// Back up into `backups` beside the store again.
    #[arg(long)]
    pub default_folder: bool,
    /// How many daily backups to keep (the newest of each of the last N days).
    #[arg(long, value_name = "N")]
    pub keep_daily: Option<u32>,
    /// How many weekly backups to keep.
    #[arg(long, value_name = "N")]
    pub keep_weekly: Option<u32>,
    /// How many monthly backups to keep.
    #[arg(long, value_name = "N")]
    pub keep_monthly: Option<u32>,
    /// Keep a passphrase in the OS keychain, so backups are encrypted: the
    /// first line of --passphrase-file, else ROSTER_BACKUP_PASSPHRASE.
    #[arg(long, conflicts_with = "clear_passphrase")]
    pub set_passphrase: bool,
    /// The file --set-passphrase reads.
    #[arg(long, value_name = "FILE", requires = "set_passphrase")]
    pub passphrase_file: Option<PathBuf>,
    /// Forget the kept passphrase: later backups are not encrypted.
    #[arg(long)]
    pub clear_passphrase: bool,
    /// Print the settings as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Where the backups are and how they are opened.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup folder (default: the one chosen in Settings → Backups, else
    /// `backups` beside the store).
    #[arg(long, value_name = "DIR")]
    pub folder: Option<PathBuf>,
    /// Read the passphrase from the first line of this file (else
    /// ROSTER_BACKUP_PASSPHRASE, else the keychain). Without one, backups
    /// are written unencrypted.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BackupNameArgs {
    /// The backup's file name in the backup folder, or its path.
    pub backup: String,
    #[command(flatten)]
    pub common: BackupArgs,
}

#[derive(Debug, Args)]
pub struct BackupRestoreArgs {
    #[command(flatten)]
    pub backup: BackupNameArgs,
    /// Restore without asking: without it, only what the backup holds is shown.
    #[arg(long)]
    pub yes: bool,
}
