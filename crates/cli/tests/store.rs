//! The built `roster` binary against PostgreSQL stores: `--store
//! postgres://…`, `store show | test | copy`, and `bench --postgres`.
//!
//! These run against the real test server (`ROSTER_TEST_DATABASE_URL`,
//! default `postgres://postgres@127.0.0.1:5432/test`), each test in a schema
//! of its own that is dropped afterwards. A server that cannot be reached
//! fails the tests; they are never skipped.

mod support;

use std::path::PathBuf;

use serde_json::Value;
use support::{files, Run, ADMIN, ADMIN_PASSWORD, GOOD_PASSWORD, INIT_WITHOUT_SECOND_FACTOR};
use tempfile::TempDir;

fn database_url() -> String {
    std::env::var("ROSTER_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// `url` with one more query parameter.
fn with_param(url: &str, param: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{param}")
}

/// Runs `work` with a client of the test database, on a thread and runtime
/// of its own (usable from `Drop`, whatever the test's state).
fn with_database<T: Send + 'static>(
    work: impl FnOnce(
            tokio_postgres::Client,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>
        + Send
        + 'static,
) -> T {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let (client, connection) =
                tokio_postgres::connect(&database_url(), tokio_postgres::NoTls)
                    .await
                    .expect("the test database (ROSTER_TEST_DATABASE_URL) is reachable");
            tokio::spawn(connection);
            work(client).await
        })
    })
    .join()
    .expect("the database work finished")
}

/// A schema of the test database, dropped when the test ends.
struct Schema {
    name: String,
}

impl Schema {
    fn new(test: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Self {
            name: format!("roster_cli_{test}_{}_{nanos}", std::process::id()),
        }
    }

    /// The store URL of this schema.
    fn url(&self) -> String {
        with_param(&database_url(), &format!("schema={}", self.name))
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let name = self.name.clone();
        let dropped = std::panic::catch_unwind(|| {
            with_database(move |client| {
                Box::pin(async move {
                    client
                        .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))
                        .await
                        .expect("drop the test schema");
                })
            })
        });
        if dropped.is_err() && !std::thread::panicking() {
            panic!("the test schema {} could not be dropped", self.name);
        }
    }
}

/// How many schemas of the test database have a name starting with `prefix`.
fn schemas_starting_with(prefix: &str) -> i64 {
    let pattern = format!("{}%", prefix.replace('_', "\\_"));
    with_database(move |client| {
        Box::pin(async move {
            client
                .query_one(
                    "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE $1",
                    &[&pattern],
                )
                .await
                .expect("count schemas")
                .get::<_, i64>(0)
        })
    })
}

/// Runs `roster ARGS` (with `--store STORE` first when given), with the mock
/// keychain and no store or operator from the environment. A command that
/// acts for someone and names nobody signs in as the administrator (the
/// password goes first on standard input).
fn roster(store: Option<&str>, args: &[&str], stdin: Option<&str>) -> Run {
    let mut command = support::roster();
    if let Some(store) = store {
        command.arg("--store").arg(store);
    }
    let acts = !matches!(
        args.first(),
        Some(&"init" | &"store" | &"password" | &"bench")
    ) && !matches!(args.first(), Some(&"--as" | &"--user"));
    let signed_in_stdin;
    let stdin = if acts {
        command.args(["--user", ADMIN]);
        signed_in_stdin = format!("{ADMIN_PASSWORD}\n{}", stdin.unwrap_or_default());
        Some(signed_in_stdin.as_str())
    } else {
        stdin
    };
    command.args(args).env("ROSTER_KEYCHAIN", "mock");
    support::finish(command, stdin)
}

