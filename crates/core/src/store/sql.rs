//! The thin layer under the row traits ([`super::rows`]): one connection
//! trait over rusqlite and tokio-postgres, with one parameter type
//! ([`Value`]) and one row type ([`SqlRow`]), so each statement is written
//! once for both stores.
//!
//! Statements are written with PostgreSQL's numbered placeholders (`$1`);
//! the SQLite connection sends them as `?1`, which SQLite reads the same
//! way. Both stores keep times as milliseconds since 1970 and ids as 64-bit
//! integers; booleans are `BOOLEAN` on PostgreSQL and 0/1 on SQLite, and
//! [`SqlRow::bool`] reads either. The few real differences between the two
//! dialects are in [`Dialect`].

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};

use super::StoreError;

/// A statement parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    /// A list for `= ANY($n)` (PostgreSQL); SQLite gets one placeholder per item.
    Ints(Vec<i64>),
    /// A list of texts for `= ANY($n)`, likewise.
    Texts(Vec<String>),
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

impl From<&String> for Value {
    fn from(text: &String) -> Self {
        Value::Text(text.clone())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Into::into)
    }
}

/// A time as both stores keep it: milliseconds since 1970.
pub fn millis(at: DateTime<Utc>) -> Value {
    Value::Int(at.timestamp_millis())
}

/// One column's value as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    /// A type Roster never reads (named for the error).
    Other(String),
}

/// One row as read, its columns in the statement's order.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlRow(pub Vec<Cell>);

impl SqlRow {
    fn cell(&self, index: usize) -> Result<&Cell, StoreError> {
        self.0.get(index).ok_or_else(|| StoreError::Corrupt {
            detail: format!("column {index} is missing"),
        })
    }

    fn wrong(&self, index: usize, wanted: &str) -> StoreError {
        StoreError::Corrupt {
            detail: format!(
                "column {index}: {wanted} expected, {:?} found",
                self.0[index]
            ),
        }
    }

    pub fn int(&self, index: usize) -> Result<i64, StoreError> {
        match self.cell(index)? {
            Cell::Int(n) => Ok(*n),
            _ => Err(self.wrong(index, "an integer")),
        }
    }

    pub fn opt_int(&self, index: usize) -> Result<Option<i64>, StoreError> {
        match self.cell(index)? {
            Cell::Null => Ok(None),
            Cell::Int(n) => Ok(Some(*n)),
            _ => Err(self.wrong(index, "an integer")),
        }
    }

    /// A count or size: never negative.
    pub fn count(&self, index: usize) -> Result<u64, StoreError> {
        Ok(u64::try_from(self.opt_int(index)?.unwrap_or(0)).unwrap_or(0))
    }

    pub fn text(&self, index: usize) -> Result<String, StoreError> {
        match self.cell(index)? {
            Cell::Text(text) => Ok(text.clone()),
            _ => Err(self.wrong(index, "text")),
        }
    }

    /// [`SqlRow::text`] moved out of the row instead of copied (the column
    /// reads as NULL afterwards): for decoders that read each column once.
    pub fn take_text(&mut self, index: usize) -> Result<String, StoreError> {
        match self.take_opt_text(index)? {
            Some(text) => Ok(text),
            None => Err(self.wrong(index, "text")),
        }
    }

    /// [`SqlRow::opt_text`] moved out of the row.
    pub fn take_opt_text(&mut self, index: usize) -> Result<Option<String>, StoreError> {
        self.cell(index)?;
        match std::mem::replace(&mut self.0[index], Cell::Null) {
            Cell::Null => Ok(None),
            Cell::Text(text) => Ok(Some(text)),
            other => {
                self.0[index] = other;
                Err(self.wrong(index, "text"))
            }
        }
    }

    pub fn opt_text(&self, index: usize) -> Result<Option<String>, StoreError> {
        match self.cell(index)? {
            Cell::Null => Ok(None),
            Cell::Text(text) => Ok(Some(text.clone())),
            _ => Err(self.wrong(index, "text")),
        }
    }

    pub fn bool(&self, index: usize) -> Result<bool, StoreError> {
        match self.cell(index)? {
            Cell::Bool(b) => Ok(*b),
            Cell::Int(n) => Ok(*n != 0),
            _ => Err(self.wrong(index, "a boolean")),
        }
    }

    pub fn time(&self, index: usize) -> Result<DateTime<Utc>, StoreError> {
        time(self.int(index)?)
    }

    pub fn opt_time(&self, index: usize) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.opt_int(index)?.map(time).transpose()
    }
}

