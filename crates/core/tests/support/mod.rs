//! Test fixtures: a fresh directory on a real store (a SQLite file, or a
//! schema of its own in a PostgreSQL database), and helpers that let each
//! test state only what matters.
//!
//! One suite runs against every store: declare a test with
//! [`every_store!`] above an `async fn name(backend: Backend)` that starts
//! with `World::on(backend)`. It runs as `name::sqlite` and `name::postgres`.
//!
//! PostgreSQL tests use the database at `ROSTER_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each world gets a schema
//! `roster_t_<seconds>_<random>` that is dropped with it. A database that
//! cannot be reached fails the test: it is never skipped.

#![allow(dead_code)]

pub mod plans;

use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use roster_core::clients::ClientQuery;
use roster_core::directory::{Created, GroupChanges, NewUser, PasswordChoice};
use roster_core::domain::{
    Email, Grant, GroupId, Permission, PermissionSet, Status, TwoFactor, UserId, UserName,
};
use roster_core::model::{AuditEvent, AuditQuery, Client, Group, User, UserFields};
use roster_core::password::PlainPassword;
use roster_core::store::postgres::{PgConfig, PostgresStore, TlsMode};
use roster_core::store::sqlite::SqliteStore;
use roster_core::store::{Store, Total, UserQuery};
use roster_core::{Directory, Operator};

/// A password that passes the default policy for any test user.
pub const GOOD_PASSWORD: &str = "violet-harbour-lantern-42";

/// The PostgreSQL database tests use unless `ROSTER_TEST_DATABASE_URL` names another.
pub const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Declares a test once per store. Above `async fn name(backend: Backend)`,
/// `every_store!(name);` makes the tests `name::sqlite` and
/// `name::postgres`; `every_store!(#[tokio::test(flavor = "multi_thread")] name);`
/// chooses the runtime. A test function left out of it is dead code, which
/// the build reports.
#[allow(unused_macros)]
macro_rules! every_store {
    (#[$runtime:meta] $test:ident) => {
        mod $test {
            #[$runtime]
            async fn sqlite() {
                super::$test($crate::support::Backend::Sqlite).await
            }

            #[$runtime]
            async fn postgres() {
                super::$test($crate::support::Backend::Postgres).await
            }
        }
    };
    ($test:ident) => {
        $crate::support::every_store!(
            #[tokio::test]
            $test
        );
    };
}
#[allow(unused_imports)]
pub(crate) use every_store;

/// The kinds of store every service test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A lead and their report ([`World::lead_over_report`]).
pub struct Team {
    pub lena: User,
    pub tom: User,
    /// Tom's group.
    pub staff: GroupId,
    pub lead: Operator,
}

pub struct World {
    pub directory: Directory,
    pub admin: Operator,
    pub admin_id: UserId,
    pub backend: Backend,
    /// Declared last: the directory (and its connections) goes first.
    place: Place,
}

impl World {
    /// A new directory in a temporary SQLite file, with its first administrator.
    pub async fn new() -> World {
        World::on(Backend::Sqlite).await
    }

    /// A new, empty directory on `backend`, with its first administrator.
    pub async fn on(backend: Backend) -> World {
        let place = Place::new(backend).await;
        let directory = Directory::new(place.open().await);
        // The default second factor, the authenticator app: fixtures act as
        // the administrator without signing in.
        let created = directory
            .initialize(
                "Ada Admin",
                "ada@example.com",
                password(GOOD_PASSWORD),
                None,
            )
            .await
            .expect("initialize");
        let admin = directory
            .act_as("ada@example.com")
            .await
            .expect("act as admin");
        World {
            directory,
            admin,
            admin_id: created.user.id,
            backend,
            place,
        }
    }

    /// The SQLite file of a SQLite world (`None` on PostgreSQL).
    pub fn sqlite_file(&self) -> Option<&std::path::Path> {
        match &self.place {
            Place::Sqlite { file, .. } => Some(file),
            Place::Postgres(_) => None,
        }
    }

    /// Runs `statements` on the world's data directly, past Roster (as
    /// someone with access to the database file or server would).
    pub async fn raw_sql(&self, statements: &str) {
        self.execute_raw(statements).await;
    }

    /// Opens the world's data again as a store of its own, returning the
    /// refusal instead of panicking on it.
    pub async fn try_open(&self) -> Result<Arc<dyn Store>, roster_core::store::StoreError> {
        self.place.try_open().await
    }

