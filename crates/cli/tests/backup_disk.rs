//! `roster backup create` onto a real full disk (a 2 MB tmpfs, too small
//! for the store's copy, then filled up to the last byte) and onto a real
//! read-only folder (a read-only bind mount): the backup fails with a
//! sentence naming the cause, no file of it is left, and the store goes on
//! working. Linux only, as root (see `support/mount.rs`).
#![cfg(target_os = "linux")]

mod support;

#[path = "support/mount.rs"]
mod mount;

use std::path::Path;

use mount::Mount;
use support::*;

/// Makes the store about 6 MB, more than the small disk holds.
fn pad(store: &Path) {
    rusqlite::Connection::open(store)
        .and_then(|connection| {
            connection.execute_batch(
                "CREATE TABLE padding (bytes BLOB);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
                 INSERT INTO padding SELECT randomblob(16384) FROM n;",
            )
        })
        .expect("padding");
}

/// A change made after the failure commits and reads back.
fn the_store_keeps_working(world: &World, name: &str, email: &str) {
    if world.run(&["groups", "show", "Staff"]).code != 0 {
        world.run(&["groups", "add", "Staff"]).ok();
    }
    world
        .run(&[
            "users",
            "add",
            "--name",
            name,
            "--email",
            email,
            "--group",
            "Staff",
            "--generate",
        ])
        .ok();
    let shown = world.run(&["users", "show", email, "--json"]).ok().json();
    assert_eq!(shown["name"], name, "{shown:#}");
    world.run(&["store", "check"]).ok();
}

#[test]
fn a_backup_onto_a_full_disk_fails_saying_so_and_leaves_nothing() {
    let world = World::new();
    pad(&world.store);
    let disk = Mount::tmpfs(&world.dir.path().join("usb"), "2m");
    let folder = disk.path().to_str().expect("a path").to_owned();

    // Room for the probe, not for the copy: it fails part-way through.
    world
        .run(&["backup", "create", "--folder", &folder])
        .refused("the disk is full");
    assert_eq!(disk.files(), Vec::<String>::new(), "a partial file is left");
    the_store_keeps_working(&world, "Ann Lee", "ann@example.com");

    // Not one byte free: refused before anything is copied.
    disk.fill();
    world
        .run(&["backup", "create", "--folder", &folder])
        .refused("the disk is full");
    assert_eq!(disk.files(), vec!["filler".to_owned()]);
    the_store_keeps_working(&world, "Bea Kay", "bea@example.com");

    // Room again: the same folder takes a whole backup.
    std::fs::remove_file(disk.path().join("filler")).expect("room made");
    let small = World::new();
    let made = small
        .run(&["backup", "create", "--folder", &folder, "--json"])
        .ok()
        .json();
    let name = made["name"].as_str().expect("a name");
    assert_eq!(disk.files(), vec![name.to_owned()]);
}

#[test]
fn a_backup_into_a_read_only_folder_fails_saying_so_and_leaves_nothing() {
    let world = World::new();
    let source = world.dir.path().join("share");
    let share = Mount::read_only(&source, &world.dir.path().join("read-only"));
    let folder = share.path().to_str().expect("a path").to_owned();
    world
        .run(&["backup", "create", "--folder", &folder])
        .refused("the folder cannot be written");
    assert_eq!(share.files(), Vec::<String>::new());
    assert!(
        std::fs::read_dir(&source)
            .expect("the source")
            .next()
            .is_none(),
        "nothing written underneath"
    );
    // A folder inside it cannot be made either.
    let inside = format!("{folder}/backups");
    world
        .run(&["backup", "create", "--folder", &inside])
        .refused("the folder cannot be written");
    the_store_keeps_working(&world, "Cy Dee", "cy@example.com");
}
