//! What the store check reads, and the one repair it makes: the database's
//! own checks (SQLite's integrity and foreign-key checks; a server checks
//! itself), the kept counts against real counts, supervisor links, and
//! every user's email as typed and as normalised.

use async_trait::async_trait;

use crate::store::sql::{Dialect, RowRef, Sql};
use crate::store::StoreError;

/// A kept count that differs from the real one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountDifference {
    /// What is counted, for people: "enabled users", "members of Sales", "clients".
    pub what: String,
    pub kept: i64,
    pub real: i64,
}

/// The store check's reads and its repair, as one transaction makes them.
#[async_trait]
pub trait CheckTx: Send {
    /// The database's own findings, each a line of its report (SQLite's
    /// `integrity_check` and `foreign_key_check`); none on a server.
    async fn database_problems(&mut self) -> Result<Vec<String>, StoreError>;
    /// Every kept count that differs from a count of the rows.
    async fn count_differences(&mut self) -> Result<Vec<CountDifference>, StoreError>;
    /// Sets every kept count to a count of the rows.
    async fn recount(&mut self) -> Result<(), StoreError>;
    /// Every (user, supervisor) link.
    async fn supervisor_links(&mut self) -> Result<Vec<(i64, i64)>, StoreError>;
    /// Every user's id, email as typed and normalised email, one at a time.
    async fn each_user_email(
        &mut self,
        each: &mut (dyn FnMut(i64, String, String) + Send),
    ) -> Result<(), StoreError>;
    /// Normalised emails held by more than one user, with how many.
    async fn shared_emails(&mut self) -> Result<Vec<(String, i64)>, StoreError>;
}

const COUNT_DIFFERENCES: &str = "\
    SELECT 'users ' || c.status, c.users, (SELECT count(*) FROM users u WHERE u.status = c.status) \
    FROM user_counts c \
    UNION ALL \
    SELECT 'members of ' || g.name, g.member_count, \
        (SELECT count(*) FROM memberships m WHERE m.group_id = g.id) \
    FROM groups g \
    UNION ALL \
    SELECT 'clients', k.clients, (SELECT count(*) FROM clients) FROM client_counts k";

/// Every (ancestor, user) pair of the supervisor tree, from the supervisors.
const SUPERVISOR_PAIRS: &str = "\
    WITH RECURSIVE up (user_id, ancestor_id) AS ( \
        SELECT id, supervisor_id FROM users WHERE supervisor_id IS NOT NULL \
        UNION \
        SELECT up.user_id, u.supervisor_id FROM up JOIN users u ON u.id = up.ancestor_id \
        WHERE u.supervisor_id IS NOT NULL) ";

/// A pair of the team table whose sort keys are not its user's.
const STALE_KEYS: &str = "\
    a.name_key <> u.name_key OR a.email_normalized <> u.email_normalized \
    OR a.created_at <> u.created_at OR a.last_sign_in_at <> u.last_sign_in_at \
    OR a.password_changed_at <> u.password_changed_at OR a.failed_sign_ins <> u.failed_sign_ins";

/// A pair that says wrongly whether its user looks after a client
/// (SQLite's V22, PostgreSQL's V20).
const STALE_MANAGER: &str = " OR a.manages_clients <> CASE WHEN a.user_id IN \
    (SELECT account_manager_id FROM clients WHERE account_manager_id IS NOT NULL) \
    THEN 1 ELSE 0 END";

/// The team table's pairs and the tree's, when they are not the same set
/// or a pair's sort keys or its manager's mark are stale.
async fn team_difference<S: Sql + ?Sized>(
    sql: &mut S,
) -> Result<Option<CountDifference>, StoreError> {
    let statement = format!(
        "{SUPERVISOR_PAIRS}SELECT \
         (SELECT count(*) FROM user_ancestors), (SELECT count(*) FROM up), \
         (SELECT count(*) FROM (SELECT ancestor_id, user_id FROM up \
            EXCEPT SELECT ancestor_id, user_id FROM user_ancestors) missing) + \
         (SELECT count(*) FROM (SELECT ancestor_id, user_id FROM user_ancestors \
            EXCEPT SELECT ancestor_id, user_id FROM up) extra) + \
         (SELECT count(*) FROM user_ancestors a JOIN users u ON u.id = a.user_id \
            WHERE {STALE_KEYS}{STALE_MANAGER})"
    );
    difference(sql, &statement, "supervisor-tree pairs behind team scope").await
}

/// Runs `statement`, one row of (kept count, real count, rows that differ),
/// into a difference of `what` when any row differs.
async fn difference<S: Sql + ?Sized>(
    sql: &mut S,
    statement: &str,
    what: &str,
) -> Result<Option<CountDifference>, StoreError> {
    let rows = sql.query(statement, &[]).await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    if row.int(2)? == 0 {
        return Ok(None);
    }
    Ok(Some(CountDifference {
        what: what.into(),
        kept: row.int(0)?,
        real: row.int(1)?,
    }))
}

