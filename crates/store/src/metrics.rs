//! Counts read when `/metrics` is scraped: cheap `COUNT(*)` queries that
//! return numbers only, never a row, so no personal data leaves here.
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::entities::{contact_requests, outbox, proposals};
use crate::states::{ProposalState, RequestStatus};
use crate::{Store, StoreError};

/// The outbox in numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Messages still to send (waiting, being retried or claimed).
    pub pending: u64,
    /// Messages given up after their last try.
    pub failed: u64,
}

impl Store {
    /// How many messages wait in the outbox, and how many were given up.
    pub async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        let pending = outbox::Entity::find()
            .filter(outbox::Column::SentAt.is_null())
            .filter(outbox::Column::FailedAt.is_null())
            .count(&self.db)
            .await?;
        let failed = outbox::Entity::find()
            .filter(outbox::Column::FailedAt.is_not_null())
            .count(&self.db)
            .await?;
        Ok(OutboxCounts { pending, failed })
    }

    /// Open contact requests with no live (pending or accepted) proposal:
    /// families waiting for a referent.
    pub async fn unmatched_request_count(&self) -> Result<u64, StoreError> {
        let live = Query::select()
            .expr(Expr::val(1))
            .from(proposals::Entity)
            .and_where(
                Expr::col((proposals::Entity, proposals::Column::RequestId))
                    .equals((contact_requests::Entity, contact_requests::Column::Id)),
            )
            .and_where(
                Expr::col((proposals::Entity, proposals::Column::State))
                    .is_in([ProposalState::Proposed, ProposalState::Accepted]),
            )
            .to_owned();
        Ok(contact_requests::Entity::find()
            .filter(contact_requests::Column::Status.eq(RequestStatus::Open))
            .filter(Expr::exists(live).not())
            .count(&self.db)
            .await?)
    }
}
