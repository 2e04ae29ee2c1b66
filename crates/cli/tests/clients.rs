//! `roster clients …` run through the built binary, each scenario against
//! its own temporary SQLite store: the overview, one client's changes, CSV
//! import and export, and what an operator whose client data is masked sees.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{World, ADMIN, GOOD_PASSWORD};

const MASKED: &str = "mo@example.com";

impl World {
    /// Adds a client as the administrator and returns it as JSON.
    fn client(&self, args: &[&str]) -> Value {
        let mut all = vec!["clients", "add", "--json"];
        all.extend(args);
        self.run(&all).ok().json()
    }

    /// Every client, as `clients list --json` reports them.
    fn clients(&self) -> Vec<Value> {
        self.run(&["clients", "list", "--json", "--limit", "500"])
            .ok()
            .json()["clients"]
            .as_array()
            .expect("clients array")
            .clone()
    }

    fn names(&self) -> Vec<String> {
        self.clients()
            .iter()
            .map(|c| c["name"].as_str().expect("name").to_owned())
            .collect()
    }

    /// A user whose client data is masked, in a group that may view and
    /// manage clients.
    fn masked_operator(&self) {
        self.run(&[
            "groups",
            "add",
            "Front desk",
            "--permission",
            "clients.view",
            "--permission",
            "clients.manage",
        ])
        .ok();
        self.run_with_stdin(
            &[
                "users",
                "add",
                "--name",
                "Mo Masked",
                "--email",
                MASKED,
                "--group",
                "Front desk",
                "--mask-client-data",
                "--password-stdin",
            ],
            &format!("{GOOD_PASSWORD}\n"),
        )
        .ok();
    }
}

