//! `roster users import|export|template|bulk` through the built binary,
//! each scenario against its own temporary SQLite store.

mod support;

use serde_json::Value;
use support::World;

impl World {
    fn users(&self) -> Vec<Value> {
        self.run(&["users", "list", "--json", "--limit", "500"])
            .ok()
            .json()["users"]
            .as_array()
            .expect("users array")
            .clone()
    }

    fn status_of(&self, email: &str) -> String {
        self.run(&["users", "show", email, "--json"]).ok().json()["status"]
            .as_str()
            .expect("status")
            .to_owned()
    }
}

#[test]
fn a_file_with_a_bad_row_is_refused_whole_then_imported_with_a_credentials_sheet() {
    let world = World::new();
    world.run(&["groups", "add", "Sales"]).ok();
    let bad = world.file(
        "team.csv",
        "name;email;groups;supervisor\nAnn Lee;ann@example.com;Sales;\nBo Berg;bo@example.com;Marketing;ann@example.com\n",
    );
    let path = bad.to_str().unwrap();
    world
        .run(&["users", "import", path, "--dry-run"])
        .refused("1 problem(s) found.")
        .stdout
        .contains("Line 3, column groups: There is no group called “Marketing”.")
        .then_some(())
        .expect("the problem is listed with its line and column");
    let credentials = world.dir.path().join("passwords.csv");
    let sheet = credentials.to_str().unwrap();
    world
        .run(&["users", "import", path, "--credentials", sheet])
        .refused("nothing was imported");
    assert!(!credentials.exists());
    assert_eq!(world.users().len(), 1);
    // Without a place for the passwords, a real import does not start.
    world
        .run(&["users", "import", path])
        .refused("--credentials FILE");

    let good = world.file(
        "team.csv",
        "name;email;groups;supervisor\nAnn Lee;ann@example.com;Sales;\nBo Berg;bo@example.com;Sales;ann@example.com\n",
    );
    let run = world
        .run(&[
            "users",
            "import",
            good.to_str().unwrap(),
            "--credentials",
            sheet,
        ])
        .ok();
    assert!(run.stdout.contains("Created: 2"), "{run:?}");
    assert!(
        !run.stdout.contains("password"),
        "no password on standard output"
    );
    let text = std::fs::read_to_string(&credentials).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "name,email,password");
    assert!(lines[1].starts_with("Ann Lee,ann@example.com,"), "{text}");
    assert!(lines[2].starts_with("Bo Berg,bo@example.com,"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&credentials)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The sheet is never overwritten.
    world
        .run(&[
            "users",
            "import",
            good.to_str().unwrap(),
            "--credentials",
            sheet,
        ])
        .refused("already exists");
    let bo = world
        .run(&["users", "show", "bo@example.com", "--json"])
        .ok()
        .json();
    assert_eq!(bo["supervisor"]["email"], "ann@example.com");
    assert_eq!(bo["must_change_password"], true);
}

