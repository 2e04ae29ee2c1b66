//! `roster store check [--repair]`: the core's store check, its findings
//! printed one a line; exit status 1 when something is left wrong.

use std::process::ExitCode;

use super::Session;
use crate::cli::StoreCheckArgs;
use crate::output;

pub async fn run(session: &Session, args: StoreCheckArgs) -> anyhow::Result<ExitCode> {
    let operator = session.operator().await?;
    let check = session
        .directory
        .check_store(&operator, args.repair)
        .await?;
    if args.json {
        output::json(&check)?;
    } else {
        let lines = check.findings.iter().map(|finding| {
            if finding.repaired {
                format!("Repaired: {}", finding.message)
            } else {
                finding.message.clone()
            }
        });
        output::lines(lines.chain(std::iter::once(check.summary.clone())))?;
    }
    Ok(if check.sound() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