fn path(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn id(client: &Value) -> String {
    client["id"].as_i64().expect("id").to_string()
}

fn version(client: &Value) -> String {
    client["version"].as_i64().expect("version").to_string()
}

// --- one client at a time --------------------------------------------------------

#[test]
fn clients_are_added_listed_shown_edited_and_deleted() {
    let world = World::new();
    let zoe = world.client(&[
        "--name",
        "Zoë Lee",
        "--email",
        "zoe@example.com",
        "--phone",
        "+44 20 7946 0958",
        "--country",
        "gb",
    ]);
    assert_eq!(zoe["phone"], "+44 20 7946 0958");
    assert_eq!(zoe["country"], "GB");
    assert_eq!(zoe["masked"], false);
    let bob = world.client(&[
        "--name",
        "Bob Brown",
        "--phone",
        "020 7946 0123",
        "--country",
        "GB",
    ]);
    assert_eq!(bob["phone"], "+44 20 7946 0123");
    assert_eq!(bob["email"], Value::Null);

    // The overview: by name, by creation, searched, as a table.
    assert_eq!(world.names(), ["Bob Brown", "Zoë Lee"]);
    let newest = world
        .run(&["clients", "list", "--sort", "created", "--desc", "--json"])
        .ok()
        .json();
    assert_eq!(newest["clients"][0]["name"], "Bob Brown");
    let found = world
        .run(&["clients", "list", "--search", "zoe@", "--json"])
        .ok()
        .json();
    assert_eq!(found["clients"].as_array().unwrap().len(), 1);
    assert_eq!(found["clients"][0]["name"], "Zoë Lee");
    let table = world.run(&["clients", "list", "--limit", "1"]).ok();
    assert!(table.stdout.starts_with("ID"), "{table:#?}");
    assert!(table.stdout.contains("Bob Brown"));
    assert!(table.stdout.contains("Showing 1 of 2."));
    assert!(table.stdout.contains("Next page: --after "));

    // One client, as text and JSON.
    let shown = world.run(&["clients", "show", &id(&zoe)]).ok();
    assert!(shown.stdout.contains("zoe@example.com"), "{shown:#?}");
    assert!(shown.stdout.contains("Version:"));
    assert_eq!(
        world
            .run(&["clients", "show", &id(&zoe), "--json"])
            .ok()
            .json(),
        zoe
    );

    // Edits: only the fields given, and only from the current version.
    let edited = world
        .run(&[
            "clients",
            "edit",
            &id(&zoe),
            "--version",
            &version(&zoe),
            "--no-email",
            "--country",
            "US",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(edited["email"], Value::Null);
    assert_eq!(edited["country"], "US");
    assert_eq!(edited["name"], "Zoë Lee");
    assert_eq!(edited["phone"], "+44 20 7946 0958");
    assert_eq!(edited["version"], zoe["version"].as_i64().unwrap() + 1);
    world
        .run(&[
            "clients",
            "edit",
            &id(&zoe),
            "--version",
            &version(&zoe),
            "--name",
            "Stale",
        ])
        .refused_in_last_line("changed by someone else");
    world
        .run(&[
            "clients",
            "edit",
            &id(&zoe),
            "--version",
            &version(&edited),
            "--phone",
            "12",
        ])
        .refused_in_last_line("phone");
    assert_eq!(
        world
            .run(&[
                "clients",
                "edit",
                &id(&zoe),
                "--version",
                "1",
                "--email",
                "a@b.example",
                "--no-email",
            ])
            .code,
        2,
        "--email with --no-email is a usage mistake"
    );

    // Deletion, also only from the current version.
    world
        .run(&["clients", "delete", &id(&zoe), "--version", &version(&zoe)])
        .refused_in_last_line("changed by someone else");
    let deleted = world
        .run(&[
            "clients",
            "delete",
            &id(&zoe),
            "--version",
            &version(&edited),
        ])
        .ok();
    assert!(deleted.stdout.contains("Deleted client"), "{deleted:#?}");
    assert_eq!(world.names(), ["Bob Brown"]);
    world
        .run(&["clients", "show", &id(&zoe)])
        .refused_in_last_line("There is no client with id");
    assert_eq!(world.run(&["clients", "show", "abc"]).code, 2);
}

#[test]
fn an_invalid_client_is_refused_and_nothing_changes() {
    let world = World::new();
    world
        .run(&["clients", "add", "--name", "Ann", "--email", "not-an-email"])
        .refused_in_last_line("email");
    world
        .run(&[
            "clients",
            "add",
            "--name",
            "Ann",
            "--phone",
            "020 7946 0958",
        ])
        .refused_in_last_line("country code");
    assert_eq!(
        world.run(&["clients", "list", "--sort", "email"]).code,
        2,
        "an unknown sort is a usage mistake"
    );
    assert!(world.clients().is_empty());
}

// --- import and export ------------------------------------------------------------

const GOOD_CSV: &str = "Name,Email,Phone,Country\n\
    Ann Andersen,ann@example.com,+44 20 7946 0001,GB\n\
    Ben Brown,,020 7946 0002,GB\n\
    \"Costa, Carla\",carla@example.com,,PT\n\
    Dmitri Dubois,dmitri@example.com,+1 212 555 0123,\n";

#[test]
fn a_dry_run_with_a_bad_row_reports_its_line_and_writes_nothing() {
    let world = World::new();
    let file = world.file(
        "bad.csv",
        "name,email,phone,country\n\
         Ann Andersen,ann@example.com,,GB\n\
         Ben Brown,ben-at-example.com,,GB\n\
         Carla Costa,,,PT\n",
    );
    let run = world
        .run(&["clients", "import", path(&file), "--dry-run"])
        .refused_in_last_line("1 row has an error");
    assert!(run.stdout.contains("Rows: 3"), "{run:#?}");
    assert!(run.stdout.contains("line 3: email:"), "{run:#?}");
    // Progress lines are for terminals only.
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
    assert!(world.clients().is_empty());

    let report = world
        .run(&["clients", "import", path(&file), "--dry-run", "--json"])
        .refused_in_last_line("1 row has an error")
        .json();
    assert_eq!(report["rows"], 3);
    assert_eq!(report["created"], 0);
    assert_eq!(report["errors"][0]["line"], 3);

    // A real import of the same file writes nothing either.
    world
        .run(&["clients", "import", path(&file)])
        .refused_in_last_line("nothing was imported");
    assert!(world.clients().is_empty());

    // A good file's dry run reports and writes nothing.
    let good = world.file("good.csv", GOOD_CSV);
    let run = world
        .run(&["clients", "import", path(&good), "--dry-run"])
        .ok();
    assert!(run.stdout.contains("Rows: 4"), "{run:#?}");
    assert!(world.clients().is_empty());
}

#[test]
fn an_import_writes_every_row_and_an_export_round_trips() {
    let world = World::new();
    let file = world.file("clients.csv", GOOD_CSV);
    let report = world
        .run(&["clients", "import", path(&file), "--json"])
        .ok()
        .json();
    assert_eq!(report["rows"], 4);
    assert_eq!(report["created"], 4);
    assert_eq!(report["errors"], Value::Array(vec![]));
    assert_eq!(
        world.names(),
        ["Ann Andersen", "Ben Brown", "Costa, Carla", "Dmitri Dubois"]
    );

    // Export to standard output, in the import's columns, phones in E.164
    // behind an apostrophe (a cell starting with + would run as a formula).
    let exported = world.run(&["clients", "export"]).ok().stdout;
    assert_eq!(
        exported,
        "name,email,phone,country\n\
         Ann Andersen,ann@example.com,'+442079460001,GB\n\
         Ben Brown,,'+442079460002,GB\n\
         \"Costa, Carla\",carla@example.com,,PT\n\
         Dmitri Dubois,dmitri@example.com,'+12125550123,\n"
    );
    // …and to a file, searched.
    let out = world.dir.path().join("export.csv");
    world
        .run(&[
            "clients",
            "export",
            "--search",
            "brown",
            "--output",
            path(&out),
        ])
        .ok();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "name,email,phone,country\nBen Brown,,'+442079460002,GB\n"
    );

    // The export imports into a new store as the same clients.
    let other = World::new();
    let again = other.file("again.csv", &exported);
    other.run(&["clients", "import", path(&again)]).ok();
    assert_eq!(other.run(&["clients", "export"]).ok().stdout, exported);
    let strip = |clients: Vec<Value>| -> Vec<Value> {
        clients
            .into_iter()
            .map(|c| serde_json::json!([c["name"], c["email"], c["phone"], c["country"]]))
            .collect()
    };
    assert_eq!(strip(other.clients()), strip(world.clients()));

    // A file whose header is wrong is refused as a whole.
    let wrong = world.file("wrong.csv", "fullname,email\nAnn,\n");
    world
        .run(&["clients", "import", path(&wrong)])
        .refused_in_last_line("fullname");
    assert_eq!(world.clients().len(), 4);
}

// --- masking ------------------------------------------------------------------------

#[test]
fn a_masked_operator_sees_no_real_client_data_and_cannot_enter_any() {
    let world = World::new();
    let real = ["Zoë Lee", "zoe@example.com", "7946 0958", "442079460958"];
    let zoe = world.client(&[
        "--name",
        real[0],
        "--email",
        real[1],
        "--phone",
        "+44 20 7946 0958",
        "--country",
        "GB",
    ]);
    world.masked_operator();
    let as_masked = |args: &[&str]| {
        let mut all = vec!["--as", MASKED];
        all.extend(args);
        world.run(&all)
    };
    let assert_hidden = |text: &str| {
        for value in real {
            assert!(!text.contains(value), "{value:?} is shown in {text}");
        }
        assert!(!text.contains("Zoë"), "{text}");
        assert!(!text.contains("zoe@"), "{text}");
    };

    let listed = as_masked(&["clients", "list", "--json"]).ok();
    assert_hidden(&listed.stdout);
    let page = listed.json();
    assert_eq!(page["clients"].as_array().unwrap().len(), 1);
    assert_eq!(page["clients"][0]["masked"], true);
    assert_eq!(page["clients"][0]["country"], "GB");
    // The search matches whole values only: a part finds nothing.
    let found = as_masked(&["clients", "list", "--search", "zoe", "--json"]).ok();
    assert_eq!(found.json()["clients"].as_array().unwrap().len(), 0);
    let found = as_masked(&["clients", "list", "--search", "ZOE@example.com", "--json"]).ok();
    assert_hidden(&found.stdout);
    assert_eq!(found.json()["clients"].as_array().unwrap().len(), 1);
    let exported = as_masked(&["clients", "export", "--search", "zoe@"])
        .ok()
        .stdout;
    assert_eq!(exported, "name,email,phone,country\n");
    assert_hidden(&as_masked(&["clients", "list"]).ok().stdout);

    assert_hidden(&as_masked(&["clients", "show", &id(&zoe)]).ok().stdout);
    assert_hidden(
        &as_masked(&["clients", "show", &id(&zoe), "--json"])
            .ok()
            .stdout,
    );

    let exported = as_masked(&["clients", "export"]).ok().stdout;
    assert!(exported.starts_with("name,email,phone,country\n"));
    assert_eq!(exported.lines().count(), 2);
    assert_hidden(&exported);
    let out = world.dir.path().join("masked.csv");
    as_masked(&["clients", "export", "--output", path(&out)]).ok();
    assert_hidden(&std::fs::read_to_string(&out).unwrap());

    // Entering personal data is refused with the core's message.
    let before = world.clients();
    let message = "Client personal data is masked for you";
    as_masked(&["clients", "add", "--name", "Nina New"]).refused_in_last_line(message);
    as_masked(&[
        "clients",
        "edit",
        &id(&zoe),
        "--version",
        &version(&zoe),
        "--name",
        "Other",
    ])
    .refused_in_last_line(message);
    let file = world.file("masked.csv", "name\nNina New\n");
    as_masked(&["clients", "import", path(&file), "--dry-run"]).refused_in_last_line(message);
    assert_eq!(world.clients(), before);

    // The country is not personal data: it may be changed, and the reply is masked.
    let edited = as_masked(&[
        "clients",
        "edit",
        &id(&zoe),
        "--version",
        &version(&zoe),
        "--country",
        "IE",
        "--json",
    ])
    .ok();
    assert_hidden(&edited.stdout);
    assert_eq!(edited.json()["country"], "IE");
}

#[test]
fn a_masked_operators_audit_target_filter_never_confirms_a_client_name() {
    let world = World::new();
    world.client(&["--name", "Zoë Lee", "--email", "zoe@example.com"]);
    world
        .run(&[
            "groups",
            "add",
            "Auditors",
            "--permission",
            "clients.view",
            "--permission",
            "audit.view",
        ])
        .ok();
    world
        .run_with_stdin(
            &[
                "users",
                "add",
                "--name",
                "Mo Masked",
                "--email",
                MASKED,
                "--group",
                "Auditors",
                "--mask-client-data",
                "--password-stdin",
            ],
            &format!("{GOOD_PASSWORD}\n"),
        )
        .ok();
    let events = |who: &str, target: &str| -> Vec<Value> {
        world
            .run(&["--as", who, "audit", "list", "--target", target, "--json"])
            .ok()
            .json()
            .as_array()
            .expect("events")
            .clone()
    };
    assert_eq!(events(ADMIN, "zoë lee").len(), 1);
    // For the masked operator the right name and a wrong one look the same.
    assert_eq!(events(MASKED, "Zoë Lee"), events(MASKED, "Zoë Leigh"));
    assert!(events(MASKED, "Zoë Lee").is_empty());
}

#[test]
fn a_client_gets_an_account_manager_by_email_and_loses_it() {
    let world = World::new();
    let acme = world.client(&["--name", "Acme", "--account-manager", ADMIN]);
    assert_eq!(acme["account_manager"]["email"], ADMIN);
    let shown = world.run(&["clients", "show", &id(&acme)]).ok();
    assert!(shown.stdout.contains("Account manager:"), "{shown:#?}");
    assert!(shown.stdout.contains(ADMIN), "{shown:#?}");
    world
        .run(&[
            "clients",
            "add",
            "--name",
            "Bolt",
            "--account-manager",
            "nobody@example.com",
        ])
        .refused(
            "There is no user nobody@example.com among those you may choose as account manager.",
        );
    let edited = world
        .run(&[
            "clients",
            "edit",
            &id(&acme),
            "--version",
            &version(&acme),
            "--no-account-manager",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(edited["account_manager"], Value::Null);
    assert_eq!(world.names(), ["Acme"]);
}
