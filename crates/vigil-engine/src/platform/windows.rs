use std::fs::Metadata;

/// Windows has no execute bit: any regular file may be handed to CreateProcess, which decides
/// by its contents. Rejecting by extension would refuse valid programs (`.com`, `.scr`, ...).
pub(crate) fn is_executable(meta: &Metadata) -> bool {
    meta.is_file()
}
