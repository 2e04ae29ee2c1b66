//! The shared statements' connection ([`crate::store::sql::Sql`]) over a
//! pooled tokio-postgres connection: parameters bound by the column types
//! the server reports, rows read by their types, batches sent as arrays.

use async_trait::async_trait;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::private::BytesMut;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::Row;

use super::{get, PgTx};
use crate::store::sql::{self, Cell, ColumnType, Dialect, RowRef, Sql, SqlError, SqlRow};
use crate::store::StoreError;

impl ToSql for sql::Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        // `accepts` takes every type so that one `Value` serves every
        // column; each variant checks here that the column is its kind.
        // The message names the kind of value, never the value itself.
        let wrong = || -> Box<dyn std::error::Error + Sync + Send> {
            let kind = match self {
                sql::Value::Null => "NULL",
                sql::Value::Int(_) => "an integer",
                sql::Value::Text(_) => "text",
                sql::Value::Bool(_) => "a boolean",
                sql::Value::Ints(_) => "a list of integers",
                sql::Value::Texts(_) => "a list of texts",
            };
            format!("{kind} cannot be written to a column of type {ty}").into()
        };
        match self {
            sql::Value::Null => Ok(IsNull::Yes),
            sql::Value::Int(n) => match *ty {
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::INT8 => n.to_sql(ty, out),
                _ => Err(wrong()),
            },
            sql::Value::Text(text) if <&str as ToSql>::accepts(ty) => text.as_str().to_sql(ty, out),
            sql::Value::Bool(b) if *ty == Type::BOOL => b.to_sql(ty, out),
            sql::Value::Ints(list) if *ty == Type::INT8_ARRAY => list.to_sql(ty, out),
            sql::Value::Texts(list) if <Vec<String> as ToSql>::accepts(ty) => list.to_sql(ty, out),
            _ => Err(wrong()),
        }
    }

    fn accepts(_: &Type) -> bool {
        // Each variant checks the column's type itself in `to_sql`.
        true
    }

    to_sql_checked!();
}

/// A row as the shared statements read it.
fn sql_row(row: &Row) -> Result<SqlRow, StoreError> {
    let mut cells = Vec::with_capacity(row.len());
    for (index, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        let cell = if *ty == Type::INT8 {
            get::<Option<i64>>(row, index)?.map(Cell::Int)
        } else if *ty == Type::INT4 {
            get::<Option<i32>>(row, index)?.map(|n| Cell::Int(i64::from(n)))
        } else if *ty == Type::INT2 {
            get::<Option<i16>>(row, index)?.map(|n| Cell::Int(i64::from(n)))
        } else if *ty == Type::BOOL {
            get::<Option<bool>>(row, index)?.map(Cell::Bool)
        } else if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(ty) {
            get::<Option<String>>(row, index)?.map(Cell::Text)
        } else {
            Some(Cell::Other(ty.name().to_owned()))
        };
        cells.push(cell.unwrap_or(Cell::Null));
    }
    Ok(SqlRow(cells))
}

impl RowRef for Row {
    fn opt_int(&self, index: usize) -> Result<Option<i64>, StoreError> {
        let ty = self
            .columns()
            .get(index)
            .map(|column| column.type_().clone())
            .ok_or_else(|| sql::corrupt("column", &index.to_string()))?;
        if ty == Type::INT4 {
            Ok(get::<Option<i32>>(self, index)?.map(i64::from))
        } else if ty == Type::INT2 {
            Ok(get::<Option<i16>>(self, index)?.map(i64::from))
        } else {
            get::<Option<i64>>(self, index)
        }
    }

    fn opt_text(&self, index: usize) -> Result<Option<String>, StoreError> {
        get::<Option<String>>(self, index)
    }

    fn bool(&self, index: usize) -> Result<bool, StoreError> {
        get::<bool>(self, index)
    }
}

fn params_of(params: &[sql::Value]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|value| value as &(dyn ToSql + Sync))
        .collect()
}

/// The PostgreSQL array type of a column written by `insert_rows`.
fn array_type(column: ColumnType) -> &'static str {
    match column {
        ColumnType::Int => "bigint[]",
        ColumnType::Text => "text[]",
        ColumnType::Bool => "boolean[]",
        ColumnType::Json => "text[]",
    }
}

/// One column of `insert_rows`' values, as the array it is sent as.
fn column_array(
    rows: &[Vec<sql::Value>],
    index: usize,
    column: ColumnType,
) -> Result<Box<dyn ToSql + Sync + Send>, StoreError> {
    let wrong = || StoreError::Internal {
        detail: format!("insert_rows: column {index} does not hold its declared type"),
    };
    let cells = rows
        .iter()
        .map(|row| row.get(index).unwrap_or(&sql::Value::Null));
    Ok(match column {
        ColumnType::Int => Box::new(
            cells
                .map(|value| match value {
                    sql::Value::Null => Ok(None),
                    sql::Value::Int(n) => Ok(Some(*n)),
                    _ => Err(wrong()),
                })
                .collect::<Result<Vec<Option<i64>>, _>>()?,
        ),
        ColumnType::Text | ColumnType::Json => Box::new(
            cells
                .map(|value| match value {
                    sql::Value::Null => Ok(None),
                    sql::Value::Text(text) => Ok(Some(text.clone())),
                    _ => Err(wrong()),
                })
                .collect::<Result<Vec<Option<String>>, _>>()?,
        ),
        ColumnType::Bool => Box::new(
            cells
                .map(|value| match value {
                    sql::Value::Null => Ok(None),
                    sql::Value::Bool(b) => Ok(Some(*b)),
                    _ => Err(wrong()),
                })
                .collect::<Result<Vec<Option<bool>>, _>>()?,
        ),
    })
}