    /// Runs `sql` (statements without results) straight on the world's
    /// data, below Roster: to set up what another program could have left.
    pub async fn execute_raw(&self, sql: &str) {
        match &self.place {
            Place::Sqlite { file, .. } => rusqlite::Connection::open(file)
                .and_then(|connection| connection.execute_batch(sql))
                .expect("raw SQL on the SQLite file"),
            Place::Postgres(schema) => {
                let client = admin_connection(&schema.config)
                    .await
                    .expect("connect to the test database");
                client
                    .batch_execute(&format!("SET search_path TO {}; {sql}", schema.name()))
                    .await
                    .expect("raw SQL on the test schema");
            }
        }
    }

    /// Seeds `users` people of the bench's realistic profile straight into
    /// the store (no audit, one shared hash; deterministic for a count).
    pub async fn seed_realistic(&self, users: usize) {
        roster_core::bench::seed_profile(
            self.directory.store().as_ref(),
            users,
            roster_core::bench::Profile::Realistic,
            2_000,
            |_| {},
        )
        .await
        .expect("seed");
    }

    /// Every page of `query` in the administrator's overview, `limit` at a
    /// time, and the first page's total: counted in full when the page's
    /// was a lower bound read quickly, which must then be below it.
    pub async fn every_page(&self, query: UserQuery, limit: u32) -> (Vec<User>, u64) {
        let mut query = UserQuery { limit, ..query };
        let mut users = Vec::new();
        let mut total = None;
        loop {
            let page = self
                .directory
                .list_users(&self.admin, &query)
                .await
                .expect("list");
            let page_total = if page.counting {
                let counted = self.directory.count_users(&self.admin, &query).await;
                counted_in_full(page.total, counted.expect("count"))
            } else {
                page.total
            };
            total.get_or_insert(page_total.count);
            users.extend(page.users);
            match page.next {
                Some(next) => query.after = Some(next),
                None => return (users, total.unwrap_or_default()),
            }
        }
    }

    /// Every page of the clients `query` lists for `operator`, `limit` at a
    /// time, and the first page's total (counted in full, as users' are).
    pub async fn every_client_page(
        &self,
        operator: &Operator,
        query: ClientQuery,
        limit: u32,
    ) -> (Vec<Client>, u64) {
        let mut query = ClientQuery { limit, ..query };
        let mut clients = Vec::new();
        let mut total = None;
        loop {
            let page = self
                .directory
                .list_clients(operator, &query)
                .await
                .expect("list");
            let page_total = if page.counting {
                let counted = self.directory.count_clients(operator, &query).await;
                counted_in_full(page.total, counted.expect("count"))
            } else {
                page.total
            };
            total.get_or_insert(page_total.count);
            clients.extend(page.clients);
            match page.next {
                Some(next) => query.after = Some(next),
                None => return (clients, total.unwrap_or_default()),
            }
        }
    }

    /// The store check finds nothing to repair.
    pub async fn assert_sound(&self) {
        let check = self
            .directory
            .check_store(&self.admin, false)
            .await
            .expect("check");
        assert!(check.sound(), "{check:?}");
    }

    /// After a hand edit of the store: the check finds it, and its repair
    /// leaves a sound store.
    pub async fn check_finds_and_repairs(&self) {
        let check = self
            .directory
            .check_store(&self.admin, false)
            .await
            .expect("check");
        assert!(!check.sound(), "{check:?}");
        let repaired = self
            .directory
            .check_store(&self.admin, true)
            .await
            .expect("repair");
        assert!(repaired.sound(), "{repaired:?}");
    }

    /// The first column of the one row `sql` returns, as text, read straight
    /// from the world's data.
    pub async fn query_raw(&self, sql: &str) -> String {
        match &self.place {
            Place::Sqlite { file, .. } => rusqlite::Connection::open(file)
                .and_then(|connection| connection.query_row(sql, [], |row| row.get(0)))
                .expect("raw query on the SQLite file"),
            Place::Postgres(schema) => {
                let client = admin_connection(&schema.config)
                    .await
                    .expect("connect to the test database");
                client
                    .batch_execute(&format!("SET search_path TO {}", schema.name()))
                    .await
                    .expect("use the test schema");
                client
                    .query_one(sql, &[])
                    .await
                    .expect("raw query on the test schema")
                    .get(0)
            }
        }
    }

    /// A second Roster instance on the same data: a directory over a store
    /// (file handle or connection pool) of its own.
    pub async fn another_instance(&self) -> Directory {
        Directory::new(self.place.open().await)
    }

