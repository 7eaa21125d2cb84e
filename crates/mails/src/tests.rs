//! One snapshot per kind of mail, text and HTML, with fixed values. The
//! title carries an ampersand and the name quotes, to show what the HTML
//! part escapes.
use chrono::NaiveDate;

use crate::*;

fn meeting(place: Place) -> MeetingSummary {
    let day = NaiveDate::from_ymd_opt(2027, 3, 12).unwrap();
    MeetingSummary {
        title: "Collège & quartier : la rentrée".into(),
        starts_at: day.and_hms_opt(18, 30, 0).unwrap(),
        ends_at: day.and_hms_opt(20, 0, 0).unwrap(),
        place,
        details_url: "https://passerelle.example.org/api/v1/meetings/7".into(),
    }
}

fn venue() -> Place {
    Place::Venue {
        name: "Salle des fêtes".into(),
        address: "12 rue de l'École, 75011 Paris".into(),
    }
}

fn online() -> Place {
    Place::Online {
        url: "https://visio.example.org/reunion?salle=7&code=abc".into(),
    }
}

fn name() -> Option<String> {
    Some("Dupont, \"Mimi\" Marie".into())
}

fn links() -> RegistrationLinks {
    let base = "https://passerelle.example.org";
    RegistrationLinks {
        page: format!("{base}/inscription/ins_AbC123"),
        invite: format!("{base}/api/v1/registrations/ins_AbC123/invite.ics"),
        feed: format!("{base}/api/v1/registrations/fil_XyZ789/feed.ics"),
    }
}

/// Snapshots `mail` as `<kind>_text` (subject, then text) and `<kind>_html`.
fn snapshot(kind: &str, mail: &impl Mail) -> Rendered {
    let rendered = mail.render();
    insta::assert_snapshot!(
        format!("{kind}_text"),
        format!("{}\n---\n{}", rendered.subject, rendered.text)
    );
    insta::assert_snapshot!(format!("{kind}_html"), rendered.html);
    rendered
}

#[test]
fn invitation() {
    snapshot(
        "invitation",
        &Invitation {
            name: name(),
            meeting: meeting(venue()),
        },
    );
}

#[test]
fn meeting_updated() {
    snapshot(
        "meeting_updated",
        &MeetingUpdated {
            name: name(),
            meeting: meeting(online()),
        },
    );
}

#[test]
fn meeting_cancelled() {
    snapshot(
        "meeting_cancelled",
        &MeetingCancelled {
            name: None,
            meeting: meeting(Place::Unstated),
        },
    );
}

#[test]
fn place_freed() {
    snapshot(
        "place_freed",
        &PlaceFreed {
            name: name(),
            meeting: meeting(venue()),
        },
    );
}

#[test]
fn registration_confirmed() {
    snapshot(
        "registration_confirmed",
        &RegistrationConfirmed {
            name: name(),
            meeting: meeting(venue()),
            links: links(),
        },
    );
}

#[test]
fn waitlisted() {
    snapshot(
        "waitlisted",
        &Waitlisted {
            name: name(),
            meeting: meeting(online()),
            links: links(),
        },
    );
}

#[test]
fn already_registered() {
    let mail = |confirmed| AlreadyRegistered {
        name: name(),
        meeting: meeting(venue()),
        confirmed,
        meeting_page: "https://passerelle.example.org/reunions/7".into(),
    };
    snapshot("already_registered", &mail(true));
    let waiting = mail(false).render().text;
    assert!(
        waiting.contains("rien n'a changé, vous restez sur la liste d'attente, à votre rang."),
        "{waiting}"
    );
}

#[test]
fn reminder() {
    snapshot(
        "reminder",
        &Reminder {
            name: name(),
            meeting: meeting(venue()),
        },
    );
}

#[test]
fn sign_in_link() {
    let rendered = snapshot(
        "sign_in_link",
        &SignInLink {
            first_name: "Léa".into(),
            link: "https://passerelle.example.org/connexion/lnk_AbC123".into(),
        },
    );
    // A snapshot does not show it: this text ends with a line break, and
    // the meetings' texts do not.
    assert!(rendered.text.ends_with("L'équipe Passerelle\n"));
}

#[test]
fn texts_end_without_a_line_break() {
    let text = Reminder {
        name: None,
        meeting: meeting(venue()),
    }
    .text();
    assert!(text.starts_with("Bonjour,\n\n"), "{text}");
    assert!(text.ends_with("L'équipe Passerelle"), "{text:?}");
}
