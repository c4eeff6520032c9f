use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use futures_util::stream::BoxStream;
use tokio::sync::{broadcast, watch};
use vigil_core::{ApiError, Event};

use crate::Engine;

/// Events read from the database per catch-up query.
const CATCH_UP_PAGE: u32 = 500;

/// A listener's view of the event log: the backlog after its cursor, then live events.
///
/// It holds a broadcast receiver, which never blocks the sender: when this listener falls
/// more than the live buffer behind, it is told it lagged and re-reads what it missed from the
/// database. So a stalled listener costs memory bounded by the buffer, never engine time.
pub struct EventStream {
    inner: BoxStream<'static, Result<Event, ApiError>>,
}

struct State {
    engine: Engine,
    live: broadcast::Receiver<Event>,
    shutdown: watch::Receiver<bool>,
    last: i64,
    backlog: VecDeque<Event>,
    catching_up: bool,
    failed: bool,
}

impl EventStream {
    pub(crate) fn new(
        engine: Engine,
        live: broadcast::Receiver<Event>,
        shutdown: watch::Receiver<bool>,
        since: i64,
    ) -> Self {
        let state = State {
            engine,
            live,
            shutdown,
            last: since.max(0),
            backlog: VecDeque::new(),
            catching_up: true,
            failed: false,
        };
        let inner = futures_util::stream::unfold(state, |mut s| async move {
            let item = s.next().await?;
            Some((item, s))
        });
        Self {
            inner: Box::pin(inner),
        }
    }
}

impl State {
    async fn next(&mut self) -> Option<Result<Event, ApiError>> {
        if self.failed {
            return None;
        }
        loop {
            if let Some(event) = self.backlog.pop_front() {
                if event.id > self.last {
                    self.last = event.id;
                    return Some(Ok(event));
                }
                continue;
            }
            if self.catching_up {
                let since = self.last;
                let page = self
                    .engine
                    .read(move |c| vigil_store::events_since(c, since, CATCH_UP_PAGE))
                    .await;
                match page {
                    Ok(page) if page.is_empty() => self.catching_up = false,
                    Ok(page) => self.backlog.extend(page),
                    Err(e) => {
                        self.failed = true;
                        return Some(Err(e));
                    }
                }
                continue;
            }
            if *self.shutdown.borrow() {
                return None;
            }
            tokio::select! {
                received = self.live.recv() => match received {
                    Ok(event) if event.id <= self.last => {}
                    Ok(event) if event.id == self.last + 1 => {
                        self.last = event.id;
                        return Some(Ok(event));
                    }
                    // A gap (or a lag) means the database has something we have not seen:
                    // read it from there, in order, before going live again.
                    Ok(_) => self.catching_up = true,
                    Err(broadcast::error::RecvError::Lagged(_)) => self.catching_up = true,
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = self.shutdown.changed() => {}
            }
        }
    }
}

impl Stream for EventStream {
    type Item = Result<Event, ApiError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}