    /// Creates a group holding `permissions`, as the administrator.
    pub async fn group(&self, name: &str, permissions: &[Permission]) -> Group {
        self.directory
            .create_group(
                &self.admin,
                name,
                "",
                permissions.iter().copied().collect::<PermissionSet>(),
            )
            .await
            .expect("create group")
    }

    /// Creates an enabled user in `groups`, as the administrator.
    pub async fn user_in(&self, name: &str, groups: &[GroupId]) -> User {
        self.directory
            .create_user(&self.admin, new_user(name, groups))
            .await
            .expect("create user")
            .user
    }

    /// Lena Lead, who holds `grants` (team-scoped rights, `clients.view:team`),
    /// over Tom Report in a group "Staff" with no rights; the operator acting
    /// as Lena.
    pub async fn lead_over_report(&self, grants: &[&str]) -> Team {
        let grants = grants
            .iter()
            .map(|text| Grant::parse(text).expect("a grant"))
            .collect();
        let leads = self
            .directory
            .create_group(&self.admin, "Account leads", "", grants)
            .await
            .expect("group");
        let staff = self.group("Staff", &[]).await;
        let lena = self.user_in("Lena Lead", &[leads.id]).await;
        let tom = self
            .directory
            .create_user(
                &self.admin,
                NewUser {
                    supervisor: Some(lena.id),
                    ..new_user("Tom Report", &[staff.id])
                },
            )
            .await
            .expect("Tom")
            .user;
        let lead = self
            .directory
            .act_as(lena.email.as_str())
            .await
            .expect("act as Lena");
        Team {
            lena,
            tom,
            staff: staff.id,
            lead,
        }
    }

    /// A user who holds exactly `permissions` (through a group of their own),
    /// and the operator that acts as them.
    pub async fn operator_with(&self, name: &str, permissions: &[Permission]) -> (User, Operator) {
        let group = self.group(&format!("{name} group"), permissions).await;
        let user = self.user_in(name, &[group.id]).await;
        let operator = self
            .directory
            .act_as(user.email.as_str())
            .await
            .expect("act as");
        (user, operator)
    }

    /// A user holding `permissions` (through a group "Masked staff") whose
    /// client data is masked, and the operator that acts as them.
    pub async fn masked_operator(&self, permissions: &[Permission]) -> (User, Operator) {
        let group = self.group("Masked staff", permissions).await;
        let user = self
            .directory
            .create_user(
                &self.admin,
                NewUser {
                    mask_client_data: true,
                    ..new_user("Mia Masked", &[group.id])
                },
            )
            .await
            .expect("create masked user")
            .user;
        let operator = self
            .directory
            .act_as(user.email.as_str())
            .await
            .expect("act as");
        (user, operator)
    }

    /// Renames `group`, at the version it has, as the administrator.
    pub async fn rename_group(&self, group: &Group, name: &str) -> roster_core::Result<Group> {
        self.directory
            .update_group(
                &self.admin,
                group.id,
                GroupChanges {
                    version: group.version,
                    name: Some(name.into()),
                    ..GroupChanges::default()
                },
            )
            .await
    }

    /// A second enabled administrator.
    pub async fn second_admin(&self, name: &str) -> (User, Operator) {
        let user = self
            .user_in(name, &[roster_core::store::ADMINISTRATORS])
            .await;
        let operator = self
            .directory
            .act_as(user.email.as_str())
            .await
            .expect("act as");
        (user, operator)
    }

    pub async fn reload(&self, user: &User) -> User {
        self.directory
            .user(&self.admin, user.id)
            .await
            .expect("reload user")
    }

    /// Everything a change could touch, to compare before and after a refusal.
    pub async fn snapshot(&self) -> Snapshot {
        let (users, _) = self.every_page(UserQuery::default(), 500).await;
        let groups = self.directory.groups(&self.admin).await.expect("groups");
        let audit = self.audit(None).await;
        Snapshot {
            users,
            groups,
            audit,
        }
    }

    pub async fn audit(&self, target: Option<&str>) -> Vec<AuditEvent> {
        self.directory
            .audit_events(
                &self.admin,
                &AuditQuery {
                    target_label: target.map(str::to_owned),
                    limit: 10_000,
                    ..AuditQuery::default()
                },
            )
            .await
            .expect("audit")
    }
}

/// A directory on `backend` with nobody in it yet, for tests of the first
/// run itself. Its data goes when it is dropped.
pub struct EmptyDirectory {
    pub directory: Directory,
    /// Declared last: the directory (and its connections) goes first.
    _place: Place,
}

