//! Erasure and retention. Erasing a person anonymises their rows in place:
//! aggregate counts (requests, matches, meetings) stay right, and nothing
//! left can identify them.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};

use crate::entities::{contact_requests, meetings, outbox, proposals, referents, registrations};
use crate::states::{ProposalState, RequestStatus};
use crate::{Store, StoreError};

/// What replaces an erased name.
pub const ERASED: &str = "(effacé)";

/// What a retention run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    pub requests: usize,
    pub registrations: usize,
    pub messages: usize,
}

async fn erase_request_rows(
    db: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let request = contact_requests::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("contact request"))?;
    // The home, rounded to about a kilometre: enough for counts by sector.
    let round = |v: f64| (v * 100.0).round() / 100.0;
    let closed =
        if request.status == RequestStatus::Open || request.status == RequestStatus::Matched {
            RequestStatus::Withdrawn
        } else {
            request.status
        };
    contact_requests::Entity::update_many()
        .col_expr(contact_requests::Column::FirstName, Expr::value(ERASED))
        .col_expr(
            contact_requests::Column::Email,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            contact_requests::Column::Phone,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            contact_requests::Column::Concerns,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            contact_requests::Column::Lat,
            Expr::value(round(request.lat)),
        )
        .col_expr(
            contact_requests::Column::Lon,
            Expr::value(round(request.lon)),
        )
        .col_expr(contact_requests::Column::Status, Expr::value(closed))
        .col_expr(
            contact_requests::Column::LinkHash,
            Expr::value(format!("erased-request-{id}")),
        )
        .col_expr(contact_requests::Column::LinkExpiresAt, Expr::value(now))
        .filter(contact_requests::Column::Id.eq(id))
        .exec(db)
        .await?;
    proposals::Entity::update_many()
        .col_expr(
            proposals::Column::State,
            Expr::value(ProposalState::Withdrawn),
        )
        .filter(proposals::Column::RequestId.eq(id))
        .filter(proposals::Column::State.is_in([ProposalState::Proposed, ProposalState::Accepted]))
        .exec(db)
        .await?;
    Ok(())
}

impl Store {
    /// Anonymises a contact request; its live proposal ends.
    pub async fn erase_request(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        erase_request_rows(&txn, id, now).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Anonymises a referent; returns the requests whose pending proposal
    /// ended, to be matched again.
    pub async fn erase_referent(
        &self,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        let txn = self.db.begin().await?;
        referents::Entity::update_many()
            .col_expr(referents::Column::FirstName, Expr::value(ERASED))
            .col_expr(
                referents::Column::Email,
                Expr::value(format!("erased-{id}@invalid")),
            )
            .col_expr(
                referents::Column::Phone,
                Expr::value(Option::<String>::None),
            )
            .col_expr(referents::Column::Paused, Expr::value(true))
            .col_expr(
                referents::Column::LinkHash,
                Expr::value(format!("erased-referent-{id}")),
            )
            .col_expr(referents::Column::LinkExpiresAt, Expr::value(now))
            .filter(referents::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        crate::accounts::forget_referent(&txn, id).await?;
        let pending = proposals::Entity::find()
            .filter(proposals::Column::ReferentId.eq(id))
            .filter(proposals::Column::State.eq(ProposalState::Proposed))
            .all(&txn)
            .await?;
        proposals::Entity::update_many()
            .col_expr(
                proposals::Column::State,
                Expr::value(ProposalState::Withdrawn),
            )
            .filter(proposals::Column::ReferentId.eq(id))
            .filter(proposals::Column::State.eq(ProposalState::Proposed))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(pending.into_iter().map(|p| p.request_id).collect())
    }

    /// Anonymises a registration (cancel it first to free its place).
    pub async fn erase_registration(&self, id: i64) -> Result<(), StoreError> {
        erase_registration_row(&self.db, id).await
    }

    /// Anonymises what is older than `before` and no longer needed: closed
    /// contact requests, registrations of past meetings, and sent messages
    /// (deleted); ended sessions and sign-in links go at once. Safe to run as often as one likes.
    pub async fn apply_retention(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Retention, StoreError> {
        let txn = self.db.begin().await?;
        let old = contact_requests::Entity::find()
            .filter(
                contact_requests::Column::Status
                    .is_in([RequestStatus::Withdrawn, RequestStatus::Completed]),
            )
            .filter(contact_requests::Column::CreatedAt.lt(before))
            .filter(contact_requests::Column::FirstName.ne(ERASED))
            .all(&txn)
            .await?;
        for r in &old {
            erase_request_rows(&txn, r.id, now).await?;
        }
        let past: Vec<i64> = meetings::Entity::find()
            .filter(meetings::Column::EndsAt.lt(before))
            .all(&txn)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        let mut erased_registrations = 0;
        for chunk in past.chunks(500) {
            let rows = registrations::Entity::find()
                .filter(registrations::Column::MeetingId.is_in(chunk.to_vec()))
                .filter(registrations::Column::Name.ne(ERASED))
                .all(&txn)
                .await?;
            for r in rows {
                erase_registration_row(&txn, r.id).await?;
                erased_registrations += 1;
            }
        }
        let deleted = outbox::Entity::delete_many()
            .filter(outbox::Column::CreatedAt.lt(before))
            .filter(
                sea_orm::Condition::any()
                    .add(outbox::Column::SentAt.is_not_null())
                    .add(outbox::Column::FailedAt.is_not_null()),
            )
            .exec(&txn)
            .await?;
        crate::accounts::delete_ended(&txn, now).await?;
        txn.commit().await?;
        Ok(Retention {
            requests: old.len(),
            registrations: erased_registrations,
            messages: deleted.rows_affected as usize,
        })
    }
}

/// Anonymises one registration: no name, no address, and neither of its
/// private links (the registration's and the calendar feed's) opens it.
async fn erase_registration_row(db: &impl ConnectionTrait, id: i64) -> Result<(), StoreError> {
    registrations::Entity::update_many()
        .col_expr(registrations::Column::Name, Expr::value(ERASED))
        .col_expr(
            registrations::Column::Email,
            Expr::value(format!("erased-{id}@invalid")),
        )
        .col_expr(
            registrations::Column::LinkHash,
            Expr::value(format!("erased-registration-{id}")),
        )
        .col_expr(
            registrations::Column::FeedHash,
            Expr::value(Option::<String>::None),
        )
        .filter(registrations::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
