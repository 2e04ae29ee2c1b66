//! `roster audit`: filters, export, verify and checkpoints through the
//! built binary, and bad input refused with one line.

mod support;

use support::World;

#[test]
fn the_log_verifies_exports_and_checkpoints() {
    let world = World::new();
    let verified = world.run(&["audit", "verify"]).ok();
    assert!(verified.stdout.contains("events, intact."), "{verified:#?}");

    let checkpoint = world.dir.path().join("audit.checkpoint");
    let path = checkpoint.to_str().expect("a UTF-8 path");
    world.run(&["audit", "checkpoint", path]).ok();
    let against = world
        .run(&["audit", "verify", "--checkpoint", path, "--json"])
        .ok()
        .json();
    assert_eq!(against["intact"], true);
    assert_eq!(against["checkpoint_matched"], true);

    let csv = world.dir.path().join("audit.csv");
    let run = world
        .run(&[
            "audit",
            "export",
            "--action",
            "accounts",
            "--days",
            "1",
            "--format",
            "csv",
            "--output",
            csv.to_str().expect("a UTF-8 path"),
        ])
        .ok();
    assert!(run.stderr.contains("Exported"), "{run:#?}");
    let text = std::fs::read_to_string(&csv).expect("the export");
    assert!(text.starts_with("id,time_utc,operator,action"), "{text}");
    assert!(text.contains("directory.initialize"), "{text}");

    let xlsx = world.dir.path().join("audit.xlsx");
    world
        .run(&[
            "audit",
            "export",
            "--format",
            "xlsx",
            "--output",
            xlsx.to_str().expect("a UTF-8 path"),
        ])
        .ok();
    assert!(std::fs::read(&xlsx)
        .expect("the workbook")
        .starts_with(b"PK"));

    // Someone edits the file's log directly: verify names the event and fails.
    rusqlite::Connection::open(&world.store)
        .and_then(|c| {
            c.execute_batch("UPDATE audit_events SET operator_label = 'nobody' WHERE id = 1")
        })
        .expect("edit the file");
    world.run(&["audit", "verify"]).refused("Event 1 (");
}

#[test]
fn bad_filters_are_refused_with_one_line() {
    let world = World::new();
    // Arguments clap parses are refused by clap, with the core's sentence.
    for (args, text) in [
        (
            &["audit", "list", "--action", "everything"][..],
            "is not an action group",
        ),
        (
            &["audit", "list", "--kind", "%"][..],
            "is not a kind of target",
        ),
        (
            &["audit", "export", "--format", "pdf", "--output", "x"][..],
            "csv or xlsx",
        ),
    ] {
        let run = world.run(args);
        assert_ne!(run.code, 0, "{run:#?}");
        assert!(run.stderr.contains(text), "{run:#?}");
    }
    world
        .run(&[
            "audit",
            "list",
            "--from",
            "2026-02-01",
            "--to",
            "2026-01-01",
        ])
        .refused("ends before it starts");
    world
        .run(&["audit", "list", "--from", "yesterday-ish"])
        .refused("is not a day");
    let listed = world
        .run(&["audit", "list", "--search", "%", "--json"])
        .ok()
        .json();
    assert_eq!(listed, serde_json::json!([]));
}

#[test]
fn old_events_are_archived_to_a_file_that_verifies_with_the_log() {
    let world = World::new();
    let archive = world.dir.path().join("archive.jsonl");
    let path = archive.to_str().expect("a UTF-8 path");
    // Off by default: a date, months, or the setting.
    world
        .run(&["audit", "archive", "--to", path])
        .refused("Archiving audit events is off");
    assert!(!archive.exists(), "no file left behind");
    world
        .run(&["audit", "archive", "--older-than-months", "6", "--to", path])
        .refused("No audit events older than");
    assert!(!archive.exists(), "no file left behind");

    let archived = world
        .run(&["audit", "archive", "--before", "2999-01-01", "--to", path])
        .ok();
    assert!(archived.stdout.contains("Archived "), "{archived:#?}");
    let text = std::fs::read_to_string(&archive).expect("the archive");
    assert!(
        text.starts_with("{\"format\":\"roster-audit-archive/1\""),
        "{text}"
    );
    // An existing file is never overwritten.
    world
        .run(&["audit", "archive", "--before", "2999-01-01", "--to", path])
        .refused("could not be created");

    let alone = world.run(&["audit", "verify", "--json"]).ok().json();
    assert_eq!(alone["intact"], true);
    let both = world
        .run(&["audit", "verify", "--archive", path, "--json"])
        .ok()
        .json();
    assert_eq!(both["intact"], true, "{both}");
    assert!(both["archived_events"].as_u64().unwrap_or(0) > 0, "{both}");

    // One archived event changed in the file: verify names it and fails.
    let changed = world.dir.path().join("changed.jsonl");
    std::fs::write(
        &changed,
        text.replacen(
            "\"action\":\"directory.initialize\"",
            "\"action\":\"user.create\"",
            1,
        ),
    )
    .expect("written");
    world
        .run(&[
            "audit",
            "verify",
            "--archive",
            changed.to_str().expect("a UTF-8 path"),
        ])
        .refused("does not match its hash");
}
