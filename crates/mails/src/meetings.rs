//! The mails of a neighbourhood meeting: invitations, changes, and those of
//! a registration.
use chrono::NaiveDateTime;

use crate::{Mail, mail};

/// A meeting as its mails describe it.
#[derive(Clone, Debug)]
pub struct MeetingSummary {
    pub title: String,
    /// Local wall times, in the meeting's time zone.
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub place: Place,
    /// Where the meeting's details are.
    pub details_url: String,
}

impl MeetingSummary {
    /// « le 12/03/2027 de 18:30 à 20:00 »
    pub fn when(&self) -> String {
        format!(
            "le {} de {} à {}",
            self.starts_at.format("%d/%m/%Y"),
            self.starts_at.format("%H:%M"),
            self.ends_at.format("%H:%M")
        )
    }
}

/// Where a meeting takes place.
#[derive(Clone, Debug)]
pub enum Place {
    Venue {
        name: String,
        address: String,
    },
    /// A video call; its address was checked to be `http(s)://`, so it may
    /// be a link.
    Online {
        url: String,
    },
    /// Neither (a meeting stored without one).
    Unstated,
}

/// The private links of a registration.
#[derive(Clone, Debug)]
pub struct RegistrationLinks {
    /// The registration's page, to see or cancel it.
    pub page: String,
    /// Its invitation, for a calendar.
    pub invite: String,
    /// The feed of every meeting of the person.
    pub feed: String,
}

/// To the families and referents of a meeting's sectors.
#[derive(Clone, Debug)]
pub struct Invitation {
    pub name: Option<String>,
    pub meeting: MeetingSummary,
}

mail!(
    Invitation,
    text = "invitation.txt",
    html = "invitation.html",
    subject = |m| format!("Réunion de quartier : {}", m.meeting.title)
);

/// To the people registered, when the meeting changes.
#[derive(Clone, Debug)]
pub struct MeetingUpdated {
    pub name: Option<String>,
    pub meeting: MeetingSummary,
}

mail!(
    MeetingUpdated,
    text = "meeting_updated.txt",
    html = "meeting_updated.html",
    subject = |m| format!("Réunion modifiée : {}", m.meeting.title)
);

/// To the people registered, when the meeting is cancelled.
#[derive(Clone, Debug)]
pub struct MeetingCancelled {
    pub name: Option<String>,
    pub meeting: MeetingSummary,
}

mail!(
    MeetingCancelled,
    text = "meeting_cancelled.txt",
    html = "meeting_cancelled.html",
    subject = |m| format!("Réunion annulée : {}", m.meeting.title)
);

/// To someone on the waitlist who got a place.
#[derive(Clone, Debug)]
pub struct PlaceFreed {
    pub name: Option<String>,
    pub meeting: MeetingSummary,
}

mail!(
    PlaceFreed,
    text = "place_freed.txt",
    html = "place_freed.html",
    subject = |m| format!("Une place s'est libérée : {}", m.meeting.title)
);

/// A registration with a place, and its private links.
#[derive(Clone, Debug)]
pub struct RegistrationConfirmed {
    pub name: Option<String>,
    pub meeting: MeetingSummary,
    pub links: RegistrationLinks,
}

mail!(
    RegistrationConfirmed,
    text = "registration_confirmed.txt",
    html = "registration_confirmed.html",
    subject = |m| format!("Inscription confirmée : {}", m.meeting.title)
);

/// A registration on the waitlist, and its private links.
#[derive(Clone, Debug)]
pub struct Waitlisted {
    pub name: Option<String>,
    pub meeting: MeetingSummary,
    pub links: RegistrationLinks,
}

mail!(
    Waitlisted,
    text = "waitlisted.txt",
    html = "waitlisted.html",
    subject = |m| format!("Liste d'attente : {}", m.meeting.title)
);

/// To an address registered again for the same meeting. Only hashes of the
/// private links are stored, so it cannot repeat them: it says where they
/// are.
#[derive(Clone, Debug)]
pub struct AlreadyRegistered {
    pub name: Option<String>,
    pub meeting: MeetingSummary,
    /// Whether the registration has a place (else it is on the waitlist).
    pub confirmed: bool,
    /// The meeting's public page.
    pub meeting_page: String,
}

mail!(
    AlreadyRegistered,
    text = "already_registered.txt",
    html = "already_registered.html",
    subject = |m| format!("Déjà inscrit·e : {}", m.meeting.title)
);

/// To the people with a place, shortly before the meeting.
#[derive(Clone, Debug)]
pub struct Reminder {
    pub name: Option<String>,
    pub meeting: MeetingSummary,
}

mail!(
    Reminder,
    text = "reminder.txt",
    html = "reminder.html",
    subject = |m| format!("Rappel : {}", m.meeting.title)
);