/// Sets up a directory in `store` (a path or a URL): its administrator, a
/// group, two users, and a change to one of them.
fn populate(store: &str) {
    // These tests sign Ada in from the command line, which cannot set up an
    // authenticator app.
    roster(
        Some(store),
        INIT_WITHOUT_SECOND_FACTOR,
        Some(&support::admin_password_line()),
    )
    .ok();
    roster(
        Some(store),
        &[
            "groups",
            "add",
            "Sales",
            "--description",
            "Sells things",
            "--permission",
            "users.view",
        ],
        None,
    )
    .ok();
    for (name, email) in [("Bo Berg", "bo@example.com"), ("Cy Chen", "cy@example.com")] {
        roster(
            Some(store),
            &[
                "users",
                "add",
                "--name",
                name,
                "--email",
                email,
                "--group",
                "Sales",
                "--password-stdin",
            ],
            Some(&format!("{GOOD_PASSWORD}\n")),
        )
        .ok();
    }
    roster(
        Some(store),
        &[
            "users",
            "edit",
            "cy@example.com",
            "--supervisor",
            "bo@example.com",
        ],
        None,
    )
    .ok();
}

fn users(store: &str) -> Value {
    roster(
        Some(store),
        &["users", "list", "--json", "--limit", "500"],
        None,
    )
    .ok()
    .json()
}

/// What `user_summary` compares of one user.
#[derive(Debug, PartialEq, Eq)]
struct UserSummary {
    id: i64,
    email: String,
    name: String,
    groups: Vec<String>,
    supervisor: Option<String>,
}

/// Every user's id, email, name, group names and supervisor's email.
fn user_summary(store: &str) -> Vec<UserSummary> {
    users(store)["users"]
        .as_array()
        .expect("users array")
        .iter()
        .map(|u| UserSummary {
            id: u["id"].as_i64().expect("id"),
            email: u["email"].as_str().expect("email").to_owned(),
            name: u["name"].as_str().expect("name").to_owned(),
            groups: u["groups"]
                .as_array()
                .expect("groups")
                .iter()
                .map(|g| g["name"].as_str().expect("group name").to_owned())
                .collect(),
            supervisor: u["supervisor"]["email"].as_str().map(str::to_owned),
        })
        .collect()
}

/// A populated SQLite store in a temporary folder.
fn sqlite_directory() -> (TempDir, PathBuf) {
    let (dir, path) = support::temp_store();
    populate(path.to_str().expect("a UTF-8 temporary path"));
    (dir, path)
}

/// The row of `table` (as `store copy` prints it) that starts with `what`.
fn copied(table: &str, what: &str) -> u64 {
    table
        .lines()
        .find_map(|line| {
            let count = line.strip_prefix(what)?.trim();
            count.parse().ok()
        })
        .unwrap_or_else(|| panic!("no “{what}” row in {table}"))
}

// --- PostgreSQL as the store ---------------------------------------------------

#[test]
fn init_and_users_add_work_on_a_postgres_url_and_users_list_shows_them() {
    let schema = Schema::new("init");
    let url = schema.url();
    populate(&url);

    let list = users(&url);
    let emails: Vec<&str> = list["users"]
        .as_array()
        .expect("users array")
        .iter()
        .map(|u| u["email"].as_str().expect("email"))
        .collect();
    assert_eq!(emails, [ADMIN, "bo@example.com", "cy@example.com"]);
    assert_eq!(list["users"][2]["supervisor"]["email"], "bo@example.com");
    assert_eq!(list["users"][1]["groups"][0]["name"], "Sales");

    let shown = roster(Some(&url), &["store", "show", "--json"], None)
        .ok()
        .json();
    assert_eq!(shown["kind"], "postgres");
    assert!(
        shown["description"]
            .as_str()
            .expect("description")
            .contains(&format!("(schema {})", schema.name)),
        "{shown}"
    );
    let tested = roster(Some(&url), &["store", "test", "--json"], None)
        .ok()
        .json();
    assert!(
        tested["server_version"]
            .as_str()
            .expect("a server version")
            .starts_with("PostgreSQL "),
        "{tested}"
    );
}

#[test]
fn acting_as_someone_without_signing_in_is_refused_on_postgres() {
    let schema = Schema::new("recovery");
    let url = schema.url();
    populate(&url);
    roster(Some(&url), &["--as", ADMIN, "users", "list"], None)
        .refused("works only on a local SQLite file that this account can write");
    roster(
        Some(&url),
        &["--user", ADMIN, "users", "list"],
        Some("not-the-password\n"),
    )
    .refused("not correct");
    let audit = roster(
        Some(&url),
        &["audit", "list", "--json", "--limit", "1000"],
        None,
    )
    .ok()
    .json();
    let actions: Vec<&str> = audit
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|event| event["action"].as_str())
        .collect();
    assert!(!actions.contains(&"cli.recovery_as"), "{actions:?}");
    assert!(actions.contains(&"auth.sign_in_failed"), "{actions:?}");
}