#[test]
fn an_export_round_trips_through_a_template_and_xlsx() {
    let world = World::new();
    world.run(&["groups", "add", "Sales"]).ok();
    let template = world.dir.path().join("template.xlsx");
    world
        .run(&[
            "users",
            "template",
            "--format",
            "xlsx",
            "--output",
            template.to_str().unwrap(),
        ])
        .ok();
    let csv_template = world.run(&["users", "template"]).ok().stdout;
    assert!(csv_template.starts_with("name,email,groups,supervisor,status,must change password,mask client data,two-factor method,valid until\n"));
    // The template's example row names groups that do not exist here.
    world
        .run(&["users", "import", template.to_str().unwrap(), "--dry-run"])
        .refused("problem");

    let file = world.file(
        "team.csv",
        "name,email,groups,two-factor method\n=Eve,eve@example.com,Sales,off\nDan,dan@example.com,Sales,off\n",
    );
    let sheet = world.dir.path().join("passwords.xlsx");
    world
        .run(&[
            "users",
            "import",
            file.to_str().unwrap(),
            "--credentials",
            sheet.to_str().unwrap(),
        ])
        .ok();
    assert!(std::fs::read(&sheet).unwrap().starts_with(b"PK\x03\x04"));
    let csv = world
        .run(&["users", "export", "--in-group", "Sales", "--sort", "email"])
        .ok()
        .stdout;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].starts_with("Dan,dan@example.com,Sales,,enabled,yes,no,off,,"),
        "{csv}"
    );
    assert!(lines[2].starts_with("'=Eve,eve@example.com,"), "{csv}");
    let xlsx = world.dir.path().join("users.xlsx");
    world
        .run(&[
            "users",
            "export",
            "--format",
            "xlsx",
            "--output",
            xlsx.to_str().unwrap(),
        ])
        .ok();
    world
        .run(&["users", "export", "--format", "xlsx"])
        .refused("--output");

    // Into another directory, unchanged.
    let other = World::new();
    other.run(&["groups", "add", "Sales"]).ok();
    let sheet = other.dir.path().join("passwords.csv");
    let clash = other
        .run(&["users", "import", xlsx.to_str().unwrap(), "--dry-run"])
        .refused("1 problem(s) found.");
    assert!(
        clash.stdout.contains(
            ", column email: The email address admin@example.com is already used by another user."
        ),
        "{clash:?}"
    );
    let only_sales = other.file("sales.csv", &csv);
    other
        .run(&[
            "users",
            "import",
            only_sales.to_str().unwrap(),
            "--credentials",
            sheet.to_str().unwrap(),
        ])
        .ok();
    let again = other
        .run(&["users", "export", "--in-group", "Sales", "--sort", "email"])
        .ok()
        .stdout;
    let cut = |text: &str| -> Vec<String> {
        text.lines()
            .map(|line| line.split(',').take(8).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(cut(&again), cut(&csv));
}

#[test]
fn bulk_prints_the_plan_and_applies_only_with_yes() {
    let world = World::new();
    world.run(&["groups", "add", "Sales"]).ok();
    let file = world.file(
        "team.csv",
        "name,email,groups\nAnn,ann@example.com,Sales\nBo,bo@example.com,Sales\nCy,cy@example.com,Sales\n",
    );
    let sheet = world.dir.path().join("passwords.csv");
    world
        .run(&[
            "users",
            "import",
            file.to_str().unwrap(),
            "--credentials",
            sheet.to_str().unwrap(),
        ])
        .ok();
    world.run(&["users", "bulk", "disable"]).refused("--all");
    // A search of spaces or accents alone is none: everyone needs --all.
    for nothing in ["   ", "\u{301}\u{308}"] {
        world
            .run(&["users", "bulk", "disable", "--search", nothing])
            .refused("--all");
    }
    let plan = world
        .run(&["users", "bulk", "disable", "--all"])
        .ok()
        .stdout;
    assert!(
        plan.contains("Refused for ")
            && plan.contains("(admin@example.com): You cannot disable your own account."),
        "{plan}"
    );
    assert!(
        plan.contains("4 selected: 3 would change, 0 already so, 1 refused. Nothing changed"),
        "{plan}"
    );
    assert_eq!(world.status_of("ann@example.com"), "enabled");

    let report = world
        .run(&[
            "users",
            "bulk",
            "disable",
            "--in-group",
            "Sales",
            "--yes",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(report["applied"], 3);
    for email in ["ann@example.com", "bo@example.com", "cy@example.com"] {
        assert_eq!(world.status_of(email), "disabled");
    }
    let report = world
        .run(&[
            "users",
            "bulk",
            "enable",
            "--email",
            "bo@example.com",
            "--yes",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(report["applied"], 1);
    assert_eq!(world.status_of("bo@example.com"), "enabled");
    let missing = world.run(&["users", "bulk", "add-to-group", "--all"]);
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(missing.stderr.contains("--group <NAME>"), "{missing:?}");
    world
        .run(&[
            "users",
            "bulk",
            "set-supervisor",
            "--status",
            "disabled",
            "--supervisor",
            "bo@example.com",
            "--yes",
        ])
        .ok();
    let ann = world
        .run(&["users", "show", "ann@example.com", "--json"])
        .ok()
        .json();
    assert_eq!(ann["supervisor"]["email"], "bo@example.com");
    world
        .run(&["users", "bulk", "delete", "--status", "disabled", "--yes"])
        .ok();
    let left: Vec<String> = world
        .users()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(left, vec!["admin@example.com", "bo@example.com"]);
}
