//! Who acts at the command line, through the built `roster` binary: a user
//! who signs in (`--user`, the password on standard input, the second
//! factor), the audited recovery path on a local file (`--as`), and what a
//! command without either is told. (`--as` on PostgreSQL: tests/store.rs.)

mod support;

use std::path::PathBuf;

use roster_core::directory::SignIn;
use roster_core::password::PlainPassword;
use roster_core::store::sqlite::SqliteStore;
use roster_core::{two_factor, Directory};
use serde_json::Value;
use support::{Run, ADMIN, ADMIN_PASSWORD, INIT_WITHOUT_SECOND_FACTOR};
use tempfile::TempDir;

const ANN: &str = "ann@example.com";
const ANN_PASSWORD: &str = "Tulip-Harbour-Quartz-58";

/// One temporary store with its first administrator.
struct World {
    _dir: TempDir,
    store: PathBuf,
}

impl World {
    fn new() -> Self {
        let (dir, store) = support::temp_store();
        let world = Self { _dir: dir, store };
        // These tests sign Ada in from the command line, which cannot set up
        // an authenticator app.
        world
            .run(
                INIT_WITHOUT_SECOND_FACTOR,
                Some(&support::admin_password_line()),
            )
            .ok();
        world
    }

    /// Runs `roster --store STORE ARGS` with nothing from the environment.
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut command = support::roster_on(&self.store);
        command.args(args).env("USER", "operator-os-account");
        support::finish(command, stdin)
    }

    /// Runs ARGS signed in as the administrator.
    fn as_admin(&self, args: &[&str]) -> Run {
        let mut all = vec!["--user", ADMIN];
        all.extend(args);
        self.run(&all, Some(&format!("{ADMIN_PASSWORD}\n")))
    }

    /// Adds Ann to Administrators with `two_factor`.
    fn add_ann(&self, two_factor: &str) {
        self.run(
            &[
                "--user",
                ADMIN,
                "users",
                "add",
                "--name",
                "Ann Lee",
                "--email",
                ANN,
                "--group",
                "Administrators",
                "--two-factor",
                two_factor,
                "--password-stdin",
            ],
            Some(&format!("{ADMIN_PASSWORD}\n{ANN_PASSWORD}\n")),
        )
        .ok();
    }

    fn show(&self, email: &str) -> Value {
        self.as_admin(&["users", "show", email, "--json"])
            .ok()
            .json()
    }

    /// Every audit event's (action, operator label), oldest first.
    fn audit(&self) -> Vec<(String, String, Value)> {
        let events = self
            .as_admin(&["audit", "list", "--json", "--limit", "500"])
            .ok()
            .json();
        let list = events["events"]
            .as_array()
            .or_else(|| events.as_array())
            .cloned()
            .unwrap_or_default();
        let mut found: Vec<(String, String, Value)> = list
            .iter()
            .map(|event| {
                (
                    event["action"].as_str().unwrap_or_default().to_owned(),
                    event["operator_label"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    event["changes"].clone(),
                )
            })
            .collect();
        found.reverse();
        found
    }

    /// Sets up Ann's authenticator app through the core, as the desktop's
    /// first sign-in does, and returns its secret and the recovery codes.
    fn enrol_ann(&self) -> (String, Vec<String>) {
        let store = self.store.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let store = SqliteStore::open_existing(&store).expect("store");
                let directory = Directory::new(std::sync::Arc::new(store));
                let SignIn::TotpEnrolment(pending) = directory
                    .sign_in(ANN, &PlainPassword::new(ANN_PASSWORD))
                    .await
                    .expect("sign in")
                else {
                    panic!("Ann has to set up her authenticator");
                };
                let enrolment = directory
                    .begin_totp_enrolment(&pending)
                    .await
                    .expect("begin");
                let code = two_factor::current_code(&enrolment.secret, now()).expect("code");
                let (_, recovery_codes) = directory
                    .finish_totp_enrolment(&pending, &code)
                    .await
                    .expect("finish");
                (enrolment.secret, recovery_codes)
            })
        })
        .join()
        .expect("enrolled")
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The authenticator's code of the next time step (the current one was
/// used to finish the set-up, and each step is accepted once).
fn next_code(secret: &str) -> String {
    two_factor::current_code(secret, now() + 30).expect("code")
}

#[test]
fn a_user_signs_in_with_the_password_on_standard_input_and_is_audited_as_themselves() {
    let world = World::new();
    let users = world.as_admin(&["users", "list", "--json"]).ok().json();
    assert_eq!(users["users"][0]["email"], ADMIN);
    let audit = world.audit();
    assert!(
        audit
            .iter()
            .any(|(action, operator, _)| action == "auth.sign_in" && operator == ADMIN),
        "{audit:?}"
    );
    assert!(!audit
        .iter()
        .any(|(action, _, _)| action == "cli.recovery_as"));
}

#[test]
fn a_command_without_a_sign_in_is_refused() {
    let world = World::new();
    world
        .run(&["users", "list"], None)
        .refused("Sign in with --user EMAIL");
}

