//! SQLite's walk tried first: a users search its plan reads from its index
//! ([`Reading::Index`](super::search_plan::Reading)), each hit looked up
//! (about 1 µs) and sorted, whose hits a walk of the sort's covering index
//! would meet soon if they are spread through the sort (about 0.25 µs an
//! entry). Its plan cannot tell spread hits from clustered ones (a first
//! name's, by name; a list imported in name order, by creation), where a
//! walk reads far, so the walk is bounded: it reads at most three times
//! the entries spread hits would need, and a page it leaves short is read
//! from the index after all. At a million users "ol", 7,605 hits, by
//! creation: 11 ms read, 2.8 ms walked.
//!
//! A frequent search, which its plan walks for
//! ([`Reading::Walk`](super::search_plan::Reading)), is
//! walked so too where the index holds few enough of its hits to read
//! them instead ([`READ_MOST`]), which its page then does if the walk
//! fails: hits clustered late in the sort ("jennifer" by email, most of
//! whose addresses start with a "j": 382,510 entries walked at a million
//! users for 51 of its 13,597 hits, 99–130 ms; walked and read, 45).

use crate::store::sql::{self, Params, Sql};
use crate::store::{Direction, SortKey, StoreError, COUNT_CAP};

use super::keyset::{keyset_condition, order_of};
use super::users::{query_user_rows, UserRow};

/// A walk is tried first where spread hits would need at most this many
/// entries for each of the search's hits: a walk's entry costs about a
/// quarter of a hit read, so one that fails (three times as long, then
/// the read) costs at most about 2.5 times the read alone.
const ENTRIES_PER_HIT: f64 = 2.0;

/// How many times the entries spread hits would need a walk reads before
/// it gives up.
const SLACK: f64 = 3.0;

/// The most hits of a frequent search (one its plan walks for) that its
/// page reads and sorts where a walk tried first leaves it short: about 3
/// µs a hit at a million users, so at most about 60 ms, where the walk
/// may read every entry (350 ms).
pub(super) const READ_MOST: u64 = 2 * COUNT_CAP;

/// How many entries a frequent search's walk tried first reads at most
/// for each of its hits: a walk's entry costs about a fifth of a hit read
/// by id and sorted (0.3 and 1.5–2.5 µs at a million users), so a walk
/// that fails, then the read, cost at most about twice the read alone.
const ENTRIES_PER_READ: u64 = 4;

/// The entries a frequent search's walk tried first may read for `wanted`
/// rows before its page reads its `hits` instead (among `rows` users, of
/// whom its filters leave at most `within`); `None` where even spread hits
/// would need more (a walk among few users), so the page reads them at
/// once.
pub(super) fn frequent_entries(hits: u64, sizes: (u64, u64), wanted: u64) -> Option<u64> {
    let most = ENTRIES_PER_READ * hits;
    spread(hits, sizes, wanted)
        .filter(|&spread| spread <= most as f64)
        .map(|_| most)
}

/// The entries spread hits would need a walk to read for `wanted` rows.
fn spread(found: u64, (rows, within): (u64, u64), wanted: u64) -> Option<f64> {
    if found == 0 || within == 0 {
        return None;
    }
    // Floats: products of counts past u64 at a hundred million users.
    Some(wanted as f64 * (rows as f64 / found as f64) * (rows as f64 / within as f64))
}

/// A walk of the users' sort column tried first, bounded to its first
/// `entries` entries after the cursor.
pub(super) struct Walk<'a> {
    /// The sort's column, and whether it holds text.
    pub(super) column: (&'a str, bool),
    pub(super) direction: Direction,
    pub(super) after: Option<(&'a SortKey, i64)>,
    pub(super) entries: u64,
    /// The page's rows and one more.
    pub(super) wanted: usize,
}

impl Walk<'_> {
    /// The page's rows if the walk found them (or read to the end), else
    /// `None`; `page` makes the walk's statement from its bound.
    pub(super) async fn rows<S: Sql + ?Sized>(
        &self,
        sql: &mut S,
        params: &Params,
        page: impl Fn(Option<&String>, &mut Params) -> String,
    ) -> Result<Option<Vec<UserRow>>, StoreError> {
        let mut params = params.clone();
        let bound = bound(
            sql,
            self.column,
            (self.direction, self.after),
            self.entries,
            &mut params,
        )
        .await?;
        let statement = page(bound.as_ref(), &mut params);
        let rows = query_user_rows(sql, &statement, &params.0).await?;
        Ok((bound.is_none() || rows.len() >= self.wanted).then_some(rows))
    }
}

