//! Scenarios run through the built `roster` binary, each against its own
//! temporary store, checking what a person or a script sees: exit codes,
//! the one-line errors, and the `--json` output.

mod support;

use std::process::Command;

use serde_json::Value;
use support::{World, ADMIN, ADMIN_PASSWORD, GOOD_PASSWORD};

impl World {
    fn group(&self, name: &str, permissions: &[&str]) {
        let mut args = vec!["groups", "add", name];
        for permission in permissions {
            args.extend(["--permission", permission]);
        }
        self.run(&args).ok();
    }

    /// Adds a user with a typed password; `extra` holds further flags.
    fn user(&self, name: &str, email: &str, group: &str, extra: &[&str]) {
        let mut args = vec![
            "users",
            "add",
            "--name",
            name,
            "--email",
            email,
            "--group",
            group,
            "--password-stdin",
        ];
        args.extend(extra);
        self.run_with_stdin(&args, &format!("{GOOD_PASSWORD}\n"))
            .ok();
    }

    /// Every user, as `users list --json` reports them.
    fn users(&self) -> Value {
        self.run(&["users", "list", "--json", "--limit", "500"])
            .ok()
            .json()
    }

    fn emails(&self) -> Vec<String> {
        self.users()["users"]
            .as_array()
            .expect("users array")
            .iter()
            .map(|u| u["email"].as_str().expect("email").to_owned())
            .collect()
    }

    fn show(&self, email: &str) -> Value {
        self.run(&["users", "show", email, "--json"]).ok().json()
    }
}

// --- setting up ------------------------------------------------------------------

#[test]
fn init_creates_the_first_administrator_and_refuses_a_second_time() {
    let world = World::new();
    let admin = world.show(ADMIN);
    assert_eq!(admin["name"], "Ada Admin");
    assert_eq!(admin["groups"][0]["name"], "Administrators");

    let before = world.users();
    world
        .run_with_stdin(
            &[
                "init",
                "--name",
                "Eve",
                "--email",
                "eve@example.com",
                "--password-stdin",
            ],
            &format!("{GOOD_PASSWORD}\n"),
        )
        .refused("already set up");
    assert_eq!(world.users(), before);
    assert_eq!(world.emails(), vec![ADMIN]);
}

#[test]
fn init_gives_the_administrator_an_authenticator_app_unless_told_otherwise() {
    let world = World::empty();
    let run = world
        .run_with_stdin(
            &[
                "init",
                "--name",
                "Ada Admin",
                "--email",
                ADMIN,
                "--password-stdin",
            ],
            &format!("{ADMIN_PASSWORD}\n"),
        )
        .ok();
    assert!(
        run.stdout.contains("set up an authenticator app"),
        "{run:#?}"
    );
    assert_eq!(world.show(ADMIN)["two_factor"], "totp");
    let audit = world.run(&["audit", "list", "--json"]).ok().json();
    let actions: Vec<&str> = audit
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        // The test's own reads go through the audited recovery path.
        .filter(|action| *action != "cli.recovery_as")
        .collect();
    assert_eq!(actions, vec!["directory.initialize"]);
}

#[test]
fn init_without_a_second_factor_is_a_choice_that_is_audited() {
    let world = World::empty();
    let run = world
        .run_with_stdin(
            &[
                "init",
                "--name",
                "Ada Admin",
                "--email",
                ADMIN,
                "--two-factor",
                "off",
                "--password-stdin",
            ],
            &format!("{ADMIN_PASSWORD}\n"),
        )
        .ok();
    assert!(
        run.stdout
            .contains("signs in without a second factor (recorded in the audit log)"),
        "{run:#?}"
    );
    assert!(run
        .stdout
        .contains(&format!("roster users edit {ADMIN} --two-factor totp")));
    assert_eq!(world.show(ADMIN)["two_factor"], "off");
    let audit = world.run(&["audit", "list", "--json"]).ok().json();
    let choice = audit
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["action"] == "directory.initialize_without_two_factor")
        .unwrap_or_else(|| panic!("the choice is audited: {audit:#}"));
    assert_eq!(choice["target_label"], ADMIN);
    assert_eq!(choice["changes"][0]["field"], "two_factor");
    assert_eq!(choice["changes"][0]["after"], "off");

    // Email codes need a mail server, which a new store cannot have.
    let other = World::empty();
    other
        .run_with_stdin(
            &[
                "init",
                "--name",
                "Ada Admin",
                "--email",
                ADMIN,
                "--two-factor",
                "email_code",
                "--password-stdin",
            ],
            &format!("{ADMIN_PASSWORD}\n"),
        )
        .refused("mail");
    // The refused init created the file but no user.
    other.run(&["users", "list"]).refused("There is no user");
}

