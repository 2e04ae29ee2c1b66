//! `roster init`: the first administrator of a new store.

use serde_json::json;

use super::{password_choice, print_generated_password, Session};
use crate::cli::InitArgs;
use crate::output;

pub async fn run(session: &Session, args: InitArgs) -> anyhow::Result<()> {
    let password = password_choice(&args.password)?;
    let created = session
        .directory
        .initialize(&args.name, &args.email, password)
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
    match &created.generated_password {
        Some(password) => print_generated_password(email, password),
        None => Ok(()),
    }
}
