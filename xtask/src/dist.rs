//! `cargo xtask dist` (the installers) and `cargo xtask test-dist` (install
//! the `.deb` on this machine and use it as a person would).
//!
//! The bundles come from Tauri's own bundler through `tauri build`
//! (tauri-cli 2: `cargo tauri` when installed, else the prebuilt CLI from
//! the npm registry, else `cargo install tauri-cli`), with
//! `tauri.dist.conf.json` merged over `tauri.conf.json`: it adds the
//! `roster` command as an external binary, which the bundler installs as
//! `/usr/bin/roster` from the `.deb` and `.rpm` and puts beside the app in
//! the other bundles. That file is not in `tauri.conf.json` itself because
//! every debug build would then need a release `roster` first.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{bail, Context, Result};

use crate::system;
use crate::tasks::{self, Session};

/// The version every crate and bundle carries (`[workspace.package]`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Merged over `tauri.conf.json` for the bundles (see the module's doc).
pub const DIST_CONFIG: &str = "tauri.dist.conf.json";

/// Where `roster` is staged for the bundler, relative to the workspace root
/// (as `externalBin` in [`DIST_CONFIG`] names it, plus the target triple).
const SIDECAR_DIR: &str = "target/sidecar";

/// The Debian package's name (the bundler's, from the product name).
const DEB_PACKAGE: &str = "roster";

/// The installed programs.
const INSTALLED_APP: &str = "/usr/bin/roster-desktop";
const INSTALLED_CLI: &str = "/usr/bin/roster";

/// The bundles `cargo xtask dist` makes by default on Linux. Windows and
/// macOS make what `tauri.conf.json` asks for there (MSI and NSIS; `.app`
/// and `.dmg`).
pub const LINUX_BUNDLES: &[&str] = &["deb", "rpm", "appimage"];

/// Builds the yardstick, the empty Tauri 2 window, in release mode the way
/// `cargo tauri build` builds the app (assets served from the binary).
pub fn build_empty_window(session: &mut Session) -> Result<()> {
    session.cargo_step(
        &[
            "build",
            "--release",
            "-p",
            "empty-window",
            "--features",
            "tauri/custom-protocol",
        ],
        "",
    )
}

