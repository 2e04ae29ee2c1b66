//! The audit log as people read it: the hash chain that shows nobody edited
//! it ([`chain`]), the filters of the audit page and `roster audit`
//! ([`filter`]), and the CSV and XLSX exports ([`export`]). Leaves: they
//! know no store and no service.

pub mod chain;
pub mod export;
pub mod filter;

pub use chain::{ChainBreak, ChainHead, ChainWalk, ChainedEvent, Checkpoint, Verification};
pub use filter::{ActionGroup, AuditFilter, AuditPage, AuditTarget};
