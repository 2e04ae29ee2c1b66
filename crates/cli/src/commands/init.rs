//! `roster init`: the first administrator of a new store.

use roster_core::domain::TwoFactor;
use serde_json::json;

use super::{password_choice, print_generated_password, Session};
use crate::cli::InitArgs;
use crate::output;

pub async fn run(session: &Session, args: InitArgs) -> anyhow::Result<()> {
    let password = password_choice(&args.password)?;
    let created = session
        .directory
        .initialize(&args.name, &args.email, password, args.two_factor)
        .await?;
    let email = created.user.email.as_str();
    if args.json {
        return output::json(&json!({
            "user": created.user,
            "generated_password": created.generated_password.as_ref().map(|p| p.expose()),
        }));
    }
    output::line(format!(
        "Roster is set up: {} <{email}> is its first administrator.",
        created.user.name
    ))?;
    output::line(second_factor_note(created.user.two_factor, email))?;
    match &created.generated_password {
        Some(password) => print_generated_password(email, password),
        None => Ok(()),
    }
}

/// What the administrator's second factor means for their first sign-in.
fn second_factor_note(method: TwoFactor, email: &str) -> String {
    match method {
        TwoFactor::Totp => {
            "Two-factor sign-in: at their first sign-in in the Roster app they set \
             up an authenticator app (a QR code to scan, then a first code) and get recovery codes."
                .to_owned()
        }
        TwoFactor::EmailCode => {
            "Two-factor sign-in: each sign-in asks for a code sent by email.".to_owned()
        }
        TwoFactor::Off => format!(
            "Warning: this administrator signs in without a second factor (recorded in the \
             audit log). Set one soon: roster users edit {email} --two-factor totp"
        ),
    }
}
