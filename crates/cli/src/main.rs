//! `roster`: Roster's users and groups from a terminal or a script.
//!
//! This crate only translates: arguments in, one core service call, text or
//! JSON out. Every rule and right is decided by `roster_core`.

mod cli;
mod commands;
mod output;
mod sign_in;
mod store_arg;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return report(&anyhow::Error::new(error)),
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(error) if output::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => report(&error),
    }
}

/// Prints the error as one line, as scripts and people both expect.
fn report(error: &anyhow::Error) -> ExitCode {
    let message = format!("{error:#}").replace(['\r', '\n'], " ");
    eprintln!("roster: {message}");
    ExitCode::FAILURE
}
