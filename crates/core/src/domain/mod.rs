//! Domain values that cannot hold bad data.
//!
//! Each type has a private field and one parsing constructor: once a service
//! holds an `Email` or a `UserName`, it is valid, and no other layer checks it
//! again. Values read back from a store use `from_stored`, which trusts what
//! the parsing constructor once wrote.
//!
//! One file per concern: row ids (`ids.rs`), email addresses (`email.rs`),
//! names and descriptions (`names.rs`), countries and phone numbers
//! (`phone.rs`), a user's status and second factor (`status.rs`) and the
//! last day an account may sign in on (`valid_until.rs`). The
//! permission catalogue is the leaf `crate::permission`. Every type is
//! re-exported here, so its path is `crate::domain::X`.

mod email;
mod ids;
mod names;
mod phone;
mod status;
mod valid_until;

pub use crate::permission::{Grant, Permission, PermissionSet, Scope};
pub use email::Email;
pub use ids::{ClientId, GroupId, UserId};
pub use names::{fold_name, search_key, ClientName, Description, GroupName, UserName};
pub use phone::{Country, Phone};
pub use status::{Status, TwoFactor};
pub use valid_until::ValidUntil;

#[cfg(test)]
mod tests;