#[test]
fn a_wrong_password_is_refused_and_counts_toward_the_lockout() {
    let world = World::new();
    world.add_ann("off");
    for _ in 0..5 {
        world
            .run(
                &["--user", ANN, "users", "list"],
                Some("not-her-password\n"),
            )
            .refused("not correct");
    }
    let ann = world.show(ANN);
    assert_eq!(ann["failed_sign_ins"], 5, "{ann}");
    assert!(!ann["locked_until"].is_null(), "{ann}");
    // Locked: even the right password is refused now.
    world
        .run(
            &["--user", ANN, "users", "list"],
            Some(&format!("{ANN_PASSWORD}\n")),
        )
        .refused("not correct");
    let failed = world
        .audit()
        .into_iter()
        .filter(|(action, _, _)| action == "auth.sign_in_failed")
        .count();
    assert_eq!(failed, 5);
}

#[test]
fn no_password_or_a_password_over_128_characters_is_refused() {
    let world = World::new();
    world
        .run(&["--user", ADMIN, "users", "list"], Some(""))
        .refused("No password was given");
    let long = "x".repeat(129);
    world
        .run(
            &["--user", ADMIN, "users", "list"],
            Some(&format!("{long}\n")),
        )
        .refused("Use at most 128 characters.");
    let runaway = "y".repeat(100_000);
    world
        .run(&["--user", ADMIN, "users", "list"], Some(&runaway))
        .refused("Use at most 128 characters.");
}

#[test]
fn the_authenticator_code_comes_from_the_flag_or_the_next_line() {
    let world = World::new();
    world.add_ann("totp");
    world
        .run(
            &["--user", ANN, "users", "list"],
            Some(&format!("{ANN_PASSWORD}\n")),
        )
        .refused("sign in to the Roster desktop app once to set it up");

    let (secret, recovery_codes) = world.enrol_ann();
    world
        .run(
            &["--user", ANN, "--code", "000000", "users", "list"],
            Some(&format!("{ANN_PASSWORD}\n")),
        )
        .refused("The code is not correct");
    let code = next_code(&secret);
    world
        .run(
            &["--user", ANN, "--code", &code, "users", "list"],
            Some(&format!("{ANN_PASSWORD}\n")),
        )
        .ok();
    // Each time step is accepted once, from the next line as from --code.
    world
        .run(
            &["--user", ANN, "users", "list"],
            Some(&format!("{ANN_PASSWORD}\n{code}\n")),
        )
        .refused("The code is not correct, or it was already used.");
    // A recovery code on the next line.
    world
        .run(
            &["--user", ANN, "users", "list"],
            Some(&format!("{ANN_PASSWORD}\n{}\n", recovery_codes[0])),
        )
        .ok();
    let audit = world.audit();
    let signed_in = audit
        .iter()
        .filter(|(action, operator, _)| action == "auth.sign_in" && operator == ANN)
        .count();
    assert_eq!(
        signed_in, 3,
        "the set-up, --code and the recovery code: {audit:?}"
    );
    let wrong = audit
        .iter()
        .filter(|(action, _, _)| action == "auth.second_factor_failed")
        .count();
    assert_eq!(wrong, 2, "each wrong code counts toward the lockout");
}

#[test]
fn a_pending_password_change_is_refused() {
    let world = World::new();
    world
        .run(
            &[
                "--user",
                ADMIN,
                "users",
                "add",
                "--name",
                "Ann Lee",
                "--email",
                ANN,
                "--group",
                "Administrators",
                "--two-factor",
                "off",
                "--force-password-change",
                "--password-stdin",
            ],
            Some(&format!("{ADMIN_PASSWORD}\n{ANN_PASSWORD}\n")),
        )
        .ok();
    world
        .run(
            &["--user", ANN, "users", "list"],
            Some(&format!("{ANN_PASSWORD}\n")),
        )
        .refused("must choose a new password first");
}

#[test]
fn recovery_on_a_local_file_is_audited_with_the_computer_account() {
    let world = World::new();
    world.add_ann("off");
    world.run(&["--as", ANN, "users", "list"], None).ok();
    let audit = world.audit();
    let recoveries: Vec<_> = audit
        .iter()
        .filter(|(action, _, _)| action == "cli.recovery_as")
        .collect();
    assert!(!recoveries.is_empty(), "{audit:?}");
    for (_, operator, changes) in &recoveries {
        assert_eq!(operator, &format!("{ANN} (recovery, no sign-in)"));
        assert_eq!(changes[0]["field"], "os_account", "{changes}");
        assert_eq!(changes[0]["after"], "operator-os-account", "{changes}");
    }
    // A change made on the recovery path names it too.
    world
        .run(
            &[
                "--as",
                ANN,
                "groups",
                "add",
                "Sales",
                "--permission",
                "users.view",
            ],
            None,
        )
        .ok();
    let audit = world.audit();
    let (_, operator, _) = audit
        .iter()
        .find(|(action, _, _)| action == "group.create")
        .expect("the group's event");
    assert_eq!(operator, &format!("{ANN} (recovery, no sign-in)"));
}

#[test]
fn user_and_as_cannot_be_combined() {
    let world = World::new();
    let run = world.run(&["--user", ADMIN, "--as", ADMIN, "users", "list"], None);
    assert_eq!(run.code, 2, "{run:#?}");
}
