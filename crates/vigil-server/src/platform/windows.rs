use std::fs::File;
use std::io;
use std::path::Path;

/// Creates a new file, failing if it exists. On Windows the data dir lives under the user's
/// profile (`%APPDATA%`), whose inherited ACL already grants access to that user, SYSTEM and
/// administrators only, which is the Windows meaning of owner-only here.
pub(crate) fn create_private_file(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}
