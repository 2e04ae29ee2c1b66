//! Real file systems for tests that need a full disk or a folder that
//! cannot be written: a tiny tmpfs, and a read-only bind mount. Mounting
//! needs root (CI runs as root on Linux); where it fails the test fails,
//! saying so, rather than passing without having tested anything.
//! A [`Mount`] is unmounted when dropped, even when the test panics.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A mount point, unmounted on drop.
pub struct Mount {
    point: PathBuf,
}

fn mount(args: &[&str], point: &Path) {
    let output = Command::new("mount")
        .args(args)
        .arg(point)
        .output()
        .expect("`mount` runs");
    assert!(
        output.status.success(),
        "this test needs to mount a file system (as root, as CI runs it) and `mount {} {}` failed: {}",
        args.join(" "),
        point.display(),
        String::from_utf8_lossy(&output.stderr).trim()
    );
}

impl Mount {
    /// A tmpfs of `size` (as `mount -o size=` takes it, e.g. `2m`) at
    /// `point`, created when absent.
    pub fn tmpfs(point: &Path, size: &str) -> Self {
        std::fs::create_dir_all(point).expect("the mount point");
        mount(
            &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"],
            point,
        );
        Self {
            point: point.to_owned(),
        }
    }

    /// `source` seen read-only at `point` (a bind mount remounted
    /// read-only), both created when absent.
    pub fn read_only(source: &Path, point: &Path) -> Self {
        std::fs::create_dir_all(source).expect("the source folder");
        std::fs::create_dir_all(point).expect("the mount point");
        mount(&["--bind", &source.display().to_string()], point);
        // Unmounted by the guard even when the remount fails.
        let guard = Self {
            point: point.to_owned(),
        };
        mount(&["-o", "remount,bind,ro"], point);
        guard
    }

    pub fn path(&self) -> &Path {
        &self.point
    }

    /// Fills the file system up with one file until no byte more fits.
    pub fn fill(&self) {
        use std::io::Write;
        let mut file = std::fs::File::create(self.point.join("filler")).expect("the filler");
        let block = vec![0u8; 4096];
        loop {
            match file.write(&block) {
                Ok(0) => break,
                Ok(_) => {}
                Err(error) if error.raw_os_error() == Some(28) => break,
                Err(error) => panic!("filling {}: {error}", self.point.display()),
            }
        }
        // A last partial block's worth, byte by byte.
        while file.write(&[0]).is_ok_and(|written| written == 1) {}
    }

    /// The names of the files in the mounted file system.
    pub fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.point)
            .expect("the mounted folder")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(&self.point)
            .status()
            .is_ok_and(|status| status.success());
        if !unmounted {
            // Still busy (a process of the test holds it): detach it now,
            // the kernel finishes when the last user is gone.
            let _ = Command::new("umount").arg("-l").arg(&self.point).status();
        }
    }
}
