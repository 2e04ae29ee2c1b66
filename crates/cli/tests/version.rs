//! One version for the app, `roster` and the bundles: `roster --version`
//! names the workspace's, and a store that a newer Roster migrated is
//! refused in one line that says which version to install.

mod support;

use support::World;

/// The version in the workspace's `[workspace.package]`, which every crate
/// and the bundles (through the desktop crate) take.
fn workspace_version() -> String {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml"))
            .expect("the workspace's Cargo.toml");
    let section = manifest
        .split("[workspace.package]")
        .nth(1)
        .expect("a [workspace.package] section");
    section
        .lines()
        .find_map(|line| line.trim().strip_prefix("version = "))
        .map(|value| value.trim_matches('"').to_owned())
        .expect("a version in [workspace.package]")
}

#[test]
fn version_prints_the_workspace_version() {
    let world = World::empty();
    let run = world.run(&["--version"]).ok();
    assert_eq!(run.stdout.trim(), format!("roster {}", workspace_version()));
    assert_eq!(roster_core::VERSION, workspace_version());
}

#[test]
fn a_store_migrated_by_a_newer_roster_is_refused_and_left_unchanged() {
    let world = World::new();
    let connection = rusqlite::Connection::open(&world.store).expect("open the store file");
    connection
        .execute_batch(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
             VALUES (9999, 'from_the_future', '2099-01-01T00:00:00Z', '1'); \
             UPDATE store_opened_by SET roster_version = '99.1.0'",
        )
        .expect("write what a newer Roster leaves");
    drop(connection);
    let before = std::fs::read(&world.store).expect("read the store");

    let run = world.run(&["users", "list"]).refused("Roster 99.1.0");

    assert!(
        run.stderr
            .contains("Install Roster 99.1.0 or a later version"),
        "{run:#?}"
    );
    assert_eq!(std::fs::read(&world.store).expect("read the store"), before);
}
