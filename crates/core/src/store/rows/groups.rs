//! Groups and the permissions they carry.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{Description, Grant, GroupId, GroupName, Permission, PermissionSet, Scope};
use crate::model::Group;
use crate::store::sql::{self, corrupt, millis, ColumnType, Params, Sql, SqlRow};
use crate::store::{StoreError, ADMINISTRATORS};

/// Groups, as one transaction reads and writes them.
#[async_trait]
pub trait GroupsTx: Send {
    /// Inserts a group; a second group with the same normalised name fails
    /// with [`StoreError::DuplicateGroupName`].
    async fn insert_group(
        &mut self,
        name: &GroupName,
        description: &Description,
        permissions: &PermissionSet,
        now: DateTime<Utc>,
    ) -> Result<GroupId, StoreError>;
    /// Writes the group when it is still at `expected_version`, bumping it
    /// (a built-in group keeps its permissions); false when it has moved on.
    async fn update_group(
        &mut self,
        id: GroupId,
        expected_version: i64,
        name: &GroupName,
        description: &Description,
        permissions: &PermissionSet,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Deletes a group that is not built in.
    async fn delete_group(&mut self, id: GroupId) -> Result<bool, StoreError>;
    async fn group(&mut self, id: GroupId) -> Result<Option<Group>, StoreError>;
    async fn group_id_by_name(&mut self, normalized: &str) -> Result<Option<GroupId>, StoreError>;
    /// Every group, sorted by name.
    async fn groups(&mut self) -> Result<Vec<Group>, StoreError>;
}

const GROUP_COLUMNS: &str = "g.id, g.name, g.description, g.builtin, g.created_at, g.updated_at, \
     g.version, g.member_count";

/// The set of stored `(permission, scope)` codes.
pub(super) fn parse_permissions(codes: Vec<(String, String)>) -> Result<PermissionSet, StoreError> {
    codes
        .iter()
        .map(|(code, scope)| {
            let permission = code
                .parse::<Permission>()
                .map_err(|_| corrupt("permission", code))?;
            let scope = Scope::parse(scope).ok_or_else(|| corrupt("permission scope", scope))?;
            Ok(Grant { permission, scope })
        })
        .collect()
}

fn duplicate_name(error: sql::SqlError, name: &GroupName) -> StoreError {
    if error.is_unique("name_normalized") {
        StoreError::DuplicateGroupName {
            name: name.as_str().to_owned(),
        }
    } else {
        error.into()
    }
}

async fn write_permissions<S: Sql + ?Sized>(
    sql: &mut S,
    id: GroupId,
    permissions: &PermissionSet,
) -> Result<(), StoreError> {
    sql.execute(
        "DELETE FROM group_permissions WHERE group_id = $1",
        &[id.0.into()],
    )
    .await?;
    let rows = permissions
        .grants()
        .map(|grant| {
            vec![
                id.0.into(),
                grant.permission.code().into(),
                grant.scope.as_str().into(),
            ]
        })
        .collect();
    sql.insert_rows(
        "group_permissions",
        &[
            ("group_id", ColumnType::Int),
            ("permission", ColumnType::Text),
            ("scope", ColumnType::Text),
        ],
        rows,
    )
    .await
}

/// The groups `rows` (in [`GROUP_COLUMNS`] order) with their permissions,
/// read for all of them in one more query.
async fn complete_groups<S: Sql + ?Sized>(
    sql: &mut S,
    rows: Vec<SqlRow>,
) -> Result<Vec<Group>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows
        .iter()
        .map(|row| row.int(0))
        .collect::<Result<_, _>>()?;
    let mut params = Params::default();
    let wanted = params.any_of(sql.dialect(), "group_id", &ids);
    let statement =
        format!("SELECT group_id, permission, scope FROM group_permissions WHERE {wanted}");
    let mut permissions_of: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for row in sql.query(&statement, &params.0).await? {
        permissions_of
            .entry(row.int(0)?)
            .or_default()
            .push((row.text(1)?, row.text(2)?));
    }
    rows.iter()
        .map(|row| {
            let id = row.int(0)?;
            let builtin = row.bool(3)?;
            let permissions = if builtin {
                PermissionSet::all()
            } else {
                parse_permissions(permissions_of.remove(&id).unwrap_or_default())?
            };
            Ok(Group {
                id: GroupId(id),
                name: GroupName::from_stored(row.text(1)?),
                description: crate::domain::Description::from_stored(row.text(2)?),
                builtin,
                permissions,
                member_count: row.count(7)?,
                created_at: row.time(4)?,
                updated_at: row.time(5)?,
                version: row.int(6)?,
            })
        })
        .collect()
}

#[async_trait]
impl<S: Sql + ?Sized> GroupsTx for S {
    async fn insert_group(
        &mut self,
        name: &GroupName,
        description: &Description,
        permissions: &PermissionSet,
        now: DateTime<Utc>,
    ) -> Result<GroupId, StoreError> {
        let rows = self
            .query(
                "INSERT INTO groups (name, name_normalized, description, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) RETURNING id",
                &[
                    name.as_str().into(),
                    name.normalized().into(),
                    description.as_str().into(),
                    millis(now),
                ],
            )
            .await
            .map_err(|error| duplicate_name(error, name))?;
        let id = match rows.first() {
            Some(row) => GroupId(row.int(0)?),
            None => {
                return Err(StoreError::Internal {
                    detail: "insert returned no id".into(),
                })
            }
        };
        write_permissions(self, id, permissions).await?;
        Ok(id)
    }

    async fn update_group(
        &mut self,
        id: GroupId,
        expected_version: i64,
        name: &GroupName,
        description: &Description,
        permissions: &PermissionSet,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let rows = self
            .query(
                "UPDATE groups SET name = $1, name_normalized = $2, description = $3, updated_at = $4, \
                 version = version + 1 WHERE id = $5 AND version = $6 RETURNING builtin",
                &[
                    name.as_str().into(),
                    name.normalized().into(),
                    description.as_str().into(),
                    millis(now),
                    id.0.into(),
                    expected_version.into(),
                ],
            )
            .await
            .map_err(|error| duplicate_name(error, name))?;
        match rows.first() {
            Some(row) => {
                if !row.bool(0)? {
                    write_permissions(self, id, permissions).await?;
                }
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn delete_group(&mut self, id: GroupId) -> Result<bool, StoreError> {
        if id == ADMINISTRATORS {
            return Ok(false);
        }
        let deleted = self
            .execute(
                "DELETE FROM groups WHERE id = $1 AND builtin = FALSE",
                &[id.0.into()],
            )
            .await?;
        Ok(deleted == 1)
    }

    async fn group(&mut self, id: GroupId) -> Result<Option<Group>, StoreError> {
        let statement = format!("SELECT {GROUP_COLUMNS} FROM groups g WHERE g.id = $1");
        let rows = self.query(&statement, &[id.0.into()]).await?;
        Ok(complete_groups(self, rows).await?.into_iter().next())
    }

    async fn group_id_by_name(&mut self, normalized: &str) -> Result<Option<GroupId>, StoreError> {
        let row = sql::query_opt(
            self,
            "SELECT id FROM groups WHERE name_normalized = $1",
            &[normalized.into()],
        )
        .await?;
        row.map(|row| row.int(0).map(GroupId)).transpose()
    }

    async fn groups(&mut self) -> Result<Vec<Group>, StoreError> {
        let statement = format!("SELECT {GROUP_COLUMNS} FROM groups g ORDER BY g.name_normalized");
        let rows = self.query(&statement, &[]).await?;
        complete_groups(self, rows).await
    }
}
