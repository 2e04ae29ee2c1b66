//! `roster users …`: the users overview and the changes an administrator
//! makes to one user. Users and groups are named by email and name here and
//! resolved to ids through the core's lookups.

use anyhow::bail;
use roster_core::directory::{NewUser, UserChanges};
use roster_core::domain::{GroupId, Status, UserId};
use roster_core::mail::Delivery;
use roster_core::store::{Cursor, Direction, UserQuery};
use roster_core::Operator;
use serde_json::json;

use super::{password_choice, print_generated_password, Session};
use crate::cli::{
    UserTarget, UsersAddArgs, UsersCommand, UsersDeleteArgs, UsersEditArgs, UsersListArgs,
    UsersResetPasswordArgs, UsersShowArgs,
};
use crate::output;

pub async fn run(session: &Session, command: UsersCommand) -> anyhow::Result<()> {
    match command {
        UsersCommand::List(args) => list(session, args).await,
        UsersCommand::Show(args) => show(session, args).await,
        UsersCommand::Add(args) => add(session, args).await,
        UsersCommand::Edit(args) => edit(session, args).await,
        UsersCommand::Enable(args) => set_status(session, args, Status::Enabled).await,
        UsersCommand::Disable(args) => set_status(session, args, Status::Disabled).await,
        UsersCommand::Delete(args) => delete(session, args).await,
        UsersCommand::Deleted(args) => super::recycle_bin::deleted(session, args).await,
        UsersCommand::Restore(args) => super::recycle_bin::restore(session, args).await,
        UsersCommand::Purge(args) => super::recycle_bin::purge(session, args).await,
        UsersCommand::ResetPassword(args) => reset_password(session, args).await,
        UsersCommand::Unlock(args) => unlock(session, args).await,
        UsersCommand::Import(args) => super::users_bulk::import(session, args).await,
        UsersCommand::Export(args) => super::users_bulk::export(session, args).await,
        UsersCommand::Template(args) => super::users_bulk::template(args),
        UsersCommand::Bulk(args) => super::users_bulk::bulk(session, args).await,
    }
}

async fn list(session: &Session, args: UsersListArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let query = UserQuery {
        search: args.search,
        status: args.status,
        group: match &args.group {
            Some(name) => Some(group_id(session, &operator, name).await?),
            None => None,
        },
        supervisor: match &args.supervisor {
            Some(email) => Some(user_id(session, &operator, email).await?),
            None => None,
        },
        facts: args.facts,
        // The core sets the operator's team.
        team_of: None,
        sort: args.sort,
        direction: if args.desc {
            Direction::Desc
        } else {
            Direction::Asc
        },
        limit: args.limit,
        after: args.after.as_deref().map(Cursor::decode).transpose()?,
    };
    let mut page = session.directory.list_users(&operator, &query).await?;
    // A script reads the total counted in full, however long it takes.
    if page.counting {
        let counted = session.directory.count_users(&operator, &query).await?;
        page.total = page.total.counted_in_full(counted);
        page.counting = false;
    }
    if args.json {
        return output::json(&page);
    }
    if page.users.is_empty() {
        return output::line("No users match.");
    }
    let rows: Vec<Vec<String>> = page.users.iter().map(output::user_row).collect();
    output::table(output::USER_COLUMNS, &rows)?;
    let of = if page.total.exact { "" } else { "more than " };
    output::line(format!(
        "Showing {} of {of}{}.",
        page.users.len(),
        page.total.count
    ))?;
    match &page.next {
        Some(next) => output::line(format!("Next page: --after {}", next.encode())),
        None => Ok(()),
    }
}

async fn show(session: &Session, args: UsersShowArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let user = session
        .directory
        .user_by_email(&operator, &args.email)
        .await?;
    if args.json {
        return output::json(&user);
    }
    output::fields(&output::user_fields(&user))
}

async fn add(session: &Session, args: UsersAddArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let new = NewUser {
        groups: group_ids(session, &operator, &args.groups).await?,
        supervisor: match &args.supervisor {
            Some(email) => Some(user_id(session, &operator, email).await?),
            None => None,
        },
        status: if args.disabled {
            Status::Disabled
        } else {
            Status::Enabled
        },
        password: password_choice(&args.password)?,
        must_change_password: args.force_password_change,
        mask_client_data: args.mask_client_data,
        two_factor: args.two_factor,
        valid_until: args.valid_until,
        name: args.name,
        email: args.email,
    };
    let created = session
        .directory
        .create_user_and_send(&operator, new, args.send_credentials)
        .await?;
    let email = created.user.email.as_str();
    if args.json {
        return output::json(&json!({
            "user": created.user,
            "generated_password": created.generated_password.as_ref().map(|p| p.expose()),
            "delivery": created.delivery,
        }));
    }
    output::line(format!("Created {} <{email}>.", created.user.name))?;
    if created.user.expired {
        warn_expired(&created.user)?;
    }
    print_delivery(&created.delivery, email)?;
    match &created.generated_password {
        Some(password) => print_generated_password(email, password),
        None => Ok(()),
    }
}