/// `cargo xtask dist [--bundles LIST]`: builds and prints each bundle with
/// its size.
pub fn dist(bundles: Option<Vec<String>>) -> Result<ExitCode> {
    let mut session = Session::new();
    let built = build_bundles(&mut session, bundles.as_deref()).and_then(|built| {
        build_empty_window(&mut session)?;
        Ok(built)
    });
    session.summary(built.is_ok());
    for bundle in built? {
        println!("{}  {}", megabytes(file_size(&bundle)), bundle.display());
    }
    let app = file_size(&session.binary("release", "roster-desktop"));
    let cli = file_size(&session.binary("release", "roster"));
    let empty = file_size(&session.binary("release", "empty-window"));
    println!("{}  roster-desktop (the app)", megabytes(app));
    println!("{}  roster (the command line)", megabytes(cli));
    println!(
        "{}  an empty Tauri 2 window, same profile",
        megabytes(empty)
    );
    if empty > 0 {
        println!(
            "{:>10.1}×  the app against the empty window",
            app as f64 / empty as f64
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The release build and the bundles; returns the bundles of this version.
fn build_bundles(session: &mut Session, bundles: Option<&[String]>) -> Result<Vec<PathBuf>> {
    session.step("check system prerequisites", |_| {
        system::ensure_prerequisites(&[])
    })?;
    let tauri = session.step("check tauri-cli", ensure_tauri_cli)?;
    let triple = session.step("find the target triple", |_| host_triple())?;
    session.cargo_step(&["build", "--release", "-p", "roster-cli"], "")?;
    session.step("stage roster for the bundler", |session| {
        stage_sidecar(session, &triple)
    })?;

    // The AppImage is made separately from the build, so that its own
    // failure (its tools are downloaded from GitHub) is told apart.
    let wanted: Vec<String> = match bundles {
        Some(list) => list.to_vec(),
        None if cfg!(target_os = "linux") => LINUX_BUNDLES.iter().map(|b| b.to_string()).collect(),
        None => Vec::new(),
    };
    let appimage = wanted.iter().any(|b| b == "appimage");
    let others: Vec<&str> = wanted
        .iter()
        .map(String::as_str)
        .filter(|b| *b != "appimage")
        .collect();
    let mut build = vec!["build", "--ci", "--config", DIST_CONFIG];
    let joined = others.join(",");
    if !wanted.is_empty() {
        if others.is_empty() {
            build.push("--no-bundle");
        } else {
            build.extend(["--bundles", &joined]);
        }
    }
    session.command_step(tauri.command(session, &build), "")?;
    if appimage {
        session.command_step(
            tauri.command(
                session,
                &[
                    "bundle",
                    "--ci",
                    "--config",
                    DIST_CONFIG,
                    "--bundles",
                    "appimage",
                ],
            ),
            "Tauri's AppImage bundler downloads linuxdeploy and AppRun from github.com; \
             where that cannot be reached, build the other bundles with \
             `cargo xtask dist --bundles deb,rpm`",
        )?;
    }
    let found = bundles_of_this_version(&session.target_dir.join("release").join("bundle"))?;
    if found.is_empty() {
        bail!("the bundler finished but made no bundle of version {VERSION}");
    }
    Ok(found)
}

/// How to run tauri-cli 2.
pub(crate) enum TauriCli {
    /// `cargo tauri`, installed with `cargo install tauri-cli`.
    Cargo,
    /// The same CLI as the npm registry ships it, prebuilt
    /// (`@tauri-apps/cli`), installed under the target dir.
    Npm(PathBuf),
}

impl TauriCli {
    /// `tauri ARGS` in the workspace root, building into our target dir.
    fn command(&self, session: &Session, args: &[&str]) -> Command {
        match self {
            TauriCli::Cargo => {
                let mut all = vec!["tauri"];
                all.extend(args);
                session.cargo(&all)
            }
            TauriCli::Npm(program) => {
                let mut command = Command::new(program);
                command
                    .args(args)
                    .current_dir(&session.root)
                    .env("CARGO_TARGET_DIR", &session.target_dir);
                command
            }
        }
    }
}

/// Finds tauri-cli 2: `cargo tauri` when installed; else the prebuilt CLI
/// from the npm registry when npm is there (seconds, where `cargo install
/// tauri-cli` compiles for tens of minutes); else `cargo install`.
fn ensure_tauri_cli(session: &Session) -> Result<TauriCli> {
    if let Some(version) = tauri_cli_version(TauriCli::Cargo.command(session, &["--version"])) {
        if version.starts_with("2.") {
            eprintln!("    found cargo tauri {version}");
            return Ok(TauriCli::Cargo);
        }
        eprintln!("    cargo tauri is {version}, not version 2");
    }
    if let Some(npm) = system::find_on_path(if cfg!(windows) { "npm.cmd" } else { "npm" })
        .or_else(|| system::find_on_path("npm"))
    {
        let prefix = session.target_dir.join("tauri-cli");
        let program = prefix
            .join("node_modules")
            .join(".bin")
            .join(if cfg!(windows) { "tauri.cmd" } else { "tauri" });
        let installed = |program: &Path| {
            let mut command = Command::new(program);
            command.arg("--version");
            tauri_cli_version(command).filter(|version| version.starts_with("2."))
        };
        if installed(&program).is_none() {
            let mut command = Command::new(npm);
            command
                .args([
                    "install",
                    "--no-save",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                ])
                .arg(&prefix)
                .arg("@tauri-apps/cli@^2")
                // npm's own report goes with the progress, off stdout.
                .stdout(std::io::stderr());
            eprintln!("==> {}", system::describe(&command));
            let status = command.status().context("could not start npm")?;
            if !status.success() {
                bail!("`npm install @tauri-apps/cli@^2` failed ({status})");
            }
        }
        return match installed(&program) {
            Some(version) => {
                eprintln!(
                    "    using tauri-cli {version} from npm: {}",
                    program.display()
                );
                Ok(TauriCli::Npm(program))
            }
            None => bail!(
                "npm installed @tauri-apps/cli but {} does not run",
                program.display()
            ),
        };
    }
    let mut command = session.cargo(&["install", "tauri-cli", "--version", "^2", "--locked"]);
    eprintln!("==> {}", system::describe(&command));
    let status = command.status().context("could not start cargo install")?;
    if !status.success() {
        bail!("`cargo install tauri-cli --version ^2 --locked` failed ({status})");
    }
    match tauri_cli_version(TauriCli::Cargo.command(session, &["--version"])) {
        Some(version) if version.starts_with("2.") => Ok(TauriCli::Cargo),
        _ => bail!("cargo install finished but `cargo tauri --version` does not answer 2.x"),
    }
}

/// `tauri --version` prints `tauri-cli 2.x.y`.
fn tauri_cli_version(mut command: Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    output
        .status
        .success()
        .then(|| text.split_whitespace().nth(1).map(str::to_owned))
        .flatten()
}

/// The host's target triple, from `rustc -vV`.
fn host_triple() -> Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .context("could not run `rustc -vV`")?;
    parse_host_triple(&String::from_utf8_lossy(&output.stdout))
        .context("`rustc -vV` names no host triple")
}

fn parse_host_triple(rustc_verbose: &str) -> Option<String> {
    rustc_verbose
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(|triple| triple.trim().to_owned())
}

/// `cargo xtask sidecar [--target TRIPLE]`: builds `roster` in release mode
/// (for TRIPLE when given) and stages it for the bundler, for a `cargo
/// tauri build --config tauri.dist.conf.json` run by someone else: the
/// release workflow's tauri-action.
pub fn sidecar(target: Option<String>) -> Result<ExitCode> {
    let mut session = Session::new();
    let staged = (|| {
        let triple = match &target {
            Some(triple) => triple.clone(),
            None => session.step("find the target triple", |_| host_triple())?,
        };
        let mut build = vec!["build", "--release", "-p", "roster-cli"];
        if let Some(triple) = &target {
            build.extend(["--target", triple]);
        }
        session.cargo_step(&build, "")?;
        let built = match &target {
            Some(triple) => session
                .target_dir
                .join(triple)
                .join("release")
                .join(format!("roster{}", std::env::consts::EXE_SUFFIX)),
            None => session.binary("release", "roster"),
        };
        session.step("stage roster for the bundler", |session| {
            stage_binary(session, &built, &triple)
        })
    })();
    session.summary(staged.is_ok());
    staged.map(|()| ExitCode::SUCCESS)
}

/// Copies the release `roster` to where [`DIST_CONFIG`]'s `externalBin`
/// looks for it: `target/sidecar/roster-<triple>`.
fn stage_sidecar(session: &Session, triple: &str) -> Result<()> {
    stage_binary(session, &session.binary("release", "roster"), triple)
}

fn stage_binary(session: &Session, built: &Path, triple: &str) -> Result<()> {
    let dir = session.root.join(SIDECAR_DIR);
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let staged = dir.join(format!("roster-{triple}{}", std::env::consts::EXE_SUFFIX));
    fs::copy(built, &staged)
        .with_context(|| format!("cannot copy {} to {}", built.display(), staged.display()))?;
    eprintln!("    {}", staged.display());
    Ok(())
}

/// The installers of this version under the bundler's output folder.
fn bundles_of_this_version(bundle_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let Ok(kinds) = fs::read_dir(bundle_dir) else {
        return Ok(found);
    };
    for kind in kinds {
        let kind = kind?.path();
        if !kind.is_dir() {
            continue;
        }
        for entry in fs::read_dir(&kind)? {
            let path = entry?.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let installer = [".deb", ".rpm", ".AppImage", ".msi", ".exe", ".dmg"]
                .iter()
                .any(|ext| name.ends_with(ext));
            if installer && name.contains(VERSION) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// `cargo xtask test-dist [--appimage]`: builds the `.deb` (and with
/// `--appimage` the AppImage), installs it with apt-get, starts the
/// installed program under Xvfb and reaches its first run over WebDriver,
/// runs the installed `roster --version`, then purges the package and checks
/// that only the user's data is left. Debian and Ubuntu only; needs root or
/// sudo, like the prerequisites.
pub fn test_dist(appimage: bool) -> Result<ExitCode> {
    let mut session = Session::new();
    let result = test_dist_steps(&mut session, appimage);
    session.summary(result.is_ok());
    result.map(|()| ExitCode::SUCCESS)
}

fn test_dist_steps(session: &mut Session, appimage: bool) -> Result<()> {
    if !cfg!(target_os = "linux") || system::find_on_path("apt-get").is_none() {
        bail!("test-dist installs a .deb with apt-get: it runs on Debian and Ubuntu only");
    }
    session.step("check system prerequisites", |_| {
        system::ensure_prerequisites(system::TEST_PACKAGES)
    })?;
    let driver_dir = session.step("check tauri-driver", tasks::ensure_tauri_driver)?;
    session.step("check that Roster is not installed already", |_| {
        if system::is_installed(DEB_PACKAGE) {
            bail!(
                "the package `{DEB_PACKAGE}` is installed on this machine; remove it \
                 (apt-get remove {DEB_PACKAGE}) so the test starts from a clean machine"
            );
        }
        Ok(())
    })?;
    let mut wanted = vec!["deb".to_owned()];
    if appimage {
        wanted.push("appimage".to_owned());
    }
    let bundles = build_bundles(session, Some(&wanted))?;
    let deb = bundles
        .iter()
        .find(|b| b.extension().is_some_and(|e| e == "deb"))
        .context("no .deb was made")?
        .clone();
    for bundle in &bundles {
        eprintln!("    {}  {}", megabytes(file_size(bundle)), bundle.display());
    }

    // The e2e test binary first, so the install-to-purge window is short.
    let e2e_build = session.cargo(&["test", "-p", "roster-desktop", "--test", "e2e", "--no-run"]);
    session.command_step(e2e_build, "")?;

    let home = tempfile_dir("roster-test-dist-home")?;
    let installed = install_and_use(session, &deb, &home, driver_dir.as_deref());
    // Removed whatever happened, so a failure leaves the machine as it was.
    let removed = session.step("apt-get purge the package", |_| {
        system::apt_get(&["purge", "-y", DEB_PACKAGE])
    });
    let files = installed?;
    removed?;
    session.step("check that only the user's data is left", |_| {
        check_removed(&files, &home)
    })?;

    if let Some(image) = bundles
        .iter()
        .find(|b| b.extension().is_some_and(|e| e == "AppImage"))
    {
        let image = image.clone();
        session.step("start the AppImage over WebDriver", |session| {
            run_installed_e2e(
                session,
                &image,
                "--appimage-extract-and-run",
                driver_dir.as_deref(),
            )
        })?;
    }
    let _ = fs::remove_dir_all(&home);
    Ok(())
}

/// Installs the `.deb`, checks what it put on the machine, makes some user
/// data with the installed `roster` and starts the installed app; returns
/// the files the package installed.
fn install_and_use(
    session: &mut Session,
    deb: &Path,
    home: &Path,
    driver_dir: Option<&Path>,
) -> Result<Vec<PathBuf>> {
    session.step("apt-get install the .deb", |_| {
        let deb = deb.to_string_lossy();
        system::apt_get(&["install", "-y", "--no-install-recommends", &deb])
    })?;
    let files = session.step("check the installed files", |_| installed_files())?;
    session.step("run the installed roster --version", |_| {
        let output = Command::new(INSTALLED_CLI)
            .arg("--version")
            .output()
            .with_context(|| format!("could not run {INSTALLED_CLI}"))?;
        let printed = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if !output.status.success() || printed != format!("roster {VERSION}") {
            bail!("`{INSTALLED_CLI} --version` printed {printed:?}, not \"roster {VERSION}\"");
        }
        eprintln!("    {printed}");
        Ok(())
    })?;
    session.step("make user data with the installed roster", |_| {
        let output = Command::new(INSTALLED_CLI)
            .args([
                "init",
                "--name",
                "Ada Admin",
                "--email",
                "ada@example.com",
                "--generate",
                "--two-factor",
                "off",
            ])
            .env("HOME", home)
            .env_remove("XDG_DATA_HOME")
            .env("ROSTER_KEYCHAIN", "mock")
            .output()
            .with_context(|| format!("could not run {INSTALLED_CLI} init"))?;
        if !output.status.success() {
            bail!(
                "`roster init` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let store = user_store(home);
        if !store.is_file() {
            bail!("`roster init` made no store at {}", store.display());
        }
        Ok(())
    })?;
    session.step("start the installed app over WebDriver", |session| {
        run_installed_e2e(session, Path::new(INSTALLED_APP), "", driver_dir)
    })?;
    Ok(files)
}

/// The desktop app's and `roster`'s default store for a user whose home is
/// `home` (on Linux).
fn user_store(home: &Path) -> PathBuf {
    home.join(".local/share/com.roster.desktop/roster.sqlite3")
}

/// What the package installed (`dpkg -L`), checked for the programs, the
/// desktop entry and the icons.
fn installed_files() -> Result<Vec<PathBuf>> {
    let output = Command::new("dpkg")
        .args(["-L", DEB_PACKAGE])
        .output()
        .context("could not run dpkg -L")?;
    if !output.status.success() {
        bail!("dpkg does not list the package `{DEB_PACKAGE}`");
    }
    let files: Vec<PathBuf> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(PathBuf::from)
        .filter(|path| path.is_file())
        .collect();
    for wanted in [
        INSTALLED_APP,
        INSTALLED_CLI,
        "/usr/share/applications/Roster.desktop",
    ] {
        if !files.iter().any(|file| file == Path::new(wanted)) {
            bail!("the package does not install {wanted}");
        }
    }
    if !files
        .iter()
        .any(|file| file.starts_with("/usr/share/icons/hicolor"))
    {
        bail!("the package installs no icon under /usr/share/icons/hicolor");
    }
    let entry = fs::read_to_string("/usr/share/applications/Roster.desktop")
        .context("cannot read the desktop entry")?;
    for line in [
        "Name=Roster",
        "Exec=roster-desktop",
        "Categories=Office;",
        "Keywords=",
        "Comment=",
    ] {
        if !entry.lines().any(|l| l.starts_with(line)) {
            bail!("the desktop entry has no `{line}` line:\n{entry}");
        }
    }
    eprintln!("    {} files installed", files.len());
    Ok(files)
}

/// Runs the ignored end-to-end test `installed` against `app`.
fn run_installed_e2e(
    session: &Session,
    app: &Path,
    app_args: &str,
    driver_dir: Option<&Path>,
) -> Result<()> {
    let mut command = tasks::ignored_e2e_test(
        session,
        "installed::the_installed_app_reaches_its_first_run",
        app,
        driver_dir,
    )?;
    command.env("ROSTER_E2E_APP_ARGS", app_args);
    let described = system::describe(&command);
    eprintln!("    {described}");
    let status = command
        .status()
        .with_context(|| format!("could not start `{described}`"))?;
    if !status.success() {
        bail!("the installed app did not reach its first run ({status}); see above");
    }
    Ok(())
}

/// After the purge: the package is gone, none of its files is left, and
/// the user's store is still there.
fn check_removed(files: &[PathBuf], home: &Path) -> Result<()> {
    if system::is_installed(DEB_PACKAGE) {
        bail!("dpkg still lists `{DEB_PACKAGE}` as installed");
    }
    let left: Vec<String> = files
        .iter()
        .filter(|file| file.exists())
        .map(|file| file.display().to_string())
        .collect();
    if !left.is_empty() {
        bail!("files left after the purge: {}", left.join(", "));
    }
    let store = user_store(home);
    if !store.is_file() {
        bail!("the user's store {} went with the package", store.display());
    }
    eprintln!(
        "    {} files removed; {} kept",
        files.len(),
        store.display()
    );
    Ok(())
}

/// A new empty folder under the system's temporary folder.
fn tempfile_dir(prefix: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

fn file_size(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn megabytes(bytes: u64) -> String {
    format!("{:>7.1} MB", bytes as f64 / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_triple_is_read_from_rustc() {
        let text = "rustc 1.95.0\nbinary: rustc\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\n";
        assert_eq!(
            parse_host_triple(text).as_deref(),
            Some("x86_64-unknown-linux-gnu")
        );
        assert_eq!(parse_host_triple("rustc 1.95.0\n"), None);
    }

    #[test]
    fn only_installers_of_this_version_are_listed() {
        let dir = std::env::temp_dir().join(format!("xtask-bundles-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("deb")).unwrap();
        fs::create_dir_all(dir.join("rpm")).unwrap();
        fs::write(dir.join(format!("deb/Roster_{VERSION}_amd64.deb")), b"x").unwrap();
        fs::write(dir.join("deb/Roster_0.0.0-old_amd64.deb"), b"x").unwrap();
        fs::write(dir.join(format!("rpm/Roster-{VERSION}-1.x86_64.rpm")), b"x").unwrap();
        fs::write(dir.join(format!("deb/Roster_{VERSION}_amd64.txt")), b"x").unwrap();
        let found = bundles_of_this_version(&dir).unwrap();
        let _ = fs::remove_dir_all(&dir);
        let names: Vec<String> = found
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                format!("Roster_{VERSION}_amd64.deb"),
                format!("Roster-{VERSION}-1.x86_64.rpm")
            ]
        );
    }
}
