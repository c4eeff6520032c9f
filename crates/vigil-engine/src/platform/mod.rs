//! Platform-specific pieces. Each platform file answers the same questions.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub(crate) use unix::{
    SHELL, check_shell_args, end_leftover, exit_status, is_executable, list_pids, prepare,
    request_stop, shell_command,
};

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub(crate) use windows::{
    SHELL, check_shell_args, end_leftover, exit_status, is_executable, list_pids, prepare,
    request_stop, shell_command,
};