#[test]
fn commands_on_a_missing_store_ask_for_init_and_create_nothing() {
    let world = World::empty();
    world
        .run(&["users", "list"])
        .refused("does not exist; `roster init` creates a new store there.");
    assert!(!world.store.exists());
}

#[test]
fn a_malformed_postgres_url_is_refused_in_one_line() {
    // PostgreSQL stores themselves are tested in tests/store.rs.
    let run = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args([
            "--store",
            "postgres://roster@db.example.com",
            "users",
            "list",
        ])
        .env_remove("ROSTER_AS")
        .output()
        .expect("roster runs");
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("roster: "), "{stderr}");
    assert!(stderr.contains("names no database"), "{stderr}");
}

#[test]
fn usage_mistakes_exit_with_2_and_every_command_has_help() {
    let world = World::new();
    assert_eq!(world.run(&["users", "frobnicate"]).code, 2);
    assert_eq!(world.run(&["users", "list", "--status", "paused"]).code, 2);
    for command in [
        vec!["init"],
        vec!["users", "list"],
        vec!["users", "add"],
        vec!["users", "edit"],
        vec!["users", "delete"],
        vec!["users", "reset-password"],
        vec!["groups", "edit"],
        vec!["audit", "list"],
        vec!["password", "generate"],
        vec!["password", "check"],
        vec!["store", "show"],
        vec!["store", "test"],
        vec!["store", "copy"],
    ] {
        let mut args = command.clone();
        args.push("--help");
        let run = world.run(&args).ok();
        assert!(
            run.stdout.contains("Usage: roster"),
            "{command:?}: {run:#?}"
        );
    }
}

// --- adding users ------------------------------------------------------------------

#[test]
fn a_generated_password_is_printed_once_and_the_user_can_be_shown() {
    let world = World::new();
    world.group("Sales", &["users.view"]);
    let run = world
        .run(&[
            "users",
            "add",
            "--name",
            "Ann Lee",
            "--email",
            "ann@example.com",
            "--group",
            "Sales",
            "--generate",
        ])
        .ok();
    let password_lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("Password for ann@example.com: "))
        .collect();
    assert_eq!(password_lines.len(), 1, "{run:#?}");
    let password = password_lines[0]
        .strip_prefix("Password for ann@example.com: ")
        .unwrap();
    assert_eq!(password.chars().count(), 16);
    assert_eq!(run.stdout.matches(password).count(), 1);

    let ann = world.show("ann@example.com");
    assert_eq!(ann["name"], "Ann Lee");
    assert_eq!(ann["status"], "enabled");
    assert_eq!(ann["groups"][0]["name"], "Sales");
    let text = world.run(&["users", "show", "ann@example.com"]).ok().stdout;
    assert!(text.contains("Ann Lee") && text.contains("Sales"), "{text}");
    assert!(!text.contains(password));
    assert!(!ann.to_string().contains(password));
}

#[test]
fn add_with_json_reports_the_user_and_the_generated_password() {
    let world = World::new();
    let run = world
        .run(&[
            "users",
            "add",
            "--name",
            "Ben",
            "--email",
            "ben@example.com",
            "--group",
            "administrators",
            "--two-factor",
            "totp",
            "--force-password-change",
            "--generate",
            "--json",
        ])
        .ok();
    let created = run.json();
    assert_eq!(created["user"]["email"], "ben@example.com");
    assert_eq!(created["user"]["two_factor"], "totp");
    assert_eq!(created["user"]["must_change_password"], true);
    assert_eq!(created["generated_password"].as_str().unwrap().len(), 16);
}

