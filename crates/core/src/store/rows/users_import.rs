//! An import's users written many at a time: the bodies of
//! `UsersTx::insert_users` and `UsersTx::set_supervisors` (`users.rs`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::users::ids_per_statement;
use crate::domain::{UserId, ValidUntil};
use crate::model::UserFields;
use crate::password::PasswordHash;
use crate::store::sql::{millis, Dialect, Params, Sql, Value};
use crate::store::StoreError;

/// Users written by one statement of [`insert_users`]: on SQLite twelve
/// parameters each, well within its 32,766.
const USERS_PER_INSERT: usize = 1_000;

/// Inserts new users, [`USERS_PER_INSERT`] a statement, each created at
/// the time beside it, and gives their ids in the order given; an email
/// already taken is [`StoreError::DuplicateEmail`], naming it.
pub(super) async fn insert_users<S: Sql + ?Sized>(
    sql: &mut S,
    users: &[(UserFields, &PasswordHash, DateTime<Utc>)],
) -> Result<Vec<UserId>, StoreError> {
    const COLUMNS: &str = "name, name_key, email, email_normalized, status, supervisor_id, \
         password_hash, must_change_password, mask_client_data, two_factor, valid_until, \
         created_at, updated_at, password_changed_at";
    // An email taken meanwhile (by another writer on PostgreSQL) is left
    // out of what the statement returns, so it can be named.
    const RETURNING: &str =
        "ON CONFLICT (email_normalized) DO NOTHING RETURNING id, email_normalized";
    let dialect = sql.dialect();
    let mut ids = Vec::with_capacity(users.len());
    for chunk in users.chunks(USERS_PER_INSERT) {
        let mut params = Params::default();
        let statement = match dialect {
            // One row of parameters a user: SQLite keeps a few prepared
            // statements, whatever their number of rows.
            Dialect::Sqlite => {
                let rows: Vec<String> = chunk
                    .iter()
                    .map(|(fields, password, created)| {
                        let at = params.push(millis(*created));
                        let values = [
                            params.push(fields.name.as_str()),
                            params.push(fields.name.sort_key()),
                            params.push(fields.email.as_str()),
                            params.push(fields.email.normalized()),
                            params.push(fields.status.as_str()),
                            params.push(fields.supervisor.map(|s| s.0)),
                            params.push(password.as_str()),
                            params.push(fields.must_change_password),
                            params.push(fields.mask_client_data),
                            params.push(fields.two_factor.as_str()),
                            params.push(fields.valid_until.map(ValidUntil::as_string)),
                        ];
                        format!("({}, {at}, {at}, {at})", values.join(", "))
                    })
                    .collect();
                format!(
                    "INSERT INTO users ({COLUMNS}) VALUES {} {RETURNING}",
                    rows.join(", ")
                )
            }
            // One array a column: the same statement text for any number
            // of users, so each connection prepares it once (a cached
            // statement per row count would pile up for the
            // connection's life). No value is NULL in an array: a
            // supervisor of 0 and a blank last day are none.
            Dialect::Postgres => {
                let texts =
                    |params: &mut Params, cell: &dyn Fn(&UserFields, &PasswordHash) -> String| {
                        params.push(Value::Texts(
                            chunk
                                .iter()
                                .map(|(fields, hash, _)| cell(fields, hash))
                                .collect(),
                        ))
                    };
                let ints = |params: &mut Params, cell: &dyn Fn(&UserFields) -> i64| {
                    params.push(Value::Ints(
                        chunk.iter().map(|(fields, _, _)| cell(fields)).collect(),
                    ))
                };
                let at = params.push(Value::Ints(
                    chunk
                        .iter()
                        .map(|(_, _, created)| created.timestamp_millis())
                        .collect(),
                ));
                let name = texts(&mut params, &|f, _| f.name.as_str().to_owned());
                let name_key = texts(&mut params, &|f, _| f.name.sort_key());
                let email = texts(&mut params, &|f, _| f.email.as_str().to_owned());
                let normalized = texts(&mut params, &|f, _| f.email.normalized().to_owned());
                let status = texts(&mut params, &|f, _| f.status.as_str().to_owned());
                let supervisor = ints(&mut params, &|f| f.supervisor.map_or(0, |s| s.0));
                let hash = texts(&mut params, &|_, h| h.as_str().to_owned());
                let must_change = ints(&mut params, &|f| i64::from(f.must_change_password));
                let masked = ints(&mut params, &|f| i64::from(f.mask_client_data));
                let two_factor = texts(&mut params, &|f, _| f.two_factor.as_str().to_owned());
                let valid_until = texts(&mut params, &|f, _| {
                    f.valid_until.map(ValidUntil::as_string).unwrap_or_default()
                });
                format!(
                    "INSERT INTO users ({COLUMNS}) \
                     SELECT n, nk, e, en, st, NULLIF(sup, 0), ph, mc <> 0, mk <> 0, tf, NULLIF(vu, ''), \
                     at, at, at \
                     FROM unnest({name}::text[], {name_key}::text[], {email}::text[], \
                     {normalized}::text[], {status}::text[], {supervisor}::bigint[], {hash}::text[], \
                     {must_change}::bigint[], {masked}::bigint[], {two_factor}::text[], \
                     {valid_until}::text[], {at}::bigint[]) \
                     AS u(n, nk, e, en, st, sup, ph, mc, mk, tf, vu, at) \
                     {RETURNING}"
                )
            }
        };
        let mut by_email = HashMap::with_capacity(chunk.len());
        for row in sql.query(&statement, &params.0).await? {
            by_email.insert(row.text(1)?, UserId(row.int(0)?));
        }
        for (fields, _, _) in chunk {
            match by_email.get(fields.email.normalized()) {
                Some(id) => ids.push(*id),
                None => {
                    return Err(StoreError::DuplicateEmail {
                        email: fields.email.as_str().to_owned(),
                    })
                }
            }
        }
    }
    Ok(ids)
}

/// Sets each (user, supervisor) of `pairs`, leaving the users' version
/// and time of change as they are.
pub(super) async fn set_supervisors<S: Sql + ?Sized>(
    sql: &mut S,
    pairs: &[(UserId, UserId)],
) -> Result<(), StoreError> {
    let dialect = sql.dialect();
    // Two parameters a pair on SQLite; two arrays on PostgreSQL.
    for chunk in pairs.chunks(ids_per_statement(dialect)) {
        let mut params = Params::default();
        let statement = match dialect {
            Dialect::Sqlite => {
                let values: Vec<String> = chunk
                    .iter()
                    .map(|(user, boss)| {
                        format!("({}, {})", params.push(user.0), params.push(boss.0))
                    })
                    .collect();
                format!(
                    "UPDATE users SET supervisor_id = v.column2 FROM (VALUES {}) AS v \
                     WHERE users.id = v.column1",
                    values.join(", ")
                )
            }
            Dialect::Postgres => {
                let users = params.push(Value::Ints(chunk.iter().map(|p| p.0 .0).collect()));
                let bosses = params.push(Value::Ints(chunk.iter().map(|p| p.1 .0).collect()));
                format!(
                    "UPDATE users SET supervisor_id = v.boss \
                     FROM unnest({users}::bigint[], {bosses}::bigint[]) AS v(id, boss) \
                     WHERE users.id = v.id"
                )
            }
        };
        sql.execute(&statement, &params.0).await?;
    }
    Ok(())
}
