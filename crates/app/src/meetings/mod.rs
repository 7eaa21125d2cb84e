//! Neighbourhood meetings: scheduling, registrations with a waitlist, the
//! messages each change queues, and iCalendar output.
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use passerelle_calendar::{
    Attendee, CalAddress, CalendarError, Event, EventStatus, Geo, cancellation, invite,
    meeting_uid, publish_feed, resolve_local,
};
use passerelle_store::entities::registrations;
use passerelle_store::{
    MeetingChanges, MeetingRecord, NewMeeting, NewMessage, NewRegistration, Refusal, Registered,
    RegistrationOutcome, RequestStatus, StoreError, meeting_status,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Scope;
use crate::catalog::CatalogSector;
use crate::error::Error;
use crate::state::AppState;
use crate::{secrets, validate};

mod reads;
pub use reads::{
    get, list, registration_by_secret, registrations_of, upcoming_in_sector, visible_list,
};

/// Local wall times as people write them: `2027-03-12T18:30`, seconds optional.
mod wall_time {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer, de::Error};

    pub fn parse(text: &str) -> Option<NaiveDateTime> {
        ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text.trim(), f).ok())
    }

    fn invalid<E: Error>(text: &str) -> E {
        E::custom(format!(
            "« {text} » n'est pas une heure locale : écrivez-la comme 2027-03-12T18:30"
        ))
    }

    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).ok_or_else(|| invalid(&text))
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => parse(&text).map(Some).ok_or_else(|| invalid(&text)),
        }
    }
}

/// A venue.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct Venue {
    pub name: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// A meeting as organizers describe it. Times are local wall times.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct MeetingInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub sector_ids: Vec<i64>,
    pub venue: Option<Venue>,
    pub online_url: Option<String>,
    /// Local wall time, e.g. `2027-03-12T18:30`; not past, and at most 730
    /// days ahead.
    #[serde(deserialize_with = "wall_time::required")]
    #[schema(value_type = String, example = "2027-03-12T18:30")]
    pub starts_at: NaiveDateTime,
    #[serde(deserialize_with = "wall_time::required")]
    #[schema(value_type = String, example = "2027-03-12T20:00")]
    pub ends_at: NaiveDateTime,
    /// IANA zone; default `Europe/Paris`.
    pub time_zone: Option<String>,
    pub capacity: i32,
    /// Local wall time; default: the start.
    #[serde(default, deserialize_with = "wall_time::optional")]
    #[schema(value_type = Option<String>)]
    pub registration_deadline: Option<NaiveDateTime>,
}

/// Changes to a meeting; absent fields stay as they are.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct MeetingPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub venue: Option<Venue>,
    pub online_url: Option<String>,
    #[serde(default, deserialize_with = "wall_time::optional")]
    #[schema(value_type = Option<String>)]
    pub starts_at: Option<NaiveDateTime>,
    #[serde(default, deserialize_with = "wall_time::optional")]
    #[schema(value_type = Option<String>)]
    pub ends_at: Option<NaiveDateTime>,
    pub capacity: Option<i32>,
    #[serde(default, deserialize_with = "wall_time::optional")]
    #[schema(value_type = Option<String>)]
    pub registration_deadline: Option<NaiveDateTime>,
}

/// A meeting as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub venue: Option<Venue>,
    pub online_url: Option<String>,
    /// Local wall times in `time_zone`.
    pub starts_at: String,
    pub ends_at: String,
    pub time_zone: String,
    pub starts_at_utc: DateTime<Utc>,
    pub ends_at_utc: DateTime<Utc>,
    pub capacity: i32,
    pub registration_deadline_utc: DateTime<Utc>,
    /// scheduled or cancelled
    pub status: String,
    pub sequence: i32,
    pub sectors: Vec<String>,
    pub ics_url: String,
}

fn zone(name: &str) -> Result<Tz, Error> {
    name.parse()
        .map_err(|_| Error::Invalid(format!("fuseau horaire inconnu : « {name} »")))
}