#[test]
fn a_password_in_the_url_is_used_with_a_warning_and_never_printed() {
    let schema = Schema::new("password");
    // The test URL's own password if it has one (or PGPASSWORD's), so the
    // sign-in still works; else any: the local test server trusts.
    let password = std::env::var("PGPASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "Not-Needed-Here-7".into());
    let url = schema.url();
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (credentials, after) = rest.split_once('@').expect("a user in the URL");
    let with_password = if credentials.contains(':') {
        url.clone()
    } else {
        format!("{scheme}://{credentials}:{password}@{after}")
    };
    let shown_password = with_password
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(credentials, _)| credentials.split_once(':'))
        .map(|(_, password)| password.to_owned())
        .expect("a password in the URL");

    let run = roster(Some(&with_password), &["store", "test"], None).ok();
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:#?}");
    assert!(lines[0].starts_with("roster: warning:"), "{run:#?}");
    assert!(lines[0].contains("PGPASSWORD"), "{run:#?}");
    assert!(lines[0].contains("keychain"), "{run:#?}");
    assert!(run.stdout.contains("PostgreSQL"), "{run:#?}");

    let shown = roster(Some(&with_password), &["store", "show", "--json"], None).ok();
    assert_eq!(shown.json()["password"], "url");
    for run in [&run, &shown] {
        assert!(!run.stdout.contains(&shown_password), "{run:#?}");
        assert!(!run.stderr.contains(&shown_password), "{run:#?}");
    }
}

#[test]
fn an_unreachable_server_exits_1_with_the_cores_message() {
    let url = "postgres://postgres@127.0.0.1:1/test";
    roster(Some(url), &["users", "list"], None).refused("Cannot reach the directory server");
    roster(Some(url), &["store", "test"], None).refused("Cannot reach the directory server");
    let (_dir, path) = sqlite_directory();
    let from = format!("sqlite:{}", path.display());
    roster(None, &["store", "copy", "--from", &from, "--to", url], None)
        .refused("Cannot reach the directory server");
}

// --- copying a directory ------------------------------------------------------------

#[test]
fn store_copy_moves_a_sqlite_directory_into_an_empty_schema_and_leaves_the_file_untouched() {
    let (dir, path) = sqlite_directory();
    let file = path.to_str().expect("a UTF-8 path");
    // Each read signs in, which the audit records: read the audit last.
    let sqlite_users = user_summary(file);
    let sqlite_groups = roster(Some(file), &["groups", "list", "--json"], None)
        .ok()
        .json();
    let sqlite_settings = roster(Some(file), &["settings", "show", "--json"], None)
        .ok()
        .json();
    let sqlite_audit = roster(
        Some(file),
        &["audit", "list", "--json", "--limit", "1000"],
        None,
    )
    .ok()
    .json();
    let before = files(dir.path());
    let schema = Schema::new("copy");
    let url = schema.url();

    let run = roster(
        None,
        &[
            "store",
            "copy",
            "--from",
            &format!("sqlite:{file}"),
            "--to",
            &url,
        ],
        None,
    )
    .ok();
    assert!(
        run.stdout.contains(&format!("(schema {})", schema.name)),
        "{run:#?}"
    );
    assert_eq!(copied(&run.stdout, "users"), 3);
    assert_eq!(copied(&run.stdout, "groups"), 2);
    assert_eq!(copied(&run.stdout, "memberships"), 3);
    assert_eq!(
        copied(&run.stdout, "audit events"),
        sqlite_audit.as_array().expect("events").len() as u64
    );

    assert_eq!(user_summary(&url), sqlite_users);
    // Newest first: the copy's events, after the sign-ins made since.
    let copied_audit = roster(
        Some(&url),
        &["audit", "list", "--json", "--limit", "1000"],
        None,
    )
    .ok()
    .json();
    let copied_audit = copied_audit.as_array().expect("events");
    let sqlite_audit = sqlite_audit.as_array().expect("events");
    assert!(
        copied_audit.ends_with(sqlite_audit),
        "{copied_audit:#?} does not end with {sqlite_audit:#?}"
    );
    assert!(copied_audit[..copied_audit.len() - sqlite_audit.len()]
        .iter()
        .all(|event| event["action"] == "auth.sign_in"));
    assert_eq!(
        roster(Some(&url), &["groups", "list", "--json"], None)
            .ok()
            .json(),
        sqlite_groups
    );
    assert_eq!(
        roster(Some(&url), &["settings", "show", "--json"], None)
            .ok()
            .json(),
        sqlite_settings
    );
    assert_eq!(files(dir.path()), before, "the source file changed");

    // The copy is a working directory: new users get new ids.
    roster(
        Some(&url),
        &[
            "users",
            "add",
            "--name",
            "Di Diaz",
            "--email",
            "di@example.com",
            "--group",
            "Sales",
            "--generate",
        ],
        None,
    )
    .ok();
    let ids: Vec<i64> = user_summary(&url).iter().map(|u| u.id).collect();
    assert_eq!(ids.len(), 4);
    assert!(ids[3] > sqlite_users.iter().map(|u| u.id).max().unwrap_or(0));
}

