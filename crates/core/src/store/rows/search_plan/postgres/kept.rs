//! PostgreSQL's filtered page among a search's hits read with their keys:
//! the first of them in the page's order that its filter keeps, each
//! looked up a part at a time ([`kept_in_order`]), where reading and
//! testing every one's row to sort them costs more ([`filtered_page`]).

use std::collections::HashSet;

use crate::store::sql::{Dialect, Params, Sql};
use crate::store::{StoreError, COUNT_CAP};

use super::super::super::users_count::QUICK_BUDGET;
use super::super::{PageAsk, Planned, Reading, Subject};
use super::kept_of;

/// The most hits, in the page's order, that a filtered page tests for its
/// filter before it reads and sorts them all ([`Reading::Sorted`] past the
/// cap, else each looked up and tested): its page where the filter keeps
/// one in 80 of them.
const KEPT_MOST: usize = 4_096;

/// A filtered page's plan from every hit of its search, each read with
/// its key in the page's sort (`planned`), among `rows` users of whom the
/// filter leaves at most `rows.1`. Past the count's cap, and for a page
/// that counts quickly ([`PageAsk::quick`]) of more hits than a page's own
/// count reads ([`QUICK_BUDGET`]) of which the filter would keep twice its
/// page as it keeps users, its page is the first of them in its order
/// that the filter keeps ([`kept_in_order`]), its count stopped there ("at
/// least" the page, counted in full when asked for, as a page counted by
/// its rows says): the rest are never looked up, where the page read and
/// tested every one's row to sort them ("schmidt" among the disabled at a
/// million realistic users, 5,801 hits, each looked up: 27–79 ms beside a
/// test run; the bench's filtered searches p95 56 → 35 ms there). Else its
/// hits without their keys, each looked up and
/// tested by the page ([`Reading::Hits`]), or past the cap read and
/// sorted by the rule ([`Reading::Sorted`]), where the server would walk
/// past every row before them to the page ("michael" among the enabled by
/// email, 4–10 s).
pub(super) async fn filtered_page<S: Sql + ?Sized>(
    sql: &mut S,
    subject: Subject<'_>,
    mut planned: Planned,
    (page, rows): (&PageAsk<'_>, (u64, u64)),
) -> Result<Planned, StoreError> {
    let found = planned.ids.len() as u64;
    let many = found > COUNT_CAP;
    let wanted = page.rows as u64;
    let kept_enough =
        page.quick && found > QUICK_BUDGET && kept_of(found, rows) >= wanted.saturating_mul(2);
    if page.filter.is_some() && (many || kept_enough) {
        let ordered = planned.page(page.direction, page.after, KEPT_MOST);
        if let Some(ordered) = ordered {
            if let Some(ids) = kept_in_order(sql, subject, &ordered, page).await? {
                return Ok(Planned::walked_to(ids, wanted));
            }
        }
    }
    if many {
        planned.reading = Reading::Sorted;
        planned.ids.clear();
    }
    planned.keys.clear();
    Ok(planned)
}

/// The first `page.rows` of `ordered` (a search's hits after the page's
/// cursor, in its order) that the page's filter keeps, their rows looked
/// up by id and tested a part at a time, each twice the last; `None`
/// where the first [`KEPT_MOST`] keep fewer. "chr" by email, descending,
/// among the disabled at a million users: every hit read and sorted by
/// the rule and counted to 1,000, 260 ms in all; 146 so, of which the
/// crowd's read 65 and three parts 28.
async fn kept_in_order<S: Sql + ?Sized>(
    sql: &mut S,
    subject: Subject<'_>,
    ordered: &[i64],
    page: &PageAsk<'_>,
) -> Result<Option<Vec<i64>>, StoreError> {
    let Some(filter) = page.filter else {
        return Ok(None);
    };
    let (table, row) = subject.table();
    let ordered = &ordered[..ordered.len().min(KEPT_MOST)];
    let mut kept = Vec::with_capacity(page.rows);
    let mut part = 4 * page.rows.max(1);
    let mut from = 0;
    while from < ordered.len() {
        let ids = &ordered[from..(from + part).min(ordered.len())];
        let mut params = Params::default();
        let these = params.any_of(Dialect::Postgres, &format!("{row}.id"), ids);
        let condition = filter.condition(&mut params);
        let statement = format!("SELECT {row}.id FROM {table} {row} WHERE {these} AND {condition}");
        let found = sql
            .query(&statement, &params.0)
            .await?
            .iter()
            .map(|found| found.int(0))
            .collect::<Result<HashSet<i64>, _>>()?;
        for &id in ids.iter().filter(|id| found.contains(id)) {
            kept.push(id);
            if kept.len() == page.rows {
                return Ok(Some(kept));
            }
        }
        from += ids.len();
        part *= 2;
    }
    Ok(None)
}
