//! `roster backup create|list|verify|restore` with the built binary: the
//! round trip, passphrases from a file or the environment, refusals with
//! exit status 1, and real processes killed with SIGKILL during a backup
//! and during a restore, after which the store opens intact with either the
//! old or the new state; and `roster store check [--repair]`.

mod support;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use support::*;

fn user_count(world: &World) -> usize {
    world
        .run(&["users", "list", "--json", "--limit", "500"])
        .ok()
        .json()["users"]
        .as_array()
        .expect("users")
        .len()
}

fn add_user(world: &World, name: &str) {
    let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
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
            &email,
            "--group",
            "Staff",
            "--generate",
        ])
        .ok();
}

fn backup_names(world: &World) -> Vec<String> {
    world
        .run(&["backup", "list", "--json"])
        .ok()
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|backup| backup["name"].as_str().expect("a name").to_owned())
        .collect()
}

#[test]
fn create_list_verify_and_restore_put_back_the_backed_up_state() {
    let world = World::new();
    let created = world.run(&["backup", "create", "--json"]).ok().json();
    let name = created["name"].as_str().expect("a name").to_owned();
    assert_eq!(created["manifest"]["users"], 1);
    assert_eq!(created["manifest"]["encrypted"], false);
    assert!(world.dir.path().join("backups").join(&name).is_file());

    add_user(&world, "Ann Lee");
    assert_eq!(user_count(&world), 2);

    let verified = world.run(&["backup", "verify", &name]).ok();
    assert!(verified.stdout.contains("intact"), "{verified:#?}");

    // Without --yes nothing happens.
    let shown = world.run(&["backup", "restore", &name]).ok();
    assert!(shown.stdout.contains("Nothing was restored"), "{shown:#?}");
    assert_eq!(user_count(&world), 2);

    let restored = world
        .run(&["backup", "restore", &name, "--yes", "--json"])
        .ok()
        .json();
    assert_eq!(user_count(&world), 1);
    let replaced = restored["replaced"]["name"].as_str().expect("replaced");
    assert!(backup_names(&world).contains(&replaced.to_owned()));
    let audit = world.run(&["audit", "list", "--json"]).ok().stdout;
    assert!(audit.contains("settings.restore"), "{audit}");
    world.run(&["audit", "verify"]).ok();
}