#[test]
fn an_email_used_in_another_case_is_refused_and_nothing_changes() {
    let world = World::new();
    world.user("Ann Lee", "ann@example.com", "Administrators", &[]);
    let before = world.users();
    world
        .run_with_stdin(
            &[
                "users",
                "add",
                "--name",
                "Ann Two",
                "--email",
                "ANN@Example.COM",
                "--group",
                "Administrators",
                "--password-stdin",
            ],
            &format!("{GOOD_PASSWORD}\n"),
        )
        .refused("already used");
    assert_eq!(world.users(), before);
}

#[test]
fn a_malformed_email_is_refused_and_nothing_changes() {
    let world = World::new();
    let before = world.users();
    world
        .run(&[
            "users",
            "add",
            "--name",
            "Ann",
            "--email",
            "ann@",
            "--group",
            "Administrators",
            "--generate",
        ])
        .refused("A domain must come after the @.");
    assert_eq!(world.users(), before);
}

#[test]
fn an_unknown_group_is_refused_and_nothing_changes() {
    let world = World::new();
    let before = world.users();
    world
        .run(&[
            "users",
            "add",
            "--name",
            "Ann",
            "--email",
            "ann@example.com",
            "--group",
            "Nowhere",
            "--generate",
        ])
        .refused("There is no group Nowhere");
    assert_eq!(world.users(), before);
}

#[test]
fn a_supervisor_cycle_is_refused_and_nothing_changes() {
    let world = World::new();
    world.user("Alice", "a@example.com", "Administrators", &[]);
    world.user(
        "Bob",
        "b@example.com",
        "Administrators",
        &["--supervisor", "a@example.com"],
    );
    assert_eq!(
        world.show("b@example.com")["supervisor"]["email"],
        "a@example.com"
    );
    let before = world.users();
    world
        .run(&[
            "users",
            "edit",
            "a@example.com",
            "--supervisor",
            "b@example.com",
        ])
        .refused("Bob cannot be the supervisor");
    assert_eq!(world.users(), before);
}

#[test]
fn too_short_and_common_passwords_are_refused_and_nothing_changes() {
    let world = World::new();
    let before = world.users();
    let add = [
        "users",
        "add",
        "--name",
        "Ann",
        "--email",
        "ann@example.com",
        "--group",
        "Administrators",
        "--password-stdin",
    ];
    world
        .run_with_stdin(&add, "Sh0rt!x\n")
        .refused("at least 12 characters");
    world
        .run_with_stdin(&add, "qwerty123456\n")
        .refused("commonly used");
    assert_eq!(world.users(), before);
}

#[test]
fn a_password_stdin_without_a_line_is_refused() {
    let world = World::new();
    world
        .run(&[
            "users",
            "add",
            "--name",
            "Ann",
            "--email",
            "ann@example.com",
            "--group",
            "Administrators",
            "--password-stdin",
        ])
        .refused("No password");
    assert_eq!(world.emails(), vec![ADMIN]);
}

// --- rights and the rules of the directory -------------------------------------------

#[test]
fn an_operator_without_users_create_cannot_add_users() {
    let world = World::new();
    world.group("Viewers", &["users.view"]);
    world.user("Vic Viewer", "vic@example.com", "Viewers", &[]);
    let before = world.users();
    let run = world
        .run(&[
            "--as",
            "vic@example.com",
            "users",
            "add",
            "--name",
            "Ann",
            "--email",
            "ann@example.com",
            "--group",
            "Viewers",
            "--generate",
        ])
        .refused("You do not have permission to create users.");
    assert!(!run.stdout.contains("Password for"));
    assert_eq!(world.users(), before);
    // …but may still look.
    world
        .run(&["--as", "vic@example.com", "users", "show", ADMIN])
        .ok();
}

#[test]
fn nobody_can_disable_themselves() {
    let world = World::new();
    world.user("Second Admin", "second@example.com", "Administrators", &[]);
    world
        .run(&["users", "disable", ADMIN])
        .refused("your own account");
    world
        .run(&[
            "--as",
            "second@example.com",
            "users",
            "disable",
            "second@example.com",
        ])
        .refused("your own account");
    assert_eq!(world.show(ADMIN)["status"], "enabled");
    assert_eq!(world.show("second@example.com")["status"], "enabled");
}

