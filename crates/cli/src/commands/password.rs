//! `roster password …`: generating passwords and checking them against the
//! store's password policy.

use std::future::Future;
use std::process::ExitCode;

use roster_core::password::{
    generate, generate_passphrase, GeneratorOptions, PassphraseOptions, PasswordPolicy,
    PolicyContext, PolicyVerdict,
};
use serde::Serialize;

use super::{read_password_line, Session};
use crate::cli::{PasswordCheckArgs, PasswordCommand, PasswordGenerateArgs};
use crate::output;

/// `open` is only called by `check`: generating needs no store, and a check
/// without a store uses the default policy.
pub async fn run<F>(open: impl FnOnce() -> F, command: PasswordCommand) -> anyhow::Result<ExitCode>
where
    F: Future<Output = anyhow::Result<Option<Session>>>,
{
    match command {
        PasswordCommand::Generate(args) => {
            generate_one(args)?;
            Ok(ExitCode::SUCCESS)
        }
        PasswordCommand::Check(args) => check(open().await?.as_ref(), args).await,
    }
}

fn generate_one(args: PasswordGenerateArgs) -> anyhow::Result<()> {
    let password = if args.passphrase {
        generate_passphrase(&PassphraseOptions {
            words: args.words,
            ..PassphraseOptions::default()
        })?
    } else {
        generate(&GeneratorOptions {
            length: args.length,
            lowercase: !args.no_lowercase,
            uppercase: !args.no_uppercase,
            digits: !args.no_digits,
            symbols: !args.no_symbols,
            exclude_ambiguous: !args.include_ambiguous,
        })?
    };
    output::line(password.expose())
}

/// The verdict with its conclusion spelled out, for scripts.
#[derive(Serialize)]
struct CheckReport<'a> {
    acceptable: bool,
    #[serde(flatten)]
    verdict: &'a PolicyVerdict,
}

/// Exits with 0 when the password is acceptable and 1 when it is not.
async fn check(session: Option<&Session>, args: PasswordCheckArgs) -> anyhow::Result<ExitCode> {
    let password = read_password_line()?;
    let verdict = match session {
        Some(session) => {
            session
                .directory
                .check_password(&password, &args.name, &args.email)
                .await?
        }
        None => PasswordPolicy::default().check(
            &password,
            &PolicyContext {
                name: &args.name,
                email: &args.email,
                company: None,
            },
        ),
    };
    let acceptable = verdict.is_acceptable();
    if args.json {
        output::json(&CheckReport {
            acceptable,
            verdict: &verdict,
        })?;
    } else {
        print_verdict(&verdict)?;
    }
    Ok(if acceptable {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_verdict(verdict: &PolicyVerdict) -> anyhow::Result<()> {
    let mut lines = Vec::new();
    if verdict.is_acceptable() {
        lines.push("Acceptable.".to_owned());
    } else {
        lines.push("Not acceptable:".to_owned());
        lines.extend(verdict.problems.iter().map(|p| format!("  - {p}")));
    }
    let strength = &verdict.strength;
    lines.push(format!(
        "Strength: {} ({} of 4); time to guess: {}.",
        strength.label, strength.score, strength.crack_time
    ));
    if let Some(warning) = &strength.warning {
        lines.push(format!("Warning: {warning}"));
    }
    lines.extend(strength.suggestions.iter().map(|s| format!("Tip: {s}")));
    output::lines(lines)
}
