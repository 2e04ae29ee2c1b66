//! Benchmark seeding: fills a store with many generated users quickly.
//!
//! This is the only path that writes users without the services' checks and
//! without a real Argon2id hash per user: every seeded user shares one hash
//! made by [`Hasher::fast_for_bench_only`], which a normal sign-in would flag
//! for rehashing. Use it for benchmark stores only, never for a real directory.
//!
//! [`analyze_postgres_schema`], [`postgres_schema_bytes`] and
//! [`drop_postgres_schema`] gather the statistics of, measure, and remove
//! the throw-away schema a PostgreSQL benchmark seeded (their statements
//! live in `store/postgres/maintenance.rs`), for benchmark schemas only.
//!
//! Two [`Profile`]s of people: realistic (the default of `roster bench`)
//! and harsh; [`seed`] and [`seed_clients`] keep the harsh one, as before.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::domain::{
    ClientName, Country, Description, Email, GroupId, GroupName, Permission, PermissionSet, Phone,
    Status, TwoFactor, UserId, UserName, ValidUntil,
};
use crate::error::Result;
use crate::model::{ClientFields, UserFields};
use crate::password::{Hasher, PasswordHash, PlainPassword};
use crate::store::{Store, Tx, TxMode, ADMINISTRATORS};

mod people;

pub use people::Profile;
use people::{Kind, People, FIRST_NAMES, LAST_NAMES};

const GROUPS: &[&str] = &["Sales", "Support", "Compliance", "Finance", "Operations"];

/// What a seeding wrote, beside its count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    /// How many distinct names (first and last name together) it drew.
    pub distinct_names: usize,
    /// An enabled user whose team (themselves and their reports, direct
    /// and indirect) is nearest [`TEAM_SIZE`] people, or a hundredth of
    /// the users when they are fewer: their email and team size.
    pub team_lead: Option<(String, u64)>,
    /// The users who look after clients (one enabled user in fifty, not
    /// the administrator), for [`seed_clients_profile`] to draw from.
    pub account_managers: Vec<UserId>,
}

/// The team size the bench looks for at a million users.
pub const TEAM_SIZE: u64 = 10_000;

/// [`seed_profile`] with the harsh profile.
pub async fn seed(
    store: &dyn Store,
    users: usize,
    batch: usize,
    progress: impl FnMut(usize),
) -> Result<()> {
    seed_profile(store, users, Profile::Harsh, batch, progress).await?;
    Ok(())
}

