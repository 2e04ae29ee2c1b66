//! Benchmark seeding: fills a store with many generated users quickly.
//!
//! This is the only path that writes users without the services' checks and
//! without a real Argon2id hash per user: every seeded user shares one hash
//! made by [`Hasher::fast_for_bench_only`], which a normal sign-in would flag
//! for rehashing. Use it for benchmark stores only, never for a real directory.
//!
//! [`analyze_postgres_schema`] and [`drop_postgres_schema`] gather the
//! statistics of, and remove, the throw-away schema a PostgreSQL benchmark
//! seeded: the only statements outside `store/`, for benchmark schemas only.

use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::domain::{
    ClientName, Country, Description, Email, GroupId, GroupName, Permission, PermissionSet, Phone,
    Status, TwoFactor, UserId, UserName,
};
use crate::error::Result;
use crate::model::{ClientFields, UserFields};
use crate::password::{Hasher, PlainPassword};
use crate::store::{Store, TxMode, ADMINISTRATORS};

const FIRST_NAMES: &[&str] = &[
    "Ann", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal",
    "Lena", "Marta", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tariq", "Ursula", "Vera",
    "Wen", "Xavier", "Yusuf", "Zoë",
];
const LAST_NAMES: &[&str] = &[
    "Andersen", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Horvat", "Ivanova",
    "Jensen", "Kowalski", "Lambert", "Müller", "Novak", "O'Brien", "Petrov", "Rossi", "Schmidt",
    "Tanaka", "Usman", "Virtanen", "Weber", "Yilmaz", "Zhang",
];
const GROUPS: &[&str] = &["Sales", "Support", "Compliance", "Finance", "Operations"];

/// Seeds `users` generated users (plus five groups, supervisors for most,
/// spread-out creation times) in batches of `batch` per
/// transaction, calling `progress` with the number written so far.
/// Deterministic for a given count.
pub async fn seed(
    store: &dyn Store,
    users: usize,
    batch: usize,
    mut progress: impl FnMut(usize),
) -> Result<()> {
    let hash = Hasher::fast_for_bench_only().hash(&PlainPassword::new("bench-only password"))?;
    let mut rng = StdRng::seed_from_u64(users as u64);
    let now = Utc::now();

    let mut group_ids: Vec<GroupId> = Vec::new();
    {
        let mut tx = store.begin(TxMode::Write).await?;
        for name in GROUPS {
            let permissions: PermissionSet = [Permission::UsersView, Permission::ClientsView]
                .into_iter()
                .collect();
            let id = tx
                .insert_group(
                    &GroupName::parse(name)?,
                    &Description::default(),
                    &permissions,
                    now,
                )
                .await?;
            group_ids.push(id);
        }
        tx.commit().await?;
    }

    let mut written = 0usize;
    let mut managers: Vec<UserId> = Vec::new();
    while written < users {
        let mut tx = store.begin(TxMode::Write).await?;
        let end = (written + batch.max(1)).min(users);
        for n in written..end {
            let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
            let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
            let name = UserName::parse(&format!("{first} {last}"))?;
            let email = Email::parse(&format!(
                "{}.{}.{n}@example.com",
                first.to_lowercase(),
                last.to_lowercase().replace('\'', "")
            ))?;
            let supervisor = (!managers.is_empty() && rng.gen_bool(0.8))
                .then(|| managers[rng.gen_range(0..managers.len())]);
            let fields = UserFields {
                name,
                email,
                // The first user, the administrator the bench acts as, is
                // always enabled.
                status: if rng.gen_bool(0.9) || n == 0 {
                    Status::Enabled
                } else {
                    Status::Disabled
                },
                supervisor,
                must_change_password: rng.gen_bool(0.05),
                mask_client_data: rng.gen_bool(0.3),
                two_factor: if rng.gen_bool(0.5) {
                    TwoFactor::Totp
                } else {
                    TwoFactor::Off
                },
            };
            let created = now - Duration::minutes(rng.gen_range(0..60 * 24 * 365 * 3));
            let id = tx.insert_user(&fields, &hash, created).await?;
            let group = if n == 0 {
                ADMINISTRATORS
            } else {
                group_ids[rng.gen_range(0..group_ids.len())]
            };
            tx.set_memberships(id, &[group]).await?;
            if managers.len() < 1000 && rng.gen_bool(0.05) {
                managers.push(id);
            }
        }
        tx.commit().await?;
        written = end;
        progress(written);
    }
    Ok(())
}