#[test]
fn a_second_copy_into_the_same_schema_is_refused_and_changes_nothing() {
    let (dir, path) = sqlite_directory();
    let from = format!("sqlite:{}", path.display());
    let schema = Schema::new("again");
    let url = schema.url();
    roster(
        None,
        &["store", "copy", "--from", &from, "--to", &url, "--json"],
        None,
    )
    .ok();
    let after_first = user_summary(&url);
    let before = files(dir.path());

    roster(
        None,
        &["store", "copy", "--from", &from, "--to", &url],
        None,
    )
    .refused("already holds a directory");
    assert_eq!(user_summary(&url), after_first);
    assert_eq!(files(dir.path()), before);
}

#[test]
fn store_copy_reports_its_counts_as_json_and_copies_back_down_to_a_new_file() {
    let (dir, path) = sqlite_directory();
    let schema = Schema::new("down");
    let url = schema.url();
    let up = roster(
        None,
        &[
            "store",
            "copy",
            "--from",
            path.to_str().expect("a UTF-8 path"),
            "--to",
            &url,
            "--json",
        ],
        None,
    )
    .ok()
    .json();
    assert_eq!(up["counts"]["users"], 3);
    assert_eq!(up["counts"]["groups"], 2);
    assert_eq!(up["counts"]["memberships"], 3);
    assert_eq!(up["counts"]["settings"], 0);
    assert_eq!(up["counts"]["authenticators"], 0);
    assert_eq!(up["counts"]["recovery_codes"], 0);
    assert!(up["counts"]["audit_events"].as_u64().expect("a count") >= 5);
    assert_eq!(
        up["from"],
        format!("SQLite file {}", path.display()),
        "{up}"
    );

    let back = dir.path().join("back.sqlite3");
    let down = roster(
        None,
        &[
            "store",
            "copy",
            "--from",
            &url,
            "--to",
            &format!("sqlite:{}", back.display()),
            "--json",
        ],
        None,
    )
    .ok()
    .json();
    assert_eq!(down["counts"], up["counts"]);
    assert_eq!(
        user_summary(back.to_str().expect("a UTF-8 path")),
        user_summary(&url)
    );
}

#[test]
fn store_copy_refuses_a_missing_source_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let missing = dir.path().join("missing.sqlite3");
    let target = dir.path().join("target.sqlite3");
    roster(
        None,
        &[
            "store",
            "copy",
            "--from",
            &format!("sqlite:{}", missing.display()),
            "--to",
            &format!("sqlite:{}", target.display()),
        ],
        None,
    )
    .refused("does not exist");
    assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));
}

#[test]
fn store_copy_refuses_an_empty_postgres_source_and_creates_no_file() {
    let schema = Schema::new("empty");
    let dir = tempfile::tempdir().expect("temporary folder");
    let target = dir.path().join("target.sqlite3");
    roster(
        None,
        &[
            "store",
            "copy",
            "--from",
            &schema.url(),
            "--to",
            &format!("sqlite:{}", target.display()),
        ],
        None,
    )
    .refused("holds no directory");
    assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));
}