/// A local wall time as a UTC instant, refusing the times a DST change
/// skips or repeats.
pub fn local_to_utc(local: NaiveDateTime, tz: Tz, field: &str) -> Result<DateTime<Utc>, Error> {
    resolve_local(local, tz).map_err(|e| match e {
        CalendarError::NonexistentLocalTime { .. } => Error::Invalid(format!(
            "{field} : {} n'existe pas à {tz}, les horloges sautent cette heure au changement d'heure",
            local.format("%Y-%m-%d %H:%M")
        )),
        CalendarError::AmbiguousLocalTime { .. } => Error::Invalid(format!(
            "{field} : {} est ambiguë à {tz}, cette heure se répète au changement d'heure",
            local.format("%Y-%m-%d %H:%M")
        )),
        other => Error::Invalid(format!("{field} : {other}")),
    })
}

fn check_venue(venue: &Option<Venue>, online_url: &Option<String>) -> Result<(), Error> {
    if venue.is_none() && online_url.as_deref().is_none_or(str::is_empty) {
        return Err(Error::Invalid(
            "indiquez un lieu (venue) ou un lien de visioconférence (online_url)".into(),
        ));
    }
    if let Some(url) = online_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(' ') {
            return Err(Error::Invalid(
                "online_url doit commencer par https:// et ne pas contenir d'espace".into(),
            ));
        }
        validate::single_line(url, 2000, "le lien de visioconférence (online_url)")?;
    }
    if let Some(v) = venue {
        if v.name.trim().is_empty() || v.address.trim().is_empty() {
            return Err(Error::Invalid(
                "le lieu a besoin d'un nom et d'une adresse".into(),
            ));
        }
        validate::single_line(&v.name, 200, "le nom du lieu (venue.name)")?;
        validate::single_line(&v.address, 300, "l'adresse du lieu (venue.address)")?;
        if let (Some(lat), Some(lon)) = (v.lat, v.lon) {
            crate::sectors::validate_coordinates(lat, lon)?;
        }
    }
    Ok(())
}

fn check_times(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    deadline: DateTime<Utc>,
    capacity: i32,
) -> Result<(), Error> {
    if ends_at <= starts_at {
        return Err(Error::Invalid("la fin doit venir après le début".into()));
    }
    if ends_at - starts_at > TimeDelta::hours(12) {
        return Err(Error::Invalid("une réunion dure 12 heures au plus".into()));
    }
    if deadline > starts_at {
        return Err(Error::Invalid(
            "la date limite d'inscription doit précéder le début".into(),
        ));
    }
    if !(1..=10_000).contains(&capacity) {
        return Err(Error::Invalid(
            "la capacité doit être comprise entre 1 et 10 000".into(),
        ));
    }
    Ok(())
}

fn title(text: &str) -> Result<String, Error> {
    validate::single_line(text, 200, "le titre (title)")
}

/// The iCalendar event of a meeting.
pub fn event(state: &AppState, record: &MeetingRecord) -> Event {
    let m = &record.meeting;
    let tz: Tz = m.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris);
    let mut event = Event::new(
        meeting_uid(m.id, &state.config.calendar_domain()),
        m.updated_at,
        m.starts_at,
        m.ends_at,
        tz,
        m.title.clone(),
    );
    event.sequence = m.sequence.max(0) as u32;
    event.description = (!m.description.is_empty()).then(|| m.description.clone());
    event.location = match (&m.venue_name, &m.venue_address, &m.online_url) {
        (Some(name), Some(address), _) => Some(format!("{name}, {address}")),
        (_, _, Some(url)) => Some(url.clone()),
        _ => None,
    };
    event.geo = m
        .venue_lat
        .zip(m.venue_lon)
        .map(|(lat, lon)| Geo { lat, lon });
    event.url = Some(format!(
        "{}/api/v1/meetings/{}",
        state.config.public_url, m.id
    ));
    event.status = Some(if m.status == meeting_status::CANCELLED {
        EventStatus::Cancelled
    } else {
        EventStatus::Confirmed
    });
    event.organizer = Some(CalAddress::new(
        state.config.organizer_email.clone(),
        Some("Passerelle"),
    ));
    event
}

