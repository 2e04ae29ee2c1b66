//! A keyset page's order and where it resumes, for every overview (users,
//! clients) and a search's walk of a sort's index.

use crate::store::sql::Params;
use crate::store::{Direction, SortKey};

pub(super) fn order_of(direction: Direction) -> &'static str {
    match direction {
        Direction::Asc => "ASC",
        Direction::Desc => "DESC",
    }
}

/// The condition of a keyset page: rows after `(key, id)` in the order of
/// `(sort column, id column)`. A key of the other type than the column (a
/// forged token) makes the page all or nothing, as SQLite orders every
/// integer before every text.
pub(super) fn keyset_condition(
    (column, id_column): (&str, &str),
    text_sort: bool,
    direction: Direction,
    key: &SortKey,
    id: i64,
    params: &mut Params,
) -> String {
    let ascending = direction == Direction::Asc;
    let key = match (key, text_sort) {
        (SortKey::Text(text), true) => params.push(text.clone()),
        (SortKey::Integer(n), false) => params.push(*n),
        (SortKey::Integer(_), true) => return if ascending { "TRUE" } else { "FALSE" }.into(),
        (SortKey::Text(_), false) => return if ascending { "FALSE" } else { "TRUE" }.into(),
    };
    let id = params.push(id);
    let comparison = if ascending { ">" } else { "<" };
    format!("({column}, {id_column}) {comparison} ({key}, {id})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forged_key_of_the_other_type_makes_the_page_all_or_nothing() {
        let mut params = Params::default();
        let key = SortKey::Integer(5);
        assert_eq!(
            keyset_condition(
                ("u.name_key", "u.id"),
                true,
                Direction::Asc,
                &key,
                1,
                &mut params
            ),
            "TRUE"
        );
        assert!(params.0.is_empty());
        let text = SortKey::Text("a".into());
        assert_eq!(
            keyset_condition(
                ("u.created_at", "u.id"),
                false,
                Direction::Asc,
                &text,
                1,
                &mut params
            ),
            "FALSE"
        );
        assert_eq!(
            keyset_condition(
                ("u.name_key", "u.id"),
                true,
                Direction::Desc,
                &text,
                9,
                &mut params
            ),
            "(u.name_key, u.id) < ($1, $2)"
        );
    }
}
