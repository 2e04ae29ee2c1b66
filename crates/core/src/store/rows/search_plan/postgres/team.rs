//! PostgreSQL's plan of a search in a team lead's overview: the team's
//! hits read from the pairs that keep each member's keys and words beside
//! their lead (V14, V24), else from the search's hits among everyone.

use crate::store::sql::{Params, Sql};
use crate::store::{StoreError, COUNT_CAP};

use super::super::{Planned, Reading, Subject};
use super::walk::walk_rule_on;
use super::{hits, ids_and_keys};

/// A team a search is planned in: its people (the lead included), its
/// lead's id, and the sort column (as `users_team::sort_field` names it
/// in `users` and the pairs alike, and whether it is text) whose keys a
/// page of the search in the team alone picks its own from (`None` where
/// other filters keep fewer of its hits).
#[derive(Debug, Clone, Copy)]
pub(in crate::store::rows) struct TeamAsk<'a> {
    pub members: u64,
    pub lead: i64,
    pub key: Option<(&'a str, bool)>,
}

/// The sort keys the index of a lead's pairs holds beside what a search
/// tests (V24): a page in another sort reads its hits' rows and sorts them.
const HELD_KEYS: [&str; 3] = ["name_key", "email_normalized", "created_at"];

/// The plan of a search of users in a team: every hit of the team, with
/// its key in the page's sort where the pairs' index holds it
/// ([`Reading::Hits`], counted exactly: no one outside the team), tested
/// on the lead's pairs by the walk's rule, which their index holds
/// ([`walk_rule_on`]: one entry about 0.4 µs, no member's row read), and
/// on the lead's own row. ("ann" in a team of 10,254 among a million
/// users: each member's row read and tested, 45–70 ms, after 5,128 of
/// its hits among everyone, 30–90.) A search the walk's rule does not
/// serve (a short one with punctuation) is read by its hits among
/// everyone: at most half as many as the team, which the team's
/// condition then keeps ([`Reading::Hits`]), else [`Reading::Index`],
/// whose page walks the team's keys and tests each member.
pub(in crate::store::rows::search_plan) async fn team_reading<S: Sql + ?Sized>(
    sql: &mut S,
    (subject, text): (Subject<'_>, &str),
    team: &TeamAsk<'_>,
) -> Result<Planned, StoreError> {
    if let Some(planned) = kept_hits(sql, (subject, text), team).await? {
        return Ok(planned);
    }
    let most = (team.members / 2).min(COUNT_CAP);
    let (ids, _) = hits(sql, (subject, text), None, most + 1).await?;
    let found = ids.len() as u64;
    let reading = match found <= most {
        true => Reading::Hits,
        false => Reading::Index,
    };
    Ok(Planned {
        reading,
        counted: (reading == Reading::Hits).then_some(found),
        ids: if reading == Reading::Hits {
            ids
        } else {
            Vec::new()
        },
        keys: Vec::new(),
        stopped: false,
    })
}

/// Whether a search of `subject` in a team is read from the lead's pairs
/// ([`team_reading`]), every hit of the team counted exactly.
pub(in crate::store::rows) fn reads_team_pairs(subject: Subject<'_>, text: &str) -> bool {
    matches!(subject, Subject::Users) && super::walk::walks(subject, text)
}

/// The team's hits read from the lead's pairs and the lead's own row,
/// each with its key where the page asks for one the pairs' index holds;
/// `None` where the search is not read so ([`reads_team_pairs`]).
async fn kept_hits<S: Sql + ?Sized>(
    sql: &mut S,
    (subject, text): (Subject<'_>, &str),
    team: &TeamAsk<'_>,
) -> Result<Option<Planned>, StoreError> {
    if !reads_team_pairs(subject, text) {
        return Ok(None);
    }
    let mut params = Params::default();
    let (Some(pairs), Some(own)) = (
        walk_rule_on(subject, "a", text, &mut params),
        walk_rule_on(subject, "u", text, &mut params),
    ) else {
        return Ok(None);
    };
    let lead = params.push(team.lead);
    let key = team.key.filter(|(column, _)| HELD_KEYS.contains(column));
    let (pair_key, own_key) = match key {
        Some((column, _)) => (format!(", a.{column}"), format!(", u.{column}")),
        None => (String::new(), String::new()),
    };
    let statement = format!(
        "SELECT a.user_id{pair_key} FROM user_ancestors a \
         WHERE a.ancestor_id = {lead} AND {pairs} \
         UNION ALL SELECT u.id{own_key} FROM users u WHERE u.id = {lead} AND {own}"
    );
    let found = sql.query(&statement, &params.0).await?;
    let (ids, keys) = ids_and_keys(&found, key.map(|(_, text)| text))?;
    Ok(Some(Planned::every_hit(ids, keys)))
}

#[cfg(test)]
mod tests {
    /// The words a pair keeps (V24) are its user's (V15): the same
    /// expression on the same keys.
    #[test]
    fn a_pair_keeps_its_users_words() {
        let words = |migration: &str, table: &str| {
            let start = format!("ALTER TABLE {table} ADD COLUMN words");
            let from = migration.find(&start).expect("the words' column");
            let expression = &migration[from + start.len()..];
            let end = expression.find(") STORED;").expect("its end");
            expression[..end].to_owned()
        };
        let users = words(
            include_str!("../../../postgres/migrations/V15__word_starts.sql"),
            "users",
        );
        let pairs = words(
            include_str!("../../../postgres/migrations/V24__team_search.sql"),
            "user_ancestors",
        );
        assert!(users.contains("regexp_replace(name_key"), "{users}");
        assert_eq!(users, pairs);
    }
}
