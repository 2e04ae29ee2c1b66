//! Names kept before their keys dropped accents (V25): each table the
//! migration left in `name_keys_pending` has every row's name keyed again
//! as the core keys a name ([`crate::domain::search_key`]), a batch at a
//! time by id, and leaves the list once done; run under the migration
//! lock. A run cut short starts that table again on the next opening
//! (keying is idempotent). The words and the team's and statuses' copies
//! of each key follow through their generated columns and triggers.

use super::super::NAME_KEYED;

/// Rows read at a time, by id.
const BATCH: i64 = 5_000;

/// Keys again the names of every table still pending.
pub(super) async fn key_pending_names(
    client: &mut tokio_postgres::Client,
) -> Result<(), tokio_postgres::Error> {
    let pending: Vec<String> = client
        .query("SELECT table_name FROM name_keys_pending", &[])
        .await?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    for table in NAME_KEYED
        .iter()
        .filter(|table| pending.iter().any(|p| p == *table))
    {
        let read = format!(
            "SELECT id, name, name_key FROM {table} WHERE id > $1 ORDER BY id LIMIT {BATCH}"
        );
        // (Only a row whose name is still the one keyed: one renamed
        // meanwhile was keyed by its writer.)
        let update = format!(
            "UPDATE {table} SET name_key = k.key \
             FROM unnest($1::bigint[], $2::text[], $3::text[]) AS k(id, key, name) \
             WHERE {table}.id = k.id AND {table}.name = k.name"
        );
        let mut after = i64::MIN;
        loop {
            let rows = client.query(&read, &[&after]).await?;
            let Some(last) = rows.last() else {
                break;
            };
            after = last.try_get(0)?;
            let (mut ids, mut keys, mut names) = (Vec::new(), Vec::new(), Vec::new());
            for row in &rows {
                let name: &str = row.try_get(1)?;
                let key = crate::domain::search_key(name);
                if key != row.try_get::<_, &str>(2)? {
                    ids.push(row.try_get::<_, i64>(0)?);
                    keys.push(key);
                    names.push(name);
                }
            }
            if !ids.is_empty() {
                client.execute(&update, &[&ids, &keys, &names]).await?;
            }
        }
        client
            .execute(
                "DELETE FROM name_keys_pending WHERE table_name = $1",
                &[table],
            )
            .await?;
    }
    Ok(())
}
