//! Exporting users (`roster users export`, "Export…" on the overview):
//! exactly the users the overview's query finds, in its order, with every
//! column of the overview plus the groups' names and the supervisor's
//! email, as the import reads them, so an export imports unchanged into
//! another directory. Never a hash or a secret. Read page by page from one
//! snapshot of the store and written row by row.

use std::io::Write;

use super::Directory;
use crate::domain::Permission;
use crate::error::Result;
use crate::model::User;
use crate::sheet::{SheetFormat, SheetWriter};
use crate::store::{TxMode, UserQuery};
use crate::users_sheet::{yes_or_no, Column};
use crate::Operator;

impl Directory {
    /// Writes every user `query` finds (its search, filters, sort and
    /// direction; not its limit or position) to `out`. Needs `users.view`.
    /// Returns the number of users written.
    pub async fn export_users(
        &self,
        operator: &Operator,
        query: &UserQuery,
        format: SheetFormat,
        out: &mut (dyn Write + Send),
    ) -> Result<u64> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        let mut query = UserQuery {
            after: None,
            team_of: actor.reach(Permission::UsersView)?,
            ..query.clone()
        };
        let mut writer = SheetWriter::new(format, "Users", out)?;
        writer.row(&Column::ALL.map(Column::header))?;
        let mut written = 0;
        loop {
            let (page, next) = tx.read_users(&query, UserQuery::READ_LIMIT).await?;
            for user in &page {
                writer.row(&cells(user))?;
                written += 1;
            }
            match next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        writer.finish()?;
        Ok(written)
    }
}

/// A user's row, in the order of [`Column::ALL`].
fn cells(user: &User) -> [String; 12] {
    let groups: Vec<&str> = user.groups.iter().map(|g| g.name.as_str()).collect();
    [
        user.name.as_str().to_owned(),
        user.email.as_str().to_owned(),
        groups.join("; "),
        user.supervisor
            .as_ref()
            .map_or_else(String::new, |s| s.email.as_str().to_owned()),
        user.status.as_str().to_owned(),
        yes_or_no(user.must_change_password).to_owned(),
        yes_or_no(user.mask_client_data).to_owned(),
        user.two_factor.as_str().to_owned(),
        user.valid_until
            .map_or_else(String::new, |day| day.as_string()),
        user.created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        user.last_sign_in_at.map_or_else(String::new, |t| {
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        }),
        user.password_changed_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    ]
}