async fn edit(session: &Session, args: UsersEditArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let user = session
        .directory
        .user_by_email(&operator, &args.email)
        .await?;
    let groups = if !args.groups.is_empty() {
        Some(group_ids(session, &operator, &args.groups).await?)
    } else if !args.add_groups.is_empty() || !args.remove_groups.is_empty() {
        let added = group_ids(session, &operator, &args.add_groups).await?;
        let removed = group_ids(session, &operator, &args.remove_groups).await?;
        let mut groups = user.group_ids();
        groups.extend(added);
        groups.retain(|g| !removed.contains(g));
        Some(groups)
    } else {
        None
    };
    let supervisor = match (&args.supervisor, args.no_supervisor) {
        (_, true) => Some(None),
        (Some(email), false) => Some(Some(user_id(session, &operator, email).await?)),
        (None, false) => None,
    };
    let changes = UserChanges {
        version: user.version,
        name: args.name,
        email: args.new_email,
        groups,
        supervisor,
        must_change_password: args.force_password_change,
        mask_client_data: args.mask_client_data,
        two_factor: args.two_factor,
        valid_until: match (args.valid_until, args.no_valid_until) {
            (_, true) => Some(None),
            (Some(day), false) => Some(Some(day)),
            (None, false) => None,
        },
    };
    let updated = session
        .directory
        .update_user(&operator, user.id, changes)
        .await?;
    if args.json {
        return output::json(&updated);
    }
    output::line(format!("Updated {} <{}>.", updated.name, updated.email))?;
    if updated.expired {
        warn_expired(&updated)?;
    }
    Ok(())
}

/// The warning for an account whose "valid until" day has already passed.
fn warn_expired(user: &roster_core::model::User) -> anyhow::Result<()> {
    let day = user
        .valid_until
        .map(|day| day.to_string())
        .unwrap_or_default();
    output::line(format!(
        "Warning: the account is valid until {day}, which has passed: it is expired and cannot sign in."
    ))
}

async fn set_status(session: &Session, args: UserTarget, status: Status) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let user = session
        .directory
        .user_handle(&operator, &args.email)
        .await?;
    let updated = session
        .directory
        .set_status(&operator, user.id, status, user.version)
        .await?;
    let done = match status {
        Status::Enabled => "Enabled",
        Status::Disabled => "Disabled",
    };
    output::line(format!("{done} {} <{}>.", updated.name, updated.email))
}

async fn unlock(session: &Session, args: UserTarget) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let user = session
        .directory
        .user_handle(&operator, &args.email)
        .await?;
    let unlocked = session.directory.unlock_user(&operator, user.id).await?;
    output::line(format!("Unlocked {} <{}>.", unlocked.name, unlocked.email))
}

async fn delete(session: &Session, args: UsersDeleteArgs) -> anyhow::Result<()> {
    if !args.yes {
        bail!("Deleting {} needs confirmation: pass --yes.", args.email);
    }
    let operator = session.operator().await?;
    let user = session
        .directory
        .user_handle(&operator, &args.email)
        .await?;
    session
        .directory
        .delete_user(&operator, user.id, user.version)
        .await?;
    output::line(format!(
        "Deleted {} <{}>. While the recycle bin keeps deleted users, `roster users deleted` lists them and `roster users restore ID` brings them back.",
        user.name, user.email
    ))
}

async fn reset_password(session: &Session, args: UsersResetPasswordArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let user = session
        .directory
        .user_handle(&operator, &args.email)
        .await?;
    let choice = password_choice(&args.password)?;
    let reset = session
        .directory
        .reset_password_and_send(
            &operator,
            user.id,
            choice,
            args.force_password_change,
            args.send_credentials,
        )
        .await?;
    let generated = reset.generated_password;
    if args.json {
        return output::json(&json!({
            "email": user.email,
            "must_change_password": args.force_password_change,
            "generated_password": generated.as_ref().map(|p| p.expose()),
            "delivery": reset.delivery,
        }));
    }
    output::line(format!(
        "Set a new password for {} <{}>.",
        user.name, user.email
    ))?;
    print_delivery(&reset.delivery, user.email.as_str())?;
    match &generated {
        Some(password) => print_generated_password(user.email.as_str(), password),
        None => Ok(()),
    }
}

/// Says what became of a credentials email, when one was asked for. A
/// failure is not an error of the command: the change was made, and a
/// generated password is printed for handing over.
fn print_delivery(delivery: &Delivery, email: &str) -> anyhow::Result<()> {
    match delivery {
        Delivery::NotRequested => Ok(()),
        Delivery::Sent => output::line(format!("Emailed the sign-in details to {email}.")),
        Delivery::Failed { reason } => output::line(format!(
            "The sign-in details could not be emailed; hand them over in person. {reason}"
        )),
    }
}

pub(super) async fn group_id(
    session: &Session,
    operator: &Operator,
    name: &str,
) -> anyhow::Result<GroupId> {
    Ok(session.directory.group_by_name(operator, name).await?.id)
}

async fn group_ids(
    session: &Session,
    operator: &Operator,
    names: &[String],
) -> anyhow::Result<Vec<GroupId>> {
    let mut ids = Vec::with_capacity(names.len());
    for name in names {
        ids.push(group_id(session, operator, name).await?);
    }
    Ok(ids)
}

pub(super) async fn user_id(
    session: &Session,
    operator: &Operator,
    email: &str,
) -> anyhow::Result<UserId> {
    Ok(session.directory.user_handle(operator, email).await?.id)
}
