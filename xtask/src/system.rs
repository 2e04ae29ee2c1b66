//! What the machine needs before Roster can be built, run or tested, per OS.
//!
//! On Debian and Ubuntu the missing packages are installed (with `sudo` when
//! not root), because that is where CI runs and a fresh machine should need
//! nothing but `cargo xtask test`. On Windows and macOS we only check and say
//! what is missing: their toolchains come from installers we cannot drive.
//! Other Linux distributions get the list of what to install.

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

/// Debian packages needed to build and run the Tauri shell (WebKitGTK 4.1,
/// a C toolchain, and the libraries Tauri links against).
pub const BUILD_PACKAGES: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "build-essential",
    "libxdo-dev",
    "libssl-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "pkg-config",
];

/// Extra Debian packages for the tests: a virtual X display (`xvfb-run`
/// needs `xauth`), WebKitGTK's WebDriver, which `tauri-driver` drives, and
/// for the end-to-end tests `xdotool` (to answer native GTK dialogs, which
/// WebDriver cannot reach) and ImageMagick's `import` (screenshots: the
/// WebDriver screenshot call hangs under Xvfb).
pub const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "xdotool",
    "imagemagick",
];

/// Makes sure the system can build (and run) the desktop app; `extra` are
/// further Debian packages wanted on Linux.
pub fn ensure_prerequisites(extra: &[&str]) -> Result<()> {
    if cfg!(target_os = "linux") {
        let wanted: Vec<&str> = BUILD_PACKAGES.iter().chain(extra).copied().collect();
        ensure_linux_packages(&wanted)
    } else if cfg!(windows) {
        check_windows();
        Ok(())
    } else if cfg!(target_os = "macos") {
        check_macos();
        Ok(())
    } else {
        eprintln!("    note: no system checks for this OS; see the Tauri 2 prerequisites");
        Ok(())
    }
}

fn ensure_linux_packages(wanted: &[&str]) -> Result<()> {
    if !is_debian_like() {
        eprintln!(
            "    note: not Debian/Ubuntu, so packages are not checked. Install the equivalents of: {}",
            wanted.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|package| !is_installed(package))
        .collect();
    if missing.is_empty() {
        eprintln!("    all {} system packages are installed", wanted.len());
        return Ok(());
    }
    eprintln!("    missing: {}", missing.join(" "));
    apt_get(&["update"])?;
    let mut install = vec!["install", "-y"];
    install.extend(&missing);
    apt_get(&install)?;
    let still_missing: Vec<&str> = missing
        .into_iter()
        .filter(|package| !is_installed(package))
        .collect();
    if !still_missing.is_empty() {
        bail!(
            "apt-get did not install: {} (check the output above)",
            still_missing.join(" ")
        );
    }
    Ok(())
}

/// Debian, Ubuntu and their derivatives, by `/etc/os-release` or, failing
/// that, by the presence of `apt-get` and `dpkg-query`.
fn is_debian_like() -> bool {
    if let Ok(release) = std::fs::read_to_string("/etc/os-release") {
        let debian = release.lines().any(|line| {
            let Some((key, value)) = line.split_once('=') else {
                return false;
            };
            (key == "ID" || key == "ID_LIKE")
                && value
                    .trim_matches('"')
                    .split_whitespace()
                    .any(|id| id == "debian" || id == "ubuntu")
        });
        if debian {
            return true;
        }
    }
    find_on_path("apt-get").is_some() && find_on_path("dpkg-query").is_some()
}

/// `dpkg-query` prints `install ok installed` for an installed package and
/// fails for one it has never heard of.
pub(crate) fn is_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .stderr(Stdio::null())
        .output()
        .map(|out| {
            out.status.success()
                && String::from_utf8_lossy(&out.stdout).trim() == "install ok installed"
        })
        .unwrap_or(false)
}