/// The public view of a meeting.
pub fn view(record: &MeetingRecord) -> MeetingView {
    let m = &record.meeting;
    let tz: Tz = m.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris);
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string();
    MeetingView {
        id: m.id,
        title: m.title.clone(),
        description: m.description.clone(),
        venue: match (&m.venue_name, &m.venue_address) {
            (Some(name), Some(address)) => Some(Venue {
                name: name.clone(),
                address: address.clone(),
                lat: m.venue_lat,
                lon: m.venue_lon,
            }),
            _ => None,
        },
        online_url: m.online_url.clone(),
        starts_at: local(m.starts_at),
        ends_at: local(m.ends_at),
        time_zone: m.time_zone.clone(),
        starts_at_utc: m.starts_at,
        ends_at_utc: m.ends_at,
        capacity: m.capacity,
        registration_deadline_utc: m.registration_deadline,
        status: m.status.clone(),
        sequence: m.sequence,
        sectors: record
            .sectors
            .iter()
            .map(|s| s.sector_name.clone())
            .collect(),
        ics_url: format!("/api/v1/meetings/{}.ics", m.id),
    }
}

fn when(record: &MeetingRecord) -> String {
    let m = &record.meeting;
    let tz: Tz = m.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris);
    format!(
        "le {} de {} à {}",
        m.starts_at.with_timezone(&tz).format("%d/%m/%Y"),
        m.starts_at.with_timezone(&tz).format("%H:%M"),
        m.ends_at.with_timezone(&tz).format("%H:%M")
    )
}

fn place(record: &MeetingRecord) -> String {
    let m = &record.meeting;
    match (&m.venue_name, &m.venue_address, &m.online_url) {
        (Some(n), Some(a), _) => format!("{n}, {a}"),
        (_, _, Some(url)) => format!("en ligne : {url}"),
        _ => String::new(),
    }
}

/// Whoever a message goes to.
struct Recipient {
    email: String,
    name: Option<String>,
}

/// What a message says, before it is addressed.
struct Draft<'a> {
    kind: &'a str,
    /// The same key is queued once.
    key: String,
    subject: String,
    intro: &'a str,
    /// (METHOD, iCalendar text)
    calendar: Option<(&'a str, String)>,
    /// Private links of the recipient, after the details.
    links: Option<String>,
}

fn message(
    state: &AppState,
    record: &MeetingRecord,
    to: &Recipient,
    draft: Draft<'_>,
) -> NewMessage {
    let Draft {
        kind,
        key,
        subject,
        intro,
        calendar,
        links,
    } = draft;
    let links = links.map(|l| format!("{l}\n\n")).unwrap_or_default();
    let body = format!(
        "Bonjour{},\n\n{intro}\n\n« {} », {}.\nLieu : {}\n\nDétails : {}/api/v1/meetings/{}\n\n{links}L'équipe Passerelle",
        to.name
            .as_deref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default(),
        record.meeting.title,
        when(record),
        place(record),
        state.config.public_url,
        record.meeting.id,
    );
    NewMessage {
        kind: kind.to_owned(),
        dedupe_key: key,
        recipient_email: to.email.clone(),
        recipient_name: to.name.clone(),
        subject,
        body,
        ics_method: calendar.as_ref().map(|(m, _)| (*m).to_owned()),
        ics: calendar.map(|(_, ics)| ics),
        meeting_id: Some(record.meeting.id),
    }
}

fn attendee(r: &registrations::Model) -> Attendee {
    Attendee::invitee(r.email.clone(), Some(r.name.clone()))
}

fn recipient(r: &registrations::Model) -> Recipient {
    Recipient {
        email: r.email.clone(),
        name: Some(r.name.clone()),
    }
}

