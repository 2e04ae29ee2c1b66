//! Roster's core: the domain, its policies, the services that apply them and
//! the stores that keep them. It knows nothing of Tauri, the web view or the
//! terminal; the desktop shell and the `roster` command only translate.
//!
//! - [`domain`]: values that cannot be wrong once parsed (`Email`, `UserName`, …).
//! - [`password`]: hashing, generation, the policy and strength estimates.
//! - [`directory`]: the services; every rule and right is checked there
//!   ([`clients`] holds the client services, [`mask`] how client data is masked).
//! - [`audit`]: the audit log's hash chain, filters and exports.
//! - [`administrators`]: enabled administrators left without a second factor.
//! - [`mail`]: outgoing messages and the `Mailer` that delivers them.
//! - [`smtp`]: the mail server's settings and the SMTP `Mailer` (lettre).
//! - [`store`]: the `Store` trait and its SQLite implementation.

pub mod administrators;
pub mod audit;
pub mod backup;
pub mod bench;
pub mod clients;
pub mod csv_cell;
pub mod directory;
pub mod domain;
pub mod error;
mod look_alike;
pub mod mail;
pub mod mask;
pub mod model;
pub mod password;
pub mod paths;
mod permission;
pub mod sealing;
pub mod secrets;
mod server_config;
pub mod sheet;
pub mod smtp;
pub mod store;
pub mod two_factor;
pub mod users_sheet;

pub use directory::{Directory, Operator};
pub use error::{Error, Result};
/// This Roster's version, shared by the app, `roster` and the bundles.
pub use store::opened_by::ROSTER_VERSION as VERSION;
