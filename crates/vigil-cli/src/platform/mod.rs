//! How the daemon learns it should stop, per platform.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub(crate) use unix::shutdown_signal;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub(crate) use windows::shutdown_signal;