/// People to invite: open requests and active referents of the sectors.
async fn invitees(state: &AppState, sectors: &[&CatalogSector]) -> Result<Vec<Recipient>, Error> {
    let keys: Vec<&str> = sectors.iter().map(|s| s.key.as_str()).collect();
    let mut out: Vec<Recipient> = Vec::new();
    for r in state.store.requests().await? {
        if r.status == RequestStatus::Open
            && keys.contains(&r.sector_uais.as_str())
            && let Some(email) = r.email
        {
            out.push(Recipient {
                email,
                name: Some(r.first_name),
            });
        }
    }
    for r in state.store.referents().await? {
        if !r.paused && sectors.iter().any(|s| s.uais.contains(&r.uai)) {
            out.push(Recipient {
                email: r.email,
                name: Some(r.first_name),
            });
        }
    }
    out.sort_by(|a, b| a.email.cmp(&b.email));
    out.dedup_by(|a, b| a.email == b.email);
    Ok(out)
}

/// Creates a meeting and queues invitations for the families and referents
/// of its sectors.
pub async fn create(
    state: &AppState,
    scope: &Scope,
    input: MeetingInput,
) -> Result<MeetingRecord, Error> {
    let tz = zone(input.time_zone.as_deref().unwrap_or("Europe/Paris"))?;
    let starts_at = local_to_utc(input.starts_at, tz, "starts_at")?;
    let ends_at = local_to_utc(input.ends_at, tz, "ends_at")?;
    let deadline = match input.registration_deadline {
        Some(d) => local_to_utc(d, tz, "registration_deadline")?,
        None => starts_at,
    };
    validate::meeting_start(starts_at, Utc::now())?;
    check_times(starts_at, ends_at, deadline, input.capacity)?;
    check_venue(&input.venue, &input.online_url)?;
    if input.sector_ids.is_empty() {
        return Err(Error::Invalid(
            "une réunion concerne au moins un secteur (sector_ids)".into(),
        ));
    }
    let catalog = state.catalog();
    let mut sectors = Vec::new();
    for id in &input.sector_ids {
        let (sector, _) = catalog
            .sector(*id)
            .ok_or_else(|| Error::Invalid(format!("le secteur {id} n'existe pas")))?;
        if !scope.allows(&sector.key) {
            return Err(Error::Forbidden(format!(
                "le secteur {id} n'est pas de ceux que vous organisez"
            )));
        }
        sectors.push(sector);
    }
    let invitees = invitees(state, &sectors).await?;
    let new = NewMeeting {
        title: title(&input.title)?,
        description: validate::free_text(Some(&input.description), 5000, "description")?
            .unwrap_or_default(),
        venue_name: input.venue.as_ref().map(|v| v.name.trim().to_owned()),
        venue_address: input.venue.as_ref().map(|v| v.address.trim().to_owned()),
        venue_lat: input.venue.as_ref().and_then(|v| v.lat),
        venue_lon: input.venue.as_ref().and_then(|v| v.lon),
        online_url: input.online_url.filter(|u| !u.is_empty()),
        starts_at,
        ends_at,
        time_zone: tz.name().to_owned(),
        capacity: input.capacity,
        registration_deadline: deadline,
        sectors: sectors
            .iter()
            .map(|s| (s.key.clone(), s.name().to_owned()))
            .collect(),
    };
    let record = state
        .store
        .create_meeting(new, |record| {
            let feed = publish_feed(&record.meeting.title, TimeDelta::hours(12), &[event(state, record)]).ok();
            invitees
                .iter()
                .map(|to| {
                    message(
state,
record,
to,
Draft {
kind: "invitation",
key: format!("invitation:{}:{}", record.meeting.id, to.email),
subject: format!("Réunion de quartier : {}", record.meeting.title),
intro: "Des parents de votre secteur organisent une réunion de quartier pour parler du collège. Vous y êtes invité·e.",
calendar: feed.clone().map(|ics| ("PUBLISH", ics)),
links: None,
},
)
                })
                .collect()
        })
        .await?;
    Ok(record)
}

pub(crate) fn not_found(id: i64) -> Error {
    Error::NotFound(format!("la réunion {id} n'existe pas"))
}

