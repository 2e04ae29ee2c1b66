//! Who acts: a user who signs in as at the desktop (`--user`, the password,
//! then the second factor), or, on a local file this account can write, the
//! audited recovery path (`--as`). The core decides every step
//! (`Directory::sign_in`, `verify_second_factor`, `recover_as`): the
//! failure count, the lockout and the audit are the desktop's.
//!
//! Secrets come from standard input when it is not a terminal (one line
//! each, in order: the password, then the code), else from a prompt that
//! does not echo. A line is read at most [`MAX_LINE_BYTES`] at a time, so a
//! runaway pipe cannot fill memory.

use std::io::{BufRead, IsTerminal, Read};

use anyhow::{anyhow, bail, Context as _};
use roster_core::directory::{PendingSignIn, SignIn};
use roster_core::password::{PlainPassword, MAX_LENGTH};
use roster_core::{Directory, Operator};

/// How the command line names its operator.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// `--user`: sign in.
    pub user: Option<String>,
    /// `--code`: the authenticator's code or a recovery code.
    pub code: Option<String>,
    /// `--as`: the recovery path.
    pub recovery_as: Option<String>,
}

/// The most bytes read for one secret: [`MAX_LENGTH`] characters, each of
/// which may arrive decomposed before NFKC composes it (a Hangul syllable
/// typed as three jamo is nine bytes), a line ending and slack; still a
/// few kilobytes, never a whole file.
const MAX_LINE_BYTES: u64 = 4096;

/// Signs in (or takes the recovery path) and returns the operator.
pub async fn operator(
    directory: &Directory,
    credentials: &Credentials,
) -> anyhow::Result<Operator> {
    if let Some(email) = &credentials.recovery_as {
        return Ok(directory.recover_as(email, &os_account()).await?);
    }
    let Some(email) = &credentials.user else {
        bail!(
            "Sign in with --user EMAIL (or ROSTER_USER); the password is read from standard input or asked for."
        );
    };
    let password = read_secret(&format!("Password for {email}: "))?
        .ok_or_else(|| anyhow!("No password was given on standard input."))?;
    let operator = match directory.sign_in(email, &password).await? {
        SignIn::Complete(operator) => operator,
        SignIn::SecondFactor(pending) => {
            let code = match &credentials.code {
                Some(code) => code.clone(),
                None => read_code("Code from your authenticator app (or a recovery code): ")?,
            };
            second_factor(directory, &pending, &code).await?
        }
        SignIn::EmailCode(pending) => {
            eprintln!("roster: a sign-in code was emailed to {email}.");
            let code = read_code("Code from the email: ")?;
            second_factor(directory, &pending, &code).await?
        }
        SignIn::TotpEnrolment(_) => bail!(
            "{email} has not set up the authenticator app yet; sign in to the Roster desktop app once to set it up, then use roster."
        ),
    };
    if directory.me(&operator).await?.user.must_change_password {
        bail!(
            "{email} must choose a new password first; sign in to the Roster desktop app to change it, then use roster."
        );
    }
    Ok(operator)
}

async fn second_factor(
    directory: &Directory,
    pending: &PendingSignIn,
    code: &str,
) -> anyhow::Result<Operator> {
    Ok(directory.verify_second_factor(pending, code.trim()).await?)
}

/// The computer's account running this command, for the recovery's audit
/// event (as the environment reports it).
fn os_account() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// A code: the next line of standard input, or typed at a prompt.
fn read_code(prompt: &str) -> anyhow::Result<String> {
    let code = read_secret(prompt)?
        .ok_or_else(|| anyhow!("No code was given on standard input (or use --code)."))?;
    Ok(code.expose().trim().to_owned())
}

/// One secret: a line of standard input when it is not a terminal, else
/// typed at a prompt without echo. `None` when standard input has ended.
pub fn read_secret(prompt: &str) -> anyhow::Result<Option<PlainPassword>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let typed = rpassword::prompt_password(prompt).context("The terminal could not be read")?;
        let typed = PlainPassword::new(typed);
        ensure_short(&typed)?;
        return Ok(Some(typed));
    }
    read_line_capped(&mut stdin.lock())
}

/// Reads one line (without its ending) of at most [`MAX_LINE_BYTES`] bytes
/// and [`MAX_LENGTH`] characters.
pub fn read_line_capped(input: &mut impl BufRead) -> anyhow::Result<Option<PlainPassword>> {
    let mut bytes = Vec::new();
    let read = input
        .take(MAX_LINE_BYTES + 1)
        .read_until(b'\n', &mut bytes)
        .context("Standard input could not be read")?;
    if read == 0 {
        return Ok(None);
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    } else if bytes.len() as u64 > MAX_LINE_BYTES {
        scrub(&mut bytes);
        bail!("Use at most {MAX_LENGTH} characters.");
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        let mut bytes = error.into_bytes();
        scrub(&mut bytes);
        anyhow!("The line on standard input is not valid UTF-8 text.")
    })?;
    let secret = PlainPassword::new(text);
    ensure_short(&secret)?;
    Ok(Some(secret))
}

fn ensure_short(secret: &PlainPassword) -> anyhow::Result<()> {
    if secret.length() > MAX_LENGTH {
        bail!("Use at most {MAX_LENGTH} characters.");
    }
    Ok(())
}

/// Overwrites bytes that held part of a secret before they are dropped.
fn scrub(bytes: &mut [u8]) {
    for byte in bytes.iter_mut() {
        // A volatile write is not needed: the buffer is freed right after,
        // and this only narrows how long the bytes linger.
        *byte = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> anyhow::Result<Option<String>> {
        let mut input = std::io::Cursor::new(text.as_bytes().to_vec());
        Ok(read_line_capped(&mut input)?.map(|secret| secret.expose().to_owned()))
    }

    #[test]
    fn a_line_is_read_without_its_ending() {
        assert_eq!(read("secret\n").unwrap().as_deref(), Some("secret"));
        assert_eq!(read("secret\r\nnext\n").unwrap().as_deref(), Some("secret"));
        assert_eq!(read("last line").unwrap().as_deref(), Some("last line"));
        assert_eq!(read("").unwrap(), None);
    }

    #[test]
    fn successive_reads_take_successive_lines() {
        let mut input = std::io::Cursor::new(b"password\n123456\n".to_vec());
        let first = read_line_capped(&mut input).unwrap().unwrap();
        let second = read_line_capped(&mut input).unwrap().unwrap();
        assert_eq!(first.expose(), "password");
        assert_eq!(second.expose(), "123456");
    }

    #[test]
    fn a_password_typed_decomposed_is_not_cut_by_the_read_cap() {
        // 128 Hangul syllables, each as three jamo: 1,152 bytes on the line.
        let decomposed = "\u{1112}\u{1161}\u{11AB}".repeat(MAX_LENGTH);
        assert!(decomposed.len() > 1_000);
        assert!(read(&format!("{decomposed}\n")).unwrap().is_some());
    }

    #[test]
    fn more_than_128_characters_are_refused() {
        let longest = "é".repeat(MAX_LENGTH);
        assert_eq!(read(&format!("{longest}\n")).unwrap(), Some(longest));
        for text in ["x".repeat(MAX_LENGTH + 1), "x".repeat(10_000)] {
            let error = read(&format!("{text}\n")).unwrap_err().to_string();
            assert_eq!(error, "Use at most 128 characters.");
        }
    }
}