impl EmptyDirectory {
    pub async fn on(backend: Backend) -> EmptyDirectory {
        let place = Place::new(backend).await;
        let directory = Directory::new(place.open().await);
        EmptyDirectory {
            directory,
            _place: place,
        }
    }
}

/// Where a world's data lives; dropping it removes the data.
enum Place {
    Sqlite {
        _dir: tempfile::TempDir,
        file: PathBuf,
    },
    Postgres(TestSchema),
}

impl Place {
    async fn new(backend: Backend) -> Place {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let file = dir.path().join("roster.sqlite3");
                Place::Sqlite { _dir: dir, file }
            }
            Backend::Postgres => Place::Postgres(TestSchema::new().await),
        }
    }

    async fn try_open(&self) -> Result<Arc<dyn Store>, roster_core::store::StoreError> {
        Ok(match self {
            Place::Sqlite { file, .. } => Arc::new(SqliteStore::open(file)?),
            Place::Postgres(schema) => {
                Arc::new(PostgresStore::connect(schema.config.clone()).await?)
            }
        })
    }

    /// Opens a store of its own on this place's data.
    async fn open(&self) -> Arc<dyn Store> {
        match self {
            Place::Sqlite { file, .. } => Arc::new(SqliteStore::open(file).expect("open store")),
            Place::Postgres(schema) => Arc::new(schema.connect().await),
        }
    }
}

/// A schema of its own in the test database, dropped (with everything in
/// it) when this is dropped.
pub struct TestSchema {
    pub config: PgConfig,
}

impl TestSchema {
    /// A fresh schema name in the test database; the schema itself is
    /// created by the first store that connects. Stale schemas of earlier
    /// runs (over an hour old) are swept first, once per process.
    pub async fn new() -> TestSchema {
        let mut config = test_database();
        sweep_stale_schemas(&config).await;
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs();
        config.schema = Some(format!("roster_t_{seconds}_{:016x}", rand::random::<u64>()));
        TestSchema { config }
    }

    pub fn name(&self) -> &str {
        self.config.schema.as_deref().expect("a test schema")
    }

    /// A store of its own on this schema.
    pub async fn connect(&self) -> PostgresStore {
        PostgresStore::connect(self.config.clone())
            .await
            .unwrap_or_else(|error| {
                panic!(
                    "the PostgreSQL test database {} is not usable: {error} \
                     (start it, or set ROSTER_TEST_DATABASE_URL)",
                    self.config.display_url()
                )
            })
    }
}

impl Drop for TestSchema {
    /// Drops the schema from a thread of its own (Drop cannot await, and the
    /// test's runtime may be single-threaded). Sessions still holding locks
    /// in the schema, such as a rollback that has not run yet, are ended
    /// first so the drop does not wait on them.
    fn drop(&mut self) {
        let config = self.config.clone();
        let schema = self.name().to_owned();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cleanup runtime");
            runtime.block_on(drop_schema(&config, &schema))
        })
        .join();
        if let Ok(Err(error)) = dropped {
            eprintln!("test schema {} not dropped: {error}", self.name());
        }
    }
}

async fn drop_schema(config: &PgConfig, schema: &str) -> Result<(), tokio_postgres::Error> {
    let client = admin_connection(config).await?;
    client.batch_execute("SET lock_timeout = '2s'").await?;
    let mut attempt = 0;
    loop {
        client
            .execute(
                "SELECT pg_terminate_backend(l.pid) FROM pg_locks l \
                 JOIN pg_class c ON c.oid = l.relation \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND l.pid <> pg_backend_pid()",
                &[&schema],
            )
            .await?;
        match client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .await
        {
            Ok(()) => return Ok(()),
            Err(_) if attempt < 5 => attempt += 1,
            Err(error) => return Err(error),
        }
    }
}

