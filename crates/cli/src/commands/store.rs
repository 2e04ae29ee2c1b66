//! `roster store …`: which store `--store` names, whether it can be reached,
//! and copying a directory from one store into a new one (the core's
//! `copy_directory`, which checks the target's counts against the source's).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::bail;
use roster_core::store::copy::{copy_directory, CopyCounts};
use roster_core::store::postgres::PostgresStore;
use roster_core::store::Store;
use serde::Serialize;
use serde_json::json;

use crate::cli::{StoreCommand, StoreCopyArgs};
use crate::output;
use crate::store_arg::{PasswordSource, StoreArg};

pub async fn run(store: Option<&OsStr>, command: StoreCommand) -> anyhow::Result<()> {
    match command {
        StoreCommand::Show(flag) => show(&StoreArg::resolve(store)?, flag.json).await,
        StoreCommand::Test(flag) => test(&StoreArg::resolve(store)?, flag.json).await,
        StoreCommand::Copy(args) => copy(args).await,
        // Signs in first: `commands::run` hands it to `store_check`.
        StoreCommand::Check(_) => anyhow::bail!("The store check needs a sign-in."),
    }
}

/// What `store show --json` prints: never a password, only where it comes from.
#[derive(Serialize)]
struct Shown {
    kind: &'static str,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exists: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<PasswordSource>,
}

async fn show(store: &StoreArg, json: bool) -> anyhow::Result<()> {
    let shown = match store {
        StoreArg::Sqlite(path) => Shown {
            kind: store.kind(),
            description: store.describe(),
            path: Some(path.clone()),
            exists: Some(path.exists()),
            url: None,
            password: None,
        },
        StoreArg::Postgres(config) => Shown {
            kind: store.kind(),
            description: store.describe(),
            path: None,
            exists: None,
            url: Some(config.display_url()),
            password: Some(StoreArg::postgres_config(config).await.1),
        },
    };
    if json {
        return output::json(&shown);
    }
    let mut fields = vec![("Store", shown.description)];
    if let Some(exists) = shown.exists {
        fields.push((
            "Exists",
            if exists {
                "yes".to_owned()
            } else {
                "no (roster init creates it)".to_owned()
            },
        ));
    }
    if let Some(url) = shown.url {
        fields.push(("URL", url));
    }
    if let Some(password) = shown.password {
        fields.push((
            "Password",
            match password {
                PasswordSource::Url => "from the URL",
                PasswordSource::Environment => "from PGPASSWORD",
                PasswordSource::Keychain => "from the keychain",
                PasswordSource::None => "none",
            }
            .to_owned(),
        ));
    }
    output::fields(&fields)
}

async fn test(store: &StoreArg, json: bool) -> anyhow::Result<()> {
    let version = match store {
        StoreArg::Sqlite(_) => {
            store.open_existing().await?;
            None
        }
        StoreArg::Postgres(config) => {
            let (config, _) = StoreArg::postgres_config(config).await;
            Some(PostgresStore::test_connection(&config).await?)
        }
    };
    if json {
        return output::json(&json!({
            "store": store.describe(),
            "server_version": version,
        }));
    }
    match version {
        Some(version) => output::line(format!("Connected to {}: {version}.", store.describe())),
        None => output::line(format!("{} opens.", store.describe())),
    }
}

#[derive(Serialize)]
struct Copied {
    from: String,
    to: String,
    counts: CopyCounts,
}

async fn copy(args: StoreCopyArgs) -> anyhow::Result<()> {
    let from = StoreArg::parse(&args.from)?;
    let to = StoreArg::parse(&args.to)?;
    if let Some(path) = from.sqlite_path() {
        if !path.is_file() {
            bail!(
                "{} does not exist; there is nothing to copy.",
                path.display()
            );
        }
    }
    if let (Some(source), Some(target)) = (from.sqlite_path(), to.sqlite_path()) {
        if same_file(source, target) {
            bail!("The source and the target are the same file.");
        }
    }

    let source: Arc<dyn Store> = match &from {
        StoreArg::Postgres(config) => {
            let (config, _) = StoreArg::postgres_config(config).await;
            let store = PostgresStore::connect(config).await?;
            if store.is_empty().await? {
                bail!(
                    "{} holds no directory; there is nothing to copy.",
                    store.describe()
                );
            }
            Arc::new(store)
        }
        StoreArg::Sqlite(_) => from.open_existing().await?,
    };
    // A new SQLite target that the copy does not fill is removed again, so
    // a failed copy leaves no empty store behind.
    let created = to
        .sqlite_path()
        .filter(|path| !path.exists())
        .map(Path::to_owned);
    let result = async {
        let target = to.open().await?;
        let counts = copy_directory(&*source, &*target).await?;
        anyhow::Ok(Copied {
            from: source.describe(),
            to: target.describe(),
            counts,
        })
    }
    .await;
    let copied = match result {
        Ok(copied) => copied,
        Err(error) => {
            if let Some(path) = created {
                remove_sqlite_file(&path);
            }
            return Err(error);
        }
    };

    if args.json {
        return output::json(&copied);
    }
    output::line(format!(
        "Copied the directory from {} to {}; the target holds exactly what the source does:",
        copied.from, copied.to
    ))?;
    output::table(&["WHAT", "COPIED"], &count_rows(&copied.counts)?)
}

/// The counts as table rows: the usual ones in this order, then any other
/// the core reports.
fn count_rows(counts: &CopyCounts) -> anyhow::Result<Vec<Vec<String>>> {
    const ORDER: &[&str] = &[
        "users",
        "groups",
        "memberships",
        "audit_events",
        "settings",
        "authenticators",
        "recovery_codes",
    ];
    let serde_json::Value::Object(all) = serde_json::to_value(counts)? else {
        bail!("The copy's counts could not be read.");
    };
    let others = all.keys().filter(|key| !ORDER.contains(&key.as_str()));
    Ok(ORDER
        .iter()
        .copied()
        .chain(others.map(String::as_str))
        .filter_map(|key| {
            let count = all.get(key)?;
            Some(vec![key.replace('_', " "), count.to_string()])
        })
        .collect())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Removes a SQLite file this command created, with its journal files.
fn remove_sqlite_file(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}