#[test]
fn store_copy_into_a_file_that_holds_a_directory_is_refused_and_leaves_it() {
    let (dir, path) = sqlite_directory();
    let (_other_dir, other) = sqlite_directory();
    let before = files(dir.path());
    roster(
        None,
        &[
            "store",
            "copy",
            "--from",
            other.to_str().expect("a UTF-8 path"),
            "--to",
            path.to_str().expect("a UTF-8 path"),
        ],
        None,
    )
    .refused("already holds a directory");
    assert_eq!(files(dir.path()), before);
}

#[test]
fn store_show_names_the_store_without_creating_it() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("new.sqlite3");
    let shown = roster(
        Some(&format!("sqlite:{}", path.display())),
        &["store", "show", "--json"],
        None,
    )
    .ok()
    .json();
    assert_eq!(shown["kind"], "sqlite");
    assert_eq!(shown["exists"], false);
    assert_eq!(
        shown["description"],
        format!("SQLite file {}", path.display())
    );
    assert!(!path.exists());

    let shown = roster(
        Some("postgresql://ada@db.example.com/roster?schema=team_a"),
        &["store", "show", "--json"],
        None,
    )
    .ok()
    .json();
    assert_eq!(shown["kind"], "postgres");
    assert_eq!(
        shown["description"],
        "PostgreSQL database roster (schema team_a) on db.example.com:5432"
    );
    assert_eq!(
        shown["url"],
        "postgres://ada@db.example.com:5432/roster?sslmode=verify-full&schema=team_a"
    );

    roster(Some("mysql://ada@db/roster"), &["store", "show"], None)
        .refused("mysql:// stores are not supported");
    roster(
        Some("postgres://ada@db.example.com"),
        &["users", "list"],
        None,
    )
    .refused("names no database");
}

// --- the benchmark ------------------------------------------------------------------------

#[test]
fn bench_on_postgres_seeds_a_schema_of_its_own_and_drops_it() {
    let run = roster(
        None,
        &[
            "bench",
            "--users",
            "300",
            "--queries",
            "3",
            "--postgres",
            &database_url(),
        ],
        None,
    )
    .ok();
    let report = run.json();
    assert_eq!(report["store"], "postgres", "{report}");
    assert_eq!(report["users"], 300);
    assert!(report["analyze_seconds"].is_number(), "{report}");
    assert!(report["server"]
        .as_str()
        .expect("server version")
        .starts_with("PostgreSQL "));
    for query in [
        "name",
        "created_desc",
        "status",
        "group",
        "search_3plus",
        "search_1_2",
        "deep_page",
    ] {
        assert_eq!(report["queries"][query]["runs"], 3, "{query}: {report}");
    }
    assert_eq!(
        schemas_starting_with(&format!("roster_bench_{}_", run.pid)),
        0,
        "the benchmark schema was left behind"
    );

    let sqlite = roster(None, &["bench", "--users", "300", "--queries", "3"], None)
        .ok()
        .json();
    assert_eq!(sqlite["store"], "sqlite");
    assert!(sqlite.get("server").is_none());
    assert!(sqlite.get("analyze_seconds").is_none());
}

#[test]
fn bench_again_reports_the_users_and_clients_its_kept_store_holds() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = dir.path().join("kept.sqlite3");
    let store = store.to_str().expect("a UTF-8 path");
    let seeded = roster(
        None,
        &[
            "bench",
            "--store",
            store,
            "--users",
            "300",
            "--clients",
            "40",
            "--queries",
            "2",
        ],
        None,
    )
    .ok()
    .json();
    assert_eq!(
        (
            seeded["users"].as_u64(),
            seeded["clients"]["clients"].as_u64()
        ),
        (Some(300), Some(40))
    );
    // Not the default --users (100,000), which was never seeded there.
    let again = roster(
        None,
        &["bench", "--store", store, "--again", "--queries", "2"],
        None,
    )
    .ok()
    .json();
    assert_eq!(again["users"], 300, "{again}");
    assert_eq!(again["clients"]["clients"], 40, "{again}");
    assert_eq!(again["queries"]["name"]["runs"], 2, "{again}");
    // The kept store's people are not the arguments': no profile, no count.
    assert!(again.get("profile").is_none(), "{again}");
    let asked = roster(
        None,
        &["bench", "--store", store, "--again", "--users", "10"],
        None,
    );
    assert_eq!(asked.code, 2, "a usage mistake: {asked:#?}");
}