/// A meeting that one of the caller's sectors takes part in; the others
/// do not exist for a caller limited to some sectors.
pub async fn visible(state: &AppState, scope: &Scope, id: i64) -> Result<MeetingRecord, Error> {
    state
        .store
        .meeting(id)
        .await?
        .filter(|r| scope.allows_any(r.sectors.iter().map(|s| s.sector_key.as_str())))
        .ok_or_else(|| not_found(id))
}

fn cancelled_conflict(e: StoreError) -> Error {
    match e {
        StoreError::WrongState(_) => Error::Conflict("cette réunion est annulée".into()),
        StoreError::NotFound(_) => Error::NotFound("cette réunion n'existe pas".into()),
        e => e.into(),
    }
}

/// Edits or reschedules a meeting; registered people get an updated invite
/// (same UID, higher SEQUENCE), and people promoted from the waitlist a note.
pub async fn update(
    state: &AppState,
    scope: &Scope,
    id: i64,
    patch: MeetingPatch,
) -> Result<MeetingRecord, Error> {
    let current = visible(state, scope, id).await?;
    let m = &current.meeting;
    let tz = zone(&m.time_zone)?;
    let starts_at = patch
        .starts_at
        .map(|t| local_to_utc(t, tz, "starts_at"))
        .transpose()?
        .unwrap_or(m.starts_at);
    let ends_at = patch
        .ends_at
        .map(|t| local_to_utc(t, tz, "ends_at"))
        .transpose()?
        .unwrap_or(m.ends_at);
    let deadline = match (patch.registration_deadline, patch.starts_at) {
        (Some(d), _) => local_to_utc(d, tz, "registration_deadline")?,
        // Moving the meeting earlier than its deadline moves the deadline too.
        (None, Some(_)) => m.registration_deadline.min(starts_at),
        (None, None) => m.registration_deadline,
    };
    if patch.starts_at.is_some() {
        validate::meeting_start(starts_at, Utc::now())?;
    }
    let capacity = patch.capacity.unwrap_or(m.capacity);
    check_times(starts_at, ends_at, deadline, capacity)?;
    let venue = patch.venue.clone().or_else(|| view(&current).venue);
    let online_url = patch.online_url.clone().or_else(|| m.online_url.clone());
    check_venue(&venue, &online_url)?;
    let new_title = patch.title.as_deref().map(title).transpose()?;
    let new_description = patch
        .description
        .as_deref()
        .map(|d| validate::free_text(Some(d), 5000, "description"))
        .transpose()?;
    let updated = state
        .store
        .update_meeting(
            id,
            MeetingChanges {
                title: new_title,
                description: new_description.map(Option::unwrap_or_default),
                venue: patch.venue.map(|v| (v.name, v.address, v.lat, v.lon)),
                online_url: patch.online_url,
                starts_at,
                ends_at,
                registration_deadline: deadline,
                capacity,
            },
            |record, live, promoted| {
                let event = event(state, record);
                let mut messages: Vec<NewMessage> = live
                    .iter()
                    .map(|r| {
                        message(
state,
record,
&recipient(r),
Draft {
kind: "update",
key: format!("update:{}:{}:{}", record.meeting.id, record.meeting.sequence, r.id),
subject: format!("Réunion modifiée : {}", record.meeting.title),
intro: "La réunion à laquelle vous êtes inscrit·e a changé. Voici les nouvelles informations.",
calendar: invite(&event, &attendee(r)).ok().map(|ics| ("REQUEST", ics)),
links: None,
},
)
                    })
                    .collect();
                messages.extend(promoted.iter().map(|r| promotion(state, record, r)));
                messages
            },
        )
        .await
        .map_err(cancelled_conflict)?;
    Ok(updated)
}

fn promotion(state: &AppState, record: &MeetingRecord, r: &registrations::Model) -> NewMessage {
    message(
        state,
        record,
        &recipient(r),
        Draft {
            kind: "promotion",
            key: format!("promotion:{}", r.id),
            subject: format!("Une place s'est libérée : {}", record.meeting.title),
            intro: "Une place s'est libérée : votre inscription est confirmée.",
            calendar: invite(&event(state, record), &attendee(r))
                .ok()
                .map(|ics| ("REQUEST", ics)),
            links: None,
        },
    )
}

