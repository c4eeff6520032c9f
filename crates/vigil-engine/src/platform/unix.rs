use std::fs::Metadata;
use std::os::unix::fs::PermissionsExt;

/// A file can be launched when some execute bit is set; the kernel has the final word.
pub(crate) fn is_executable(meta: &Metadata) -> bool {
    meta.is_file() && meta.permissions().mode() & 0o111 != 0
}
