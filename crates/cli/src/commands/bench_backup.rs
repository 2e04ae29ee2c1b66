//! `roster bench --backup`: on the seeded SQLite store, the time and size
//! of a backup made through the service the app and `roster backup create`
//! use (unencrypted, then encrypted with a passphrase), and of checking the
//! encrypted one as a restore would. Beside the store's own size, in the
//! same run. PostgreSQL's backups are the server's job: no section there.

use std::time::Instant;

use roster_core::backup::{Backups, Retention};
use roster_core::{Directory, Operator};
use secrecy::SecretString;
use serde::Serialize;

use crate::cli::BenchArgs;

#[derive(Serialize)]
pub struct BackupReport {
    /// The store's size, bytes: its file and its `-wal`.
    store_bytes: u64,
    plain: Made,
    encrypted: Made,
    /// Checking the encrypted backup completely (decryption, SQLite's
    /// integrity check, the summary), as a restore does first.
    verify_seconds: f64,
}

#[derive(Serialize)]
struct Made {
    seconds: f64,
    bytes: u64,
}

pub async fn measure(
    directory: &Directory,
    operator: &Operator,
    args: &BenchArgs,
) -> anyhow::Result<Option<BackupReport>> {
    let Some(store) = directory.store().as_local_file().filter(|_| args.backup) else {
        return Ok(None);
    };
    let folder = tempfile::tempdir()?;
    let plain = Backups::new(folder.path().join("plain"), Retention::default(), None);
    let started = Instant::now();
    let made = directory.back_up(operator, &plain).await?;
    let plain = Made {
        seconds: started.elapsed().as_secs_f64(),
        bytes: made.size,
    };
    let passphrase = SecretString::from("a bench passphrase, not a secret".to_owned());
    let encrypted = Backups::new(
        folder.path().join("encrypted"),
        Retention::default(),
        Some(passphrase),
    );
    let started = Instant::now();
    let made = directory.back_up(operator, &encrypted).await?;
    let encrypted_made = Made {
        seconds: started.elapsed().as_secs_f64(),
        bytes: made.size,
    };
    let started = Instant::now();
    encrypted.verify(&made, folder.path())?;
    let verify_seconds = started.elapsed().as_secs_f64();
    Ok(Some(BackupReport {
        store_bytes: [
            store.path().to_owned(),
            store.path().with_extension("sqlite3-wal"),
        ]
        .iter()
        .filter_map(|path| std::fs::metadata(path).ok())
        .map(|metadata| metadata.len())
        .sum(),
        plain,
        encrypted: encrypted_made,
        verify_seconds,
    }))
}
