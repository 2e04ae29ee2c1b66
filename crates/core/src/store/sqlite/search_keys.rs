//! Names kept before their keys dropped accents (V24): each table the
//! migration left in `name_keys_pending` has every row's name keyed again
//! as the core keys a name ([`crate::domain::search_key`]), and leaves the
//! list once done, in one transaction. The words, the trigram index and
//! the team's copies of each key follow through their triggers.

use rusqlite::{params, Connection, TransactionBehavior};

use super::super::NAME_KEYED;

/// Rows read at a time, by id.
const BATCH: i64 = 5_000;

/// Keys again the names of every table still pending.
pub(super) fn key_pending_names(connection: &mut Connection) -> rusqlite::Result<()> {
    let pending: Vec<String> = connection
        .prepare("SELECT table_name FROM name_keys_pending ORDER BY table_name")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in NAME_KEYED
        .iter()
        .filter(|table| pending.iter().any(|p| p == *table))
    {
        // Taken for writing at once, and the table still listed in it:
        // another process opening the store may have keyed it meanwhile.
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let listed: i64 = transaction.query_row(
            "SELECT count(*) FROM name_keys_pending WHERE table_name = ?1",
            [table],
            |row| row.get(0),
        )?;
        if listed > 0 {
            let mut read = transaction.prepare(&format!(
                "SELECT id, name, name_key FROM {table} WHERE id > ?1 ORDER BY id LIMIT ?2"
            ))?;
            let mut update =
                transaction.prepare(&format!("UPDATE {table} SET name_key = ?1 WHERE id = ?2"))?;
            let mut after = i64::MIN;
            loop {
                let rows: Vec<(i64, String, String)> = read
                    .query_map(params![after, BATCH], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                let Some(&(last, _, _)) = rows.last() else {
                    break;
                };
                for (id, name, kept) in rows {
                    let key = crate::domain::search_key(&name);
                    if key != kept {
                        update.execute(params![key, id])?;
                    }
                }
                after = last;
            }
        }
        transaction.execute(
            "DELETE FROM name_keys_pending WHERE table_name = ?1",
            [table],
        )?;
        transaction.commit()?;
    }
    Ok(())
}
