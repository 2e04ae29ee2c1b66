//! One module per command group. Each command parses its arguments, calls one
//! core service and prints; none decides a rule.

mod audit;
mod bench;
mod groups;
mod init;
mod password;
mod settings;
mod users;

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context as _};
use roster_core::directory::PasswordChoice;
use roster_core::password::{GeneratorOptions, PlainPassword};
use roster_core::store::sqlite::SqliteStore;
use roster_core::{Directory, Operator};

use crate::cli::{Cli, Command, PasswordSource};

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
    let open = || open_session(cli.store.as_deref(), cli.operator.clone());
    match cli.command {
        Command::Init(args) => init::run(&open()?, args).await?,
        Command::Users(command) => users::run(&open()?, command).await?,
        Command::Groups(command) => groups::run(&open()?, command).await?,
        Command::Audit(command) => audit::run(&open()?, command).await?,
        Command::Settings(command) => settings::run(&open()?, command).await?,
        Command::Password(command) => {
            let open_existing = || open_existing_session(cli.store.as_deref());
            return password::run(open_existing, command).await;
        }
        Command::Bench(args) => bench::run(args).await?,
    }
    Ok(ExitCode::SUCCESS)
}

fn open_session(store: Option<&Path>, operator_email: Option<String>) -> anyhow::Result<Session> {
    let path = store_path(store)?;
    let store = SqliteStore::open(&path)?;
    Ok(Session {
        directory: Directory::new(Arc::new(store)),
        operator_email,
    })
}

/// The store only when it already exists: checking a password must not
/// create an empty store as a side effect.
fn open_existing_session(store: Option<&Path>) -> anyhow::Result<Option<Session>> {
    let path = store_path(store)?;
    if !path.exists() {
        return Ok(None);
    }
    open_session(Some(&path), None).map(Some)
}

/// The `--store` value, or the desktop app's local store.
fn store_path(store: Option<&Path>) -> anyhow::Result<PathBuf> {
    match store {
        Some(path) => {
            let text = path.to_string_lossy();
            if text.starts_with("postgres://") || text.starts_with("postgresql://") {
                bail!("PostgreSQL stores are not supported yet by this build; use a SQLite file.");
            }
            Ok(path.to_owned())
        }
        None => roster_core::paths::default_store_path().ok_or_else(|| {
            anyhow!("This system has no app-data folder for Roster's store; name one with --store PATH.")
        }),
    }
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