/// Cancels a meeting; registered people get a METHOD:CANCEL message.
pub async fn cancel(state: &AppState, scope: &Scope, id: i64) -> Result<MeetingRecord, Error> {
    visible(state, scope, id).await?;
    state
        .store
        .cancel_meeting(id, |record, live| {
            let event = event(state, record);
            live.iter()
                .map(|r| {
                    message(
                        state,
                        record,
                        &recipient(r),
                        Draft {
                            kind: "cancellation",
                            key: format!("cancellation:{}:{}", record.meeting.id, r.id),
                            subject: format!("Réunion annulée : {}", record.meeting.title),
                            intro: "La réunion à laquelle vous étiez inscrit·e est annulée.",
                            calendar: cancellation(&event, &attendee(r))
                                .ok()
                                .map(|ics| ("CANCEL", ics)),
                            links: None,
                        },
                    )
                })
                .collect()
        })
        .await
        .map_err(cancelled_conflict)
}

/// A registration form.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct RegistrationInput {
    pub name: String,
    pub email: String,
    /// Accompanying people, 0 to 10.
    #[serde(default)]
    pub guests: i32,
}

/// What a registration answers: no private link, only the status. It is
/// the same whether the e-mail was new to the meeting or already
/// registered, so that it tells a stranger nothing about the address; the
/// registration's links and the feed of the person's meetings go by mail
/// only, to the address.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RegistrationCreated {
    /// confirmed or waitlisted (for an e-mail already registered, what a
    /// new registration would have been)
    pub status: String,
    /// Where the links are, for the person registering.
    pub message: String,
}

/// The message of every registration's answer.
pub const REGISTRATION_MAILED: &str = "La confirmation et vos liens personnels (votre inscription, son annulation, l'agenda de vos réunions) sont envoyés à votre adresse e-mail.";

/// The private links of a registration, as mails show them.
struct Links {
    page: String,
    invite: String,
    feed: String,
}

impl Links {
    fn new(state: &AppState, secret: &str, feed_secret: &str) -> Self {
        let base = &state.config.public_url;
        Self {
            page: format!("{base}/inscription/{secret}"),
            invite: format!("{base}/api/v1/registrations/{secret}/invite.ics"),
            feed: format!("{base}/api/v1/registrations/{feed_secret}/feed.ics"),
        }
    }

    fn text(&self) -> String {
        format!(
            "Votre inscription (pour la consulter ou l'annuler) : {}\n\
             L'invitation pour votre agenda : {}\n\
             Toutes vos réunions Passerelle, à ajouter à votre agenda : {}\n\n\
             Ces liens sont personnels : ne les transmettez pas.",
            self.page, self.invite, self.feed
        )
    }
}

/// The message that confirms a registration, or says it is on the waitlist.
fn confirmation(state: &AppState, o: &RegistrationOutcome, links: &Links) -> NewMessage {
    let r = &o.registration;
    let confirmed = r.status == meeting_status::CONFIRMED;
    let title = &o.meeting.meeting.title;
    message(
        state,
        &o.meeting,
        &recipient(r),
        Draft {
            kind: "confirmation",
            key: format!("registration:{}", r.id),
            subject: if confirmed {
                format!("Inscription confirmée : {title}")
            } else {
                format!("Liste d'attente : {title}")
            },
            intro: if confirmed {
                "Votre inscription est confirmée. L'invitation est jointe."
            } else {
                "La réunion est complète : vous êtes sur la liste d'attente, et nous vous écrirons si une place se libère."
            },
            calendar: confirmed
                .then(|| invite(&event(state, &o.meeting), &attendee(r)).ok())
                .flatten()
                .map(|ics| ("REQUEST", ics)),
            links: Some(links.text()),
        },
    )
}

