//! Clients: their rows, the overview and the export's single pass.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{ClientId, ClientName, Country, Email, Phone, UserId, UserName};
use crate::model::{ClientFields, UserRef};
use crate::store::sql::{
    self, corrupt, millis, where_clause, ColumnType, Dialect, Params, RowRef, Sql,
};
use crate::store::{
    ClientCursor, ClientListing, ClientMatch, ClientQuery, ClientRow, ClientRows, ClientSort,
    SortKey, StoreError, Total, COUNT_CAP,
};

use super::clients_team;
use super::keyset::{keyset_condition, order_of};
use super::search;
use super::search_plan::{self, PageAsk, Planned, Reading, Subject, TextSort};
use super::users_count::QUICK_BUDGET;

/// Clients, as one transaction reads and writes them.
#[async_trait]
pub trait ClientsTx: Send {
    async fn insert_client(
        &mut self,
        fields: &ClientFields,
        now: DateTime<Utc>,
    ) -> Result<ClientId, StoreError>;
    /// Inserts many clients at once, each created at the time given beside
    /// it (a bench's seed): one statement on a server store, so
    /// per-statement bookkeeping runs once per batch.
    async fn insert_clients(
        &mut self,
        batch: &[(ClientFields, DateTime<Utc>)],
    ) -> Result<(), StoreError>;
    /// Keeps a batch of new clients aside in this transaction (a temporary
    /// table no other transaction sees), numbered from `first` in the order
    /// given; [`ClientsTx::insert_staged_clients`] writes them all at once.
    /// Staging touches no shared row, so a [`crate::store::TxMode::Stage`]
    /// transaction stages without the writer lock.
    async fn stage_clients(
        &mut self,
        first: u64,
        batch: &[ClientFields],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Writes every staged client into `clients` in one statement, in the
    /// order staged, and forgets the stage; returns how many were written.
    async fn insert_staged_clients(&mut self) -> Result<u64, StoreError>;
    /// Writes `fields` when the row is still at `expected_version`, bumping it;
    /// returns false (and writes nothing) when the row has moved on or is gone.
    async fn update_client(
        &mut self,
        id: ClientId,
        expected_version: i64,
        fields: &ClientFields,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Deletes the row when it is still at `expected_version`.
    async fn delete_client(
        &mut self,
        id: ClientId,
        expected_version: i64,
    ) -> Result<bool, StoreError>;
    async fn client(&mut self, id: ClientId) -> Result<Option<ClientRow>, StoreError>;
    /// One keyset page of the clients overview (`listing.limit` rows, at
    /// most [`ClientQuery::MAX_LIMIT`]) after `after`.
    async fn list_clients(
        &mut self,
        listing: &ClientListing,
        after: Option<&ClientCursor>,
    ) -> Result<ClientRows, StoreError>;
    /// The total of `listing` counted in full, up to the overview's cap:
    /// a page of a frequent search on PostgreSQL says only "more than" a
    /// number it read quickly ([`ClientRows::counting`]).
    async fn count_listed_clients(&mut self, listing: &ClientListing) -> Result<Total, StoreError>;
    /// Every client, from the kept count.
    async fn count_clients(&mut self) -> Result<u64, StoreError>;
    /// Every client `listing` matches (its limit ignored), in its order,
    /// handed to `each` one at a time as one query returns them: the
    /// export's single pass, in memory one row at a time.
    async fn each_client(
        &mut self,
        listing: &ClientListing,
        each: &mut (dyn FnMut(ClientRow) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError>;
}

pub(super) const CLIENT_COLUMNS: &str =
    "c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, \
     c.version, m.id, m.name, m.email, m.email_normalized";

/// The clients, each with their account manager (if any) for
/// [`CLIENT_COLUMNS`].
const CLIENTS_WITH_MANAGERS: &str = "clients c LEFT JOIN users m ON m.id = c.account_manager_id";

/// The columns a new client is written with, and their types.
const INSERT_COLUMNS: [(&str, ColumnType); 10] = [
    ("name", ColumnType::Text),
    ("name_key", ColumnType::Text),
    ("email", ColumnType::Text),
    ("email_normalized", ColumnType::Text),
    ("phone", ColumnType::Text),
    ("country", ColumnType::Text),
    ("created_at", ColumnType::Int),
    ("updated_at", ColumnType::Int),
    ("name_folded", ColumnType::Text),
    ("account_manager_id", ColumnType::Int),
];

/// A new client's values, in [`INSERT_COLUMNS`] order.
fn insert_values(fields: &ClientFields, now: DateTime<Utc>) -> Vec<sql::Value> {
    vec![
        fields.name.as_str().into(),
        fields.name.sort_key().into(),
        fields.email.as_ref().map(Email::as_str).into(),
        fields.email.as_ref().map(Email::normalized).into(),
        fields.phone.as_ref().map(Phone::as_str).into(),
        fields.country.as_ref().map(Country::as_str).into(),
        millis(now),
        millis(now),
        fields.name.folded().into(),
        fields.account_manager.map(|id| id.0).into(),
    ]
}

/// A clients row read in [`CLIENT_COLUMNS`] order.
fn client_row(row: &dyn RowRef) -> Result<ClientRow, StoreError> {
    let email = row.opt_text(2)?;
    let email_normalized = row.opt_text(3)?;
    let country = match row.opt_text(5)? {
        Some(code) => Some(Country::parse(&code).map_err(|_| corrupt("country", &code))?),
        None => None,
    };
    Ok(ClientRow {
        id: ClientId(row.int(0)?),
        name: ClientName::from_stored(row.text(1)?),
        email: email.map(|email| {
            let normalized = email_normalized.unwrap_or_else(|| email.to_lowercase());
            Email::from_stored(email, normalized)
        }),
        phone: row.opt_text(4)?.map(Phone::from_stored),
        country,
        created_at: row.time(6)?,
        updated_at: row.time(7)?,
        version: row.int(8)?,
        account_manager: match row.opt_int(9)? {
            Some(id) => Some(UserRef {
                id: UserId(id),
                name: UserName::from_stored(row.text(10)?),
                email: Email::from_stored(row.text(11)?, row.text(12)?),
            }),
            None => None,
        },
    })
}

/// The condition "the client's account manager is the lead in the
/// placeholder `lead` or one of their reports".
fn team_condition(lead: &str) -> String {
    super::users_team::in_team_of("c.account_manager_id", lead)
}

/// The same condition on PostgreSQL, for the count of a team's clients
/// when they are more than a team read takes ([`clients_team`]) and for
/// its export, of the lead in the placeholder `lead`: one list of the
/// team's people, which the server joins to the account managers' index,
/// where `team_condition`'s `OR` leaves it a scan of every client (at
/// 100,000 clients, a team of 1,016 looking after 590: 30 ms against 2).
/// A search's count is driven by its hits, as before.
fn team_count_condition(lead: &str) -> String {
    super::users_team::team_list("c.account_manager_id", lead)
}

/// Whether a listing's word-start search with phone digits (which its plan
/// does not read) is rare enough on SQLite to read its clients from
/// `clients_words` beside the phone's range (see
/// [`search::word_start_is_rare`]).
async fn rare_word_start<S: Sql + ?Sized>(
    sql: &mut S,
    listing: &ClientListing,
) -> Result<bool, StoreError> {
    match &listing.matching {
        Some(ClientMatch::Substring {
            text,
            digits: Some(_),
        }) if search::by_word_start(text) && sql.dialect() == Dialect::Sqlite => {
            let rows = sql::count(sql, CLIENT_COUNT, &[]).await?;
            search::word_start_is_rare(sql, "clients_words", text, rows).await
        }
        _ => Ok(false),
    }
}

/// The plan of a client search ([`search_plan::reading`]); `None` on
/// SQLite for one with no index to plan from (a short phone-like search, a
/// prefix with punctuation). The hits it read for a page of the search
/// alone are that page's only ([`Planned::page`]), after `after`; its
/// count is still the total.
async fn plan<S: Sql + ?Sized>(
    sql: &mut S,
    (subject, text): (Subject<'_>, &str),
    listing: &ClientListing,
    after: Option<&ClientCursor>,
    full_count: bool,
) -> Result<Option<Planned>, StoreError> {
    if sql.dialect() == Dialect::Sqlite && search_plan::index_query(subject, text).is_none() {
        return Ok(None);
    }
    let rows = sql::count(sql, CLIENT_COUNT, &[]).await?;
    let sort = listing.sort;
    let limit = listing.limit.clamp(1, ClientQuery::MAX_LIMIT) as usize;
    let after = after.map(|cursor| (&cursor.key, cursor.id));
    // A page of the search alone is picked from its hits' keys, or walked
    // to; a full count reads every hit up to the cap.
    let page = PageAsk {
        column: sort_column(sort),
        text: sort == ClientSort::Name,
        direction: listing.direction,
        after,
        rows: limit + 1,
        quick: !full_count,
        filter: None,
    };
    let page = listing.team_of.is_none().then_some(&page);
    let mut planned = search_plan::reading(
        sql,
        (subject, text),
        (text_sort(sort), page),
        ((rows, rows), None),
    )
    .await?;
    if let Some(page) = planned.page(listing.direction, after, limit + 1) {
        planned.ids = page;
    }
    Ok(Some(planned))
}

/// A listing's clients up to the cap and one more, `conditions` its own (a
/// word start on SQLite counted from its words table).
async fn count_listed<S: Sql + ?Sized>(
    sql: &mut S,
    listing: &ClientListing,
    conditions: &[String],
    params: &Params,
) -> Result<u64, StoreError> {
    let mut counted = params.clone();
    let statement = match &listing.matching {
        Some(ClientMatch::Substring { text, digits: None }) => search::word_start_count(
            sql.dialect(),
            ("clients_words", "clients", "c"),
            text,
            "",
            conditions,
            &mut counted,
        ),
        _ => None,
    }
    .unwrap_or_else(|| {
        format!(
            "SELECT count(*) FROM (SELECT 1 FROM clients c{} LIMIT {}) counted",
            where_clause(conditions),
            COUNT_CAP + 1
        )
    });
    sql::count(sql, &statement, &counted.0).await
}

/// The name sort as a [`search_plan::TextSort`].
fn text_sort(sort: ClientSort) -> Option<TextSort> {
    match sort {
        ClientSort::Name => Some(("name", "c.name_key")),
        ClientSort::Created => None,
    }
}

fn sort_column(sort: ClientSort) -> &'static str {
    match sort {
        ClientSort::Name => "c.name_key",
        ClientSort::Created => "c.created_at",
    }
}

/// The stage of [`ClientsTx::stage_clients`]: `position` keeps the order.
const CREATE_STAGE: &str = "CREATE TEMP TABLE IF NOT EXISTS staged_clients (position BIGINT NOT NULL, \
     name TEXT NOT NULL, name_key TEXT NOT NULL, email TEXT, email_normalized TEXT, phone TEXT, \
     country TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, name_folded TEXT NOT NULL, \
     account_manager_id BIGINT)";

const CLIENT_COUNT: &str = "SELECT clients FROM client_counts WHERE id = 1";

/// One keyset page of `listing` after `after`, its total counted in full
/// when `full_count` (else a frequent search's stops early on PostgreSQL).
async fn listed<S: Sql + ?Sized>(
    sql: &mut S,
    listing: &ClientListing,
    after: Option<&ClientCursor>,
    full_count: bool,
) -> Result<ClientRows, StoreError> {
    let dialect = sql.dialect();
    let mut params = Params::default();
    let searched = match &listing.matching {
        Some(ClientMatch::Substring { text, digits }) => Some((
            Subject::Clients {
                digits: digits.as_deref(),
            },
            text.as_str(),
        )),
        _ => None,
    };
    // A team read tests the search's rule on the team's clients: no plan.
    let team_clients = clients_team::reads_team(sql, listing).await?;
    let team_read = team_clients.is_some();
    let planned = match searched {
        Some(search) if !team_read => plan(sql, search, listing, after, full_count).await?,
        _ => None,
    };
    let rare = !team_read && rare_word_start(sql, listing).await?;
    // The search's parts when its plan read its rows (PostgreSQL): each
    // part of the page, and together the total's condition.
    let exact = match (searched, &planned) {
        (Some(search), Some(planned)) if planned.reading.exact(dialect) => search_plan::parts(
            dialect,
            search,
            (planned.reading, &planned.ids),
            text_sort(listing.sort),
            &mut params,
        ),
        _ => Vec::new(),
    };
    // The search's condition first: the index's hits tested by the rule,
    // or the rows the plan read.
    // A team read's search is its rule; its team is read by its lead's
    // placeholder.
    let mut team_lead = None;
    let mut conditions = if team_read {
        let (conditions, lead) = clients_team::conditions(dialect, listing, &mut params);
        team_lead = Some(lead);
        conditions
    } else if exact.is_empty() {
        search::client_conditions(dialect, listing.matching.as_ref(), rare, &mut params)
    } else {
        vec![search_plan::any_part(&exact)]
    };
    // A count's own conditions, where they differ (a team's clients on
    // PostgreSQL).
    let mut counted_conditions = None;
    if let (false, Some(lead)) = (team_read, listing.team_of) {
        let lead = params.push(lead.0);
        let mut counted = conditions.clone();
        conditions.push(team_condition(&lead));
        if dialect == Dialect::Postgres && listing.matching.is_none() {
            counted.push(team_count_condition(&lead));
            counted_conditions = Some(counted);
        }
    }
    let column = sort_column(listing.sort);
    let order = order_of(listing.direction);
    let limit = listing.limit.clamp(1, ClientQuery::MAX_LIMIT);
    // A team read's first page of a search: its hits, when they are up to
    // the quick count's budget, are its total and its page, read in one
    // pass over the team's clients.
    let mut first_ids = None;
    // Whether the total is the lower bound of a frequent search's count
    // that the plan stopped early, counted in full when asked for.
    let mut counting = false;
    let total = match (&listing.matching, &planned) {
        // The team's clients, as the team read counted them.
        (None, _) if team_clients.is_some() => Total::capped(team_clients.unwrap_or_default()),
        // A team's search: a page's own count reads at most the quick
        // budget; past it the page says "more than" and the overview
        // counts in full.
        _ if team_lead.is_some() => {
            let lead = team_lead.as_deref().unwrap_or_default();
            let cap = if full_count { COUNT_CAP } else { QUICK_BUDGET };
            let found = if full_count || after.is_some() {
                let statement = clients_team::count(dialect, lead, &conditions, cap);
                sql::count(sql, &statement, &params.0).await?
            } else {
                let statement = clients_team::hits(dialect, lead, column, &conditions, cap);
                let mut hits = Vec::new();
                for row in sql.query(&statement, &params.0).await? {
                    let key = match listing.sort {
                        ClientSort::Name => SortKey::Text(row.text(1)?),
                        ClientSort::Created => SortKey::Integer(row.int(1)?),
                    };
                    hits.push((key, row.int(0)?));
                }
                let found = hits.len() as u64;
                if found <= cap {
                    let rows = limit as usize + 1;
                    first_ids = Some(clients_team::first_of(hits, listing.direction, rows));
                }
                found
            };
            match Total::at_least(found) {
                Some(at_least) if !full_count && found > cap => {
                    counting = true;
                    at_least
                }
                _ => Total::capped(found),
            }
        }
        (None, _) if listing.team_of.is_none() => {
            Total::exact(sql::count(sql, CLIENT_COUNT, &[]).await?)
        }
        // The plan counted the index's hits (up to the cap and one more),
        // or stopped after more than it read.
        (
            Some(_),
            Some(Planned {
                counted: Some(found),
                stopped,
                ..
            }),
        ) if listing.team_of.is_none() => match Total::at_least(*found) {
            Some(at_least) if *stopped => {
                counting = true;
                at_least
            }
            _ => Total::capped(*found),
        },
        _ => {
            let counted = counted_conditions.as_deref().unwrap_or(&conditions);
            Total::capped(count_listed(sql, listing, counted, &params).await?)
        }
    };
    // A count in full is its total alone: its page's rows would be read
    // for nothing, and a frequent search's first row in a sort its plan
    // left to the server may lie past most of the index.
    if full_count {
        return Ok(ClientRows {
            rows: Vec::new(),
            total,
            counting: false,
            next: None,
        });
    }
    // The search's parts as its plan reads them, each in place of its
    // condition (the first), unless that is the plan's one part.
    let parts = match (searched, &planned) {
        _ if team_read => Vec::new(),
        _ if exact.len() > 1 => exact,
        (Some(search), Some(planned))
            // (Sorted: the rule, as the total's; only the page's order differs.)
            if !matches!(planned.reading, Reading::Index | Reading::Sorted)
                && !planned.reading.exact(dialect) =>
        {
            search_plan::parts(
                dialect,
                search,
                (planned.reading, &planned.ids),
                text_sort(listing.sort),
                &mut params,
            )
        }
        _ => Vec::new(),
    };
    if let Some(cursor) = after {
        conditions.push(keyset_condition(
            (column, "c.id"),
            listing.sort == ClientSort::Name,
            listing.direction,
            &cursor.key,
            cursor.id,
            &mut params,
        ));
    }
    let limit_rows = params.limit(dialect, u64::from(limit) + 1);
    let with_part = |part: &String| {
        let mut conditions = conditions.clone();
        if let Some(first) = conditions.first_mut() {
            first.clone_from(part);
        }
        where_clause(&conditions)
    };
    let statement = if let Some(ids) = &first_ids {
        // The page's rows, by the ids the first pass picked, alone bound.
        params = Params::default();
        let listed = params.any_of(dialect, "c.id", ids);
        format!(
            "SELECT {CLIENT_COLUMNS} FROM {CLIENTS_WITH_MANAGERS} WHERE {listed} \
             ORDER BY {column} {order}, c.id {order}"
        )
    } else if let Some(lead) = &team_lead {
        // The team's clients in the sort's order from the managers' index;
        // the page's rows alone looked up.
        clients_team::page(dialect, (lead, &conditions), (column, order), &limit_rows)
    } else if parts.len() < 2 {
        let where_sql = match parts.first() {
            Some(part) => with_part(part),
            None => where_clause(&conditions),
        };
        let reading = planned.as_ref().map(|planned| planned.reading);
        let sorted = search_plan::sorted_by(column, reading, listing.sort == ClientSort::Name);
        format!(
            "SELECT {CLIENT_COLUMNS} FROM {CLIENTS_WITH_MANAGERS}{where_sql} \
             ORDER BY {sorted} {order}, c.id {order} LIMIT {limit_rows}"
        )
    } else {
        // Each part's first rows in the sort's order, merged.
        let reading = planned.as_ref().map(|planned| planned.reading);
        let name = listing.sort == ClientSort::Name;
        let selects: Vec<String> = parts
            .iter()
            .enumerate()
            .map(|(n, part)| {
                let sorted = search_plan::part_sorted_by(column, (n, reading), dialect, name);
                format!(
                    "SELECT * FROM (SELECT c.id, {column} AS sort_value FROM clients c{} \
                     ORDER BY {sorted} {order}, c.id {order} LIMIT {limit_rows}) part",
                    with_part(part)
                )
            })
            .collect();
        format!(
            "SELECT {CLIENT_COLUMNS} FROM ({}) p JOIN clients c ON c.id = p.id \
             LEFT JOIN users m ON m.id = c.account_manager_id \
             ORDER BY p.sort_value {order}, p.id {order} LIMIT {limit_rows}",
            selects.join(" UNION ")
        )
    };
    let mut rows = Vec::new();
    sql.query_each(&statement, &params.0, &mut |row| {
        rows.push(client_row(row)?);
        Ok(())
    })
    .await?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|last| ClientCursor {
            sort: listing.sort,
            direction: listing.direction,
            key: last.sort_key(listing.sort),
            id: last.id.0,
        })
    } else {
        None
    };
    Ok(ClientRows {
        rows,
        total,
        counting,
        next,
    })
}

#[async_trait]
impl<S: Sql + ?Sized> ClientsTx for S {
    async fn insert_client(
        &mut self,
        fields: &ClientFields,
        now: DateTime<Utc>,
    ) -> Result<ClientId, StoreError> {
        let values = insert_values(fields, now);
        let rows = self
            .query(
                "INSERT INTO clients (name, name_key, email, email_normalized, phone, country, \
                 created_at, updated_at, name_folded, account_manager_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                &values,
            )
            .await?;
        match rows.first() {
            Some(row) => Ok(ClientId(row.int(0)?)),
            None => Err(StoreError::Internal {
                detail: "insert returned no id".into(),
            }),
        }
    }

    async fn insert_clients(
        &mut self,
        batch: &[(ClientFields, DateTime<Utc>)],
    ) -> Result<(), StoreError> {
        let rows = batch
            .iter()
            .map(|(fields, created)| insert_values(fields, *created))
            .collect();
        self.insert_rows("clients", &INSERT_COLUMNS, rows).await
    }

    async fn stage_clients(
        &mut self,
        first: u64,
        batch: &[ClientFields],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute(CREATE_STAGE, &[]).await?;
        let mut columns = vec![("position", ColumnType::Int)];
        columns.extend(INSERT_COLUMNS);
        let rows = batch
            .iter()
            .zip(first..)
            .map(|(fields, n)| {
                let mut row = vec![i64::try_from(n).unwrap_or(i64::MAX).into()];
                row.extend(insert_values(fields, now));
                row
            })
            .collect();
        self.insert_rows("staged_clients", &columns, rows).await
    }

    async fn insert_staged_clients(&mut self) -> Result<u64, StoreError> {
        self.execute(CREATE_STAGE, &[]).await?;
        let names = INSERT_COLUMNS.map(|(name, _)| name).join(", ");
        let written = self
            .execute(
                &format!(
                    "INSERT INTO clients ({names}) SELECT {names} FROM staged_clients ORDER BY position"
                ),
                &[],
            )
            .await?;
        self.execute("DROP TABLE staged_clients", &[]).await?;
        Ok(written)
    }

    async fn update_client(
        &mut self,
        id: ClientId,
        expected_version: i64,
        fields: &ClientFields,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "UPDATE clients SET name = $1, name_key = $2, email = $3, email_normalized = $4, \
                 phone = $5, country = $6, updated_at = $7, version = version + 1, name_folded = $10, \
                 account_manager_id = $11 WHERE id = $8 AND version = $9",
                &[
                    fields.name.as_str().into(),
                    fields.name.sort_key().into(),
                    fields.email.as_ref().map(Email::as_str).into(),
                    fields.email.as_ref().map(Email::normalized).into(),
                    fields.phone.as_ref().map(Phone::as_str).into(),
                    fields.country.as_ref().map(Country::as_str).into(),
                    millis(now),
                    id.0.into(),
                    expected_version.into(),
                    fields.name.folded().into(),
                    fields.account_manager.map(|id| id.0).into(),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn delete_client(
        &mut self,
        id: ClientId,
        expected_version: i64,
    ) -> Result<bool, StoreError> {
        let deleted = self
            .execute(
                "DELETE FROM clients WHERE id = $1 AND version = $2",
                &[id.0.into(), expected_version.into()],
            )
            .await?;
        Ok(deleted == 1)
    }

    async fn client(&mut self, id: ClientId) -> Result<Option<ClientRow>, StoreError> {
        let statement =
            format!("SELECT {CLIENT_COLUMNS} FROM {CLIENTS_WITH_MANAGERS} WHERE c.id = $1");
        match sql::query_opt(self, &statement, &[id.0.into()]).await? {
            Some(row) => Ok(Some(client_row(&row)?)),
            None => Ok(None),
        }
    }

    async fn list_clients(
        &mut self,
        listing: &ClientListing,
        after: Option<&ClientCursor>,
    ) -> Result<ClientRows, StoreError> {
        listed(self, listing, after, false).await
    }

    async fn count_listed_clients(&mut self, listing: &ClientListing) -> Result<Total, StoreError> {
        Ok(listed(self, listing, None, true).await?.total)
    }

    async fn count_clients(&mut self) -> Result<u64, StoreError> {
        sql::count(self, CLIENT_COUNT, &[]).await
    }

    async fn each_client(
        &mut self,
        listing: &ClientListing,
        each: &mut (dyn FnMut(ClientRow) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        let mut params = Params::default();
        let rare = rare_word_start(self, listing).await?;
        let mut conditions =
            search::client_conditions(self.dialect(), listing.matching.as_ref(), rare, &mut params);
        // PostgreSQL reads the team as one list (see
        // `team_count_condition`).
        if let Some(lead) = listing.team_of {
            let lead = params.push(lead.0);
            conditions.push(match self.dialect() {
                Dialect::Sqlite => team_condition(&lead),
                Dialect::Postgres => team_count_condition(&lead),
            });
        }
        let column = sort_column(listing.sort);
        let order = order_of(listing.direction);
        let statement = format!(
            "SELECT {CLIENT_COLUMNS} FROM {CLIENTS_WITH_MANAGERS}{} \
             ORDER BY {column} {order}, c.id {order}",
            where_clause(&conditions)
        );
        self.for_each(&statement, &params.0, &mut |row| each(client_row(&row)?))
            .await
    }
}
