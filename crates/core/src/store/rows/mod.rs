//! The row traits a transaction is made of, one per concern, each written
//! once over the [`super::sql::Sql`] connection both stores provide.
//!
//! | trait          | file            | rows                                          |
//! |----------------|-----------------|-----------------------------------------------|
//! | [`UsersTx`]    | `users.rs`      | users, memberships, supervisors (the overview's page in `users_overview.rs` and its filters in `users_filters.rs`, a team's people in `users_team.rs`, an import's many at a time in `users_import.rs`) |
//! | [`SignInTx`]   | `sign_in.rs`    | password hashes, failed attempts, locks        |
//! | [`TwoFactorTx`]| `two_factor.rs` | authenticator enrolments, recovery and email codes |
//! | [`GroupsTx`]   | `groups.rs`     | groups and their permissions                   |
//! | [`ClientsTx`]  | `clients.rs`    | clients, their overview and export             |
//! | [`AuditTx`]    | `audit.rs`      | the audit log                                  |
//! | [`AuditArchiveTx`]| `audit_archive.rs` | removing archived audit events, the anchor |
//! | [`AuditSeedTx`]| `audit_seed.rs` | chained audit events in bulk (benchmarks only)  |
//! | [`SettingsTx`] | `settings.rs`   | settings                                       |
//! | [`RecycleBinTx`]| `recycle_bin.rs` | deleted users kept restorable               |
//!
//! | [`CopyTx`]     | `snapshot.rs`   | a whole directory, for a copy                  |
//! | [`CheckTx`]    | `check.rs`      | the store check's reads and its recount        |
//!
//! Where the stores search differently is in `search.rs`.

mod audit;
mod audit_archive;
mod audit_seed;
mod audit_view;
mod check;
mod clients;
mod clients_team;
mod groups;
mod keyset;
mod recycle_bin;
mod search;
mod search_plan;
mod settings;
mod sign_in;
mod snapshot;
mod snapshot_bin;
mod two_factor;
mod users;
mod users_count;
mod users_filters;
mod users_import;
mod users_overview;
mod users_team;
mod users_walk;

pub use audit::AuditTx;
pub use audit_archive::AuditArchiveTx;
pub use audit_seed::AuditSeedTx;
pub use check::{CheckTx, CountDifference};
pub use clients::ClientsTx;
pub use groups::GroupsTx;
pub use recycle_bin::{BinCursor, BinnedUser, RecycleBinTx};
pub use settings::SettingsTx;
pub use sign_in::SignInTx;
pub use snapshot::CopyTx;
pub(crate) use snapshot::STORE_ID;
pub use two_factor::TwoFactorTx;
pub use users::UsersTx;