/// The message to an address registered again for the same meeting: it
/// says so, and where the registration's links are. Only hashes of them
/// are stored, so it cannot repeat them, and they stay as they were:
/// whoever asked learns nothing and changes nothing.
fn already_registered(state: &AppState, o: &RegistrationOutcome) -> NewMessage {
    let r = &o.registration;
    let place = if r.status == meeting_status::CONFIRMED {
        "votre place est confirmée"
    } else {
        "vous restez sur la liste d'attente, à votre rang"
    };
    let intro = format!(
        "Une inscription à cette réunion a été demandée pour votre adresse, qui y est déjà inscrite : rien n'a changé, {place}.\n\n\
         Vos liens personnels (votre inscription, son annulation, l'agenda de vos réunions) sont dans le message qui a confirmé votre inscription ; ils fonctionnent toujours.\n\
         La page de la réunion : {}/reunions/{}\n\n\
         Si vous n'êtes pas à l'origine de cette demande, vous n'avez rien à faire.",
        state.config.public_url, o.meeting.meeting.id
    );
    message(
        state,
        &o.meeting,
        &recipient(r),
        Draft {
            kind: "already_registered",
            // One message per request.
            key: format!("already-registered:{}:{}", r.id, secrets::generate("")),
            subject: format!("Déjà inscrit·e : {}", o.meeting.meeting.title),
            intro: &intro,
            calendar: None,
            links: None,
        },
    )
}

/// Why a registration is refused, for the person registering.
fn refused(refusal: Refusal) -> Error {
    match refusal {
        Refusal::Cancelled => {
            Error::Conflict("cette réunion est annulée : inscription impossible".into())
        }
        Refusal::DeadlinePassed => {
            Error::Conflict("les inscriptions à cette réunion sont closes".into())
        }
        Refusal::TooManyGuests => {
            Error::Invalid("la réunion n'a pas assez de places pour autant d'accompagnants".into())
        }
    }
}

/// Registers someone for a meeting. An e-mail already registered for it
/// gets the same answer as a new one, its registration stays as it was,
/// and the address gets a message saying it is already registered.
pub async fn register(
    state: &AppState,
    meeting_id: i64,
    input: RegistrationInput,
) -> Result<RegistrationCreated, Error> {
    let name = validate::first_name(&input.name)?;
    let email = validate::email(&input.email)?;
    state.limits.check_email(&email)?;
    if !(0..=10).contains(&input.guests) {
        return Err(Error::Invalid("de 0 à 10 accompagnants".into()));
    }
    let secret = secrets::generate("ins_");
    let feed_secret = secrets::generate("fil_");
    let links = Links::new(state, &secret, &feed_secret);
    let registered = state
        .store
        .register(
            meeting_id,
            NewRegistration {
                name: &name,
                email: &email,
                guests: input.guests,
                link_hash: &secrets::hash(&secret),
                feed_hash: &secrets::hash(&feed_secret),
            },
            Utc::now(),
            |done| match done {
                Registered::New(o) => vec![confirmation(state, o, &links)],
                Registered::Again { outcome, .. } => vec![already_registered(state, outcome)],
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => not_found(meeting_id),
            e => e.into(),
        })?
        .map_err(refused)?;
    // Nothing of the registration itself: the answer is the same for an
    // address already registered.
    Ok(RegistrationCreated {
        status: registered.status().to_owned(),
        message: REGISTRATION_MAILED.to_owned(),
    })
}

/// Cancels a registration; the first person on the waitlist takes the place.
pub async fn cancel_registration(
    state: &AppState,
    secret: &str,
) -> Result<registrations::Model, Error> {
    let found = registration_by_secret(state, secret).await?;
    state
        .store
        .cancel_registration(found.registration.id, Utc::now(), |record, promoted| {
            promoted
                .iter()
                .map(|r| promotion(state, record, r))
                .collect()
        })
        .await
        .map_err(|e| match e {
            StoreError::WrongState(_) => {
                Error::Conflict("cette inscription est déjà annulée".into())
            }
            e => e.into(),
        })
}

