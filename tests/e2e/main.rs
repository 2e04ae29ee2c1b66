//! End-to-end tests: the real app, driven through tauri-driver (WebDriver)
//! the way a person uses it. See `harness.rs` for what a [`Session`] starts
//! and what it needs (tauri-driver, WebKitWebDriver, Xvfb, xdotool and
//! ImageMagick's `import`; `cargo xtask test` installs them).
//!
//! Run them with `cargo test -p roster-desktop --test e2e` (add a test name
//! to run one). Screenshots land in `target/e2e-screenshots/`.

mod harness;
mod steps;

mod audit;
mod backups;
mod bulk;
mod clients;
mod first_run;
mod groups;
mod handover;
mod installed;
mod lifecycle;
mod markup;
mod overview_speed;
mod remote_store;
mod screenshots;
mod session_states;
mod sign_in;
mod smoke;
mod team_scope;
mod two_factor;
mod users;

pub use harness::Session;