#[test]
fn a_passphrase_from_a_file_or_the_environment_encrypts_and_opens_backups() {
    let world = World::new();
    let passphrase = world.file("passphrase.txt", "a long passphrase for nightly jobs\n");
    let passphrase = passphrase.to_str().expect("a path");
    let created = world
        .run(&[
            "backup",
            "create",
            "--passphrase-file",
            passphrase,
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(created["manifest"]["encrypted"], true);
    let name = created["name"].as_str().expect("a name").to_owned();

    world
        .run(&["backup", "verify", &name])
        .refused("its passphrase is needed");
    let wrong = world.file("wrong.txt", "not the passphrase of this backup\n");
    world
        .run(&[
            "backup",
            "verify",
            &name,
            "--passphrase-file",
            wrong.to_str().expect("a path"),
        ])
        .refused("The passphrase does not open this backup");
    world
        .run(&["backup", "verify", &name, "--passphrase-file", passphrase])
        .ok();

    let mut command = roster_on(&world.store);
    command
        .args(["backup", "verify", &name])
        .env("ROSTER_AS", ADMIN)
        .env(
            "ROSTER_BACKUP_PASSPHRASE",
            "a long passphrase for nightly jobs",
        );
    finish(command, None).ok();
}

#[test]
fn a_damaged_backup_or_another_file_is_refused_and_the_store_is_untouched() {
    let world = World::new();
    let name = world.run(&["backup", "create", "--json"]).ok().json()["name"]
        .as_str()
        .expect("a name")
        .to_owned();
    let path = world.dir.path().join("backups").join(&name);
    let mut bytes = std::fs::read(&path).expect("read");
    bytes.truncate(bytes.len() - 100);
    std::fs::write(&path, bytes).expect("write");
    add_user(&world, "Bea Kept");
    world
        .run(&["backup", "restore", &name, "--yes"])
        .refused("damaged or incomplete");
    let other = world.file("notes.roster-backup", "shopping list");
    world
        .run(&[
            "backup",
            "restore",
            other.to_str().expect("a path"),
            "--yes",
        ])
        .refused("is not a Roster backup");
    world
        .run(&["backup", "verify", "no-such-backup"])
        .refused("There is no backup named no-such-backup");
    assert_eq!(user_count(&world), 2);
}

#[test]
fn a_folder_that_cannot_be_written_fails_with_its_reason() {
    let world = World::new();
    let in_the_way = world.file("in-the-way", "a file");
    let folder = in_the_way.join("backups");
    world
        .run(&[
            "backup",
            "create",
            "--folder",
            folder.to_str().expect("a path"),
        ])
        .refused("cannot be written");
    assert_eq!(user_count(&world), 1);
}

/// Makes the store big enough (about 48 MB) that a backup or a restore
/// takes long enough to be killed in the middle.
fn pad(store: &Path) {
    let connection = rusqlite::Connection::open(store).expect("open");
    connection
        .execute_batch(
            "CREATE TABLE padding (bytes BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             INSERT INTO padding SELECT randomblob(16384) FROM n;",
        )
        .expect("padding");
}

fn integrity(store: &Path) -> String {
    let connection = rusqlite::Connection::open(store).expect("open");
    connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity check")
}

/// Starts `roster ARGS` as the administrator and kills it with SIGKILL
/// after `delay`; true when it was still running then.
fn kill_after(world: &World, args: &[&str], delay: Duration) -> bool {
    let mut command = roster_on(&world.store);
    command
        .args(args)
        .env("ROSTER_AS", ADMIN)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("roster starts");
    std::thread::sleep(delay);
    let running = child.try_wait().expect("status").is_none();
    child.kill().ok();
    child.wait().expect("reaped");
    running
}

#[test]
fn a_backup_killed_at_any_moment_leaves_the_store_intact_and_no_half_backup() {
    let world = World::new();
    pad(&world.store);
    let mut killed = 0;
    for delay in [5, 20, 50, 100, 200, 400, 700] {
        if kill_after(&world, &["backup", "create"], Duration::from_millis(delay)) {
            killed += 1;
        }
        assert_eq!(integrity(&world.store), "ok");
        assert_eq!(user_count(&world), 1);
        for name in backup_names(&world) {
            world.run(&["backup", "verify", &name]).ok();
        }
    }
    assert!(killed > 0, "no backup was killed while running");
    // The next backup removes what killed ones left behind.
    world.run(&["backup", "create"]).ok();
    let left: Vec<_> = std::fs::read_dir(world.dir.path().join("backups"))
        .expect("the folder")
        .map(|entry| entry.expect("an entry").file_name())
        .filter(|name| name.to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_restore_killed_at_any_moment_leaves_the_old_or_the_new_state_never_a_mix() {
    let world = World::new();
    pad(&world.store);
    let name = world.run(&["backup", "create", "--json"]).ok().json()["name"]
        .as_str()
        .expect("a name")
        .to_owned();
    // How long a whole restore takes here, to kill others along the way.
    add_user(&world, "Timing Round");
    let started = std::time::Instant::now();
    world.run(&["backup", "restore", &name, "--yes"]).ok();
    let whole = started.elapsed();
    assert_eq!(user_count(&world), 1);
    let mut killed = 0;
    let mut restored = 0;
    for (round, percent) in [5u32, 20, 40, 60, 75, 85, 92, 97].into_iter().enumerate() {
        add_user(&world, &format!("Round {round}"));
        let before = user_count(&world);
        if kill_after(
            &world,
            &["backup", "restore", &name, "--yes"],
            whole * percent / 100,
        ) {
            killed += 1;
        }
        assert_eq!(integrity(&world.store), "ok");
        let after = user_count(&world);
        assert!(
            after == before || after == 1,
            "a mix: {after} users, before {before}, the backup 1"
        );
        if after == 1 {
            restored += 1;
        }
        world.run(&["audit", "verify"]).ok();
    }
    assert!(killed > 0, "no restore was killed while running");
    eprintln!("a restore takes {whole:?}; {killed} killed, {restored} rounds ended restored");
}

#[test]
fn store_check_names_what_is_wrong_and_repair_recounts_kept_counts() {
    let world = World::new();
    let sound = world.run(&["store", "check"]).ok();
    assert!(sound.stdout.contains("The store is sound"), "{sound:#?}");
    rusqlite::Connection::open(&world.store)
        .and_then(|c| c.execute_batch("UPDATE user_counts SET users = 9 WHERE status = 'enabled'"))
        .expect("a wrong kept count");
    let found = world.run(&["store", "check"]);
    assert_eq!(found.code, 1, "{found:#?}");
    assert!(
        found
            .stdout
            .contains("The kept count of users enabled is 9, but there are 1"),
        "{found:#?}"
    );
    let repaired = world
        .run(&["store", "check", "--repair", "--json"])
        .ok()
        .json();
    assert_eq!(repaired["findings"][0]["repaired"], true);
    world.run(&["store", "check"]).ok();
}