/// Runs `apt-get ARGS` non-interactively, through `sudo` when not root.
pub(crate) fn apt_get(args: &[&str]) -> Result<()> {
    let mut command = if is_root() {
        Command::new("apt-get")
    } else if find_on_path("sudo").is_some() {
        // `sudo` resets the environment; `env` carries DEBIAN_FRONTEND across.
        let mut sudo = Command::new("sudo");
        sudo.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        sudo
    } else {
        bail!(
            "not root and no sudo: run `apt-get {}` as root, then try again",
            args.join(" ")
        );
    };
    // Its output is progress: a bench's standard output is its JSON.
    command
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdout(std::process::Stdio::from(std::io::stderr()));
    eprintln!("==> {}", describe(&command));
    let status = command
        .status()
        .with_context(|| format!("could not start `{}`", describe(&command)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(&command));
    }
    Ok(())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Windows needs the MSVC build tools and the WebView2 runtime (preinstalled
/// on Windows 11, not always on 10).
fn check_windows() {
    if has_msvc() {
        eprintln!("    MSVC build tools: found");
    } else {
        eprintln!(
            "    MISSING: MSVC build tools. Install \"Visual Studio Build Tools\" with the \
             \"Desktop development with C++\" workload: https://visualstudio.microsoft.com/visual-cpp-build-tools/"
        );
    }
    if has_webview2() {
        eprintln!("    WebView2 runtime: found");
    } else {
        eprintln!(
            "    MISSING: Microsoft Edge WebView2 runtime. Install the Evergreen Bootstrapper: \
             https://developer.microsoft.com/microsoft-edge/webview2/"
        );
    }
}

/// `vswhere` (shipped with every Visual Studio installer) knows whether the
/// C++ tools are installed even when `cl.exe` is not on PATH, which is the
/// normal case outside a "Developer Command Prompt".
fn has_msvc() -> bool {
    let program_files =
        env::var_os("ProgramFiles(x86)").unwrap_or_else(|| r"C:\Program Files (x86)".into());
    let vswhere = Path::new(&program_files).join(r"Microsoft Visual Studio\Installer\vswhere.exe");
    let found_by_vswhere = Command::new(vswhere)
        .args([
            "-latest",
            "-products",
            "*",
            "-requires",
            "Microsoft.VisualStudio.Component.VC.Tools.x86.x64",
            "-property",
            "installationPath",
        ])
        .output()
        .map(|out| out.status.success() && !out.stdout.trim_ascii().is_empty())
        .unwrap_or(false);
    found_by_vswhere || find_on_path("cl").is_some()
}

/// The WebView2 runtime registers its version (`pv`) under EdgeUpdate's
/// client key, per machine (32- or 64-bit view) or per user.
fn has_webview2() -> bool {
    const CLIENT: &str = r"Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}";
    [
        format!(r"HKLM\SOFTWARE\WOW6432Node\{CLIENT}"),
        format!(r"HKLM\SOFTWARE\{CLIENT}"),
        format!(r"HKCU\Software\{CLIENT}"),
    ]
    .iter()
    .any(|key| {
        Command::new("reg")
            .args(["query", key, "/v", "pv"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .output()
            .map(|out| {
                // An uninstalled runtime can leave `pv` behind as 0.0.0.0.
                let text = String::from_utf8_lossy(&out.stdout);
                let version = text
                    .lines()
                    .find(|line| line.trim_start().starts_with("pv"))
                    .and_then(|line| line.split_whitespace().last());
                out.status.success() && version.is_some_and(|v| v != "0.0.0.0")
            })
            .unwrap_or(false)
    })
}

/// macOS needs the Xcode command line tools; the web view (WKWebView) ships
/// with the OS.
fn check_macos() {
    let ok = Command::new("xcode-select")
        .arg("-p")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|status| status.success())
        .unwrap_or(false);
    if ok {
        eprintln!("    Xcode command line tools: found");
    } else {
        eprintln!("    MISSING: Xcode command line tools. Run `xcode-select --install`.");
    }
}

/// Finds an executable on PATH (with `.exe` on Windows), like `which`.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(format!("{name}{}", env::consts::EXE_SUFFIX)))
        .find(|candidate| candidate.is_file())
}

/// A command as a shell-like line, for the `==>` progress lines. Cargo is
/// shown as `cargo` even when started through its full `$CARGO` path (also
/// as an argument, e.g. of `xvfb-run`).
pub fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| {
            if Path::new(part).file_stem() == Some(OsStr::new("cargo")) {
                return "cargo".to_string();
            }
            let part = part.to_string_lossy();
            if part.is_empty() || part.contains(char::is_whitespace) {
                format!("'{part}'")
            } else {
                part.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
