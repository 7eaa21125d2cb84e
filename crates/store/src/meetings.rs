//! Meetings, registrations, the outbox and school holidays. A registration
//! locks its meeting first, so that capacity holds under concurrent calls;
//! each state change queues its messages in the same transaction.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use passerelle_sectors::SectorKey;

use crate::entities::{meeting_sectors, meetings, outbox, registrations, school_holidays};
use crate::{Store, StoreError};

use crate::states::{MeetingStatus, RegistrationStatus};

/// A meeting to create.
#[derive(Clone, Debug)]
pub struct NewMeeting {
    pub title: String,
    pub description: String,
    pub venue_name: Option<String>,
    pub venue_address: Option<String>,
    pub venue_lat: Option<f64>,
    pub venue_lon: Option<f64>,
    pub online_url: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub capacity: i32,
    pub registration_deadline: DateTime<Utc>,
    /// (sector key, sector name)
    pub sectors: Vec<(SectorKey, String)>,
}

/// New values of a meeting; `None` keeps the current one.
#[derive(Clone, Debug)]
pub struct MeetingChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    /// (name, address, lat, lon)
    pub venue: Option<(String, String, Option<f64>, Option<f64>)>,
    pub online_url: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_deadline: DateTime<Utc>,
    pub capacity: i32,
}

/// A message to queue.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub kind: String,
    /// The same key is never queued twice.
    pub dedupe_key: String,
    pub recipient_email: String,
    pub recipient_name: Option<String>,
    pub subject: String,
    /// The text part.
    pub body: String,
    /// The HTML part: the same words, links as links.
    pub html_body: Option<String>,
    pub ics: Option<String>,
    pub ics_method: Option<String>,
    pub meeting_id: Option<i64>,
}

/// A meeting with its sectors, and the time zone its local times are in.
#[derive(Clone, Debug)]
pub struct MeetingRecord {
    pub meeting: meetings::Model,
    pub sectors: Vec<meeting_sectors::Model>,
    /// `meeting.time_zone`, parsed.
    pub zone: chrono_tz::Tz,
}

impl MeetingRecord {
    /// A meeting whose stored time zone is not an IANA name is refused
    /// loudly: showing its times in another zone would show wrong times.
    fn new(
        meeting: meetings::Model,
        sectors: Vec<meeting_sectors::Model>,
    ) -> Result<Self, StoreError> {
        let zone = meeting.time_zone.parse().map_err(|_| {
            StoreError::Corrupt(format!(
                "meeting {} has the unknown time zone `{}`",
                meeting.id, meeting.time_zone
            ))
        })?;
        Ok(Self {
            meeting,
            sectors,
            zone,
        })
    }
}

/// What a registration call did.
#[derive(Clone, Debug)]
pub struct RegistrationOutcome {
    pub registration: registrations::Model,
    pub meeting: MeetingRecord,
}

/// A registration to record.
#[derive(Clone, Copy, Debug)]
pub struct NewRegistration<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub guests: i32,
    /// Hash of the secret of the registration's own links.
    pub link_hash: &'a str,
    /// Hash of the secret of the feed of every meeting of the e-mail.
    pub feed_hash: &'a str,
}

/// A registration call that was not refused.
#[derive(Clone, Debug)]
pub enum Registered {
    /// A new registration.
    New(RegistrationOutcome),
    /// The e-mail already held a place or a rank: nothing was added or
    /// changed (the call's hashes are not stored; the existing links keep
    /// working). `would_be` is the status a new registration would have
    /// had, so that an answer can be the same in both cases.
    Again {
        outcome: RegistrationOutcome,
        would_be: RegistrationStatus,
    },
}

impl Registered {
    /// The registration and its meeting.
    pub fn outcome(&self) -> &RegistrationOutcome {
        match self {
            Registered::New(outcome) | Registered::Again { outcome, .. } => outcome,
        }
    }

    /// The status to tell the caller: the new registration's, or the one a
    /// new registration would have had.
    pub fn status(&self) -> RegistrationStatus {
        match self {
            Registered::New(outcome) => outcome.registration.status,
            Registered::Again { would_be, .. } => *would_be,
        }
    }
}

/// Why a registration was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    Cancelled,
    DeadlinePassed,
    TooManyGuests,
}

/// People a confirmed registration brings: one person and their guests.
fn people(guests: i32) -> i64 {
    1 + i64::from(guests.max(0))
}

