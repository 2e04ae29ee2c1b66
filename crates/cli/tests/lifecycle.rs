//! `roster users add|edit --valid-until`, the "expired" filter, what an
//! expired account meets at sign-in, and the inactivity setting, through
//! the built binary.

mod support;

use chrono::{Duration, Utc};
use support::{World, ADMIN, GOOD_PASSWORD};

const CY: &str = "cy@example.com";

fn day(offset: i64) -> String {
    (Utc::now().date_naive() + Duration::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

impl World {
    fn add_cy(&self, extra: &[&str]) -> support::Run {
        let mut args = vec![
            "users",
            "add",
            "--name",
            "Cy Contractor",
            "--email",
            CY,
            "--group",
            "Administrators",
            "--two-factor",
            "off",
            "--password-stdin",
        ];
        args.extend(extra);
        self.run_with_stdin(&args, &format!("{GOOD_PASSWORD}\n"))
    }

    fn valid_until(&self) -> serde_json::Value {
        self.run(&["users", "show", CY, "--json"]).ok().json()["valid_until"].clone()
    }

    fn sign_in_as_cy(&self, password: &str) -> support::Run {
        self.run_with_stdin(&["--user", CY, "users", "list"], &format!("{password}\n"))
    }
}

#[test]
fn valid_until_is_set_changed_and_cleared() {
    let world = World::new();
    world.add_cy(&["--valid-until", "2099-12-31"]).ok();
    assert_eq!(world.valid_until(), "2099-12-31");
    let shown = world.run(&["users", "show", CY]).ok();
    assert!(shown.stdout.contains("2099-12-31"), "{shown:#?}");
    world
        .run(&["users", "edit", CY, "--valid-until", "2100-01-31"])
        .ok();
    assert_eq!(world.valid_until(), "2100-01-31");
    world.run(&["users", "edit", CY, "--no-valid-until"]).ok();
    assert_eq!(world.valid_until(), serde_json::Value::Null);
}

#[test]
fn an_unreadable_date_is_refused_and_changes_nothing() {
    let world = World::new();
    world
        .add_cy(&["--valid-until", "31/12/2026"])
        .refused("“31/12/2026” is not a date; write it as YYYY-MM-DD");
    world
        .run(&["users", "show", CY])
        .refused("There is no user");
    world.add_cy(&[]).ok();
    world
        .run(&["users", "edit", CY, "--valid-until", "next week"])
        .refused("is not a date");
    assert_eq!(world.valid_until(), serde_json::Value::Null);
}

#[test]
fn a_past_day_warns_and_the_account_signs_in_again_once_extended() {
    let world = World::new();
    let added = world.add_cy(&["--valid-until", &day(-1)]).ok();
    assert!(
        added.stdout.contains("Warning:") && added.stdout.contains("expired"),
        "{added:#?}"
    );
    let listed = world
        .run(&["users", "list", "--status", "expired", "--json"])
        .ok()
        .json();
    let emails: Vec<&str> = listed["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["email"].as_str().expect("email"))
        .collect();
    assert_eq!(emails, [CY]);
    let table = world.run(&["users", "list", "--status", "expired"]).ok();
    assert!(table.stdout.contains("expired"), "{table:#?}");

    // The same one error as a wrong password.
    let wrong = world.sign_in_as_cy("not-the-password-at-all").code;
    let wrong_line = world.sign_in_as_cy("not-the-password-at-all").stderr;
    let expired = world.sign_in_as_cy(GOOD_PASSWORD);
    assert_eq!(expired.code, wrong);
    assert_eq!(expired.stderr, wrong_line);

    world
        .run(&["users", "edit", CY, "--valid-until", &day(7)])
        .ok();
    world.sign_in_as_cy(GOOD_PASSWORD).ok();
    let status = world
        .run(&["users", "list", "--status", "enabled", "--json"])
        .ok()
        .json();
    assert_eq!(status["total"]["count"], 2, "{status}");
}

#[test]
fn the_inactivity_setting_is_set_shown_and_checked() {
    let world = World::new();
    let shown = world.run(&["settings", "show"]).ok();
    assert!(
        shown
            .stdout
            .contains("Disable accounts with no sign-in for (days)"),
        "{shown:#?}"
    );
    let saved = world
        .run(&[
            "settings",
            "set",
            "--disable-inactive-after-days",
            "90",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(saved["disable_inactive_after_days"], 90);
    world
        .run(&["settings", "set", "--disable-inactive-after-days", "4000"])
        .refused("between 0 and 3650");
    let shown = world.run(&["settings", "show", "--json"]).ok().json();
    assert_eq!(shown["disable_inactive_after_days"], 90);
}

#[test]
fn the_recovery_path_revives_an_expired_last_administrator() {
    let world = World::new();
    // Nobody may end the last administrator's day by an edit (it is
    // refused as leaving them without one), but the day can pass: set it
    // in the file as if it had.
    world
        .run(&["users", "edit", ADMIN, "--valid-until", &day(-1)])
        .refused("At least one enabled administrator must remain");
    rusqlite::Connection::open(&world.store)
        .and_then(|file| {
            file.execute(
                "UPDATE users SET valid_until = ?1 WHERE email_normalized = ?2",
                [day(-1), ADMIN.to_owned()],
            )
        })
        .expect("the day passes");
    // Through the audited recovery path on the local file, they extend it.
    world
        .run(&["users", "edit", ADMIN, "--valid-until", &day(30)])
        .ok();
    let admin = world.run(&["users", "show", ADMIN, "--json"]).ok().json();
    assert_eq!(admin["valid_until"], day(30));
    assert_eq!(admin["expired"], false);
}

/// The id of the one deleted user `users deleted --json` lists with `email`.
fn binned_id(world: &World, email: &str) -> i64 {
    let page = world.run(&["users", "deleted", "--json"]).ok().json();
    page["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["email"] == email)
        .and_then(|u| u["id"].as_i64())
        .expect("in the recycle bin")
}

#[test]
fn a_deleted_user_is_listed_restored_or_deleted_permanently() {
    let world = World::new();
    world.add_cy(&[]).ok();
    world.run(&["users", "delete", CY]).refused("--yes");
    let deleted = world.run(&["users", "delete", CY, "--yes"]).ok();
    assert!(deleted.stdout.contains("users restore"), "{deleted:#?}");
    world
        .run(&["users", "show", CY])
        .refused("There is no user");
    let table = world.run(&["users", "deleted"]).ok();
    assert!(
        table.stdout.contains(CY) && table.stdout.contains("1 deleted user(s) in all."),
        "{table:#?}"
    );
    let id = binned_id(&world, CY).to_string();
    let restored = world.run(&["users", "restore", &id]).ok();
    assert!(
        restored.stdout.contains("Restored Cy Contractor"),
        "{restored:#?}"
    );
    let shown = world.run(&["users", "show", CY, "--json"]).ok().json();
    assert_eq!(shown["id"].to_string(), id);
    assert_eq!(shown["groups"][0]["name"], "Administrators");
    world.sign_in_as_cy(GOOD_PASSWORD).ok();

    // Its address taken by a new user: the restore says so and changes nothing.
    world.run(&["users", "delete", CY, "--yes"]).ok();
    world.add_cy(&[]).ok();
    world
        .run(&["users", "restore", &id])
        .refused("is now used by another user");
    world.run(&["users", "purge", &id]).refused("--yes");
    world.run(&["users", "purge", &id, "--yes"]).ok();
    world
        .run(&["users", "restore", &id])
        .refused("no longer in the recycle bin");
    let page = world.run(&["users", "deleted", "--json"]).ok().json();
    assert_eq!(page["total"], 0);

    world
        .run(&["settings", "set", "--recycle-bin-days", "400"])
        .refused("between 0 and 365");
    world
        .run(&["settings", "set", "--recycle-bin-days", "0"])
        .ok();
    world.run(&["users", "delete", CY, "--yes"]).ok();
    let off = world.run(&["users", "deleted"]).ok();
    assert!(off.stdout.contains("The recycle bin is off"), "{off:#?}");
}

#[test]
fn users_are_listed_by_sign_in_facts() {
    let world = World::new();
    world.add_cy(&[]).ok();
    let never = world
        .run(&["users", "list", "--facts", "never_signed_in", "--json"])
        .ok()
        .json();
    let emails: Vec<&str> = never["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["email"].as_str().expect("email"))
        .collect();
    assert!(emails.contains(&CY), "{never}");
    world.sign_in_as_cy("not-the-password-at-all");
    let failed = world
        .run(&[
            "users",
            "list",
            "--facts",
            "failed_sign_ins",
            "--sort",
            "failed_sign_ins",
            "--desc",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(failed["users"][0]["email"], CY, "{failed}");
    assert_eq!(failed["total"]["count"], 1, "{failed}");
    // A usage error, as every bad argument (exit code 2).
    let bad = world.run(&["users", "list", "--facts", "ancient"]);
    assert_eq!(bad.code, 2, "{bad:#?}");
    assert!(bad.stderr.contains("is not a sign-in filter"), "{bad:#?}");
    let shown = world.run(&["users", "show", CY]).ok();
    assert!(shown.stdout.contains("Password changed"), "{shown:#?}");
}

#[test]
fn a_team_lead_sees_and_changes_only_their_team() {
    let world = World::new();
    world
        .run(&[
            "groups",
            "add",
            "Leads",
            "--permission",
            "users.view:team",
            "--permission",
            "users.edit:team",
        ])
        .ok();
    let shown = world.run(&["groups", "show", "Leads"]).ok();
    assert!(
        shown.stdout.contains("users.view:team, users.edit:team"),
        "{shown:#?}"
    );
    // A usage error, as any argument of the wrong form.
    let odd = world.run(&["groups", "add", "Odd", "--permission", "audit.view:team"]);
    assert_eq!(odd.code, 2, "{odd:#?}");
    assert!(
        odd.stderr
            .contains("only the rights on users and clients can be limited to a team"),
        "{odd:#?}"
    );
    let add = |name: &str, email: &str, group: &str, supervisor: Option<&str>| {
        let mut args = vec![
            "users",
            "add",
            "--name",
            name,
            "--email",
            email,
            "--group",
            group,
            "--two-factor",
            "off",
            "--password-stdin",
        ];
        if let Some(supervisor) = supervisor {
            args.extend(["--supervisor", supervisor]);
        }
        world
            .run_with_stdin(&args, &format!("{GOOD_PASSWORD}\n"))
            .ok();
    };
    add("Lena Lead", "lena@example.com", "Leads", None);
    add(
        "Tom Report",
        "tom@example.com",
        "Leads",
        Some("lena@example.com"),
    );
    add("Otto Outside", "otto@example.com", "Leads", None);
    let as_lead = |args: &[&str]| {
        let mut all = vec!["--user", "lena@example.com"];
        all.extend(args);
        world.run_with_stdin(&all, &format!("{GOOD_PASSWORD}\n"))
    };
    let listed = as_lead(&["users", "list"]).ok();
    assert!(listed.stdout.contains("tom@example.com"), "{listed:#?}");
    assert!(!listed.stdout.contains("otto@example.com"), "{listed:#?}");
    assert!(!listed.stdout.contains(ADMIN), "{listed:#?}");
    as_lead(&["users", "show", "otto@example.com"]).refused("There is no user");
    as_lead(&["users", "edit", "tom@example.com", "--no-supervisor"])
        .refused("Choose yourself or someone in your team as supervisor");
    as_lead(&["users", "edit", "tom@example.com", "--name", "Tom Renamed"]).ok();
    as_lead(&["users", "deleted"]).refused("You do not have permission");
}