#[test]
fn the_last_enabled_administrator_cannot_be_disabled_or_deleted() {
    let world = World::new();
    world.group("Managers", &["users.view", "users.disable", "users.delete"]);
    world.user("Max Manager", "max@example.com", "Managers", &[]);
    let before = world.users();
    world
        .run(&["--as", "max@example.com", "users", "disable", ADMIN])
        .refused("At least one enabled administrator must remain");
    world
        .run(&["--as", "max@example.com", "users", "delete", ADMIN, "--yes"])
        .refused("At least one enabled administrator must remain");
    assert_eq!(world.users(), before);
}

#[test]
fn users_are_disabled_enabled_and_deleted_by_email() {
    let world = World::new();
    world.user("Ann", "ann@example.com", "Administrators", &[]);
    world.run(&["users", "disable", "ann@example.com"]).ok();
    assert_eq!(world.show("ann@example.com")["status"], "disabled");
    world.run(&["users", "enable", "ann@example.com"]).ok();
    assert_eq!(world.show("ann@example.com")["status"], "enabled");
    world
        .run(&["users", "delete", "ann@example.com", "--yes"])
        .ok();
    assert_eq!(world.emails(), vec![ADMIN]);
    world
        .run(&["users", "show", "ann@example.com"])
        .refused("There is no user ann@example.com");
}

#[test]
fn delete_without_yes_is_refused() {
    let world = World::new();
    world.user("Ann", "ann@example.com", "Administrators", &[]);
    let before = world.users();
    world
        .run(&["users", "delete", "ann@example.com"])
        .refused("pass --yes");
    assert_eq!(world.users(), before);
}

