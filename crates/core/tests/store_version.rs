//! The store records which Roster last opened it, and a Roster refuses a
//! store that a newer Roster migrated, saying so, instead of failing on a
//! schema it does not know.

mod support;

use roster_core::store::StoreError;
use support::*;

every_store!(the_store_records_the_version_that_opened_it);
async fn the_store_records_the_version_that_opened_it(backend: Backend) {
    let world = World::on(backend).await;
    world
        .execute_raw("UPDATE store_opened_by SET roster_version = '0.0.1'")
        .await;

    world.try_open().await.expect("open again");

    let recorded = world
        .query_raw("SELECT roster_version FROM store_opened_by")
        .await;
    assert_eq!(recorded, roster_core::VERSION);
}

every_store!(a_store_migrated_by_a_newer_roster_is_refused_and_left_alone);
async fn a_store_migrated_by_a_newer_roster_is_refused_and_left_alone(backend: Backend) {
    let world = World::on(backend).await;
    // What Roster 99.1.0 would leave: a migration this Roster has never
    // heard of, and its own version recorded.
    world
        .execute_raw(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
             VALUES (9999, 'from_the_future', '2099-01-01T00:00:00Z', '1'); \
             UPDATE store_opened_by SET roster_version = '99.1.0'",
        )
        .await;

    let refused = world
        .try_open()
        .await
        .err()
        .expect("a newer store is refused");

    assert!(matches!(refused, StoreError::Newer { .. }), "{refused:?}");
    let message = refused.to_string();
    assert!(message.contains("Roster 99.1.0"), "{message}");
    assert!(message.contains(roster_core::VERSION), "{message}");
    assert!(
        message.contains("Install Roster 99.1.0 or a later version"),
        "{message}"
    );
    // Nothing was written: the newer Roster's record stands.
    let recorded = world
        .query_raw("SELECT roster_version FROM store_opened_by")
        .await;
    assert_eq!(recorded, "99.1.0");
}

/// A migration the server refuses says why in the server's own words, not
/// only "db error": here the schema already holds another application's
/// table of the name Roster's first migration creates.
#[tokio::test]
async fn a_migration_the_server_refuses_says_why() {
    let schema = TestSchema::new().await;
    let client = admin_connection(&schema.config)
        .await
        .expect("the test database");
    client
        .batch_execute(&format!(
            "CREATE SCHEMA {0}; CREATE TABLE {0}.users (login text)",
            schema.name()
        ))
        .await
        .expect("another application's table");

    let refused = roster_core::store::postgres::PostgresStore::connect(schema.config.clone())
        .await
        .err()
        .expect("the migration fails");

    let message = refused.to_string();
    assert!(
        message.contains(r#"relation "users" already exists"#),
        "{message}"
    );
    assert!(
        message.contains("cannot be brought up to date"),
        "{message}"
    );
}