/// Seeds `users` generated users of `profile` (plus five groups,
/// supervisors for most, spread-out creation times) in batches of `batch`
/// per transaction, calling `progress` with the number written so far.
/// Written as an import writes them (a thousand a statement, their groups
/// at once), every index kept up to date as they go, as a store filled by
/// imports has them. Deterministic for a given count and profile.
pub async fn seed_profile(
    store: &dyn Store,
    users: usize,
    profile: Profile,
    batch: usize,
    mut progress: impl FnMut(usize),
) -> Result<Seeded> {
    let hash = Hasher::fast_for_bench_only().hash(&PlainPassword::new("bench-only password"))?;
    let mut rng = StdRng::seed_from_u64(users as u64);
    // Its own draws, so the people seeded stay those of earlier runs.
    let mut manages = StdRng::seed_from_u64(0xACC0_0000 ^ users as u64);
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

    let mut people = People::new(profile, Kind::Users);
    // Supervisors and account managers are chosen by their place in the
    // seed (`n`): a user's id is known once their batch is written.
    let mut ids: Vec<UserId> = Vec::with_capacity(users);
    let mut managers: Vec<usize> = Vec::new();
    let mut account_managers_at = Vec::new();
    // Per user, in order: their supervisor's index, and whether they could
    // lead (enabled, no end date, an email), to find a team of the size
    // wanted. Supervisors always come before their reports.
    let mut supervisor_of: Vec<Option<usize>> = Vec::with_capacity(users);
    let mut may_lead: Vec<Option<String>> = Vec::with_capacity(users);
    let mut pending = Pending::default();
    let mut tx = store.begin(TxMode::Write).await?;
    for n in 0..users {
        let person = people.person(&mut rng);
        let name = UserName::parse(&person.name())?;
        let email = Email::parse(&people.email(person, n, &mut rng))?;
        let chosen = (!managers.is_empty() && rng.gen_bool(0.8))
            .then(|| managers[rng.gen_range(0..managers.len())]);
        // A supervisor still waiting in this batch is written first.
        if chosen.is_some_and(|boss| boss >= ids.len()) {
            pending.write(&mut *tx, &hash, &mut ids).await?;
        }
        supervisor_of.push(chosen);
        let fields = UserFields {
            name,
            email,
            // The first user, the administrator the bench acts as, is
            // always enabled (and never masked, below).
            status: if rng.gen_bool(0.9) || n == 0 {
                Status::Enabled
            } else {
                Status::Disabled
            },
            supervisor: chosen.map(|boss| ids[boss]),
            must_change_password: rng.gen_bool(0.05),
            // Never the administrator the bench acts as: a masked
            // operator's client searches match whole values only, and
            // wait once they are many.
            mask_client_data: rng.gen_bool(0.3) && n != 0,
            two_factor: if rng.gen_bool(0.5) {
                TwoFactor::Totp
            } else {
                TwoFactor::Off
            },
            // A few contractors with an end date, some of them past.
            valid_until: (n != 0 && rng.gen_bool(0.05)).then(|| {
                ValidUntil::of(now.date_naive() + Duration::days(rng.gen_range(-365..365)))
            }),
        };
        may_lead.push(
            (fields.status == Status::Enabled && fields.valid_until.is_none())
                .then(|| fields.email.as_str().to_owned()),
        );
        let created = now - Duration::minutes(rng.gen_range(0..60 * 24 * 365 * 3));
        let enabled = fields.status == Status::Enabled;
        let group = if n == 0 {
            ADMINISTRATORS
        } else {
            group_ids[rng.gen_range(0..group_ids.len())]
        };
        pending.users.push((fields, created, group));
        if managers.len() < 1000 && rng.gen_bool(0.05) {
            managers.push(n);
        }
        if n != 0 && enabled && manages.gen_bool(0.02) {
            account_managers_at.push(n);
        }
        if (n + 1).is_multiple_of(batch.max(1)) || n + 1 == users {
            pending.write(&mut *tx, &hash, &mut ids).await?;
            tx.commit().await?;
            progress(n + 1);
            tx = store.begin(TxMode::Write).await?;
        }
    }
    tx.commit().await?;
    let account_managers = account_managers_at.into_iter().map(|n| ids[n]).collect();
    Ok(Seeded {
        distinct_names: people.distinct_names(),
        team_lead: team_lead(&supervisor_of, &may_lead, users),
        account_managers,
    })
}

/// Users generated and not written yet: their fields, creation time and
/// group.
#[derive(Default)]
struct Pending {
    users: Vec<(UserFields, DateTime<Utc>, GroupId)>,
}

impl Pending {
    /// Writes the users waiting, a thousand a statement (as an import
    /// does), and their groups, appending their ids to `ids`.
    async fn write(
        &mut self,
        tx: &mut dyn Tx,
        hash: &PasswordHash,
        ids: &mut Vec<UserId>,
    ) -> Result<()> {
        if self.users.is_empty() {
            return Ok(());
        }
        let rows: Vec<(UserFields, &PasswordHash, DateTime<Utc>)> = self
            .users
            .iter()
            .map(|(fields, created, _)| (fields.clone(), hash, *created))
            .collect();
        let written = tx.insert_users(&rows).await?;
        let memberships: Vec<(UserId, GroupId)> = written
            .iter()
            .zip(&self.users)
            .map(|(id, (_, _, group))| (*id, *group))
            .collect();
        tx.add_memberships(&memberships).await?;
        ids.extend(written);
        self.users.clear();
        Ok(())
    }
}