/// One mailbox, as the per-e-mail rate limit and accounts see it: case does
/// not matter.
fn same_mailbox(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

pub(crate) async fn queue(
    txn: &DatabaseTransaction,
    messages: Vec<NewMessage>,
) -> Result<(), StoreError> {
    let now = Utc::now();
    for chunk in messages.chunks(200) {
        let models = chunk.iter().map(|m| outbox::ActiveModel {
            kind: Set(m.kind.clone()),
            dedupe_key: Set(m.dedupe_key.clone()),
            recipient_email: Set(m.recipient_email.clone()),
            recipient_name: Set(m.recipient_name.clone()),
            subject: Set(m.subject.clone()),
            body: Set(m.body.clone()),
            html_body: Set(m.html_body.clone()),
            ics: Set(m.ics.clone()),
            ics_method: Set(m.ics_method.clone()),
            meeting_id: Set(m.meeting_id),
            created_at: Set(now),
            sent_at: Set(None),
            attempts: Set(0),
            last_error: Set(None),
            next_attempt_at: Set(now),
            locked_until: Set(None),
            failed_at: Set(None),
            ..Default::default()
        });
        outbox::Entity::insert_many(models)
            .on_conflict(
                OnConflict::column(outbox::Column::DedupeKey)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

async fn record(db: &impl ConnectionTrait, id: i64) -> Result<MeetingRecord, StoreError> {
    let meeting = meetings::Entity::find_by_id(id).one(db).await?;
    with_sectors(db, meeting).await
}

/// Locks a meeting for the transaction (see `matching::lock_row`) and reads
/// it with the same statement.
async fn locked_record(txn: &DatabaseTransaction, id: i64) -> Result<MeetingRecord, StoreError> {
    let meeting = crate::matching::lock_and_read::<meetings::Entity>(txn, id).await?;
    with_sectors(txn, meeting).await
}

async fn with_sectors(
    db: &impl ConnectionTrait,
    meeting: Option<meetings::Model>,
) -> Result<MeetingRecord, StoreError> {
    let meeting = meeting.ok_or(StoreError::NotFound("meeting"))?;
    let sectors = meeting_sectors::Entity::find()
        .filter(meeting_sectors::Column::MeetingId.eq(meeting.id))
        .all(db)
        .await?;
    MeetingRecord::new(meeting, sectors)
}

async fn live_registrations(
    db: &impl ConnectionTrait,
    meeting_id: i64,
) -> Result<Vec<registrations::Model>, StoreError> {
    Ok(registrations::Entity::find()
        .filter(registrations::Column::MeetingId.eq(meeting_id))
        .filter(registrations::Column::Status.ne(RegistrationStatus::Cancelled))
        .order_by_asc(registrations::Column::Id)
        .all(db)
        .await?)
}

/// Status, accompanying people and e-mail of each live registration: all
/// that a new one is checked against, without decoding the other columns of
/// a list that grows with the waitlist.
async fn live_places(
    txn: &DatabaseTransaction,
    meeting_id: i64,
) -> Result<Vec<(RegistrationStatus, i32, String)>, StoreError> {
    Ok(registrations::Entity::find()
        .select_only()
        .columns([
            registrations::Column::Status,
            registrations::Column::Guests,
            registrations::Column::Email,
        ])
        .filter(registrations::Column::MeetingId.eq(meeting_id))
        .filter(registrations::Column::Status.ne(RegistrationStatus::Cancelled))
        .into_tuple()
        .all(txn)
        .await?)
}

/// Confirms waitlisted people in order while the first one fits.
async fn promote(
    txn: &DatabaseTransaction,
    meeting: &meetings::Model,
) -> Result<Vec<registrations::Model>, StoreError> {
    let live = live_registrations(txn, meeting.id).await?;
    let mut taken: i64 = live
        .iter()
        .filter(|r| r.status == RegistrationStatus::Confirmed)
        .map(|r| people(r.guests))
        .sum();
    let mut promoted = Vec::new();
    for r in live
        .into_iter()
        .filter(|r| r.status == RegistrationStatus::Waitlisted)
    {
        if taken + people(r.guests) > i64::from(meeting.capacity) {
            break;
        }
        taken += people(r.guests);
        let mut active = r.into_active_model();
        active.status = Set(RegistrationStatus::Confirmed);
        promoted.push(active.update(txn).await?);
    }
    Ok(promoted)
}

impl Store {
    /// Creates a meeting and queues the messages `messages` makes for it.
    pub async fn create_meeting(
        &self,
        new: NewMeeting,
        messages: impl FnOnce(&MeetingRecord) -> Vec<NewMessage>,
    ) -> Result<MeetingRecord, StoreError> {
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let meeting = meetings::ActiveModel {
            title: Set(new.title),
            description: Set(new.description),
            venue_name: Set(new.venue_name),
            venue_address: Set(new.venue_address),
            venue_lat: Set(new.venue_lat),
            venue_lon: Set(new.venue_lon),
            online_url: Set(new.online_url),
            starts_at: Set(new.starts_at),
            ends_at: Set(new.ends_at),
            time_zone: Set(new.time_zone),
            capacity: Set(new.capacity),
            registration_deadline: Set(new.registration_deadline),
            status: Set(MeetingStatus::Scheduled),
            sequence: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for (key, name) in new.sectors {
            meeting_sectors::ActiveModel {
                meeting_id: Set(meeting.id),
                sector_key: Set(key),
                sector_name: Set(name),
            }
            .insert(&txn)
            .await?;
        }
        let created = record(&txn, meeting.id).await?;
        queue(&txn, messages(&created)).await?;
        txn.commit().await?;
        Ok(created)
    }

    /// One meeting with its sectors.
    pub async fn meeting(&self, id: i64) -> Result<Option<MeetingRecord>, StoreError> {
        match record(&self.db, id).await {
            Ok(r) => Ok(Some(r)),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Meetings by start, optionally of one sector and within `[from, to)`.
    pub async fn meetings(
        &self,
        sector_key: Option<&SectorKey>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<MeetingRecord>, StoreError> {
        let mut query = meetings::Entity::find();
        if let Some(from) = from {
            query = query.filter(meetings::Column::EndsAt.gt(from));
        }
        if let Some(to) = to {
            query = query.filter(meetings::Column::StartsAt.lt(to));
        }
        if let Some(key) = sector_key {
            let ids: Vec<i64> = meeting_sectors::Entity::find()
                .filter(meeting_sectors::Column::SectorKey.eq(key.clone()))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|s| s.meeting_id)
                .collect();
            query = query.filter(meetings::Column::Id.is_in(ids));
        }
        let rows = query
            .order_by_asc(meetings::Column::StartsAt)
            .order_by_asc(meetings::Column::Id)
            .all(&self.db)
            .await?;
        let mut sectors: std::collections::HashMap<i64, Vec<meeting_sectors::Model>> =
            std::collections::HashMap::new();
        let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
        for chunk in ids.chunks(500) {
            for s in meeting_sectors::Entity::find()
                .filter(meeting_sectors::Column::MeetingId.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?
            {
                sectors.entry(s.meeting_id).or_default().push(s);
            }
        }
        rows.into_iter()
            .map(|meeting| {
                let own = sectors.remove(&meeting.id).unwrap_or_default();
                MeetingRecord::new(meeting, own)
            })
            .collect()
    }

    /// Applies `changes` to a scheduled meeting, bumps its SEQUENCE, promotes
    /// from the waitlist if capacity grew, and queues `messages` for the
    /// live registrations.
    pub async fn update_meeting(
        &self,
        id: i64,
        changes: MeetingChanges,
        messages: impl FnOnce(
            &MeetingRecord,
            &[registrations::Model],
            &[registrations::Model],
        ) -> Vec<NewMessage>,
    ) -> Result<MeetingRecord, StoreError> {
        let txn = self.db.begin().await?;
        let MeetingRecord {
            meeting, sectors, ..
        } = locked_record(&txn, id).await?;
        if meeting.status == MeetingStatus::Cancelled {
            return Err(StoreError::WrongState(MeetingStatus::Cancelled.to_string()));
        }
        let sequence = meeting.sequence;
        let mut active = meeting.into_active_model();
        if let Some(title) = changes.title {
            active.title = Set(title);
        }
        if let Some(description) = changes.description {
            active.description = Set(description);
        }
        if let Some((name, address, lat, lon)) = changes.venue {
            active.venue_name = Set(Some(name));
            active.venue_address = Set(Some(address));
            active.venue_lat = Set(lat);
            active.venue_lon = Set(lon);
        }
        if let Some(url) = changes.online_url {
            active.online_url = Set(Some(url));
        }
        active.starts_at = Set(changes.starts_at);
        active.ends_at = Set(changes.ends_at);
        active.registration_deadline = Set(changes.registration_deadline);
        active.capacity = Set(changes.capacity);
        active.sequence = Set(sequence + 1);
        active.updated_at = Set(Utc::now());
        let meeting = active.update(&txn).await?;
        let promoted = promote(&txn, &meeting).await?;
        let updated = MeetingRecord::new(meeting, sectors)?;
        let live = live_registrations(&txn, id).await?;
        queue(&txn, messages(&updated, &live, &promoted)).await?;
        txn.commit().await?;
        Ok(updated)
    }

    /// Cancels a meeting, bumps its SEQUENCE and queues `messages` for the
    /// people who were registered.
    pub async fn cancel_meeting(
        &self,
        id: i64,
        messages: impl FnOnce(&MeetingRecord, &[registrations::Model]) -> Vec<NewMessage>,
    ) -> Result<MeetingRecord, StoreError> {
        let txn = self.db.begin().await?;
        let MeetingRecord {
            meeting, sectors, ..
        } = locked_record(&txn, id).await?;
        if meeting.status == MeetingStatus::Cancelled {
            return Err(StoreError::WrongState(MeetingStatus::Cancelled.to_string()));
        }
        let sequence = meeting.sequence;
        let mut active = meeting.into_active_model();
        active.status = Set(MeetingStatus::Cancelled);
        active.sequence = Set(sequence + 1);
        active.updated_at = Set(Utc::now());
        let cancelled = MeetingRecord::new(active.update(&txn).await?, sectors)?;
        let live = live_registrations(&txn, id).await?;
        queue(&txn, messages(&cancelled, &live)).await?;
        txn.commit().await?;
        Ok(cancelled)
    }

    /// Registers someone: confirmed while the meeting has room, waitlisted
    /// after; an e-mail already registered is left as it is (see
    /// [`Registered::Again`]). `Ok(Err(refusal))` says why a registration is
    /// not possible.
    pub async fn register(
        &self,
        meeting_id: i64,
        new: NewRegistration<'_>,
        now: DateTime<Utc>,
        messages: impl FnOnce(&Registered) -> Vec<NewMessage>,
    ) -> Result<Result<Registered, Refusal>, StoreError> {
        let txn = self.db.begin().await?;
        let meeting = locked_record(&txn, meeting_id).await?;
        if meeting.meeting.status == MeetingStatus::Cancelled {
            return Ok(Err(Refusal::Cancelled));
        }
        if meeting.meeting.registration_deadline <= now {
            return Ok(Err(Refusal::DeadlinePassed));
        }
        if 1 + i64::from(new.guests) > i64::from(meeting.meeting.capacity) {
            return Ok(Err(Refusal::TooManyGuests));
        }
        let live = live_places(&txn, meeting_id).await?;
        let taken: i64 = live
            .iter()
            .filter(|(status, _, _)| *status == RegistrationStatus::Confirmed)
            .map(|&(_, guests, _)| people(guests))
            .sum();
        let anyone_waiting = live
            .iter()
            .any(|(status, _, _)| *status == RegistrationStatus::Waitlisted);
        // Nobody jumps the waitlist.
        let fits = !anyone_waiting
            && taken + 1 + i64::from(new.guests) <= i64::from(meeting.meeting.capacity);
        let status = if fits {
            RegistrationStatus::Confirmed
        } else {
            RegistrationStatus::Waitlisted
        };
        // Checked under the meeting's lock, so two submissions of one form
        // cannot both pass.
        let done = if live.iter().any(|(_, _, e)| same_mailbox(e, new.email)) {
            let registration = live_registrations(&txn, meeting_id)
                .await?
                .into_iter()
                .find(|r| same_mailbox(&r.email, new.email))
                .ok_or(StoreError::NotFound("registration"))?;
            Registered::Again {
                outcome: RegistrationOutcome {
                    registration,
                    meeting,
                },
                would_be: status,
            }
        } else {
            let registration = registrations::ActiveModel {
                meeting_id: Set(meeting_id),
                name: Set(new.name.to_owned()),
                email: Set(new.email.to_owned()),
                guests: Set(new.guests),
                status: Set(status),
                link_hash: Set(new.link_hash.to_owned()),
                feed_hash: Set(Some(new.feed_hash.to_owned())),
                created_at: Set(now),
                cancelled_at: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            Registered::New(RegistrationOutcome {
                registration,
                meeting,
            })
        };
        queue(&txn, messages(&done)).await?;
        txn.commit().await?;
        Ok(Ok(done))
    }

    /// The registration whose feed of its person's meetings has this hash.
    pub async fn registration_by_feed(
        &self,
        feed_hash: &str,
    ) -> Result<Option<registrations::Model>, StoreError> {
        Ok(registrations::Entity::find()
            .filter(registrations::Column::FeedHash.eq(feed_hash))
            .one(&self.db)
            .await?)
    }

    /// The registration behind a private link, with its meeting.
    pub async fn registration_by_link(
        &self,
        link_hash: &str,
    ) -> Result<Option<RegistrationOutcome>, StoreError> {
        let Some(registration) = registrations::Entity::find()
            .filter(registrations::Column::LinkHash.eq(link_hash))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let meeting = record(&self.db, registration.meeting_id).await?;
        Ok(Some(RegistrationOutcome {
            registration,
            meeting,
        }))
    }

    /// Cancels a registration and promotes from the waitlist; `messages`
    /// gets the promoted registrations.
    pub async fn cancel_registration(
        &self,
        registration_id: i64,
        now: DateTime<Utc>,
        messages: impl FnOnce(&MeetingRecord, &[registrations::Model]) -> Vec<NewMessage>,
    ) -> Result<registrations::Model, StoreError> {
        let registration = registrations::Entity::find_by_id(registration_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("registration"))?;
        let txn = self.db.begin().await?;
        let meeting = locked_record(&txn, registration.meeting_id).await?;
        let registration = registrations::Entity::find_by_id(registration_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("registration"))?;
        if registration.status == RegistrationStatus::Cancelled {
            return Err(StoreError::WrongState(
                RegistrationStatus::Cancelled.to_string(),
            ));
        }
        let mut active = registration.into_active_model();
        active.status = Set(RegistrationStatus::Cancelled);
        active.cancelled_at = Set(Some(now));
        let cancelled = active.update(&txn).await?;
        let promoted = if meeting.meeting.status == MeetingStatus::Cancelled {
            Vec::new()
        } else {
            promote(&txn, &meeting.meeting).await?
        };
        queue(&txn, messages(&meeting, &promoted)).await?;
        txn.commit().await?;
        Ok(cancelled)
    }

    /// The live registrations of a meeting, in order of arrival.
    pub async fn registrations(
        &self,
        meeting_id: i64,
    ) -> Result<Vec<registrations::Model>, StoreError> {
        live_registrations(&self.db, meeting_id).await
    }

    /// Live registrations made with `email`, across meetings.
    pub async fn registrations_by_email(
        &self,
        email: &str,
    ) -> Result<Vec<registrations::Model>, StoreError> {
        Ok(registrations::Entity::find()
            .filter(registrations::Column::Email.eq(email))
            .filter(registrations::Column::Status.ne(RegistrationStatus::Cancelled))
            .all(&self.db)
            .await?)
    }

    /// Queues messages outside any other change (reminders).
    pub async fn queue_messages(&self, messages: Vec<NewMessage>) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        queue(&txn, messages).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every queued message, by id.
    pub async fn outbox(&self) -> Result<Vec<outbox::Model>, StoreError> {
        Ok(outbox::Entity::find()
            .order_by_asc(outbox::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Replaces the whole school-holiday calendar in one transaction.
    pub async fn replace_school_holidays(
        &self,
        rows: &[(String, NaiveDate, NaiveDate, String)],
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        school_holidays::Entity::delete_many().exec(&txn).await?;
        for chunk in rows.chunks(500) {
            let models =
                chunk.iter().map(
                    |(zone, start, end, description)| school_holidays::ActiveModel {
                        zone: Set(zone.clone()),
                        start_date: Set(*start),
                        end_date: Set(*end),
                        description: Set(description.clone()),
                        ..Default::default()
                    },
                );
            school_holidays::Entity::insert_many(models)
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// The school holidays of a zone.
    pub async fn school_holidays(
        &self,
        zone: &str,
    ) -> Result<Vec<school_holidays::Model>, StoreError> {
        Ok(school_holidays::Entity::find()
            .filter(school_holidays::Column::Zone.eq(zone))
            .order_by_asc(school_holidays::Column::StartDate)
            .all(&self.db)
            .await?)
    }
}
