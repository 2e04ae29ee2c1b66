//! Helpers of the suites that hold every search plan to the rule:
//! the rule by hand, and users written straight into the store.

use roster_core::domain::{search_key, ValidUntil};
use roster_core::model::{User, UserFields};
use roster_core::password::{Hasher, PlainPassword};
use roster_core::store::{Direction, SortField, StatusFilter, Store, TxMode, UserQuery};

use super::{crowd_fields, starts_a_word, Backend};

/// The rule, by hand: three characters or more anywhere in the name's key
/// (lowercase, without accents: `search_key`, as the text) or the email as
/// typed; fewer at the start of a word
/// of the name, of the email's local part, or of the domain without its
/// dots and hyphens, words splitting at ASCII space and punctuation.
/// PostgreSQL matches its trigram index of the normalised email instead, so
/// an international domain there in its IDNA form.
pub fn matches(user: &User, text: &str, backend: Backend) -> bool {
    let name = search_key(user.name.as_str());
    let email = user.email.normalized();
    let text = &search_key(text);
    if text.chars().count() >= 3 {
        let typed = match backend {
            Backend::Sqlite => user.email.as_str().to_lowercase(),
            Backend::Postgres => email.to_owned(),
        };
        return name.contains(text) || typed.contains(text);
    }
    starts_a_word(&name, email, text)
}

/// Writes users straight into the store (no audit, one shared hash): the
/// crowds that put each plan to work. Every fourth is disabled; the `n`th
/// gets `valid_until(n)`.
pub async fn write_users(
    store: &dyn Store,
    people: &[(String, String)],
    valid_until: impl Fn(usize) -> Option<ValidUntil>,
) {
    let hash = Hasher::fast_for_bench_only()
        .hash(&PlainPassword::new("search plan test password"))
        .expect("hash");
    let now = chrono::Utc::now();
    let mut tx = store.begin(TxMode::Write).await.expect("begin");
    for (n, (name, email)) in people.iter().enumerate() {
        let fields = UserFields {
            valid_until: valid_until(n),
            ..crowd_fields(n, name, email)
        };
        let created = now - chrono::Duration::minutes((n as i64 * 7_919) % 100_000);
        tx.insert_user(&fields, &hash, created)
            .await
            .expect("insert");
    }
    tx.commit().await.expect("commit");
}

/// A search for `text` in a sort and direction, among a status (or none).
pub fn searched(
    text: &str,
    (sort, direction, status): (SortField, Direction, Option<StatusFilter>),
) -> UserQuery {
    UserQuery {
        search: Some(text.into()),
        sort,
        direction,
        status,
        ..UserQuery::default()
    }
}