/// A row read in place, as a driver hands it over: the decoders of big
/// pages read it without first copying every column ([`Sql::query_each`]).
/// [`SqlRow`] is one too, so each decoder is written once.
pub trait RowRef {
    fn opt_int(&self, index: usize) -> Result<Option<i64>, StoreError>;
    fn opt_text(&self, index: usize) -> Result<Option<String>, StoreError>;
    fn bool(&self, index: usize) -> Result<bool, StoreError>;

    fn int(&self, index: usize) -> Result<i64, StoreError> {
        self.opt_int(index)?
            .ok_or_else(|| null(index, "an integer"))
    }

    fn text(&self, index: usize) -> Result<String, StoreError> {
        self.opt_text(index)?.ok_or_else(|| null(index, "text"))
    }

    fn time(&self, index: usize) -> Result<DateTime<Utc>, StoreError> {
        time(self.int(index)?)
    }
}

/// A NULL where a value was expected.
pub fn null(index: usize, wanted: &str) -> StoreError {
    StoreError::Corrupt {
        detail: format!("column {index}: {wanted} expected, NULL found"),
    }
}

impl RowRef for SqlRow {
    fn opt_int(&self, index: usize) -> Result<Option<i64>, StoreError> {
        SqlRow::opt_int(self, index)
    }

    fn opt_text(&self, index: usize) -> Result<Option<String>, StoreError> {
        SqlRow::opt_text(self, index)
    }

    fn bool(&self, index: usize) -> Result<bool, StoreError> {
        SqlRow::bool(self, index)
    }
}

pub fn time(millis: i64) -> Result<DateTime<Utc>, StoreError> {
    Utc.timestamp_millis_opt(millis)
        .single()
        .ok_or_else(|| StoreError::Corrupt {
            detail: format!("time {millis}"),
        })
}

pub fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt {
        detail: format!("{what} “{value}”"),
    }
}

/// Why a statement failed.
#[derive(Debug)]
pub enum SqlError {
    /// A unique index refused the row; the text names the index (PostgreSQL's
    /// constraint name, SQLite's message).
    Unique(String),
    Store(StoreError),
}

impl SqlError {
    /// True when the unique index whose name contains `index` refused the row.
    pub fn is_unique(&self, index: &str) -> bool {
        matches!(self, SqlError::Unique(name) if name.contains(index))
    }
}

impl From<SqlError> for StoreError {
    fn from(error: SqlError) -> Self {
        match error {
            SqlError::Unique(detail) => StoreError::Internal { detail },
            SqlError::Store(error) => error,
        }
    }
}

impl From<StoreError> for SqlError {
    fn from(error: StoreError) -> Self {
        SqlError::Store(error)
    }
}

/// Which store a statement goes to, for the few places their SQL differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The type of a column written by [`Sql::insert_rows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Int,
    Text,
    Bool,
    /// Text kept as `json` on PostgreSQL, as text on SQLite.
    Json,
}

/// One transaction's connection, as the row traits use it.
#[async_trait]
pub trait Sql: Send {
    fn dialect(&self) -> Dialect;

    /// Runs a statement; returns how many rows it changed.
    async fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, SqlError>;

    /// Runs a statement and reads every row it returns.
    async fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<SqlRow>, SqlError>;

