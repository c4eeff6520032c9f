//! Locks that never drop a change in silence.
//!
//! A std lock is poisoned when a thread panicked while holding it. The data behind it is still
//! there and, for Vigil's tables (plain maps and counters updated in one step), still usable; the
//! old `if let Ok(guard) = m.lock()` pattern skipped the change instead, so a panic in one task
//! silently froze a program's status or a run's bookkeeping. These helpers take the guard back
//! from the poison (the panic itself was already reported by the panic hook and the task's
//! `JoinError`).

use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Locks `m`, recovering the guard if a panicking thread poisoned it.
pub fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(recover)
}

/// Read-locks `l`, recovering the guard if a panicking thread poisoned it.
pub fn read<T: ?Sized>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(recover)
}

/// Write-locks `l`, recovering the guard if a panicking thread poisoned it.
pub fn write<T: ?Sized>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(recover)
}

fn recover<G>(poison: PoisonError<G>) -> G {
    poison.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_poisoned_lock_still_takes_changes() {
        let m = Arc::new(Mutex::new(1));
        let l = Arc::new(RwLock::new(1));
        let (m2, l2) = (m.clone(), l.clone());
        let _ = std::thread::spawn(move || {
            let _g = m2.lock().unwrap();
            let _w = l2.write().unwrap();
            panic!("poison both");
        })
        .join();
        assert!(m.is_poisoned() && l.is_poisoned());
        *lock(&m) += 1;
        *write(&l) += 1;
        assert_eq!(
            (*lock(&m), *read(&l)),
            (2, 2),
            "changes after the poison are kept"
        );
    }
}
