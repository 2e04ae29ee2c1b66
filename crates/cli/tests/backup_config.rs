//! `roster backup config`: shows and changes this computer's backup
//! settings through the services Settings → Backups uses: the folder
//! (checked writable), how many daily, weekly and monthly backups are kept,
//! and the passphrase kept in the keychain (from a file or
//! ROSTER_BACKUP_PASSPHRASE) or cleared; `settings.manage` only, each change
//! audited as `settings.backups`. Every run gets `ROSTER_KEYCHAIN=mock`, a
//! keychain that lives as long as the process, so what a run keeps there is
//! read back in the same run.

mod support;

use serde_json::Value;
use support::*;

const PASSPHRASE: &str = "a passphrase for the usb disk";

fn config(world: &World, args: &[&str], passphrase_env: Option<&str>) -> Run {
    let mut command = roster_on(&world.store);
    command
        .arg("backup")
        .arg("config")
        .args(args)
        .env("ROSTER_KEYCHAIN", "mock")
        .env_remove("ROSTER_BACKUP_PASSPHRASE");
    if let Some(passphrase) = passphrase_env {
        command.env("ROSTER_BACKUP_PASSPHRASE", passphrase);
    }
    acting_as_admin(&mut command, args);
    finish(command, None)
}

/// The `settings.backups` events, oldest first: (field, before, after).
fn backup_setting_events(world: &World) -> Vec<(String, Value, Value)> {
    let listed = world.run(&["audit", "list", "--json"]).ok().json();
    let mut events: Vec<(String, Value, Value)> = listed
        .as_array()
        .expect("events")
        .iter()
        .filter(|event| event["action"] == "settings.backups")
        .map(|event| {
            let change = &event["changes"][0];
            (
                change["field"].as_str().expect("a field").to_owned(),
                change["before"].clone(),
                change["after"].clone(),
            )
        })
        .collect();
    events.reverse();
    events
}

#[test]
fn backup_config_shows_and_changes_the_folder_and_how_many_are_kept() {
    let world = World::new();
    let shown = config(&world, &["--json"], None).ok().json();
    let beside = world.dir.path().join("backups");
    assert_eq!(shown["folder"], beside.display().to_string());
    assert_eq!(shown["default_folder"], true);
    assert_eq!(
        shown["keep"],
        serde_json::json!({"daily": 7, "weekly": 4, "monthly": 12})
    );
    assert_eq!(shown["encrypted"], false);
    let text = config(&world, &[], None).ok().stdout;
    assert!(
        text.contains("not encrypted") || text.contains("no:"),
        "{text}"
    );

    let usb = world.dir.path().join("usb").join("roster");
    let usb_text = usb.to_str().expect("a path");
    let changed = config(
        &world,
        &[
            "--folder",
            usb_text,
            "--keep-daily",
            "3",
            "--keep-monthly",
            "2",
            "--json",
        ],
        None,
    )
    .ok()
    .json();
    assert_eq!(changed["folder"], usb_text);
    assert_eq!(changed["default_folder"], false);
    assert_eq!(
        changed["keep"],
        serde_json::json!({"daily": 3, "weekly": 4, "monthly": 2})
    );
    assert!(usb.is_dir(), "the folder is created");
    // Backups now go there.
    let made = world.run(&["backup", "create", "--json"]).ok().json();
    assert!(
        made["path"].as_str().expect("a path").starts_with(usb_text),
        "{made:#}"
    );

    // A folder that cannot be written and too many kept are refused, and
    // change nothing.
    let in_the_way = world.file("in-the-way", "a file");
    let blocked = in_the_way.join("backups");
    config(
        &world,
        &["--folder", blocked.to_str().expect("a path")],
        None,
    )
    .refused("cannot be written");
    config(&world, &["--keep-weekly", "5000"], None).refused("At most 1000 backups");
    let kept = config(&world, &["--json"], None).ok().json();
    assert_eq!(kept["folder"], usb_text);
    assert_eq!(kept["keep"]["weekly"], 4);

    let back = config(&world, &["--default-folder", "--json"], None)
        .ok()
        .json();
    assert_eq!(back["folder"], beside.display().to_string());
    assert_eq!(back["default_folder"], true);

    let usb_value = Value::from(usb_text);
    let beside_value = Value::from(beside.display().to_string());
    assert_eq!(
        backup_setting_events(&world),
        vec![
            ("folder".to_owned(), beside_value.clone(), usb_value.clone()),
            (
                "keep".to_owned(),
                serde_json::json!({"daily": 7, "weekly": 4, "monthly": 12}),
                serde_json::json!({"daily": 3, "weekly": 4, "monthly": 2}),
            ),
            ("folder".to_owned(), usb_value, beside_value),
        ]
    );
}

#[test]
fn backup_config_keeps_a_passphrase_from_a_file_or_the_environment_and_clears_it() {
    let world = World::new();
    let file = world.file("passphrase.txt", &format!("{PASSPHRASE}\n"));
    let file = file.to_str().expect("a path");
    let set = config(
        &world,
        &["--set-passphrase", "--passphrase-file", file, "--json"],
        None,
    )
    .ok()
    .json();
    assert_eq!(set["encrypted"], true);
    let from_env = config(&world, &["--set-passphrase", "--json"], Some(PASSPHRASE))
        .ok()
        .json();
    assert_eq!(from_env["encrypted"], true);
    let cleared = config(&world, &["--clear-passphrase", "--json"], None)
        .ok()
        .json();
    assert_eq!(cleared["encrypted"], false);

    let short = world.file("short.txt", "too short\n");
    config(
        &world,
        &[
            "--set-passphrase",
            "--passphrase-file",
            short.to_str().expect("a path"),
        ],
        None,
    )
    .refused("at least 12 characters");
    config(&world, &["--set-passphrase"], None).refused("ROSTER_BACKUP_PASSPHRASE");

    let events = backup_setting_events(&world);
    let fields: Vec<&str> = events.iter().map(|(field, _, _)| field.as_str()).collect();
    assert_eq!(fields, ["encrypted", "encrypted", "encrypted"]);
    // Each run starts with an empty mock keychain: nothing was kept before.
    assert_eq!(events[0].2, true);
    assert_eq!(events[2].2, false);
    let audit = world.run(&["audit", "list", "--json"]).ok().stdout;
    assert!(!audit.contains(PASSPHRASE), "no passphrase in the audit");
}

#[test]
fn backup_config_needs_settings_manage_and_changes_nothing_otherwise() {
    let world = World::new();
    world
        .run(&["groups", "add", "Viewers", "--permission", "users.view"])
        .ok();
    world
        .run(&[
            "users",
            "add",
            "--name",
            "Vic Viewer",
            "--email",
            "vic@example.com",
            "--group",
            "Viewers",
            "--generate",
        ])
        .ok();
    let usb = world.dir.path().join("usb");
    let usb = usb.to_str().expect("a path");
    for args in [
        vec!["--as", "vic@example.com", "--json"],
        vec!["--as", "vic@example.com", "--folder", usb],
        vec!["--as", "vic@example.com", "--keep-daily", "1"],
        vec!["--as", "vic@example.com", "--clear-passphrase"],
    ] {
        let mut command = roster_on(&world.store);
        command
            .args(&args[..2])
            .args(["backup", "config"])
            .args(&args[2..])
            .env("ROSTER_KEYCHAIN", "mock");
        finish(command, None).refused("You do not have permission");
    }
    assert!(!world.dir.path().join("usb").exists());
    assert!(!world.dir.path().join("backups.json").exists());
    assert!(backup_setting_events(&world).is_empty());
}
