use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{Connection, Savepoint, params};
use tokio::sync::oneshot;
use vigil_core::{EndpointId, Event, NewEvent};

use crate::StoreError;
use crate::outbox::{Routing, RuleCache};

/// Commands that may wait for the writer before senders wait. When it is full, a sender's task
/// waits (on a blocking-pool thread, never an async worker), which is the backpressure we want.
const QUEUE: usize = 1024;

/// Most commands folded into one transaction.
const BATCH: usize = 256;

/// Called on the writer thread with the events of each committed transaction, in id order.
/// It must not block: it hands the events to listeners (a broadcast channel) and returns.
pub type PublishHook = Box<dyn Fn(&[Event]) + Send>;

/// The transaction a write closure runs in. Events recorded here are inserted in the same
/// transaction as the change that caused them, and published only after the commit.
pub struct Tx<'a> {
    sp: Savepoint<'a>,
    events: Vec<Event>,
    rules: &'a mut RuleCache,
}

impl Tx<'_> {
    /// The connection to run statements on.
    pub fn conn(&self) -> &Connection {
        &self.sp
    }

    /// Records an event as part of this change, with the deliveries the notification rules
    /// make of it (the transactional outbox); returns it with its id.
    pub fn event(&mut self, e: NewEvent) -> Result<Event, StoreError> {
        self.event_skipping(e, None)
    }

    /// Like [`Tx::event`], but no delivery goes to `endpoint`: for events that report that
    /// endpoint's own failures, which would otherwise feed on themselves.
    pub fn event_skipping(
        &mut self,
        e: NewEvent,
        endpoint: Option<EndpointId>,
    ) -> Result<Event, StoreError> {
        self.sp.execute(
            "INSERT INTO events (ts, kind, program_id, job_id, message, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                e.ts,
                e.kind.as_str(),
                e.program_id,
                e.job_id,
                e.message,
                e.detail
            ],
        )?;
        let event = Event {
            id: self.sp.last_insert_rowid(),
            ts: e.ts,
            kind: e.kind,
            program_id: e.program_id,
            job_id: e.job_id,
            message: e.message,
            detail: e.detail,
        };
        self.rules.route(&self.sp, &event, endpoint)?;
        self.events.push(event.clone());
        Ok(event)
    }

    /// Says that rules or endpoints changed, so routing reloads them.
    pub fn routes_changed(&mut self) {
        self.rules.reset();
    }
}

/// A queued write: runs in a savepoint, says whether it succeeded, and returns what to do once
/// the enclosing transaction's fate (`committed`) is known.
type Work = Box<dyn FnOnce(&mut Tx<'_>) -> (bool, Completion) + Send>;
type Completion = Box<dyn FnOnce(bool) + Send>;

enum Command {
    Write(Work),
    Shutdown,
}

/// The only way to change the database. Cloning is cheap; all clones feed the same thread.
#[derive(Clone)]
pub struct Writer {
    tx: SyncSender<Command>,
    thread: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Writer {
    /// Runs `f` inside the writer's current transaction and returns its result once the
    /// transaction has committed (so the caller never sees a change that could still roll back).
    /// If `f` fails, everything it did (including its events) is rolled back and nothing else in
    /// the batch is affected.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply_tx, reply_rx) = oneshot::channel();
        let job: Work = Box::new(move |tx| {
            let result = f(tx);
            let ok = result.is_ok();
            let completion: Completion = Box::new(move |committed| {
                let out = match result {
                    Ok(_) if !committed => Err(StoreError::CommitFailed),
                    other => other,
                };
                let _ = reply_tx.send(out);
            });
            (ok, completion)
        });
        // Never block an async thread: the queue is almost never full, and when it is, the
        // wait for room happens on a blocking-pool thread while this task awaits it.
        match self.tx.try_send(Command::Write(job)) {
            Ok(()) => {}
            Err(TrySendError::Disconnected(_)) => return Err(StoreError::Closed),
            Err(TrySendError::Full(command)) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || tx.send(command))
                    .await
                    .map_err(|_| StoreError::Closed)?
                    .map_err(|_| StoreError::Closed)?;
            }
        }
        reply_rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Finishes every command already queued, then stops the thread and waits for it.
    /// Later writes fail with [`StoreError::Closed`].
    pub fn close(&self) {
        let _ = self.tx.send(Command::Shutdown);
        let handle = vigil_core::sync::lock(&self.thread).take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

pub(crate) fn spawn(
    conn: Connection,
    publish: PublishHook,
    routing: Routing,
) -> Result<Writer, StoreError> {
    let (tx, rx) = mpsc::sync_channel(QUEUE);
    let handle = std::thread::Builder::new()
        .name("vigil-store-writer".into())
        .spawn(move || run(conn, rx, publish, RuleCache::new(routing)))
        .map_err(StoreError::Thread)?;
    Ok(Writer {
        tx,
        thread: Arc::new(Mutex::new(Some(handle))),
    })
}

fn run(mut conn: Connection, rx: Receiver<Command>, publish: PublishHook, mut rules: RuleCache) {
    while let Ok(first) = rx.recv() {
        let mut batch = Vec::with_capacity(8);
        let mut shutdown = false;
        match first {
            Command::Write(job) => batch.push(job),
            Command::Shutdown => shutdown = true,
        }
        while !shutdown && batch.len() < BATCH {
            match rx.try_recv() {
                Ok(Command::Write(job)) => batch.push(job),
                Ok(Command::Shutdown) => shutdown = true,
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        if !batch.is_empty() {
            run_batch(&mut conn, batch, &publish, &mut rules);
        }
        if shutdown {
            break;
        }
    }
    tracing::debug!("store writer stopped");
}

fn run_batch(
    conn: &mut Connection,
    batch: Vec<Work>,
    publish: &PublishHook,
    rules: &mut RuleCache,
) {
    let mut completions: Vec<Completion> = Vec::with_capacity(batch.len());
    let mut events = Vec::new();
    let outcome = (|| -> Result<(), rusqlite::Error> {
        let mut txn = conn.transaction()?;
        for job in batch {
            let sp = txn.savepoint()?;
            let mut tx = Tx {
                sp,
                events: Vec::new(),
                rules: &mut *rules,
            };
            let (ok, completion) = job(&mut tx);
            completions.push(completion);
            let Tx {
                sp,
                events: mine,
                rules: mine_rules,
            } = tx;
            if ok {
                sp.commit()?;
                events.extend(mine);
            } else {
                // The savepoint rolls back when dropped here; rules it may have loaded or
                // changed inside it roll back too, so the cache must go.
                mine_rules.reset();
            }
        }
        txn.commit()
    })();
    let committed = outcome.is_ok();
    if !committed {
        rules.reset();
    }
    if let Err(e) = outcome {
        tracing::error!(error = %e, "a write batch failed to commit; its changes were rolled back");
    }
    if committed && !events.is_empty() {
        publish(&events);
    }
    for completion in completions {
        completion(committed);
    }
}
