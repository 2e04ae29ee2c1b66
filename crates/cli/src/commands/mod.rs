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
use std::io::{BufRead, IsTerminal, Read};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use roster_core::directory::PasswordChoice;
use roster_core::password::{GeneratorOptions, PlainPassword, PolicyProblem, MAX_LENGTH};
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
/// taken from a pipe or a file. At most [`MAX_PASSWORD_LINE_BYTES`] are
/// read: a longer line is refused as too long without reading the rest.
pub fn read_password_line() -> anyhow::Result<PlainPassword> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        bail!("Pipe the password into standard input (a terminal would show it as you type), or use --generate.");
    }
    match read_capped_line(&mut stdin.lock(), MAX_PASSWORD_LINE_BYTES)
        .context("The password could not be read from standard input")?
    {
        CappedLine::Line(line) => Ok(PlainPassword::new(line)),
        CappedLine::Empty => bail!("No password was given on standard input."),
        CappedLine::TooLong => bail!("{}", PolicyProblem::TooLong { max: MAX_LENGTH }),
    }
}

/// The most bytes [`read_password_line`] reads: far more than the longest
/// password the policy accepts ([`MAX_LENGTH`] characters, at most 4 bytes
/// each, or a few more when typed as letters and separate accents that
/// normalisation joins), far less than what would strain memory.
const MAX_PASSWORD_LINE_BYTES: u64 = 4096;

/// One line read by [`read_capped_line`].
#[derive(Debug, PartialEq, Eq)]
enum CappedLine {
    /// The line, without its `\n` or `\r\n`.
    Line(String),
    /// Nothing was there to read.
    Empty,
    /// The line goes on past the limit; the rest was left unread.
    TooLong,
}

/// Reads one line of at most `max_bytes` bytes (its line ending included).
/// Bytes read for a line that is refused are wiped.
fn read_capped_line(reader: &mut impl BufRead, max_bytes: u64) -> std::io::Result<CappedLine> {
    use secrecy::zeroize::Zeroizing;

    let mut bytes = Zeroizing::new(Vec::new());
    let read = reader
        .by_ref()
        .take(max_bytes)
        .read_until(b'\n', &mut bytes)?;
    if read == 0 {
        return Ok(CappedLine::Empty);
    }
    if bytes.last() != Some(&b'\n') && read as u64 == max_bytes {
        return Ok(CappedLine::TooLong);
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error))?;
    Ok(CappedLine::Line(text.to_owned()))
}

/// Prints a generated password, the only time any password is printed.
pub fn print_generated_password(email: &str, password: &PlainPassword) -> anyhow::Result<()> {
    crate::output::line(format!("Password for {email}: {}", password.expose()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8], max_bytes: u64) -> CappedLine {
        read_capped_line(&mut std::io::Cursor::new(input), max_bytes).expect("reads")
    }

    #[test]
    fn a_line_is_read_without_its_ending() {
        assert_eq!(
            read(b"s3cret words\n", 64),
            CappedLine::Line("s3cret words".into())
        );
        assert_eq!(
            read(b"s3cret words\r\nnext", 64),
            CappedLine::Line("s3cret words".into())
        );
        assert_eq!(read(b"no ending", 64), CappedLine::Line("no ending".into()));
        assert_eq!(read(b"", 64), CappedLine::Empty);
        assert_eq!(read(b"\n", 64), CappedLine::Line(String::new()));
    }

    #[test]
    fn a_line_up_to_the_limit_is_read_and_a_longer_one_refused() {
        let fitting = [b"x".repeat(63), b"\n".to_vec()].concat();
        assert_eq!(read(&fitting, 64), CappedLine::Line("x".repeat(63)));
        let too_long = [b"x".repeat(64), b"\n".to_vec()].concat();
        assert_eq!(read(&too_long, 64), CappedLine::TooLong);
    }

    #[test]
    fn an_endless_input_is_refused_without_reading_it_whole() {
        // `repeat` never ends: reading it whole would never return.
        let mut endless = std::io::BufReader::new(std::io::repeat(b'a'));
        assert_eq!(
            read_capped_line(&mut endless, MAX_PASSWORD_LINE_BYTES).expect("reads"),
            CappedLine::TooLong
        );
        assert_eq!(
            PolicyProblem::TooLong { max: MAX_LENGTH }.to_string(),
            "Use at most 128 characters."
        );
    }

    #[test]
    fn the_limit_leaves_room_for_the_longest_accepted_password() {
        // 128 characters of 4 bytes each and a line ending fit.
        let longest = ["😀".repeat(MAX_LENGTH).into_bytes(), b"\r\n".to_vec()].concat();
        assert_eq!(
            read(&longest, MAX_PASSWORD_LINE_BYTES),
            CappedLine::Line("😀".repeat(MAX_LENGTH))
        );
    }

    #[test]
    fn text_that_is_not_utf8_is_an_error() {
        let error =
            read_capped_line(&mut std::io::Cursor::new(b"\xff\xfe\n"), 64).expect_err("not UTF-8");
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
    }
}
