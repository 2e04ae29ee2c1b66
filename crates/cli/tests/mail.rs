//! `roster mail …` and `--send-credentials` through the built binary,
//! against the SMTP server on loopback the core's tests use. Each run gets
//! `ROSTER_KEYCHAIN=mock` (a keychain that lives only as long as the
//! process), so the password reaches later runs through
//! `ROSTER_SMTP_PASSWORD`, as in a script on a machine without a keychain.

#[path = "../../core/tests/smtp_sink/mod.rs"]
mod smtp_sink;

mod support;

use std::path::PathBuf;

use serde_json::Value;
use smtp_sink::{closed_port, Sink, PASSWORD, USER};
use support::{acting_as_admin, Run, GOOD_PASSWORD, INIT};
use tempfile::TempDir;

struct World {
    _dir: TempDir,
    store: PathBuf,
}

impl World {
    /// A store with its first administrator.
    fn new() -> Self {
        let (dir, store) = support::temp_store();
        let world = Self { _dir: dir, store };
        world
            .execute(INIT, Some(&support::admin_password_line()), None)
            .ok();
        world.run(&["groups", "add", "Sales"], None).ok();
        world
    }

    /// Runs `roster` with `ROSTER_SMTP_PASSWORD` set to `smtp_password`, or unset.
    fn run(&self, args: &[&str], smtp_password: Option<&str>) -> Run {
        self.execute(args, None, smtp_password)
    }

    /// Runs `roster --store STORE ARGS` with the mock keychain, as the
    /// administrator unless ARGS name someone.
    fn execute(&self, args: &[&str], stdin: Option<&str>, smtp_password: Option<&str>) -> Run {
        let mut command = support::roster_on(&self.store);
        command
            .args(args)
            .env_remove("ROSTER_SMTP_PASSWORD")
            .env("ROSTER_KEYCHAIN", "mock");
        if let Some(password) = smtp_password {
            command.env("ROSTER_SMTP_PASSWORD", password);
        }
        acting_as_admin(&mut command, args);
        support::finish(command, stdin)
    }

    /// `roster mail set` for a server on loopback at `port`, signing in as
    /// the sink's user with `password`.
    fn set_mail(&self, port: u16, password: Option<&str>) -> Run {
        let port = port.to_string();
        self.run(
            &[
                "mail",
                "set",
                "--host",
                "127.0.0.1",
                "--port",
                &port,
                "--security",
                "none",
                "--user",
                USER,
                "--from",
                "roster@example.com",
                "--from-name",
                "Roster at Example",
            ],
            password,
        )
    }
}

#[test]
fn mail_is_set_shown_tested_and_cleared() {
    let world = World::new();
    let sink = Sink::accepting();
    world
        .run(&["mail", "show"], None)
        .ok()
        .stdout
        .contains("No mail server is configured.")
        .then_some(())
        .expect("no mail server at first");
    assert_eq!(
        world.run(&["mail", "show", "--json"], None).ok().json(),
        Value::Null
    );

    let set = world.set_mail(sink.port(), Some(PASSWORD)).ok();
    assert!(set.stdout.contains("127.0.0.1"), "{set:#?}");
    assert!(!set.stdout.contains(PASSWORD));
    let shown = world.run(&["mail", "show", "--json"], None).ok().json();
    assert_eq!(shown["host"], "127.0.0.1");
    assert_eq!(shown["port"], sink.port());
    assert_eq!(shown["security"], "none");
    assert_eq!(shown["user"], USER);
    assert_eq!(shown["sender_address"], "roster@example.com");
    assert_eq!(shown["sender_name"], "Roster at Example");

    let tested = world
        .run(&["mail", "test", "--to", "it@example.com"], Some(PASSWORD))
        .ok();
    assert!(tested
        .stdout
        .contains("Sent a test message to it@example.com."));
    let message = sink.only();
    assert_eq!(message.to, vec!["it@example.com".to_owned()]);
    assert_eq!(message.user.as_deref(), Some(USER));
    assert_eq!(message.header("Subject").unwrap(), "Roster test message");

    // The mock keychain forgot the password when `mail set` ended.
    world
        .run(&["mail", "test", "--to", "it@example.com"], None)
        .refused("no password is kept on this computer");
    world
        .run(
            &["mail", "test", "--to", "it@example.com"],
            Some("wrong-password"),
        )
        .refused("did not accept the user name and password");

    world.run(&["mail", "clear"], None).ok();
    world
        .run(&["mail", "test", "--to", "it@example.com"], Some(PASSWORD))
        .refused("No mail server is configured");
    assert_eq!(sink.received().len(), 1);

    let audit = world.run(&["audit", "list", "--json"], None).ok().stdout;
    assert!(audit.contains("settings.mail"));
    assert!(!audit.contains(PASSWORD));
}