/// PostgreSQL's index of statuses (V16) and the users' statuses and names,
/// when they are not the same set of rows.
async fn status_difference<S: Sql + ?Sized>(
    sql: &mut S,
) -> Result<Option<CountDifference>, StoreError> {
    if sql.dialect() != Dialect::Postgres {
        return Ok(None);
    }
    difference(
        sql,
        "SELECT (SELECT count(*) FROM user_statuses), (SELECT count(*) FROM users), \
         (SELECT count(*) FROM (SELECT status, name_key, id FROM users \
            EXCEPT SELECT status, name_key, user_id FROM user_statuses) missing) + \
         (SELECT count(*) FROM (SELECT status, name_key, user_id FROM user_statuses \
            EXCEPT SELECT status, name_key, id FROM users) extra)",
        "users in the index of statuses",
    )
    .await
}

#[async_trait]
impl<S: Sql + ?Sized> CheckTx for S {
    async fn database_problems(&mut self) -> Result<Vec<String>, StoreError> {
        if self.dialect() != Dialect::Sqlite {
            return Ok(Vec::new());
        }
        let mut problems = Vec::new();
        for row in self.query("PRAGMA integrity_check(100)", &[]).await? {
            let line = row.text(0)?;
            if line != "ok" {
                problems.push(line);
            }
        }
        for row in self.query("PRAGMA foreign_key_check", &[]).await? {
            problems.push(format!(
                "row {} of {} points to a missing row of {}",
                row.opt_int(1)?.unwrap_or_default(),
                row.text(0)?,
                row.text(2)?
            ));
        }
        Ok(problems)
    }

    async fn count_differences(&mut self) -> Result<Vec<CountDifference>, StoreError> {
        let rows = self.query(COUNT_DIFFERENCES, &[]).await?;
        let mut differences: Vec<CountDifference> =
            team_difference(self).await?.into_iter().collect();
        differences.extend(status_difference(self).await?);
        for row in rows {
            let (kept, real) = (row.int(1)?, row.int(2)?);
            if kept != real {
                differences.push(CountDifference {
                    what: row.text(0)?,
                    kept,
                    real,
                });
            }
        }
        Ok(differences)
    }

    async fn recount(&mut self) -> Result<(), StoreError> {
        self.execute(
            "UPDATE user_counts SET users = \
             (SELECT count(*) FROM users u WHERE u.status = user_counts.status)",
            &[],
        )
        .await?;
        self.execute(
            "UPDATE groups SET member_count = \
             (SELECT count(*) FROM memberships m WHERE m.group_id = groups.id) \
             WHERE member_count <> (SELECT count(*) FROM memberships m WHERE m.group_id = groups.id)",
            &[],
        )
        .await?;
        self.execute(
            "UPDATE client_counts SET clients = (SELECT count(*) FROM clients)",
            &[],
        )
        .await?;
        if status_difference(self).await?.is_some() {
            self.execute("DELETE FROM user_statuses", &[]).await?;
            self.execute(
                "INSERT INTO user_statuses (status, name_key, user_id) \
                 SELECT status, name_key, id FROM users",
                &[],
            )
            .await?;
        }
        if team_difference(self).await?.is_some() {
            self.execute("DELETE FROM user_ancestors", &[]).await?;
            self.execute(
                &format!(
                    "INSERT INTO user_ancestors (ancestor_id, user_id, name_key, \
                     email_normalized, created_at, last_sign_in_at, password_changed_at, \
                     failed_sign_ins) \
                     {SUPERVISOR_PAIRS}SELECT up.ancestor_id, up.user_id, u.name_key, \
                     u.email_normalized, u.created_at, u.last_sign_in_at, \
                     u.password_changed_at, u.failed_sign_ins \
                     FROM up JOIN users u ON u.id = up.user_id"
                ),
                &[],
            )
            .await?;
        }
        Ok(())
    }

    async fn supervisor_links(&mut self) -> Result<Vec<(i64, i64)>, StoreError> {
        let mut links = Vec::new();
        self.query_each(
            "SELECT id, supervisor_id FROM users WHERE supervisor_id IS NOT NULL",
            &[],
            &mut |row| {
                links.push((row.int(0)?, row.int(1)?));
                Ok(())
            },
        )
        .await?;
        Ok(links)
    }

    async fn each_user_email(
        &mut self,
        each: &mut (dyn FnMut(i64, String, String) + Send),
    ) -> Result<(), StoreError> {
        self.query_each(
            "SELECT id, email, email_normalized FROM users ORDER BY id",
            &[],
            &mut |row: &dyn RowRef| {
                each(row.int(0)?, row.text(1)?, row.text(2)?);
                Ok(())
            },
        )
        .await?;
        Ok(())
    }

    async fn shared_emails(&mut self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = self
            .query(
                "SELECT email_normalized, count(*) FROM users \
                 GROUP BY email_normalized HAVING count(*) > 1",
                &[],
            )
            .await?;
        rows.into_iter()
            .map(|row| Ok((row.text(0)?, row.int(1)?)))
            .collect()
    }
}