/// Drops the test schemas of earlier runs that are over an hour old
/// (a run that was killed before its worlds were dropped).
async fn sweep_stale_schemas(config: &PgConfig) {
    static SWEEP: Once = Once::new();
    let mut first = false;
    SWEEP.call_once(|| first = true);
    if !first {
        return;
    }
    let client = admin_connection(config).await.unwrap_or_else(|error| {
        panic!(
            "the PostgreSQL test database {} cannot be reached: {error} \
             (start it, or set ROSTER_TEST_DATABASE_URL)",
            config.display_url()
        )
    });
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let rows = client
        .query(
            "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'roster\\_t\\_%'",
            &[],
        )
        .await
        .expect("list test schemas");
    for row in rows {
        let name: String = row.get(0);
        let created = name
            .strip_prefix("roster_t_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|seconds| seconds.parse::<u64>().ok());
        if created.is_some_and(|at| now.saturating_sub(at) > 3600) {
            let _ = client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .await;
        }
    }
}

/// The test database's address, from `ROSTER_TEST_DATABASE_URL` or the default.
pub fn test_database() -> PgConfig {
    let url = std::env::var("ROSTER_TEST_DATABASE_URL")
        .unwrap_or_else(|_| DEFAULT_TEST_DATABASE_URL.to_owned());
    let mut config = PgConfig::from_url(&url)
        .unwrap_or_else(|error| panic!("ROSTER_TEST_DATABASE_URL is not usable: {error}"));
    config.schema = None;
    config
}

/// A plain connection for the fixtures' own housekeeping, and for tests
/// that look at the server itself.
pub async fn admin_connection(
    config: &PgConfig,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    use secrecy::ExposeSecret;
    let mut driver = tokio_postgres::Config::new();
    driver
        .host(&config.host)
        .port(config.port)
        .dbname(&config.database)
        .user(&config.user)
        .connect_timeout(Duration::from_secs(5));
    if let Some(password) = &config.password {
        driver.password(password.expose_secret().as_bytes());
    }
    match config.tls {
        TlsMode::Disable => {
            let (client, connection) = driver.connect(tokio_postgres::NoTls).await?;
            tokio::spawn(connection);
            Ok(client)
        }
        TlsMode::Require | TlsMode::VerifyFull => {
            driver.ssl_mode(tokio_postgres::config::SslMode::Require);
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
            let (client, connection) = driver
                .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
                .await?;
            tokio::spawn(connection);
            Ok(client)
        }
    }
}

#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub audit: Vec<AuditEvent>,
}

pub fn password(text: &str) -> PasswordChoice {
    PasswordChoice::Given(PlainPassword::new(text))
}

/// The email a fixture user named `name` gets: `ann.lee@example.com` for "Ann Lee".
pub fn email_of(name: &str) -> String {
    format!("{}@example.com", name.to_lowercase().replace(' ', "."))
}

pub fn new_user(name: &str, groups: &[GroupId]) -> NewUser {
    NewUser {
        name: name.to_owned(),
        email: email_of(name),
        groups: groups.to_vec(),
        supervisor: None,
        status: Status::Enabled,
        password: password(GOOD_PASSWORD),
        must_change_password: false,
        mask_client_data: false,
        // Signing in as fixture users needs no second factor; tests of
        // two-factor choose it.
        two_factor: Some(roster_core::domain::TwoFactor::Off),
        valid_until: None,
    }
}

pub fn created_user(created: Created) -> User {
    created.user
}

/// The fields of the `n`th of a crowd that a test writes straight into a
/// store (thousands, no audit): every fourth disabled, nothing else set.
pub fn crowd_fields(n: usize, name: &str, email: &str) -> UserFields {
    UserFields {
        name: UserName::parse(name).expect("name"),
        email: Email::parse(email).expect("email"),
        status: if n.is_multiple_of(4) {
            Status::Disabled
        } else {
            Status::Enabled
        },
        supervisor: None,
        must_change_password: false,
        mask_client_data: false,
        two_factor: TwoFactor::Off,
        valid_until: None,
    }
}

/// The word-start rule, by hand: some word of the name's key (lowercase,
/// without accents), of the email's local part, or the domain without its
/// dots and hyphens, starts with `text` (keyed so too); words split at
/// ASCII space and punctuation.
pub fn starts_a_word(name: &str, email: &str, text: &str) -> bool {
    let text = roster_core::domain::search_key(text);
    let split = |s: &str| -> Vec<String> {
        s.split(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let mut words = split(&roster_core::domain::search_key(name));
    words.extend(split(local));
    words.push(domain.replace(['.', '-'], ""));
    words.iter().any(|w| w.starts_with(&text))
}

/// The total counted in full in place of a page's, which said only "more
/// than" a number read quickly: a true lower bound, below an exact count
/// (a count that is a lower bound too may say less: the larger stays).
fn counted_in_full(quick: Total, counted: Total) -> Total {
    assert!(
        !quick.exact && (!counted.exact || quick.count < counted.count),
        "{quick:?} read quickly, {counted:?} counted"
    );
    quick.counted_in_full(counted)
}
