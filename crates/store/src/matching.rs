//! Referents, contact requests and proposals. Every state change runs in one
//! transaction that first locks the rows it depends on (referent, then
//! request), so that capacity and "one live proposal per request" hold under
//! concurrent calls, on SQLite and PostgreSQL alike.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set, SqlErr, Statement, TransactionTrait,
};

use passerelle_sectors::SectorKey;

use crate::entities::{contact_requests, proposals, referents};
use crate::states::{ProposalState, RequestStatus};
use crate::{Store, StoreError};

/// A referent to create.
#[derive(Clone, Debug)]
pub struct NewReferent {
    pub first_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub uai: String,
    pub child_grade: String,
    pub languages: Vec<String>,
    pub monthly_capacity: i32,
    pub weekday_evenings: bool,
    pub wednesday_afternoons: bool,
    pub weekends: bool,
    pub consent_version: String,
    pub link_hash: String,
    pub link_expires_at: DateTime<Utc>,
}

/// A contact request to create.
#[derive(Clone, Debug)]
pub struct NewRequest {
    pub first_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub sector_id: i64,
    pub sector_name: String,
    pub sector_uais: SectorKey,
    pub school_year: String,
    pub concern_uais: Vec<String>,
    pub child_grade: String,
    pub languages: Vec<String>,
    pub preferred_contact: String,
    pub concerns: Option<String>,
    pub consent_version: String,
    pub link_hash: String,
    pub link_expires_at: DateTime<Utc>,
}

/// A proposal to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewProposal {
    pub request_id: i64,
    pub referent_id: i64,
    pub cost: i64,
    /// The cost terms, as JSON.
    pub explanation: String,
}

/// What the matching engine needs to know, read in one transaction.
#[derive(Clone, Debug, Default)]
pub struct MatchingSnapshot {
    /// Open requests (no accepted proposal).
    pub requests: Vec<contact_requests::Model>,
    /// Per request, the referents it must not be proposed to again.
    pub excluded: HashMap<i64, Vec<i64>>,
    pub referents: Vec<referents::Model>,
    /// Per referent, the proposals that use this month's capacity, except
    /// the pending ones a batch may move.
    pub used: HashMap<i64, u32>,
    /// Per request, the referent of its pending proposal.
    pub pending: HashMap<i64, i64>,
}

/// What a batch changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub kept: usize,
    pub created: usize,
    pub superseded: usize,
}

pub(crate) async fn lock_row(
    txn: &DatabaseTransaction,
    table: &str,
    id: i64,
) -> Result<u64, StoreError> {
    let result = txn.execute_raw(locking(txn, table, id, "")).await?;
    Ok(result.rows_affected())
}

/// Locks row `id` of `E`'s table as `lock_row` does and reads it in the same
/// round trip; `None` if there is no such row.
pub(crate) async fn lock_and_read<E: EntityTrait>(
    txn: &DatabaseTransaction,
    id: i64,
) -> Result<Option<E::Model>, StoreError> {
    let statement = locking(txn, E::default().table_name(), id, " RETURNING *");
    Ok(E::find().from_raw_sql(statement).one(txn).await?)
}

fn locking(txn: &DatabaseTransaction, table: &str, id: i64, tail: &str) -> Statement {
    let backend = txn.get_database_backend();
    // PostgreSQL locks the row; SQLite takes the database write lock at the
    // first write, so a no-op update makes the transaction a writer before
    // it reads anything.
    let sql = match backend {
        DbBackend::Postgres => format!("UPDATE {table} SET id = id WHERE id = $1{tail}"),
        _ => format!("UPDATE {table} SET id = id WHERE id = ?{tail}"),
    };
    Statement::from_sql_and_values(backend, sql, [id.into()])
}

async fn used_this_month(
    txn: &DatabaseTransaction,
    referent_id: i64,
    month_start: DateTime<Utc>,
) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(proposals::Entity::find()
        .filter(proposals::Column::ReferentId.eq(referent_id))
        .filter(proposals::Column::State.is_in(ProposalState::COUNTED))
        .filter(proposals::Column::CreatedAt.gte(month_start))
        .count(txn)
        .await?)
}

