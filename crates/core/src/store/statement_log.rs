//! A test hook: the SQL text the stores send on this thread while a log is
//! open, so golden tests can pin down each query shape's statements on both
//! stores. Closed (the normal case) it costs one thread-local look-up per
//! statement and keeps nothing.

use std::cell::RefCell;

thread_local! {
    static LOG: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Starts (or restarts) logging the statements this thread sends.
pub fn open() {
    LOG.with(|log| *log.borrow_mut() = Some(Vec::new()));
}

/// Stops logging and returns the statements sent since [`open`], each with
/// its whitespace collapsed.
pub fn close() -> Vec<String> {
    LOG.with(|log| log.borrow_mut().take().unwrap_or_default())
}

/// Notes `sql` if a log is open on this thread.
pub(crate) fn note(sql: &str) {
    LOG.with(|log| {
        if let Some(statements) = log.borrow_mut().as_mut() {
            statements.push(sql.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    });
}