#[test]
fn a_password_is_never_taken_from_the_command_line_and_is_required() {
    let world = World::new();
    world
        .set_mail(2525, None)
        .refused("Set ROSTER_SMTP_PASSWORD to the password of roster-mailer");
    assert_eq!(
        world.run(&["mail", "show", "--json"], None).ok().json(),
        Value::Null
    );
    let unknown = world.run(&["mail", "set", "--password", "x"], None);
    assert_eq!(unknown.code, 2, "{unknown:#?}");
    world
        .run(
            &[
                "mail",
                "set",
                "--host",
                "smtp.example.com",
                "--security",
                "none",
                "--user",
                USER,
                "--from",
                "roster@example.com",
            ],
            Some(PASSWORD),
        )
        .refused("only sent over an encrypted connection");
}

#[test]
fn an_unreachable_server_is_one_line_and_exit_1() {
    let world = World::new();
    world.set_mail(closed_port(), Some(PASSWORD)).ok();
    world
        .run(&["mail", "test", "--to", "it@example.com"], Some(PASSWORD))
        .refused("refused the connection or could not be reached");
}

#[test]
fn credentials_are_emailed_on_request() {
    let world = World::new();
    world
        .execute(
            &[
                "users",
                "add",
                "--name",
                "Ann Lee",
                "--email",
                "ann@example.com",
                "--group",
                "Sales",
                "--generate",
                "--send-credentials",
            ],
            None,
            Some(PASSWORD),
        )
        .refused("No mail server is configured; hand the credentials over in person.");
    assert!(world
        .run(&["users", "show", "ann@example.com"], None)
        .stderr
        .contains("There is no user"));

    let sink = Sink::accepting();
    world.set_mail(sink.port(), Some(PASSWORD)).ok();
    let added = world
        .run(
            &[
                "users",
                "add",
                "--name",
                "Ann Lee",
                "--email",
                "ann@example.com",
                "--group",
                "Sales",
                "--generate",
                "--force-password-change",
                "--send-credentials",
                "--json",
            ],
            Some(PASSWORD),
        )
        .ok()
        .json();
    assert_eq!(added["delivery"]["status"], "sent");
    assert_eq!(added["generated_password"], Value::Null);
    let message = sink.only();
    assert_eq!(message.to, vec!["ann@example.com".to_owned()]);
    assert_eq!(message.header("Subject").unwrap(), "Your Roster account");
    let text = message.part("text/plain").unwrap();
    assert!(text.contains("Email address: ann@example.com"), "{text}");
    assert!(text.contains("Password: "), "{text}");

    let reset = world
        .execute(
            &[
                "users",
                "reset-password",
                "ann@example.com",
                "--password-stdin",
                "--send-credentials",
            ],
            Some(&format!("{GOOD_PASSWORD}\n")),
            Some(PASSWORD),
        )
        .ok();
    assert!(
        reset
            .stdout
            .contains("Emailed the sign-in details to ann@example.com."),
        "{reset:#?}"
    );
    let received = sink.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[1].header("Subject").unwrap(),
        "Your new Roster password"
    );
    assert!(received[1]
        .part("text/plain")
        .unwrap()
        .contains(&format!("Password: {GOOD_PASSWORD}")));

    // A failed send leaves the user created and prints the password to hand over.
    world.set_mail(closed_port(), Some(PASSWORD)).ok();
    let failed = world
        .run(
            &[
                "users",
                "add",
                "--name",
                "Bob Ray",
                "--email",
                "bob@example.com",
                "--group",
                "Sales",
                "--generate",
                "--send-credentials",
            ],
            Some(PASSWORD),
        )
        .ok();
    assert!(
        failed.stdout.contains("could not be emailed"),
        "{failed:#?}"
    );
    assert!(failed.stdout.contains("Password for bob@example.com: "));
    world.run(&["users", "show", "bob@example.com"], None).ok();
}

#[test]
fn email_codes_can_be_chosen_once_mail_is_configured() {
    let world = World::new();
    let add = |email: &str| {
        world.execute(
            &[
                "users",
                "add",
                "--name",
                "Cy Code",
                "--email",
                email,
                "--group",
                "Sales",
                "--two-factor",
                "email_code",
                "--password-stdin",
            ],
            Some(&format!("{GOOD_PASSWORD}\n")),
            None,
        )
    };
    add("cy@example.com").refused("Email codes need a mail server");
    let sink = Sink::accepting();
    world.set_mail(sink.port(), Some(PASSWORD)).ok();
    add("cy@example.com").ok();
    // Creating the user asked the keychain for nothing, and sent nothing.
    assert!(sink.received().is_empty());
    world
        .run(&["mail", "clear"], None)
        .refused("1 user(s) sign in with email codes");
}
