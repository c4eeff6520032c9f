//! Platform-specific file handling.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub(crate) use unix::create_private_file;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub(crate) use windows::create_private_file;
