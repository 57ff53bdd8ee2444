//! Files the command line writes out of the register (members, rolls, constitutions,
//! ballots) are created readable and writable by their owner only: an export of members is
//! personal data, and a file other accounts on the machine could read is a leak waiting to
//! happen. The file is written under a temporary name and renamed into place once whole,
//! so a reader never sees half of it and an interrupted export leaves no partial file.

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `path` with `write`, owner-only (0600 on Unix) whatever the umask, replacing any
/// file there (and its permissions).
pub fn write_private(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut tmp = PathBuf::from(path);
    tmp.as_mut_os_string().push(".partial");
    // A partial file left by an earlier run may have other permissions: start afresh.
    match std::fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let file = options.open(&tmp)?;
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    #[cfg(unix)]
    fn exports_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("members.csv");
        write_private(&path, |w: &mut dyn Write| w.write_all(b"a,b\n")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"a,b\n");
        assert_eq!(mode(&path), 0o600);

        // An older export anyone could read is replaced by one only its owner can.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let partial = dir.path().join("members.csv.partial");
        std::fs::write(&partial, b"stale").unwrap();
        std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o666)).unwrap();
        write_private(&path, |w: &mut dyn Write| w.write_all(b"c,d\n")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"c,d\n");
        assert_eq!(mode(&path), 0o600);
        assert!(!partial.exists());
    }

    #[test]
    fn a_failed_export_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("members.csv");
        let err = write_private(&path, |w: &mut dyn Write| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("database went away"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("went away"));
        assert!(!path.exists());
        assert!(!dir.path().join("members.csv.partial").exists());
    }
}