    /// Runs a statement and hands each row to `each` in place, as the
    /// driver holds it (the pages of the overviews: no copy of every column
    /// first). Stops at the first error `each` returns.
    async fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut (dyn for<'r> FnMut(&'r (dyn RowRef + 'r)) -> Result<(), StoreError> + Send),
    ) -> Result<(), SqlError>;

    /// Runs a statement and hands each row to `each` as it arrives, without
    /// holding them all (exports). Stops at the first error `each` returns.
    async fn for_each(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut (dyn FnMut(SqlRow) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError>;

    /// Inserts `rows` (each one value per column, in `columns` order) into
    /// `table`, in their order: PostgreSQL sends one statement over arrays
    /// (`unnest`), SQLite runs one prepared statement per row.
    async fn insert_rows(
        &mut self,
        table: &str,
        columns: &[(&str, ColumnType)],
        rows: Vec<Vec<Value>>,
    ) -> Result<(), StoreError>;

    /// What to keep for an authenticator secret: sealed where the store
    /// seals (a local file with a keychain), else the secret itself.
    fn seal_secret(&mut self, _user: i64, secret: &str) -> Result<String, StoreError> {
        Ok(secret.to_owned())
    }

    /// The secret [`Sql::seal_secret`] kept.
    fn open_secret(&mut self, _user: i64, stored: String) -> Result<String, StoreError> {
        Ok(stored)
    }
}

/// Convenience reads over [`Sql`].
pub async fn query_opt(
    sql: &mut (impl Sql + ?Sized),
    statement: &str,
    params: &[Value],
) -> Result<Option<SqlRow>, StoreError> {
    Ok(sql.query(statement, params).await?.into_iter().next())
}

/// The first column of the only row of a count.
pub async fn count(
    sql: &mut (impl Sql + ?Sized),
    statement: &str,
    params: &[Value],
) -> Result<u64, StoreError> {
    match query_opt(sql, statement, params).await? {
        Some(row) => row.count(0),
        None => Ok(0),
    }
}

/// Parameters collected while a statement is built; [`Params::push`]
/// returns the placeholder to write.
#[derive(Debug, Default, Clone)]
pub struct Params(pub Vec<Value>);

impl Params {
    pub fn push(&mut self, value: impl Into<Value>) -> String {
        self.0.push(value.into());
        format!("${}", self.0.len())
    }

    /// A page's `LIMIT`: written into the statement on SQLite (bound, it
    /// makes SQLite prepare the statement again on every call), bound on
    /// PostgreSQL (written in, every page size would be one more statement
    /// that each pooled connection keeps prepared for good).
    pub fn limit(&mut self, dialect: Dialect, rows: u64) -> String {
        match dialect {
            Dialect::Sqlite => rows.to_string(),
            Dialect::Postgres => self.push(i64::try_from(rows).unwrap_or(i64::MAX)),
        }
    }

    /// `column` is one of `ids`: `= ANY($n)` over an array on PostgreSQL,
    /// `IN ($n, …)` on SQLite (which has no arrays).
    pub fn any_of(&mut self, dialect: Dialect, column: &str, ids: &[i64]) -> String {
        match dialect {
            Dialect::Postgres => {
                format!("{column} = ANY({})", self.push(Value::Ints(ids.to_vec())))
            }
            // One parameter per id: cheaper for SQLite than a JSON array
            // read through `json_each` (measured: 4 µs a page).
            Dialect::Sqlite => {
                use std::fmt::Write;
                let mut condition = format!("{column} IN (");
                for (n, id) in ids.iter().enumerate() {
                    self.0.push(Value::Int(*id));
                    let separator = if n == 0 { "" } else { ", " };
                    let _ = write!(condition, "{separator}${}", self.0.len());
                }
                condition.push(')');
                condition
            }
        }
    }

    /// [`Self::any_of`] for texts.
    pub fn any_text_of(&mut self, dialect: Dialect, column: &str, texts: &[String]) -> String {
        match dialect {
            Dialect::Postgres => {
                format!(
                    "{column} = ANY({})",
                    self.push(Value::Texts(texts.to_vec()))
                )
            }
            Dialect::Sqlite => {
                use std::fmt::Write;
                let mut condition = format!("{column} IN (");
                for (n, text) in texts.iter().enumerate() {
                    self.0.push(Value::Text(text.clone()));
                    let separator = if n == 0 { "" } else { ", " };
                    let _ = write!(condition, "{separator}${}", self.0.len());
                }
                condition.push(')');
                condition
            }
        }
    }
}

/// ` WHERE a AND b`, or nothing without conditions.
pub fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    }
}

/// `sql` with PostgreSQL's `$n` placeholders written as SQLite's `?n`.
pub fn sqlite_placeholders(sql: &str) -> std::borrow::Cow<'_, str> {
    if !sql.contains('$') {
        return std::borrow::Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_rewritten_for_sqlite() {
        assert_eq!(
            sqlite_placeholders("SELECT a FROM t WHERE b = $1 AND c = $12"),
            "SELECT a FROM t WHERE b = ?1 AND c = ?12"
        );
        assert_eq!(sqlite_placeholders("SELECT '$' || x"), "SELECT '$' || x");
    }

    #[test]
    fn any_of_expands_for_sqlite_and_binds_an_array_for_postgres() {
        let mut params = Params::default();
        params.push(7);
        assert_eq!(
            params.any_of(Dialect::Sqlite, "m.user_id", &[1, 2]),
            "m.user_id IN ($2, $3)"
        );
        let mut params = Params::default();
        assert_eq!(
            params.any_of(Dialect::Postgres, "m.user_id", &[1, 2]),
            "m.user_id = ANY($1)"
        );
        assert_eq!(params.0, vec![Value::Ints(vec![1, 2])]);
    }

    #[test]
    fn rows_read_booleans_from_either_store() {
        let row = SqlRow(vec![Cell::Int(1), Cell::Bool(false), Cell::Null]);
        assert!(row.bool(0).unwrap());
        assert!(!row.bool(1).unwrap());
        assert_eq!(row.opt_int(2).unwrap(), None);
        assert!(row.text(0).is_err());
        assert!(row.int(3).is_err());
    }
}
