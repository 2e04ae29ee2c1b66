//! The group services. Nobody grants a permission they do not hold, and
//! the built-in Administrators group is never deleted, renamed or reduced.

use super::access::{ensure_holds, Operator, USER_AREA};
use super::audit::{diff, group_snapshot, removed};
use super::Directory;
use crate::domain::{Description, GroupId, GroupName, Permission, PermissionSet};
use crate::error::{Error, Result};
use crate::model::{Group, TargetKind};
use crate::store::{Tx, TxMode};

/// An edit of a group: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct GroupChanges {
    pub version: i64,
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<PermissionSet>,
}

impl Directory {
    /// Groups are visible to whoever acts on users (to pick them) or manages groups.
    pub async fn groups(&self, operator: &Operator) -> Result<Vec<Group>> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        actor.require_any(&[USER_AREA, &[Permission::GroupsManage]].concat())?;
        Ok(tx.groups().await?)
    }

    pub async fn group_by_name(&self, operator: &Operator, name: &str) -> Result<Group> {
        let name = GroupName::parse(name)?;
        let groups = self.groups(operator).await?;
        groups
            .into_iter()
            .find(|g| g.name.normalized() == name.normalized())
            .ok_or_else(|| Error::GroupNotFound {
                key: name.as_str().to_owned(),
            })
    }

    pub async fn create_group(
        &self,
        operator: &Operator,
        name: &str,
        description: &str,
        permissions: PermissionSet,
    ) -> Result<Group> {
        let name = GroupName::parse(name)?;
        let description = Description::parse(description)?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::GroupsManage).await?;
        ensure_holds(&actor, &permissions)?;
        if tx.group_id_by_name(&name.normalized()).await?.is_some() {
            return Err(Error::GroupNameTaken {
                name: name.as_str().to_owned(),
            });
        }
        ensure_group_name_distinct(&mut *tx, &name, None).await?;
        let now = Self::now();
        let id = tx
            .insert_group(&name, &description, &permissions, now)
            .await
            .map_err(Self::domain_error)?;
        let group = Self::existing_group(&mut *tx, id).await?;
        let diff = group_snapshot(&group);
        let event = actor.audit(
            "group.create",
            TargetKind::Group,
            Some(id.0),
            name.as_str(),
            diff,
            now,
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(group)
    }

    pub async fn update_group(
        &self,
        operator: &Operator,
        id: GroupId,
        changes: GroupChanges,
    ) -> Result<Group> {
        let name = changes.name.as_deref().map(GroupName::parse).transpose()?;
        let description = changes
            .description
            .as_deref()
            .map(Description::parse)
            .transpose()?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::GroupsManage).await?;
        let before = Self::existing_group(&mut *tx, id).await?;
        if before.version != changes.version {
            return Err(Error::ChangedBySomeoneElse);
        }
        let renamed = name
            .as_ref()
            .is_some_and(|n| n.as_str() != before.name.as_str());
        let permissions = changes
            .permissions
            .unwrap_or_else(|| before.permissions.clone());
        if before.builtin && (renamed || permissions != before.permissions) {
            return Err(Error::BuiltinGroup);
        }
        // Adding or removing a permission is granting or revoking it for every member.
        // So is widening or narrowing one's reach: it takes the wider one.
        let mut touched = PermissionSet::default();
        for (from, to) in [
            (&permissions, &before.permissions),
            (&before.permissions, &permissions),
        ] {
            for grant in from.grants() {
                if to.scope(grant.permission) != Some(grant.scope) {
                    touched.grant(grant);
                }
            }
        }
        ensure_holds(&actor, &touched)?;
        let name = name.unwrap_or_else(|| before.name.clone());
        let description = description.unwrap_or_else(|| before.description.clone());
        if renamed {
            if let Some(other) = tx.group_id_by_name(&name.normalized()).await? {
                if other != id {
                    return Err(Error::GroupNameTaken {
                        name: name.as_str().to_owned(),
                    });
                }
            }
            ensure_group_name_distinct(&mut *tx, &name, Some(id)).await?;
        }
        let now = Self::now();
        if !tx
            .update_group(id, before.version, &name, &description, &permissions, now)
            .await
            .map_err(Self::domain_error)?
        {
            return Err(Error::ChangedBySomeoneElse);
        }
        let after = Self::existing_group(&mut *tx, id).await?;
        let diff = diff(group_snapshot(&before), group_snapshot(&after));
        if !diff.is_empty() {
            let event = actor.audit(
                "group.update",
                TargetKind::Group,
                Some(id.0),
                before.name.as_str(),
                diff,
                now,
            );
            tx.append_audit(&event).await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes an empty group that is not built in.
    pub async fn delete_group(&self, operator: &Operator, id: GroupId, version: i64) -> Result<()> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::GroupsManage).await?;
        let group = Self::existing_group(&mut *tx, id).await?;
        if group.builtin {
            return Err(Error::BuiltinGroup);
        }
        if group.version != version {
            return Err(Error::ChangedBySomeoneElse);
        }
        ensure_holds(&actor, &group.permissions)?;
        if group.member_count > 0 {
            return Err(Error::GroupHasMembers {
                name: group.name.as_str().to_owned(),
                members: group.member_count,
            });
        }
        if !tx.delete_group(id).await? {
            return Err(Error::ChangedBySomeoneElse);
        }
        let now = Self::now();
        let diff = removed(group_snapshot(&group));
        let event = actor.audit(
            "group.delete",
            TargetKind::Group,
            Some(id.0),
            group.name.as_str(),
            diff,
            now,
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Refuses a new group name (or a group's new name: `renaming` is its id,
/// left out of the comparison) that looks like another group's. Groups are
/// few, so they are compared here, in the caller's transaction, rather than
/// by an index: writers hold the store's write lock, so no group can appear
/// between this check and the write.
async fn ensure_group_name_distinct(
    tx: &mut dyn Tx,
    name: &GroupName,
    renaming: Option<GroupId>,
) -> Result<()> {
    let groups = tx.groups().await?;
    match groups
        .iter()
        .find(|group| Some(group.id) != renaming && name.looks_like(&group.name))
    {
        Some(existing) => Err(Error::GroupNameLookAlike {
            name: name.as_str().to_owned(),
            existing: existing.name.as_str().to_owned(),
        }),
        None => Ok(()),
    }
}
