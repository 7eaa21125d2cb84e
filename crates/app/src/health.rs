//! What operators watch: whether the database answers, and the backlogs
//! (mail not sent yet, families waiting for a referent).
use crate::error::Error;
use crate::state::AppState;

/// The backlogs counted in the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backlog {
    /// Messages still to send (waiting, being retried or claimed).
    pub outbox_pending: u64,
    /// Messages given up after their last try.
    pub outbox_failed: u64,
    /// Open contact requests with no pending or accepted proposal.
    pub unmatched_requests: u64,
}

/// Ok when the database answers; [`Error::Unavailable`] otherwise.
pub async fn ping(state: &AppState) -> Result<(), Error> {
    state.store.ping().await.map_err(|_| Error::Unavailable)
}

/// The backlogs, counted now.
pub async fn backlog(state: &AppState) -> Result<Backlog, Error> {
    let outbox = state.store.outbox_counts().await?;
    let unmatched_requests = state.store.unmatched_request_count().await?;
    Ok(Backlog {
        outbox_pending: outbox.pending,
        outbox_failed: outbox.failed,
        unmatched_requests,
    })
}