/// Each proposal with the row `other` finds for it, in order.
fn pair<T>(
    rows: Vec<proposals::Model>,
    other: impl Fn(&proposals::Model) -> Option<T>,
) -> Vec<(proposals::Model, T)> {
    rows.into_iter()
        .filter_map(|p| other(&p).map(|o| (p, o)))
        .collect()
}

fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

impl Store {
    /// Creates a referent.
    pub async fn insert_referent(&self, new: NewReferent) -> Result<referents::Model, StoreError> {
        let now = Utc::now();
        Ok(referents::ActiveModel {
            first_name: Set(new.first_name),
            email: Set(new.email),
            phone: Set(new.phone),
            uai: Set(new.uai),
            child_grade: Set(new.child_grade),
            languages: Set(new.languages.into()),
            monthly_capacity: Set(new.monthly_capacity),
            weekday_evenings: Set(new.weekday_evenings),
            wednesday_afternoons: Set(new.wednesday_afternoons),
            weekends: Set(new.weekends),
            paused: Set(false),
            consent_at: Set(now),
            consent_version: Set(new.consent_version),
            link_hash: Set(new.link_hash),
            link_expires_at: Set(new.link_expires_at),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await?)
    }

    /// The referent whose capability link hashes to `link_hash`, unless expired.
    pub async fn referent_by_link(
        &self,
        link_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<referents::Model>, StoreError> {
        Ok(referents::Entity::find()
            .filter(referents::Column::LinkHash.eq(link_hash))
            .filter(referents::Column::LinkExpiresAt.gt(now))
            .one(&self.db)
            .await?)
    }

    /// Changes a referent's capacity and pause switch.
    pub async fn update_referent(
        &self,
        id: i64,
        monthly_capacity: Option<i32>,
        paused: Option<bool>,
    ) -> Result<referents::Model, StoreError> {
        let referent = referents::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("referent"))?;
        let mut active = referent.into_active_model();
        if let Some(capacity) = monthly_capacity {
            active.monthly_capacity = Set(capacity);
        }
        if let Some(paused) = paused {
            active.paused = Set(paused);
        }
        Ok(active.update(&self.db).await?)
    }

    /// Every referent, by id.
    pub async fn referent(&self, id: i64) -> Result<Option<referents::Model>, StoreError> {
        Ok(referents::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Every referent.
    pub async fn referents(&self) -> Result<Vec<referents::Model>, StoreError> {
        Ok(referents::Entity::find()
            .order_by_asc(referents::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Creates a contact request.
    pub async fn insert_request(
        &self,
        new: NewRequest,
    ) -> Result<contact_requests::Model, StoreError> {
        let now = Utc::now();
        Ok(contact_requests::ActiveModel {
            first_name: Set(new.first_name),
            email: Set(new.email),
            phone: Set(new.phone),
            lat: Set(new.lat),
            lon: Set(new.lon),
            sector_id: Set(new.sector_id),
            sector_name: Set(new.sector_name),
            sector_uais: Set(new.sector_uais),
            school_year: Set(new.school_year),
            concern_uais: Set(new.concern_uais.into()),
            child_grade: Set(new.child_grade),
            languages: Set(new.languages.into()),
            preferred_contact: Set(new.preferred_contact),
            concerns: Set(new.concerns),
            consent_at: Set(now),
            consent_version: Set(new.consent_version),
            status: Set(RequestStatus::Open),
            link_hash: Set(new.link_hash),
            link_expires_at: Set(new.link_expires_at),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await?)
    }

    /// The request whose status link hashes to `link_hash`, unless expired.
    pub async fn request_by_link(
        &self,
        link_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<contact_requests::Model>, StoreError> {
        Ok(contact_requests::Entity::find()
            .filter(contact_requests::Column::LinkHash.eq(link_hash))
            .filter(contact_requests::Column::LinkExpiresAt.gt(now))
            .one(&self.db)
            .await?)
    }

    /// One contact request.
    pub async fn request(&self, id: i64) -> Result<Option<contact_requests::Model>, StoreError> {
        Ok(contact_requests::Entity::find_by_id(id)
            .one(&self.db)
            .await?)
    }

    /// Every contact request, by id.
    pub async fn requests(&self) -> Result<Vec<contact_requests::Model>, StoreError> {
        Ok(contact_requests::Entity::find()
            .order_by_asc(contact_requests::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Every proposal, by id.
    pub async fn proposals(&self) -> Result<Vec<proposals::Model>, StoreError> {
        Ok(proposals::Entity::find()
            .order_by_asc(proposals::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// A referent's proposals with their requests, newest first.
    pub async fn proposals_of_referent(
        &self,
        referent_id: i64,
    ) -> Result<Vec<(proposals::Model, contact_requests::Model)>, StoreError> {
        let rows = self
            .proposals_where(proposals::Column::ReferentId.eq(referent_id))
            .await?;
        let ids: Vec<i64> = rows.iter().map(|p| p.request_id).collect();
        let others: HashMap<i64, contact_requests::Model> = contact_requests::Entity::find()
            .filter(contact_requests::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        Ok(pair(rows, |p| others.get(&p.request_id).cloned()))
    }

    /// A request's proposals with their referents, newest first.
    pub async fn proposals_of_request(
        &self,
        request_id: i64,
    ) -> Result<Vec<(proposals::Model, referents::Model)>, StoreError> {
        let rows = self
            .proposals_where(proposals::Column::RequestId.eq(request_id))
            .await?;
        let ids: Vec<i64> = rows.iter().map(|p| p.referent_id).collect();
        let others: HashMap<i64, referents::Model> = referents::Entity::find()
            .filter(referents::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        Ok(pair(rows, |p| others.get(&p.referent_id).cloned()))
    }

    async fn proposals_where(
        &self,
        condition: sea_orm::sea_query::SimpleExpr,
    ) -> Result<Vec<proposals::Model>, StoreError> {
        Ok(proposals::Entity::find()
            .filter(condition)
            .order_by_desc(proposals::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// What the engine needs, for the requests of `sector_uais` (all sectors
    /// when `None`), read in one transaction.
    pub async fn matching_snapshot(
        &self,
        sector_uais: Option<&SectorKey>,
        month_start: DateTime<Utc>,
    ) -> Result<MatchingSnapshot, StoreError> {
        let txn = self.db.begin().await?;
        let snapshot = read_snapshot(&txn, sector_uais, month_start).await?;
        txn.commit().await?;
        Ok(snapshot)
    }

    /// Creates a proposal if the referent still has capacity this month, is
    /// not paused, and the request is open with no live proposal. Returns
    /// `None` when one of those no longer holds (a concurrent call won).
    pub async fn propose(
        &self,
        new: &NewProposal,
        month_start: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<Option<proposals::Model>, StoreError> {
        let txn = self.db.begin().await?;
        if lock_row(&txn, "referents", new.referent_id).await? == 0 {
            return Err(StoreError::NotFound("referent"));
        }
        lock_row(&txn, "contact_requests", new.request_id).await?;
        let referent = referents::Entity::find_by_id(new.referent_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("referent"))?;
        let request = contact_requests::Entity::find_by_id(new.request_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("contact request"))?;
        let used = used_this_month(&txn, referent.id, month_start).await?;
        if referent.paused
            || used >= referent.monthly_capacity.max(0) as u64
            || request.status != RequestStatus::Open
        {
            return Ok(None);
        }
        let inserted = insert_proposal(&txn, new, Utc::now(), expires_at).await;
        match inserted {
            Ok(model) => {
                txn.commit().await?;
                Ok(Some(model))
            }
            Err(StoreError::Db(e)) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The referent accepts or declines a pending proposal of theirs.
    pub async fn respond(
        &self,
        proposal_id: i64,
        referent_id: i64,
        accept: bool,
        now: DateTime<Utc>,
    ) -> Result<proposals::Model, StoreError> {
        let txn = self.db.begin().await?;
        lock_row(&txn, "referents", referent_id).await?;
        let proposal = proposals::Entity::find_by_id(proposal_id)
            .one(&txn)
            .await?
            .filter(|p| p.referent_id == referent_id)
            .ok_or(StoreError::NotFound("proposal"))?;
        lock_row(&txn, "contact_requests", proposal.request_id).await?;
        // Re-read under the locks: a concurrent call may have answered.
        let proposal = proposals::Entity::find_by_id(proposal_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("proposal"))?;
        if proposal.state != ProposalState::Proposed {
            return Err(StoreError::WrongState(proposal.state.to_string()));
        }
        if proposal.expires_at <= now {
            return Err(StoreError::WrongState(ProposalState::Expired.to_string()));
        }
        let request_id = proposal.request_id;
        let mut active = proposal.into_active_model();
        active.state = Set(if accept {
            ProposalState::Accepted
        } else {
            ProposalState::Declined
        }
        .to_owned());
        active.responded_at = Set(Some(now));
        let updated = active.update(&txn).await?;
        if accept {
            set_request_status(&txn, request_id, RequestStatus::Matched).await?;
        }
        txn.commit().await?;
        Ok(updated)
    }

    /// Marks the pending proposals past their deadline as expired; returns
    /// the requests concerned, to be matched again.
    pub async fn expire_due(&self, now: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
        let txn = self.db.begin().await?;
        let due = proposals::Entity::find()
            .filter(proposals::Column::State.eq(ProposalState::Proposed))
            .filter(proposals::Column::ExpiresAt.lte(now))
            .all(&txn)
            .await?;
        let requests: Vec<i64> = due.iter().map(|p| p.request_id).collect();
        if !due.is_empty() {
            proposals::Entity::update_many()
                .col_expr(
                    proposals::Column::State,
                    sea_orm::sea_query::Expr::value(ProposalState::Expired),
                )
                .filter(proposals::Column::Id.is_in(due.iter().map(|p| p.id)))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(requests)
    }

    /// The family withdraws its request; a live proposal ends with it.
    pub async fn withdraw_request(
        &self,
        request_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        lock_row(&txn, "contact_requests", request_id).await?;
        let request = contact_requests::Entity::find_by_id(request_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("contact request"))?;
        if request.status == RequestStatus::Withdrawn || request.status == RequestStatus::Completed
        {
            return Err(StoreError::WrongState(request.status.to_string()));
        }
        proposals::Entity::update_many()
            .col_expr(
                proposals::Column::State,
                sea_orm::sea_query::Expr::value(ProposalState::Withdrawn),
            )
            .col_expr(
                proposals::Column::RespondedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(proposals::Column::RequestId.eq(request_id))
            .filter(
                proposals::Column::State.is_in([ProposalState::Proposed, ProposalState::Accepted]),
            )
            .exec(&txn)
            .await?;
        set_request_status(&txn, request_id, RequestStatus::Withdrawn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Records the family's feedback on an accepted proposal and closes it.
    pub async fn complete_request(
        &self,
        request_id: i64,
        met: bool,
        usefulness: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        lock_row(&txn, "contact_requests", request_id).await?;
        let accepted = proposals::Entity::find()
            .filter(proposals::Column::RequestId.eq(request_id))
            .filter(proposals::Column::State.eq(ProposalState::Accepted))
            .one(&txn)
            .await?
            .ok_or(StoreError::WrongState("no accepted proposal".to_owned()))?;
        let mut active = accepted.into_active_model();
        active.state = Set(ProposalState::Completed);
        active.feedback_met = Set(Some(met));
        active.feedback_usefulness = Set(usefulness);
        active.completed_at = Set(Some(now));
        active.update(&txn).await?;
        set_request_status(&txn, request_id, RequestStatus::Completed).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Re-optimises every pending proposal in one transaction: `solve`
    /// receives the snapshot and returns the proposals it wants. Accepted
    /// proposals are never touched. Only one batch runs at a time, across
    /// processes: on PostgreSQL a second one gets `BatchRunning`.
    pub async fn run_batch<F, Fut>(
        &self,
        month_start: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        solve: F,
    ) -> Result<BatchOutcome, StoreError>
    where
        F: FnOnce(MatchingSnapshot) -> Fut,
        Fut: std::future::Future<Output = Vec<NewProposal>>,
    {
        let txn = self.db.begin().await?;
        take_batch_lock(&txn).await?;
        let snapshot = read_snapshot(&txn, None, month_start).await?;
        let pending = snapshot.pending.clone();
        let wanted = solve(snapshot).await;
        let now = Utc::now();
        let mut outcome = BatchOutcome::default();
        let wanted_by_request: HashMap<i64, &NewProposal> =
            wanted.iter().map(|p| (p.request_id, p)).collect();
        // Supersede the pending proposals the batch moves or drops first, so
        // that the one-live-proposal index admits the new ones.
        for (request_id, referent_id) in &pending {
            match wanted_by_request.get(request_id) {
                Some(p) if p.referent_id == *referent_id => outcome.kept += 1,
                _ => {
                    proposals::Entity::update_many()
                        .col_expr(
                            proposals::Column::State,
                            sea_orm::sea_query::Expr::value(ProposalState::Superseded),
                        )
                        .filter(proposals::Column::RequestId.eq(*request_id))
                        .filter(proposals::Column::State.eq(ProposalState::Proposed))
                        .exec(&txn)
                        .await?;
                    outcome.superseded += 1;
                }
            }
        }
        for p in &wanted {
            if pending.get(&p.request_id) == Some(&p.referent_id) {
                continue;
            }
            insert_proposal(&txn, p, now, expires_at)
                .await
                .map_err(|e| match &e {
                    // An instant proposal landed after the snapshot was read.
                    StoreError::Db(db)
                        if matches!(db.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
                    {
                        StoreError::SnapshotStale
                    }
                    _ => e,
                })?;
            outcome.created += 1;
        }
        txn.commit().await?;
        Ok(outcome)
    }
}

async fn take_batch_lock(txn: &DatabaseTransaction) -> Result<(), StoreError> {
    let backend = txn.get_database_backend();
    match backend {
        DbBackend::Postgres => {
            // A transaction-scoped advisory lock: released at commit or
            // rollback, whichever connection of the pool ran it.
            let row = txn
                .query_one_raw(Statement::from_string(
                    backend,
                    "SELECT pg_try_advisory_xact_lock(7362837001) AS locked",
                ))
                .await?
                .ok_or(StoreError::BatchRunning)?;
            let locked: bool = row.try_get("", "locked")?;
            if !locked {
                return Err(StoreError::BatchRunning);
            }
        }
        _ => {
            // SQLite: becoming a writer serialises batches across processes.
            txn.execute_raw(Statement::from_string(
                backend,
                "UPDATE data_versions SET version = version WHERE 0",
            ))
            .await?;
        }
    }
    Ok(())
}

async fn insert_proposal(
    txn: &DatabaseTransaction,
    new: &NewProposal,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<proposals::Model, StoreError> {
    Ok(proposals::ActiveModel {
        request_id: Set(new.request_id),
        referent_id: Set(new.referent_id),
        state: Set(ProposalState::Proposed),
        cost: Set(new.cost),
        explanation: Set(new.explanation.clone()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

async fn set_request_status(
    txn: &DatabaseTransaction,
    request_id: i64,
    new_status: RequestStatus,
) -> Result<(), StoreError> {
    contact_requests::Entity::update_many()
        .col_expr(
            contact_requests::Column::Status,
            sea_orm::sea_query::Expr::value(new_status),
        )
        .filter(contact_requests::Column::Id.eq(request_id))
        .exec(txn)
        .await?;
    Ok(())
}

async fn read_snapshot(
    txn: &DatabaseTransaction,
    sector_uais: Option<&SectorKey>,
    month_start: DateTime<Utc>,
) -> Result<MatchingSnapshot, StoreError> {
    let mut query = contact_requests::Entity::find()
        .filter(contact_requests::Column::Status.eq(RequestStatus::Open));
    if let Some(uais) = sector_uais {
        query = query.filter(contact_requests::Column::SectorUais.eq(uais.clone()));
    }
    let requests = query
        .order_by_asc(contact_requests::Column::Id)
        .all(txn)
        .await?;
    let referents = referents::Entity::find()
        .order_by_asc(referents::Column::Id)
        .all(txn)
        .await?;
    let mut snapshot = MatchingSnapshot {
        requests,
        referents,
        ..Default::default()
    };
    let open: std::collections::HashSet<i64> = snapshot.requests.iter().map(|r| r.id).collect();
    for p in proposals::Entity::find().all(txn).await? {
        match p.state {
            ProposalState::Declined | ProposalState::Expired if open.contains(&p.request_id) => {
                snapshot
                    .excluded
                    .entry(p.request_id)
                    .or_default()
                    .push(p.referent_id);
            }
            ProposalState::Proposed if open.contains(&p.request_id) => {
                snapshot.pending.insert(p.request_id, p.referent_id);
            }
            ProposalState::Accepted | ProposalState::Completed if p.created_at >= month_start => {
                *snapshot.used.entry(p.referent_id).or_default() += 1;
            }
            _ => {}
        }
    }
    Ok(snapshot)
}
