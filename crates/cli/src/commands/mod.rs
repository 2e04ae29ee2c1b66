//! One module per command group. Each command parses its arguments, calls one
//! core service and prints; none decides a rule.

mod audit;
mod bench;
mod clients;
mod groups;
mod init;
mod mail;
mod password;
mod settings;
mod store;
mod users;

use std::ffi::OsStr;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use roster_core::directory::PasswordChoice;
use roster_core::password::{GeneratorOptions, PlainPassword};
use roster_core::secrets::{Keychain, Secrets, SecretsError};
use roster_core::smtp::KeychainMailer;
use roster_core::{Directory, Operator};
use secrecy::SecretString;

use crate::cli::{Cli, Command, PasswordSource};
use crate::store_arg::StoreArg;

/// What every store-backed command works with: the directory, and who acts.
pub struct Session {
    pub directory: Directory,
    operator_email: Option<String>,
}

impl Session {
    /// The operator named by `--as`, or the longest-standing administrator.
    pub async fn operator(&self) -> roster_core::Result<Operator> {
        match &self.operator_email {
            Some(email) => self.directory.act_as(email).await,
            None => self.directory.first_administrator().await,
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let store = cli.store.as_deref();
    let open = || open_session(store, cli.operator.clone());
    match cli.command {
        Command::Init(args) => init::run(&open().await?, args).await?,
        Command::Users(command) => {
            users::run(&with_mailer(open().await?).await?, command).await?;
        }
        Command::Groups(command) => groups::run(&open().await?, command).await?,
        Command::Clients(command) => clients::run(&open().await?, command).await?,
        Command::Audit(command) => audit::run(&open().await?, command).await?,
        Command::Settings(command) => {
            settings::run(&with_mailer(open().await?).await?, command).await?;
        }
        Command::Mail(command) => mail::run(&with_mailer(open().await?).await?, command).await?,
        Command::Password(command) => {
            return password::run(|| open_existing_session(store), command).await;
        }
        Command::Store(command) => store::run(store, command).await?,
        Command::Bench(args) => bench::run(args).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens the store `--store` names (see [`StoreArg`]).
async fn open_session(
    store: Option<&OsStr>,
    operator_email: Option<String>,
) -> anyhow::Result<Session> {
    let store = StoreArg::resolve(store)?.open().await?;
    Ok(Session {
        directory: Directory::new(store),
        operator_email,
    })
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

/// The session with a mailer for the store's mail server, when it has one:
/// commands that send (credentials, notices, tests) and those that check
/// that email codes can work need it. The password is only read when a
/// message goes out.
async fn with_mailer(session: Session) -> anyhow::Result<Session> {
    if let Some(settings) = session.directory.load_mail_settings().await? {
        let mailer = KeychainMailer::new(settings, Arc::new(SmtpPasswords::new()));
        session.directory.set_mailer(Some(Arc::new(mailer)));
    }
    Ok(session)
}

/// The store only when it already exists: checking a password must not
/// create an empty SQLite file as a side effect. (A PostgreSQL store is
/// connected to, which prepares its schema as any command does.)
async fn open_existing_session(store: Option<&OsStr>) -> anyhow::Result<Option<Session>> {
    let store = StoreArg::resolve(store)?;
    if store.sqlite_path().is_some_and(|path| !path.exists()) {
        return Ok(None);
    }
    Ok(Some(Session {
        directory: Directory::new(store.open().await?),
        operator_email: None,
    }))
}

/// The password the flags ask for: one line of standard input, or a generated one.
pub fn password_choice(source: &PasswordSource) -> anyhow::Result<PasswordChoice> {
    if source.generate {
        Ok(PasswordChoice::Generate(GeneratorOptions::default()))
    } else {
        Ok(PasswordChoice::Given(read_password_line()?))
    }
}

/// Reads one line of standard input as a password, without the line ending.
///
/// A terminal would show the password as it is typed, so a password is only
/// taken from a pipe or a file.
pub fn read_password_line() -> anyhow::Result<PlainPassword> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        bail!("Pipe the password into standard input (a terminal would show it as you type), or use --generate.");
    }
    let mut line = String::new();
    let read = stdin
        .lock()
        .read_line(&mut line)
        .context("The password could not be read from standard input")?;
    if read == 0 {
        bail!("No password was given on standard input.");
    }
    if line.ends_with('\n') {
        line.pop();
        if line.ends_with('\r') {
            line.pop();
        }
    }
    Ok(PlainPassword::new(line))
}

/// Prints a generated password, the only time any password is printed.
pub fn print_generated_password(email: &str, password: &PlainPassword) -> anyhow::Result<()> {
    crate::output::line(format!("Password for {email}: {}", password.expose()))
}