/// The entries a walk tried first may read for `wanted` rows of a search
/// with `found` hits among `rows` users, of whom its filters leave at most
/// `within`; `None` where reading the hits is the cheaper bet. The hits
/// are taken to be as frequent among the filtered users as among all.
pub(super) fn entries(found: u64, (rows, within): (u64, u64), wanted: u64) -> Option<u64> {
    let spread = spread(found, (rows, within), wanted)?;
    (spread <= ENTRIES_PER_HIT * found as f64).then(|| (SLACK * spread).ceil() as u64)
}

/// The condition that bounds a walk of `column` (the users' sort column,
/// `text` when it holds text) in `direction` after `after` to its first
/// `entries` entries: the rows before the entry that follows them, or
/// `None` when no more than `entries` follow (the walk then reads them
/// all, and its page is exact however short).
pub(super) async fn bound<S: Sql + ?Sized>(
    sql: &mut S,
    (column, text): (&str, bool),
    (direction, after): (Direction, Option<(&SortKey, i64)>),
    entries: u64,
    params: &mut Params,
) -> Result<Option<String>, StoreError> {
    let mut own = Params::default();
    let from = after.map(|(key, id)| {
        format!(
            " WHERE {}",
            keyset_condition((column, "u.id"), text, direction, key, id, &mut own)
        )
    });
    let order = order_of(direction);
    let statement = format!(
        "SELECT {column}, u.id FROM users u{} ORDER BY {column} {order}, u.id {order} \
         LIMIT 1 OFFSET {entries}",
        from.unwrap_or_default()
    );
    let Some(row) = sql::query_opt(sql, &statement, &own.0).await? else {
        return Ok(None);
    };
    let key = if text {
        SortKey::Text(row.text(0)?)
    } else {
        SortKey::Integer(row.int(0)?)
    };
    let before = match direction {
        Direction::Asc => Direction::Desc,
        Direction::Desc => Direction::Asc,
    };
    Ok(Some(keyset_condition(
        (column, "u.id"),
        text,
        before,
        &key,
        row.int(1)?,
        params,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_is_tried_where_spread_hits_are_met_soon_and_bounded_at_three_times_that() {
        let all = |rows| (rows, rows);
        // "ol" at a million: 6,707 entries for 51 hits, bounded at 20,119.
        assert_eq!(entries(7_605, all(1_000_000), 51), Some(20_119));
        // Fewer hits, or fewer users the filter leaves: their read.
        assert_eq!(entries(5_000, all(1_000_000), 51), None);
        assert_eq!(entries(7_605, (1_000_000, 200_000), 51), None);
        assert_eq!(entries(7_605, (1_000_000, 900_000), 51), Some(22_354));
        // A page of 500 wants ten times as many.
        assert_eq!(entries(7_605, all(1_000_000), 501), None);
        assert_eq!(entries(0, all(10), 51), None);
        assert_eq!(entries(5, (10, 0), 51), None);
        // Every one a hit: the page's own rows, three times.
        assert_eq!(entries(100, all(100), 51), Some(153));
    }

    #[test]
    fn a_frequent_search_walks_four_entries_a_hit_where_spread_hits_are_met_sooner() {
        let all = |rows| (rows, rows);
        // "jennifer" at a million: 13,597 hits, spread within 3,751
        // entries; among the disabled (100,000) within 37,508; in a
        // group of 20,000 they would need 187,538.
        assert_eq!(frequent_entries(13_597, all(1_000_000), 51), Some(54_388));
        assert_eq!(
            frequent_entries(13_597, (1_000_000, 100_000), 51),
            Some(54_388)
        );
        assert_eq!(frequent_entries(13_597, (1_000_000, 20_000), 51), None);
        assert_eq!(frequent_entries(0, all(10), 51), None);
        assert_eq!(frequent_entries(5, (10, 0), 51), None);
    }
}
