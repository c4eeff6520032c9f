//! Platform-specific checks. Each platform file answers the same questions.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub(crate) use unix::is_executable;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub(crate) use windows::is_executable;
