//! A backup file: a line naming the format, the manifest as one JSON line
//! (readable without the passphrase, so backups can be listed and checked
//! without restoring), the copy of the store (a SQLite file, encrypted with
//! `age`'s passphrase mode when a passphrase is set), and a SHA-256 of
//! everything before it, so a truncated or damaged file is found before
//! anything is decrypted or restored.
//!
//! The manifest says when, which schema, how many users and groups, and the
//! newest audit event's place, time and action; never a name or an email,
//! as it stays readable when the copy is encrypted.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::BackupError;
use crate::store::sqlite::backup::LastEvent;

/// The first line of every backup.
pub const MAGIC: &[u8] = b"ROSTER-BACKUP 1\n";
/// The longest manifest line read.
const MAX_MANIFEST: u64 = 64 * 1024;
const DIGEST_LEN: u64 = 32;

/// Why a backup was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Asked for: "Back up now", `roster backup create`.
    Manual,
    /// At start, when the last one was more than a day old.
    Daily,
    /// Before the schema was migrated.
    BeforeMigration,
    /// Before an import or a bulk action.
    BeforeBulk,
    /// The state a restore replaced.
    BeforeRestore,
    /// "Save a copy to a file": a directory (a server's too) saved where
    /// someone chose, not in the backup folder.
    Copy,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Manual => "manual",
            Reason::Daily => "daily",
            Reason::BeforeMigration => "before-migration",
            Reason::BeforeBulk => "before-bulk",
            Reason::BeforeRestore => "before-restore",
            Reason::Copy => "copy",
        }
    }
}

/// What a backup says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub created_at: DateTime<Utc>,
    pub reason: Reason,
    /// The Roster that made it.
    pub roster_version: String,
    /// The schema version of the copy.
    pub schema: i64,
    pub users: i64,
    pub groups: i64,
    pub last_event: Option<LastEvent>,
    pub encrypted: bool,
}

/// Hashes everything written through it.
struct Hashing<W: Write> {
    inner: W,
    digest: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.digest.update(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the backup file `destination` (created new, readable by its owner
/// only) from the SQLite copy
/// at `copy`, and makes it durable before returning.
pub fn write(
    destination: &Path,
    manifest: &Manifest,
    copy: &Path,
    passphrase: Option<&SecretString>,
) -> io::Result<()> {
    let mut options = File::options();
    options.write(true).create_new(true);
    // It holds every account's password hash: its owner's only.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(destination)?;
    let mut out = Hashing {
        inner: BufWriter::with_capacity(1 << 20, file),
        digest: Sha256::new(),
    };
    out.write_all(MAGIC)?;
    serde_json::to_writer(&mut out, manifest).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    let mut source = BufReader::with_capacity(1 << 20, File::open(copy)?);
    match passphrase {
        Some(passphrase) => {
            let encryptor = age::Encryptor::with_user_passphrase(passphrase.clone());
            let mut writer = encryptor.wrap_output(&mut out)?;
            io::copy(&mut source, &mut writer)?;
            writer.finish()?;
        }
        None => {
            io::copy(&mut source, &mut out)?;
        }
    }
    let Hashing { mut inner, digest } = out;
    inner.write_all(&digest.finalize())?;
    let file = inner.into_inner().map_err(|error| error.into_error())?;
    file.sync_all()
}

/// Reads the manifest of the backup at `path`, and where its copy begins.
pub fn read_manifest(path: &Path) -> Result<(Manifest, u64), BackupError> {
    let file = File::open(path).map_err(|error| BackupError::read(path, &error))?;
    let mut reader = BufReader::new(file);
    let mut magic = vec![0; MAGIC.len()];
    if reader.read_exact(&mut magic).is_err() || magic != MAGIC {
        return Err(BackupError::NotABackup {
            file: super::file_label(path),
        });
    }
    let mut line = Vec::new();
    (&mut reader)
        .take(MAX_MANIFEST)
        .read_until(b'\n', &mut line)
        .map_err(|error| BackupError::read(path, &error))?;
    if line.last() != Some(&b'\n') {
        return Err(BackupError::Damaged {
            file: super::file_label(path),
        });
    }
    let manifest: Manifest = serde_json::from_slice(&line).map_err(|_| BackupError::Damaged {
        file: super::file_label(path),
    })?;
    Ok((manifest, (MAGIC.len() + line.len()) as u64))
}

/// Checks the file's SHA-256 against its content: a truncated or damaged
/// backup is refused here.
pub fn check_digest(path: &Path) -> Result<(), BackupError> {
    let damaged = || BackupError::Damaged {
        file: super::file_label(path),
    };
    let mut file = File::open(path).map_err(|error| BackupError::read(path, &error))?;
    let length = file
        .metadata()
        .map_err(|error| BackupError::read(path, &error))?
        .len();
    let body = length.checked_sub(DIGEST_LEN).ok_or_else(damaged)?;
    let mut digest = Sha256::new();
    let mut reader = BufReader::with_capacity(1 << 20, (&mut file).take(body));
    let mut buffer = vec![0; 1 << 20];
    loop {
        let read = reader
            .read(&mut buffer)
            .map_err(|error| BackupError::read(path, &error))?;
        if read == 0 {
            break;
        }
        digest.update(&buffer[..read]);
    }
    let mut stored = [0u8; DIGEST_LEN as usize];
    file.seek(SeekFrom::Start(body))
        .and_then(|_| file.read_exact(&mut stored))
        .map_err(|_| damaged())?;
    if digest.finalize().as_slice() == stored {
        Ok(())
    } else {
        Err(damaged())
    }
}

/// Writes the SQLite copy held by the backup at `path` (digest checked
/// first) to `destination`, created new.
pub fn extract(
    path: &Path,
    manifest: &Manifest,
    start: u64,
    passphrase: Option<&SecretString>,
    destination: &Path,
) -> Result<(), BackupError> {
    check_digest(path)?;
    let damaged = || BackupError::Damaged {
        file: super::file_label(path),
    };
    let mut file = File::open(path).map_err(|error| BackupError::read(path, &error))?;
    let length = file
        .metadata()
        .map_err(|error| BackupError::read(path, &error))?
        .len();
    let body = length.checked_sub(DIGEST_LEN + start).ok_or_else(damaged)?;
    file.seek(SeekFrom::Start(start))
        .map_err(|error| BackupError::read(path, &error))?;
    let source = BufReader::with_capacity(1 << 20, file.take(body));
    let out = File::options()
        .write(true)
        .create_new(true)
        .open(destination)
        .map_err(|error| BackupError::write(destination, &error))?;
    let mut out = BufWriter::with_capacity(1 << 20, out);
    if manifest.encrypted {
        let passphrase = passphrase.ok_or(BackupError::PassphraseNeeded)?;
        let decryptor = age::Decryptor::new_buffered(source).map_err(|_| damaged())?;
        if !decryptor.is_scrypt() {
            return Err(damaged());
        }
        let identity = age::scrypt::Identity::new(passphrase.clone());
        let mut reader = decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .map_err(|error| match error {
                age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                    BackupError::WrongPassphrase
                }
                _ => damaged(),
            })?;
        io::copy(&mut reader, &mut out).map_err(|_| damaged())?;
    } else {
        let mut source = source;
        io::copy(&mut source, &mut out).map_err(|error| BackupError::write(destination, &error))?;
    }
    let out = out
        .into_inner()
        .map_err(|error| BackupError::write(destination, error.error()))?;
    out.sync_all()
        .map_err(|error| BackupError::write(destination, &error))
}
