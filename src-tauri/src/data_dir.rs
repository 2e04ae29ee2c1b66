//! Where this process keeps its data.
//!
//! By default that is the OS's app-data folder decided by
//! `roster_core::paths`, shared with the `roster` command. The argument
//! `--data-dir PATH`, or else `ROSTER_DATA_DIR`, moves it elsewhere, so that
//! tests (and anyone trying the app out) never touch the real store.

use std::ffi::OsString;
use std::path::PathBuf;

use roster_core::paths;

/// Environment variable that overrides the data folder.
pub const DATA_DIR_ENV: &str = "ROSTER_DATA_DIR";

/// Command-line argument that overrides the data folder (and the variable).
pub const DATA_DIR_ARG: &str = "--data-dir";

/// The data folder: `--data-dir PATH`, else `$ROSTER_DATA_DIR` when set and
/// not empty, otherwise the OS's app-data folder; `None` when none exists.
pub fn data_dir() -> Option<PathBuf> {
    let chosen = argument(std::env::args_os().skip(1), DATA_DIR_ARG)
        .or_else(|| std::env::var_os(DATA_DIR_ENV));
    resolve(chosen, paths::app_data_dir)
}

/// The value of `name` in `args`, given as `name VALUE` or `name=VALUE`.
fn argument(args: impl IntoIterator<Item = OsString>, name: &str) -> Option<OsString> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == name {
            return args.next();
        }
        let joined = arg
            .to_str()
            .and_then(|text| text.strip_prefix(name))
            .and_then(|rest| rest.strip_prefix('='));
        if let Some(value) = joined {
            return Some(value.into());
        }
    }
    None
}

/// The local SQLite store inside [`data_dir`].
pub fn store_path() -> Option<PathBuf> {
    data_dir().map(|dir| dir.join(paths::LOCAL_STORE_FILE))
}

/// Picks the override when there is one, else the default. A relative
/// override is made absolute against the current directory so that the path
/// shown to the user is the one really used.
fn resolve(
    override_dir: Option<OsString>,
    default_dir: impl FnOnce() -> Option<PathBuf>,
) -> Option<PathBuf> {
    match override_dir.filter(|dir| !dir.is_empty()) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            Some(std::path::absolute(&dir).unwrap_or(dir))
        }
        None => default_dir(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default() -> Option<PathBuf> {
        Some(PathBuf::from("/default/data"))
    }

    #[test]
    fn the_override_wins_over_the_default() {
        let dir = std::env::temp_dir().join("roster-test-data");
        assert_eq!(resolve(Some(dir.clone().into()), default), Some(dir));
    }

    #[test]
    fn an_empty_override_means_the_default() {
        assert_eq!(resolve(Some(OsString::new()), default), default());
        assert_eq!(resolve(None, default), default());
    }

    #[test]
    fn a_relative_override_becomes_absolute() {
        let resolved = resolve(Some("relative/dir".into()), default).unwrap();
        assert!(resolved.is_absolute());
        assert!(resolved.ends_with("relative/dir"));
    }

    #[test]
    fn the_data_dir_argument_is_read_in_both_forms() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            argument(args(&["--data-dir", "/a"]), DATA_DIR_ARG),
            Some("/a".into())
        );
        assert_eq!(
            argument(args(&["-x", "--data-dir=/b"]), DATA_DIR_ARG),
            Some("/b".into())
        );
        assert_eq!(argument(args(&["--data-directory=/c"]), DATA_DIR_ARG), None);
        assert_eq!(argument(args(&["--data-dir"]), DATA_DIR_ARG), None);
    }

    #[test]
    fn no_folder_at_all_is_none() {
        assert_eq!(resolve(None, || None), None);
    }

    #[test]
    fn the_store_file_sits_in_the_data_folder() {
        if let (Some(dir), Some(store)) = (data_dir(), store_path()) {
            assert_eq!(store, dir.join(paths::LOCAL_STORE_FILE));
        }
    }
}