#[test]
fn edit_changes_only_the_fields_given() {
    let world = World::new();
    world.group("Sales", &["users.view"]);
    world.user("Ann", "ann@example.com", "Sales", &["--supervisor", ADMIN]);
    let before = world.show("ann@example.com");
    world
        .run(&[
            "users",
            "edit",
            "ann@example.com",
            "--name",
            "Ann Lee",
            "--email",
            "ann.lee@example.com",
            "--add-group",
            "Administrators",
            "--mask-client-data",
            "true",
        ])
        .ok();
    let after = world.show("ann.lee@example.com");
    assert_eq!(after["name"], "Ann Lee");
    assert_eq!(after["mask_client_data"], true);
    let groups: Vec<&str> = after["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(groups, vec!["Administrators", "Sales"]);
    assert_eq!(after["supervisor"], before["supervisor"]);
    assert_eq!(after["two_factor"], before["two_factor"]);
    assert!(after["version"].as_i64() > before["version"].as_i64());

    world
        .run(&[
            "users",
            "edit",
            "ann.lee@example.com",
            "--no-supervisor",
            "--remove-group",
            "Sales",
        ])
        .ok();
    let last = world.show("ann.lee@example.com");
    assert_eq!(last["supervisor"], Value::Null);
    assert_eq!(last["groups"].as_array().unwrap().len(), 1);
}

#[test]
fn reset_password_with_generate_prints_the_new_password_once() {
    let world = World::new();
    world.user("Ann", "ann@example.com", "Administrators", &[]);
    let run = world
        .run(&[
            "users",
            "reset-password",
            "ann@example.com",
            "--generate",
            "--force-password-change",
        ])
        .ok();
    assert_eq!(
        run.stdout.matches("Password for ann@example.com: ").count(),
        1
    );
    assert_eq!(world.show("ann@example.com")["must_change_password"], true);
}

// --- groups --------------------------------------------------------------------------

#[test]
fn groups_are_added_edited_shown_and_deleted() {
    let world = World::new();
    world
        .run(&[
            "groups",
            "add",
            "Sales",
            "--description",
            "The sales team",
            "--permission",
            "users.view",
        ])
        .ok();
    let shown = world
        .run(&["groups", "show", "sales", "--json"])
        .ok()
        .json();
    assert_eq!(shown["group"]["name"], "Sales");
    assert_eq!(shown["group"]["description"], "The sales team");
    assert_eq!(
        shown["group"]["permissions"],
        serde_json::json!(["users.view"])
    );

    world
        .run(&[
            "groups",
            "edit",
            "Sales",
            "--name",
            "Field Sales",
            "--permission",
            "users.view",
            "--permission",
            "clients.view",
        ])
        .ok();
    world.user("Ann", "ann@example.com", "Field Sales", &[]);
    let shown = world
        .run(&["groups", "show", "Field Sales", "--json"])
        .ok()
        .json();
    assert_eq!(
        shown["group"]["permissions"],
        serde_json::json!(["users.view", "clients.view"])
    );
    assert_eq!(shown["members"]["users"][0]["email"], "ann@example.com");
    world
        .run(&["groups", "show", "Sales"])
        .refused("There is no group Sales");

    world
        .run(&["groups", "delete", "Field Sales"])
        .refused("still has 1 member");
    world
        .run(&["users", "delete", "ann@example.com", "--yes"])
        .ok();
    world
        .run(&["groups", "edit", "Field Sales", "--no-permissions"])
        .ok();
    let shown = world
        .run(&["groups", "show", "Field Sales", "--json"])
        .ok()
        .json();
    assert_eq!(shown["group"]["permissions"], serde_json::json!([]));
    world.run(&["groups", "delete", "Field Sales"]).ok();

    let names: Vec<String> = world
        .run(&["groups", "list", "--json"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, vec!["Administrators"]);
}

#[test]
fn the_administrators_group_cannot_be_reduced_or_deleted() {
    let world = World::new();
    world
        .run(&[
            "groups",
            "edit",
            "Administrators",
            "--permission",
            "users.view",
        ])
        .refused("Administrators group always holds every permission");
    world
        .run(&["groups", "delete", "Administrators"])
        .refused("cannot be deleted");
}

// --- audit ---------------------------------------------------------------------------

#[test]
fn the_audit_log_shows_create_and_update_events_and_never_a_password() {
    // Ada signs in from the command line below, which cannot set up an
    // authenticator app: she starts without a second factor.
    let world = World::empty();
    world
        .run_with_stdin(
            &[
                "init",
                "--name",
                "Ada Admin",
                "--email",
                ADMIN,
                "--two-factor",
                "off",
                "--password-stdin",
            ],
            &format!("{ADMIN_PASSWORD}\n"),
        )
        .ok();
    world.user("Ann", "ann@example.com", "Administrators", &[]);
    // Signed in, so the event names the administrator alone.
    world
        .run_with_stdin(
            &[
                "--user",
                ADMIN,
                "users",
                "edit",
                "ann@example.com",
                "--name",
                "Ann Lee",
            ],
            &format!("{ADMIN_PASSWORD}\n"),
        )
        .ok();
    let generated = world
        .run(&[
            "users",
            "reset-password",
            "ann@example.com",
            "--generate",
            "--json",
        ])
        .ok()
        .json()["generated_password"]
        .as_str()
        .unwrap()
        .to_owned();

    let run = world
        .run(&["audit", "list", "--target", "ann@example.com", "--json"])
        .ok();
    let events = run.json();
    let actions: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["user.reset_password", "user.update", "user.create"]
    );
    let update = &events[1];
    assert_eq!(update["operator_label"], ADMIN);
    assert_eq!(update["changes"][0]["field"], "name");
    assert_eq!(update["changes"][0]["after"], "Ann Lee");
    for secret in [GOOD_PASSWORD, ADMIN_PASSWORD, generated.as_str()] {
        assert!(!run.stdout.contains(secret));
    }
    let text = world.run(&["audit", "list"]).ok().stdout;
    assert!(text.contains("user.create") && text.contains("directory.initialize"));
    for secret in [GOOD_PASSWORD, ADMIN_PASSWORD, generated.as_str()] {
        assert!(!text.contains(secret));
    }
}

// --- passwords -------------------------------------------------------------------------

#[test]
fn password_generate_respects_the_length_and_the_classes() {
    let world = World::empty();
    let password = world
        .run(&["password", "generate", "--length", "24"])
        .ok()
        .stdout;
    assert_eq!(password.trim_end().chars().count(), 24);
    let plain = world
        .run(&[
            "password",
            "generate",
            "--length",
            "40",
            "--no-symbols",
            "--no-uppercase",
        ])
        .ok()
        .stdout;
    let plain = plain.trim_end();
    assert_eq!(plain.chars().count(), 40);
    assert!(
        plain
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "{plain}"
    );
    world
        .run(&["password", "generate", "--length", "4"])
        .refused("length");
    let passphrase = world
        .run(&["password", "generate", "--passphrase", "--words", "6"])
        .ok()
        .stdout;
    assert_eq!(passphrase.trim_end().split('-').count(), 6, "{passphrase}");
}

#[test]
fn password_check_exits_1_for_a_weak_password_and_0_for_a_strong_one() {
    let world = World::new();
    let weak = world.run_with_stdin(&["password", "check"], "password\n");
    assert_eq!(weak.code, 1, "{weak:#?}");
    assert!(weak.stdout.contains("Not acceptable"), "{weak:#?}");
    assert!(weak.stdout.contains("commonly used"), "{weak:#?}");

    let strong = world.run_with_stdin(&["password", "check", "--json"], "vK7#qT2m!Lz9@Wp4xR\n");
    assert_eq!(strong.code, 0, "{strong:#?}");
    let verdict = strong.json();
    assert_eq!(verdict["acceptable"], true);
    assert_eq!(verdict["problems"], serde_json::json!([]));
    assert!(verdict["strength"]["label"].is_string());

    let named = world.run_with_stdin(
        &["password", "check", "--name", "Marta Lindqvist", "--json"],
        "lindqvist-rules-2024!\n",
    );
    assert_eq!(named.code, 1, "{named:#?}");
    assert_eq!(named.json()["problems"][0]["code"], "contains_name");
}

#[test]
fn password_check_without_a_store_uses_the_default_policy_and_creates_no_store() {
    let world = World::empty();
    let verdict = world.run_with_stdin(&["password", "check", "--json"], "short\n");
    assert_eq!(verdict.code, 1, "{verdict:#?}");
    assert_eq!(verdict.json()["problems"][0]["code"], "too_short");
    assert!(!world.store.exists(), "password check created a store");
}

// --- the users overview ------------------------------------------------------------------

#[test]
fn users_list_search_finds_by_part_of_a_name() {
    let world = World::new();
    world.user(
        "Marta Lindqvist",
        "marta@example.com",
        "Administrators",
        &[],
    );
    world.user("Ben Olsen", "ben@example.com", "Administrators", &[]);
    let found = world
        .run(&["users", "list", "--search", "ndqv", "--json"])
        .ok()
        .json();
    let emails: Vec<&str> = found["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, vec!["marta@example.com"]);
    assert_eq!(found["total"]["count"], 1);

    let table = world
        .run(&["users", "list", "--search", "ndqv"])
        .ok()
        .stdout;
    assert!(
        table.contains("Marta Lindqvist") && !table.contains("Ben Olsen"),
        "{table}"
    );
    assert!(table.contains("Showing 1 of 1."), "{table}");
}

#[test]
fn users_list_filters_by_status_group_and_supervisor() {
    let world = World::new();
    world.group("Sales", &["users.view"]);
    world.user("Ann", "ann@example.com", "Sales", &["--supervisor", ADMIN]);
    world.user("Ben", "ben@example.com", "Sales", &["--disabled"]);
    let emails = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["users", "list", "--json"];
        all.extend(args);
        world.run(&all).ok().json()["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["email"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(emails(&["--status", "disabled"]), vec!["ben@example.com"]);
    assert_eq!(
        emails(&["--group", "sales"]),
        vec!["ann@example.com", "ben@example.com"]
    );
    assert_eq!(emails(&["--supervisor", ADMIN]), vec!["ann@example.com"]);
    assert_eq!(
        emails(&["--sort", "email", "--desc"]),
        vec!["ben@example.com", "ann@example.com", ADMIN]
    );
}

#[test]
fn paging_with_limit_and_after_walks_every_user_once() {
    let world = World::new();
    for name in ["Cleo", "Dan", "Eve", "Finn"] {
        let email = format!("{}@example.com", name.to_lowercase());
        world.user(name, &email, "Administrators", &[]);
    }
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut args = vec!["users", "list", "--limit", "2", "--json"];
        if let Some(cursor) = &after {
            args.extend(["--after", cursor.as_str()]);
        }
        let page = world.run(&args).ok().json();
        pages += 1;
        assert_eq!(page["total"]["count"], 5);
        for user in page["users"].as_array().unwrap() {
            seen.push(user["name"].as_str().unwrap().to_owned());
        }
        match page["next"].as_str() {
            Some(cursor) => after = Some(cursor.to_owned()),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, vec!["Ada Admin", "Cleo", "Dan", "Eve", "Finn"]);

    let table = world.run(&["users", "list", "--limit", "2"]).ok().stdout;
    assert!(table.contains("Showing 2 of 5."), "{table}");
    assert!(table.contains("Next page: --after "), "{table}");
    world
        .run(&["users", "list", "--after", "not-a-cursor"])
        .refused("page position is no longer valid");
}

// --- settings and unlocking --------------------------------------------------------------

#[test]
fn settings_are_shown_changed_and_refused_out_of_range() {
    let world = World::new();
    let shown = world.run(&["settings", "show", "--json"]).json();
    assert_eq!(shown["lockout_threshold"], 5);
    assert_eq!(shown["idle_timeout_minutes"], 15);
    let saved = world
        .run(&[
            "settings",
            "set",
            "--lockout-threshold",
            "3",
            "--idle-timeout-minutes",
            "5",
            "--json",
        ])
        .json();
    assert_eq!(saved["lockout_threshold"], 3);
    assert_eq!(saved["idle_timeout_minutes"], 5);
    assert_eq!(saved["password_min_length"], 12, "untouched settings stay");
    world
        .run(&["settings", "set", "--lockout-threshold", "1"])
        .refused("between 3 and 100");
    assert_eq!(
        world.run(&["settings", "show", "--json"]).json()["lockout_threshold"],
        3
    );
}

#[test]
fn the_company_name_is_set_shown_and_removed() {
    let world = World::new();
    assert_eq!(
        world.run(&["settings", "show", "--json"]).json()["company_name"],
        ""
    );
    let saved = world
        .run(&[
            "settings",
            "set",
            "--company-name",
            "Zephyr Widgets",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(saved["company_name"], "Zephyr Widgets");
    let table = world.run(&["settings", "show"]).ok().stdout;
    assert!(table.contains("Zephyr Widgets"), "{table}");
    let removed = world
        .run(&["settings", "set", "--company-name", ""])
        .ok()
        .stdout;
    assert!(removed.contains("(none)"), "{removed}");
    assert_eq!(
        world.run(&["settings", "show", "--json"]).json()["company_name"],
        ""
    );
}

#[test]
fn unlocking_a_user_clears_their_failed_sign_ins() {
    let world = World::new();
    world
        .run_with_stdin(
            &[
                "users",
                "add",
                "--name",
                "Ann Lee",
                "--email",
                "ann@example.com",
                "--group",
                "Administrators",
                "--password-stdin",
            ],
            &format!("{GOOD_PASSWORD}\n"),
        )
        .ok();
    // Failed sign-ins happen in the desktop; here the store records them directly.
    let store = roster_core::store::sqlite::SqliteStore::open(&world.store).expect("store");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let directory = roster_core::Directory::new(std::sync::Arc::new(store));
        for _ in 0..2 {
            let failed = directory
                .sign_in(
                    "ann@example.com",
                    &roster_core::password::PlainPassword::new("wrong-password-here"),
                )
                .await;
            assert!(failed.is_err());
        }
    });
    assert_eq!(
        world
            .run(&["users", "show", "ann@example.com", "--json"])
            .json()["failed_sign_ins"],
        2
    );
    let unlocked = world.run(&["users", "unlock", "ann@example.com"]);
    assert!(
        unlocked.stdout.contains("Unlocked Ann Lee"),
        "{unlocked:#?}"
    );
    assert_eq!(
        world
            .run(&["users", "show", "ann@example.com", "--json"])
            .json()["failed_sign_ins"],
        0
    );
}
