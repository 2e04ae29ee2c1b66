//! The audit log as people read it: the hash chain that shows nobody edited
//! it ([`chain`]), the filters of the audit page and `roster audit`
//! ([`filter`]), the CSV and XLSX exports ([`export`]) and the archive
//! file old events move to ([`archive`]). Leaves: they
//! know no store and no service.

pub mod archive;
pub mod chain;
pub mod export;
pub mod filter;

pub use chain::{ChainBreak, ChainHead, ChainWalk, ChainedEvent, Checkpoint, Verification};
pub use filter::{ActionGroup, AuditFilter, AuditPage, AuditTarget};