impl PgTx {
    /// Runs `statement`, prepared once per connection, and returns its rows
    /// as the driver read them.
    pub(super) async fn rows(
        &mut self,
        statement: &str,
        params: &[sql::Value],
    ) -> Result<Vec<Row>, SqlError> {
        crate::store::statement_log::note(statement);
        let result = {
            let client = self.connection();
            match client.prepare_cached(statement).await {
                Ok(prepared) => client.query(&prepared, &params_of(params)).await,
                Err(error) => Err(error),
            }
        };
        result.map_err(|error| self.sql_error(error))
    }

    /// Maps a failed statement's error, keeping unique violations apart;
    /// either way the transaction counts as failed.
    fn sql_error(&mut self, error: tokio_postgres::Error) -> SqlError {
        let unique = error.as_db_error().and_then(|db| {
            (*db.code() == SqlState::UNIQUE_VIOLATION)
                .then(|| db.constraint().unwrap_or_default().to_owned())
        });
        match unique {
            Some(constraint) => {
                self.failed = true;
                SqlError::Unique(constraint)
            }
            None => SqlError::Store(self.fail(error)),
        }
    }
}

#[async_trait]
impl Sql for PgTx {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn execute(&mut self, statement: &str, params: &[sql::Value]) -> Result<u64, SqlError> {
        crate::store::statement_log::note(statement);
        let result = {
            let client = self.connection();
            match client.prepare_cached(statement).await {
                Ok(prepared) => client.execute(&prepared, &params_of(params)).await,
                Err(error) => Err(error),
            }
        };
        result.map_err(|error| self.sql_error(error))
    }

    async fn query(
        &mut self,
        statement: &str,
        params: &[sql::Value],
    ) -> Result<Vec<SqlRow>, SqlError> {
        let rows = self.rows(statement, params).await?;
        Ok(rows.iter().map(sql_row).collect::<Result<Vec<_>, _>>()?)
    }

    async fn query_each(
        &mut self,
        statement: &str,
        params: &[sql::Value],
        each: &mut (dyn for<'r> FnMut(&'r (dyn RowRef + 'r)) -> Result<(), StoreError> + Send),
    ) -> Result<(), SqlError> {
        let rows = self.rows(statement, params).await?;
        for row in &rows {
            each(row)?;
        }
        Ok(())
    }

    async fn for_each(
        &mut self,
        statement: &str,
        params: &[sql::Value],
        each: &mut (dyn FnMut(SqlRow) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        use futures_util::TryStreamExt;
        crate::store::statement_log::note(statement);
        let outcome: Result<Result<(), StoreError>, tokio_postgres::Error> = async {
            let client = self.connection();
            let prepared = client.prepare(statement).await?;
            let rows = client.query_raw(&prepared, params_of(params)).await?;
            futures_util::pin_mut!(rows);
            while let Some(row) = rows.try_next().await? {
                if let Err(error) = sql_row(&row).and_then(&mut *each) {
                    return Ok(Err(error));
                }
            }
            Ok(Ok(()))
        }
        .await;
        match outcome {
            Ok(done) => done,
            Err(error) => Err(self.fail(error)),
        }
    }

    async fn insert_rows(
        &mut self,
        table: &str,
        columns: &[(&str, ColumnType)],
        rows: Vec<Vec<sql::Value>>,
    ) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let arrays: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(index, (_, column))| format!("${}::{}", index + 1, array_type(*column)))
            .collect();
        let selected: Vec<String> = columns
            .iter()
            .map(|(name, column)| match column {
                ColumnType::Json => format!("CAST({name} AS json)"),
                _ => (*name).to_owned(),
            })
            .collect();
        // Rows copied with their own ids override the identity.
        let overriding = if names.contains(&"id") {
            " OVERRIDING SYSTEM VALUE"
        } else {
            ""
        };
        let names = names.join(", ");
        // WITH ORDINALITY keeps the rows' order in the ids they are given.
        let statement = format!(
            "INSERT INTO {table} ({names}){overriding} SELECT {} FROM unnest({}) \
             WITH ORDINALITY AS batch({names}, batch_order) ORDER BY batch_order",
            selected.join(", "),
            arrays.join(", ")
        );
        let values = columns
            .iter()
            .enumerate()
            .map(|(index, (_, column))| column_array(&rows, index, *column))
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&(dyn ToSql + Sync)> = values
            .iter()
            .map(|value| value.as_ref() as &(dyn ToSql + Sync))
            .collect();
        self.pg_execute(&statement, &refs).await?;
        Ok(())
    }
}