/// The repository's sample searches.
fn sample_queries() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../bench/queries.txt")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn bench_times_each_search_of_a_queries_file_with_the_realistic_profile_on_both_stores() {
    let queries = sample_queries();
    let common = [
        "bench",
        "--users",
        "2000",
        "--clients",
        "2000",
        "--queries",
        "2",
        "--profile",
        "realistic",
        "--queries-file",
        &queries,
    ];
    let database = database_url();
    let on_postgres: Vec<&str> = common
        .iter()
        .copied()
        .chain(["--postgres", &database])
        .collect();
    for args in [&common[..], &on_postgres[..]] {
        let run = roster(None, args, None).ok();
        let report = run.json();
        assert_eq!(report["profile"], "realistic", "{report}");
        assert!(
            report["disk_bytes"].as_u64().unwrap_or(0) > 100_000,
            "{report}"
        );
        let names = report["distinct_names"].as_u64().unwrap_or(0);
        assert!(names > 1_500, "{names} distinct names of 2,000 users");
        let searches = report["queries_file"]["queries"]
            .as_array()
            .expect("searches");
        // Every line of the file that is not blank or a comment, in order.
        let lines: Vec<String> = std::fs::read_to_string(&queries)
            .unwrap()
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(str::to_owned)
            .collect();
        let named: Vec<&str> = searches
            .iter()
            .filter_map(|q| q["query"].as_str())
            .collect();
        assert_eq!(named, lines);
        // Beside them, the limit: the same first page with no search.
        let limit = &report["queries_file"]["limit"];
        assert_eq!(limit["users"]["hits"], 2000, "{report}");
        assert_eq!(limit["clients"]["hits"], 2000, "{report}");
        assert!(limit["users"]["p50_ms"].is_number(), "{report}");
        let search = |text: &str| {
            searches
                .iter()
                .find(|q| q["query"] == text)
                .unwrap_or_else(|| panic!("{text} in {report}"))
        };
        for overview in ["users", "clients"] {
            let smith = &search("smith")[overview];
            assert_eq!(smith["runs"], 2, "{smith}");
            for figure in ["p50_ms", "p95_ms", "max_ms"] {
                assert!(smith[figure].is_number(), "{figure}: {smith}");
            }
            // The most common surname is found; nothing is not.
            assert!(smith["hits"].as_u64().unwrap_or(0) > 5, "{smith}");
            assert_eq!(search("qqxzy")[overview]["hits"], 0);
            assert_eq!(search("example.com")[overview]["hits"], 0, "{report}");
        }
        assert_eq!(
            schemas_starting_with(&format!("roster_bench_{}_", run.pid)),
            0,
            "the benchmark schema was left behind"
        );
    }
}

#[test]
fn bench_refuses_a_bad_queries_file_before_seeding_anything() {
    let folder = TempDir::new().unwrap();
    let bad = folder.path().join("queries.txt");
    std::fs::write(&bad, "# searches\nsmith\nann\tlee\n").unwrap();
    let bad = bad.to_string_lossy().into_owned();
    roster(
        None,
        &["bench", "--users", "10", "--queries-file", &bad],
        None,
    )
    .refused("line 3 holds a control character such as a tab; write one search a line.");
    let empty = folder.path().join("empty.txt");
    std::fs::write(&empty, "\n# nothing\n").unwrap();
    let empty = empty.to_string_lossy().into_owned();
    roster(
        None,
        &["bench", "--users", "10", "--queries-file", &empty],
        None,
    )
    .refused("it holds no search");
    let unknown = roster(
        None,
        &["bench", "--users", "10", "--profile", "gentle"],
        None,
    );
    assert_eq!(unknown.code, 2, "a usage mistake: {unknown:#?}");
    assert!(
        unknown
            .stderr
            .contains("“gentle” is not a bench profile; use realistic or harsh."),
        "{unknown:#?}"
    );
}