/// The enabled user whose team size is nearest the size wanted (see
/// [`Seeded::team_lead`]).
fn team_lead(
    supervisor_of: &[Option<usize>],
    may_lead: &[Option<String>],
    users: usize,
) -> Option<(String, u64)> {
    let wanted = TEAM_SIZE.min((users as u64 / 100).max(2));
    let mut sizes = vec![1u64; supervisor_of.len()];
    for n in (0..supervisor_of.len()).rev() {
        if let Some(boss) = supervisor_of[n] {
            sizes[boss] += sizes[n];
        }
    }
    sizes
        .iter()
        .zip(may_lead)
        .skip(1)
        .filter_map(|(size, email)| email.as_ref().map(|email| (email, *size)))
        .filter(|(_, size)| *size > 1)
        .min_by_key(|(_, size)| size.abs_diff(wanted))
        .map(|(email, size)| (email.clone(), size))
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

/// [`seed_clients_profile`] with the harsh profile.
pub async fn seed_clients(
    store: &dyn Store,
    count: usize,
    batch: usize,
    progress: impl FnMut(usize),
) -> Result<()> {
    seed_clients_profile(store, count, (Profile::Harsh, &[]), batch, progress).await?;
    Ok(())
}

/// Seeds `count` generated clients of `profile` (names, most with an email
/// address, a phone number valid for its country and a country; creation
/// times spread over three years; seven in ten looked after by one of
/// `managers`, drawn evenly) in batches of `batch` per transaction,
/// calling `progress` with the number written so far, one statement a
/// batch on PostgreSQL (its indexes kept up to date as they go). No audit
/// events. Deterministic for a given count and profile.
pub async fn seed_clients_profile(
    store: &dyn Store,
    count: usize,
    (profile, managers): (Profile, &[UserId]),
    batch: usize,
    mut progress: impl FnMut(usize),
) -> Result<Seeded> {
    let mut rng = StdRng::seed_from_u64(0xC11E_0000 ^ count as u64);
    // Its own draws, so the clients seeded stay those of earlier runs.
    let mut managed = StdRng::seed_from_u64(0xACC1_0000 ^ count as u64);
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

    let mut people = People::new(profile, Kind::Clients);
    let mut written = 0usize;
    while written < count {
        let mut tx = store.begin(TxMode::Write).await?;
        let end = (written + batch.max(1)).min(count);
        let mut clients = Vec::with_capacity(end - written);
        for n in written..end {
            let person = people.person(&mut rng);
            let name = ClientName::parse(&person.name())?;
            let email = if rng.gen_bool(0.85) {
                Some(Email::parse(&people.email(person, n, &mut rng))?)
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
                account_manager: (!managers.is_empty() && managed.gen_bool(0.7))
                    .then(|| managers[managed.gen_range(0..managers.len())]),
            };
            let created = now - Duration::minutes(rng.gen_range(0..60 * 24 * 365 * 3));
            clients.push((fields, created));
        }
        tx.insert_clients(&clients).await?;
        tx.commit().await?;
        written = end;
        progress(written);
    }
    Ok(Seeded {
        distinct_names: people.distinct_names(),
        team_lead: None,
        account_managers: Vec::new(),
    })
}

pub use crate::store::postgres::maintenance::{
    analyze_postgres_schema, checkpoint_postgres, drop_postgres_schema, postgres_schema_bytes,
};

/// Seeds `count` generated audit events, as a busy directory's log looks:
/// times spread over the last two years in order, a few hundred operators
/// (one of them very busy), mostly sign-ins, some account, rights,
/// credential, client and settings changes. Written already chained, a
/// batch per transaction ([`crate::store::AuditSeedTx`]: the hashes computed
/// in memory, one multi-row statement per batch), the log's secondary
/// indexes dropped meanwhile and built again at the end.
/// The label [`seed_audit`] gives user `target` (one of 100,000): a
/// search for it finds about one event in 120,000.
pub fn audit_user_label(target: i64) -> String {
    let at = |names: &[&str]| names[target.unsigned_abs() as usize % names.len()].to_lowercase();
    format!("{}.{}{target}@example.com", at(FIRST_NAMES), at(LAST_NAMES))
}

pub async fn seed_audit(
    store: &dyn Store,
    count: usize,
    batch: usize,
    mut progress: impl FnMut(usize),
) -> Result<()> {
    use crate::model::{FieldChange, NewAuditEvent, TargetKind};
    const ACTIONS: &[(&str, TargetKind, u32)] = &[
        ("auth.sign_in", TargetKind::User, 45),
        ("auth.sign_in_failed", TargetKind::User, 12),
        ("auth.sign_in_refused_locked", TargetKind::User, 2),
        ("user.update", TargetKind::User, 12),
        ("user.create", TargetKind::User, 5),
        ("user.reset_password", TargetKind::User, 6),
        ("user.unlock", TargetKind::User, 2),
        ("group.update", TargetKind::Group, 2),
        ("client.update", TargetKind::Client, 10),
        ("client.search", TargetKind::Client, 3),
        ("settings.update", TargetKind::Settings, 1),
    ];
    let total_weight: u32 = ACTIONS.iter().map(|a| a.2).sum();
    let mut rng = StdRng::seed_from_u64(count as u64 ^ 0xa0d1);
    let now = Utc::now();
    let span_ms = Duration::days(730).num_milliseconds();
    let start = now.timestamp_millis() - span_ms;
    let operators = 300;
    // The indexes are built once at the end (a store whose seeding failed
    // midway is thrown away, as every bench store is).
    let mut tx = store.begin(TxMode::Write).await?;
    let indexes = tx.set_aside_audit_indexes().await?;
    tx.commit().await?;
    let mut written = 0;
    while written < count {
        let end = (written + batch).min(count);
        let mut events = Vec::with_capacity(end - written);
        for n in written..end {
            let at_ms = start + (span_ms as i128 * n as i128 / count.max(1) as i128) as i64;
            let at = chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or(now);
            let mut pick = rng.gen_range(0..total_weight);
            let (action, kind, _) = ACTIONS
                .iter()
                .find(|(_, _, weight)| {
                    if pick < *weight {
                        true
                    } else {
                        pick -= weight;
                        false
                    }
                })
                .copied()
                .unwrap_or(ACTIONS[0]);
            // One operator makes a fifth of the changes; the rest share them.
            let operator = if rng.gen_bool(0.2) {
                1
            } else {
                rng.gen_range(2..operators)
            };
            let target = rng.gen_range(1..100_000_i64);
            let label = match kind {
                TargetKind::User => audit_user_label(target),
                TargetKind::Group => GROUPS[target as usize % GROUPS.len()].to_owned(),
                TargetKind::Client => format!("Client {target}"),
                TargetKind::Settings => "settings".to_owned(),
            };
            let changes = if action == "user.update" && rng.gen_bool(0.3) {
                vec![FieldChange {
                    field: "groups".into(),
                    before: serde_json::json!(["Sales"]),
                    after: serde_json::json!(["Sales", "Administrators"]),
                }]
            } else {
                vec![FieldChange {
                    field: "name".into(),
                    before: serde_json::Value::Null,
                    after: serde_json::json!(label),
                }]
            };
            events.push(NewAuditEvent {
                at,
                operator: Some(UserId(operator)),
                operator_label: format!("operator{operator}@example.com"),
                action,
                target_kind: kind,
                target_id: Some(target),
                target_label: label,
                changes,
            });
        }
        let mut tx = store.begin(TxMode::Write).await?;
        tx.insert_chained_events(&events).await?;
        tx.commit().await?;
        written = end;
        progress(written);
    }
    let mut tx = store.begin(TxMode::Write).await?;
    tx.restore_indexes(&indexes).await?;
    tx.commit().await?;
    Ok(())
}
