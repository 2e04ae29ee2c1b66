//! One module per command group. Each command parses its arguments, calls one
//! core service and prints; none decides a rule.

mod audit;
mod backup;
mod bench;
mod bench_audit;
mod bench_backup;
mod bench_bulk;
mod bench_clients;
mod bench_queries;
mod bench_team;
mod clients;
mod groups;
mod init;
mod mail;
mod password;
mod recycle_bin;
mod settings;
mod store;
mod store_check;
mod users;
mod users_bulk;

use std::ffi::OsStr;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::bail;
use roster_core::directory::PasswordChoice;
use roster_core::password::{GeneratorOptions, PlainPassword};
use roster_core::secrets::{Keychain, Secrets, SecretsError};
use roster_core::smtp::KeychainMailer;
use roster_core::{Directory, Operator};
use secrecy::SecretString;

use crate::cli::{Cli, Command, PasswordSource, StoreCommand};
use crate::sign_in::{self, Credentials};
use crate::store_arg::StoreArg;

/// What every store-backed command works with: the directory, and who acts.
pub struct Session {
    pub directory: Directory,
    credentials: Credentials,
    /// The operator, once signed in: one sign-in per command.
    operator: std::sync::Mutex<Option<Operator>>,
}

impl Session {
    fn new(directory: Directory, credentials: Credentials) -> Self {
        Self {
            directory,
            credentials,
            operator: std::sync::Mutex::new(None),
        }
    }

    /// The operator: the user `--user` names, once signed in, or the one
    /// `--as` names on the recovery path (see [`crate::sign_in`]).
    pub async fn operator(&self) -> anyhow::Result<Operator> {
        if let Some(operator) = *self.signed_in() {
            return Ok(operator);
        }
        let operator = sign_in::operator(&self.directory, &self.credentials).await?;
        *self.signed_in() = Some(operator);
        Ok(operator)
    }

    fn signed_in(&self) -> std::sync::MutexGuard<'_, Option<Operator>> {
        self.operator
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let store = cli.store.as_deref();
    let credentials = Credentials {
        user: cli.user.clone(),
        code: cli.code.clone(),
        recovery_as: cli.recovery_as.clone(),
    };
    let open = || open_session(store, credentials.clone(), Opening::Existing);
    match cli.command {
        Command::Init(args) => {
            let session = open_session(store, credentials.clone(), Opening::CreateIfAbsent).await?;
            init::run(&session, args).await?;
        }
        Command::Users(command) => users::run(&open().await?, command).await?,
        Command::Groups(command) => groups::run(&open().await?, command).await?,
        Command::Clients(command) => clients::run(&open().await?, command).await?,
        Command::Audit(command) => audit::run(&open().await?, command).await?,
        Command::Settings(command) => settings::run(&open().await?, command).await?,
        Command::Mail(command) => mail::run(&open().await?, command).await?,
        Command::Password(command) => {
            return password::run(|| open_existing_session(store), command).await;
        }
        Command::Store(StoreCommand::Check(args)) => {
            return store_check::run(&open().await?, args).await;
        }
        Command::Store(command) => store::run(store, command).await?,
        Command::Backup(command) => return backup::run(store, open().await?, command).await,
        Command::Bench(args) => bench::run(args).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether a command may create the store it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opening {
    /// Only `roster init`: a new SQLite file (and its folder) is created.
    CreateIfAbsent,
    /// Every other command: a missing file is an error and nothing is created.
    Existing,
}

/// Opens the store `--store` names (see [`StoreArg`]) with the mailer of
/// its mail settings (sign-in codes, credentials, notices, tests; the
/// password is only read when a message goes out).
async fn open_session(
    store: Option<&OsStr>,
    credentials: Credentials,
    opening: Opening,
) -> anyhow::Result<Session> {
    let store = StoreArg::resolve(store)?;
    let store = match opening {
        Opening::CreateIfAbsent => store.open().await?,
        Opening::Existing => {
            backup::before_migration(&store).await;
            store.open_existing().await?
        }
    };
    let session = Session::new(Directory::new(store), credentials);
    if let Some(settings) = session.directory.load_mail_settings().await? {
        let mailer = KeychainMailer::new(settings, Arc::new(SmtpPasswords::new()));
        session.directory.set_mailer(Some(Arc::new(mailer)));
    }
    Ok(session)
}

/// The environment variable the mail server's password is read from.
pub const SMTP_PASSWORD_ENV: &str = "ROSTER_SMTP_PASSWORD";

/// The mail server's password from `ROSTER_SMTP_PASSWORD`, when set and not empty.
pub fn smtp_password_from_env() -> Option<SecretString> {
    std::env::var(SMTP_PASSWORD_ENV)
        .ok()
        .filter(|password| !password.is_empty())
        .map(SecretString::from)
}

/// Where the command line finds the mail server's password:
/// `ROSTER_SMTP_PASSWORD` when set (scripts, machines without a keychain),
/// otherwise the OS keychain (`ROSTER_KEYCHAIN=mock` for tests).
pub struct SmtpPasswords {
    keychain: Keychain,
}

impl SmtpPasswords {
    pub fn new() -> Self {
        Self {
            keychain: Keychain::from_env(),
        }
    }
}

impl Secrets for SmtpPasswords {
    fn get(&self, name: &str) -> Result<Option<SecretString>, SecretsError> {
        match smtp_password_from_env() {
            Some(password) => Ok(Some(password)),
            None => self.keychain.get(name),
        }
    }

    fn set(&self, name: &str, value: &SecretString) -> Result<(), SecretsError> {
        self.keychain.set(name, value)
    }

    fn delete(&self, name: &str) -> Result<(), SecretsError> {
        self.keychain.delete(name)
    }
}

/// The store only when it already exists: checking a password must not
/// create an empty SQLite file as a side effect. (A PostgreSQL store is
/// connected to, which prepares its schema as any command does.)
async fn open_existing_session(store: Option<&OsStr>) -> anyhow::Result<Option<Session>> {
    let store = StoreArg::resolve(store)?;
    if store.sqlite_path().is_some_and(|path| !path.exists()) {
        return Ok(None);
    }
    Ok(Some(Session::new(
        Directory::new(store.open_existing().await?),
        Credentials::default(),
    )))
}

/// The password the flags ask for: one line of standard input, or a generated one.
pub fn password_choice(source: &PasswordSource) -> anyhow::Result<PasswordChoice> {
    if source.generate {
        Ok(PasswordChoice::Generate(GeneratorOptions::default()))
    } else {
        Ok(PasswordChoice::Given(read_password_line()?))
    }
}

/// Reads one line of standard input as a password, without the line ending
/// (at most 128 characters).
///
/// A terminal would show the password as it is typed, so a password is only
/// taken from a pipe or a file. At most [`MAX_PASSWORD_LINE_BYTES`] are
/// read: a longer line is refused as too long without reading the rest.
pub fn read_password_line() -> anyhow::Result<PlainPassword> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        bail!("Pipe the password into standard input (a terminal would show it as you type), or use --generate.");
    }
    sign_in::read_line_capped(&mut stdin.lock())?
        .ok_or_else(|| anyhow::anyhow!("No password was given on standard input."))
}

/// Prints a generated password, the only time any password is printed.
pub fn print_generated_password(email: &str, password: &PlainPassword) -> anyhow::Result<()> {
    crate::output::line(format!("Password for {email}: {}", password.expose()))
}