/// The invite of one registration: METHOD:REQUEST, or METHOD:CANCEL once
/// the meeting or the registration is cancelled.
pub async fn registration_invite(state: &AppState, secret: &str) -> Result<String, Error> {
    let found = registration_by_secret(state, secret).await?;
    let event = event(state, &found.meeting);
    let attendee = attendee(&found.registration);
    let ics = if found.meeting.meeting.status == meeting_status::CANCELLED
        || found.registration.status == meeting_status::CANCELLED
    {
        cancellation(&event.cancelled(event.dtstamp), &attendee)
    } else {
        invite(&event, &attendee)
    };
    ics.map_err(|e| Error::Internal(e.into()))
}

/// The feed of every meeting a person registered for, by the e-mail of the
/// registration whose feed secret is `secret` (a secret sent by mail only).
pub async fn person_feed(state: &AppState, secret: &str) -> Result<String, Error> {
    let found = state
        .store
        .registration_by_feed(&secrets::hash(secret))
        .await?
        .ok_or_else(|| Error::NotFound("ce lien est inconnu".into()))?;
    let mut records = Vec::new();
    for r in state.store.registrations_by_email(&found.email).await? {
        if let Some(record) = state.store.meeting(r.meeting_id).await? {
            records.push(record);
        }
    }
    feed(
        state,
        "Mes réunions Passerelle",
        TimeDelta::hours(6),
        &records,
    )
}

/// A meeting's own `.ics` (METHOD:PUBLISH).
pub async fn meeting_ics(state: &AppState, id: i64) -> Result<String, Error> {
    let record = state
        .store
        .meeting(id)
        .await?
        .ok_or_else(|| not_found(id))?;
    feed(
        state,
        &record.meeting.title,
        TimeDelta::hours(12),
        std::slice::from_ref(&record),
    )
}

/// The subscription feed of a sector's meetings.
pub async fn sector_feed(state: &AppState, sector: &CatalogSector) -> Result<String, Error> {
    let records = state.store.meetings(Some(&sector.key), None, None).await?;
    feed(
        state,
        &format!("Réunions — {}", sector.name()),
        TimeDelta::hours(12),
        &records,
    )
}

/// A METHOD:PUBLISH calendar of `records`. A meeting whose event the
/// calendar cannot write (a year beyond its range, stored before meetings
/// were bounded or by hand) is left out and logged by id, so that one row
/// cannot break every subscriber's feed.
fn feed(
    state: &AppState,
    name: &str,
    refresh: TimeDelta,
    records: &[MeetingRecord],
) -> Result<String, Error> {
    let mut events = Vec::new();
    for record in records {
        let event = event(state, record);
        match publish_feed(name, refresh, std::slice::from_ref(&event)) {
            Ok(_) => events.push(event),
            // Only the id: the error text may quote what organisers wrote.
            Err(_) => tracing::warn!(
                meeting_id = record.meeting.id,
                "meeting left out of a calendar: its event cannot be written as iCalendar"
            ),
        }
    }
    publish_feed(name, refresh, &events).map_err(|e| Error::Internal(e.into()))
}

/// Queues a reminder for every confirmed person of a meeting that starts
/// within 48 hours. Safe to call often: each reminder is queued once.
pub async fn queue_reminders(state: &AppState, now: DateTime<Utc>) -> Result<usize, Error> {
    let soon = state
        .store
        .meetings(None, Some(now), Some(now + TimeDelta::hours(48)))
        .await?;
    let mut messages = Vec::new();
    for record in soon
        .iter()
        .filter(|r| r.meeting.status == meeting_status::SCHEDULED && r.meeting.starts_at > now)
    {
        for r in state.store.registrations(record.meeting.id).await? {
            if r.status == meeting_status::CONFIRMED {
                messages.push(message(
                    state,
                    record,
                    &recipient(&r),
                    Draft {
                        kind: "reminder",
                        key: format!("reminder:{}:{}", record.meeting.id, r.id),
                        subject: format!("Rappel : {}", record.meeting.title),
                        intro: "Petit rappel : la réunion approche.",
                        calendar: None,
                        links: None,
                    },
                ));
            }
        }
    }
    let n = messages.len();
    state.store.queue_messages(messages).await?;
    Ok(n)
}
