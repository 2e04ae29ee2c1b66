//! `roster users deleted|restore|purge`: the recycle bin (rules in
//! `roster_core::directory::recycle_bin`).

use anyhow::bail;
use roster_core::directory::RestoreOptions;
use roster_core::domain::UserId;

use super::Session;
use crate::cli::{UsersDeletedArgs, UsersPurgeArgs, UsersRestoreArgs};
use crate::output;

pub async fn deleted(session: &Session, args: UsersDeletedArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let page = session
        .directory
        .deleted_users(&operator, args.after.as_deref(), args.limit)
        .await?;
    if args.json {
        return output::json(&page);
    }
    if page.keep_days == 0 {
        output::line(
            "The recycle bin is off: deleted users are not kept (`roster settings set --recycle-bin-days N`).",
        )?;
    }
    let rows: Vec<Vec<String>> = page
        .users
        .iter()
        .map(|user| {
            let mut groups = user.groups.join("; ");
            if user.missing_groups > 0 {
                groups.push_str(&format!(" (+{} gone)", user.missing_groups));
            }
            vec![
                user.id.0.to_string(),
                user.name.clone(),
                user.email.clone(),
                groups,
                output::time(&user.deleted_at),
                user.deleted_by.clone(),
                output::time(&user.purge_at),
            ]
        })
        .collect();
    output::table(
        &[
            "ID",
            "NAME",
            "EMAIL",
            "GROUPS",
            "DELETED",
            "DELETED BY",
            "PURGED AFTER",
        ],
        &rows,
    )?;
    output::line(format!("{} deleted user(s) in all.", page.total))?;
    if let Some(next) = page.next {
        output::line(format!("More: --after {next}"))?;
    }
    Ok(())
}

pub async fn restore(session: &Session, args: UsersRestoreArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let options = RestoreOptions {
        without_missing_supervisor: args.without_supervisor,
    };
    let user = session
        .directory
        .restore_user(&operator, UserId(args.id), options)
        .await?;
    output::line(format!("Restored {} <{}>.", user.name, user.email))
}

pub async fn purge(session: &Session, args: UsersPurgeArgs) -> anyhow::Result<()> {
    if !args.yes {
        bail!(
            "Deleting user {} permanently cannot be undone; pass --yes to confirm.",
            args.id
        );
    }
    let operator = session.operator().await?;
    session
        .directory
        .purge_deleted_user(&operator, UserId(args.id))
        .await?;
    output::line(format!("Deleted user {} permanently.", args.id))
}
