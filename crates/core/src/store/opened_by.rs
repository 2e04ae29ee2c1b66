//! Which version of Roster last opened a store, and the refusal of a store
//! whose schema is newer than this Roster knows.
//!
//! Each backend runs these statements on its own connection while it opens
//! the store (before and after its migrations), outside any `Tx`: a store
//! that is refused must not be touched at all.

use super::StoreError;

/// This Roster's version: the workspace's, shared by the app, `roster` and
/// the bundles.
pub const ROSTER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Records this version as the last to open the store (both dialects).
pub(crate) const RECORD: &str = "INSERT INTO store_opened_by (id, roster_version) VALUES (1, $1) \
     ON CONFLICT (id) DO UPDATE SET roster_version = excluded.roster_version";

/// The recorded version; the table is absent before schema V7.
pub(crate) const READ: &str = "SELECT roster_version FROM store_opened_by WHERE id = 1";

/// The highest schema version applied to the store (refinery's history).
pub(crate) const APPLIED: &str = "SELECT max(version) FROM refinery_schema_history";

/// Refuses a store migrated past `known`, the newest schema this Roster
/// has, naming the version that did it when the store recorded one.
pub(crate) fn ensure_known_schema(
    applied: Option<i64>,
    known: i64,
    opened_by: Option<String>,
) -> Result<(), StoreError> {
    match applied {
        Some(applied) if applied > known => Err(StoreError::Newer {
            opened_by: opened_by.map_or_else(
                || "a newer version of Roster".to_owned(),
                |version| format!("Roster {version}"),
            ),
            this: ROSTER_VERSION.to_owned(),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_this_roster_knows_is_accepted() {
        assert!(ensure_known_schema(None, 7, None).is_ok());
        assert!(ensure_known_schema(Some(5), 7, None).is_ok());
        assert!(ensure_known_schema(Some(7), 7, Some("0.1.0".into())).is_ok());
    }

    #[test]
    fn a_newer_schema_is_refused_naming_who_migrated_it() {
        let error = ensure_known_schema(Some(8), 7, Some("2.3.0".into())).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("Roster 2.3.0"), "{message}");
        assert!(message.contains(ROSTER_VERSION), "{message}");
        let error = ensure_known_schema(Some(8), 7, None).unwrap_err();
        assert!(error.to_string().contains("a newer version of Roster"));
    }
}