/// Countries of seeded clients, with a national phone number pattern each:
/// the country, a prefix, and how many random digits follow it.
const CLIENT_PHONES: &[(&str, &str, usize)] = &[
    ("GB", "+44 20 79", 6),
    ("GB", "+44 161 496 0", 3),
    ("US", "+1 212 555 01", 2),
    ("US", "+1 415 55", 5),
    ("DE", "+49 30 9", 7),
    ("FR", "+33 1 4", 7),
    ("IE", "+353 1 2", 6),
    ("PT", "+351 21 3", 6),
];
/// Distinct phone numbers drawn for seeded clients (each checked once by
/// [`Phone::parse`]; clients share them).
const CLIENT_PHONE_POOL: usize = 20_000;

/// Seeds `count` generated clients (names, most with an email address,
/// a phone number valid for its country and a country; creation times
/// spread over three years) in batches of `batch` per transaction, calling
/// `progress` with the number written so far. No audit events; the store's
/// own insert, as the services use it. Deterministic for a given count.
pub async fn seed_clients(
    store: &dyn Store,
    count: usize,
    batch: usize,
    mut progress: impl FnMut(usize),
) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(0xC11E_0000 ^ count as u64);
    let now = Utc::now();

    // Parsing every number would dominate seeding; a pool of checked ones
    // is drawn from instead.
    let pool_size = CLIENT_PHONE_POOL.min(count.max(1));
    let mut phones: Vec<(Phone, Country)> = Vec::with_capacity(pool_size);
    let mut attempts = 0;
    while phones.len() < pool_size && attempts < pool_size * 20 {
        attempts += 1;
        let (country, prefix, digits) = CLIENT_PHONES[rng.gen_range(0..CLIENT_PHONES.len())];
        let mut number = prefix.to_owned();
        for _ in 0..digits {
            number.push(char::from(b'0' + rng.gen_range(0..10u8)));
        }
        let country = Country::parse(country)?;
        if let Ok(phone) = Phone::parse(&number, Some(country)) {
            phones.push((phone, country));
        }
    }

    let mut written = 0usize;
    while written < count {
        let mut tx = store.begin(TxMode::Write).await?;
        let end = (written + batch.max(1)).min(count);
        for n in written..end {
            let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
            let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
            let name = ClientName::parse(&format!("{first} {last}"))?;
            let email = if rng.gen_bool(0.85) {
                Some(Email::parse(&format!(
                    "{}.{}.c{n}@example.org",
                    first.to_lowercase(),
                    last.to_lowercase().replace('\'', "")
                ))?)
            } else {
                None
            };
            let (phone, country) = if !phones.is_empty() && rng.gen_bool(0.7) {
                let (phone, country) = &phones[rng.gen_range(0..phones.len())];
                (Some(phone.clone()), Some(*country))
            } else if rng.gen_bool(0.5) {
                let (country, _, _) = CLIENT_PHONES[rng.gen_range(0..CLIENT_PHONES.len())];
                (None, Some(Country::parse(country)?))
            } else {
                (None, None)
            };
            let fields = ClientFields {
                name,
                email,
                phone,
                country,
            };
            let created = now - Duration::minutes(rng.gen_range(0..60 * 24 * 365 * 3));
            tx.insert_client(&fields, created).await?;
        }
        tx.commit().await?;
        written = end;
        progress(written);
    }
    Ok(())
}

pub use crate::store::postgres::maintenance::{analyze_postgres_schema, drop_postgres_schema};
