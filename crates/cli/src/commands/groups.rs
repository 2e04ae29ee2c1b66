//! `roster groups …`: groups, their permissions and their members.

use roster_core::directory::GroupChanges;
use roster_core::domain::PermissionSet;
use roster_core::model::Group;
use roster_core::store::UserQuery;
use serde_json::json;

use super::Session;
use crate::cli::{
    GroupTarget, GroupsAddArgs, GroupsCommand, GroupsEditArgs, GroupsShowArgs, JsonFlag,
};
use crate::output;

pub async fn run(session: &Session, command: GroupsCommand) -> anyhow::Result<()> {
    match command {
        GroupsCommand::List(args) => list(session, args).await,
        GroupsCommand::Show(args) => show(session, args).await,
        GroupsCommand::Add(args) => add(session, args).await,
        GroupsCommand::Edit(args) => edit(session, args).await,
        GroupsCommand::Delete(args) => delete(session, args).await,
    }
}

async fn list(session: &Session, args: JsonFlag) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let groups = session.directory.groups(&operator).await?;
    if args.json {
        return output::json(&groups);
    }
    let rows: Vec<Vec<String>> = groups
        .iter()
        .map(|g| {
            vec![
                g.name.to_string(),
                g.member_count.to_string(),
                permission_codes(&g.permissions),
                g.description.as_str().replace(['\r', '\n'], " "),
            ]
        })
        .collect();
    output::table(&["NAME", "MEMBERS", "PERMISSIONS", "DESCRIPTION"], &rows)
}

async fn show(session: &Session, args: GroupsShowArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let group = session
        .directory
        .group_by_name(&operator, &args.name)
        .await?;
    let query = UserQuery {
        group: Some(group.id),
        limit: UserQuery::MAX_LIMIT,
        ..UserQuery::default()
    };
    let members = session.directory.list_users(&operator, &query).await?;
    if args.json {
        return output::json(&json!({ "group": group, "members": members }));
    }
    print_group(&group)?;
    let names: Vec<String> = members
        .users
        .iter()
        .map(|u| format!("  {} <{}>", u.name, u.email))
        .collect();
    output::line("Members:")?;
    output::lines(names)?;
    if members.next.is_some() {
        output::line(format!(
            "  … and more; see roster users list --group \"{}\"",
            group.name
        ))?;
    }
    Ok(())
}

async fn add(session: &Session, args: GroupsAddArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let permissions: PermissionSet = args.permissions.into_iter().collect();
    let group = session
        .directory
        .create_group(&operator, &args.name, &args.description, permissions)
        .await?;
    if args.json {
        return output::json(&group);
    }
    output::line(format!("Created the group {}.", group.name))
}

async fn edit(session: &Session, args: GroupsEditArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let group = session
        .directory
        .group_by_name(&operator, &args.name)
        .await?;
    let permissions = (args.no_permissions || !args.permissions.is_empty())
        .then(|| args.permissions.into_iter().collect::<PermissionSet>());
    let changes = GroupChanges {
        version: group.version,
        name: args.new_name,
        description: args.description,
        permissions,
    };
    let updated = session
        .directory
        .update_group(&operator, group.id, changes)
        .await?;
    if args.json {
        return output::json(&updated);
    }
    output::line(format!("Updated the group {}.", updated.name))
}

async fn delete(session: &Session, args: GroupTarget) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let group = session
        .directory
        .group_by_name(&operator, &args.name)
        .await?;
    session
        .directory
        .delete_group(&operator, group.id, group.version)
        .await?;
    output::line(format!("Deleted the group {}.", group.name))
}

fn print_group(group: &Group) -> anyhow::Result<()> {
    output::fields(&[
        ("Name", group.name.to_string()),
        ("Description", group.description.as_str().to_owned()),
        ("Built in", output::yes_no(group.builtin)),
        ("Permissions", permission_codes(&group.permissions)),
        ("Members", group.member_count.to_string()),
        ("Created", output::time(&group.created_at)),
        ("Updated", output::time(&group.updated_at)),
    ])
}

fn permission_codes(permissions: &PermissionSet) -> String {
    if permissions.is_empty() {
        return "none".into();
    }
    if permissions == &PermissionSet::all() {
        return "all".into();
    }
    permissions
        .grants()
        .map(|g| g.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
