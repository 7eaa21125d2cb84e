//! Meetings as the scenarios make them: dates in a winter week ahead, a
//! sector's id, the links a registration mailed, a page client with cookies.
use axum::Router;
use chrono::{DateTime, Datelike, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use serde_json::{Value, json};

use http::StatusCode;

use super::api::send;
use super::{TestDb, get};

// Titles are one line: line breaks in `.ics` text are tested with the
// description (`hostile::multi_line_text_is_escaped_where_shown`).
pub const TITLE: &str = "Réunion « Roquette », collège; parents, \"questions\" et réponses";

pub async fn sector_id(app: &Router, uai: &str) -> i64 {
    let list = get(app, "/api/v1/sectors?year=2024-2025").await.json();
    list["sectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["uais"][0] == uai)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// The year of the next 12 March at least a week ahead: meetings of the
/// tests fall in it, a winter day (UTC+1 in Paris) within the two years a
/// meeting may be planned ahead.
pub fn year() -> i32 {
    let today = chrono::Utc::now().date_naive();
    let march_12 = chrono::NaiveDate::from_ymd_opt(today.year(), 3, 12).unwrap();
    if march_12 - today >= chrono::TimeDelta::days(7) {
        today.year()
    } else {
        today.year() + 1
    }
}

/// A local time of [`year`]: `on("03-12T18:30")`.
pub fn on(month_day_time: &str) -> String {
    format!("{}-{month_day_time}", year())
}

/// The last Sunday of `month` in [`year`], when clocks change in Europe.
pub fn last_sunday(month: u32) -> String {
    let first_of_next = chrono::NaiveDate::from_ymd_opt(year(), month + 1, 1).unwrap();
    let mut day = first_of_next.pred_opt().unwrap();
    while day.weekday() != chrono::Weekday::Sun {
        day = day.pred_opt().unwrap();
    }
    day.format("%Y-%m-%d").to_string()
}

/// The French name of the weekday of a `YYYY-MM-DD…` date.
pub fn weekday_fr(date: &str) -> &'static str {
    let day = chrono::NaiveDate::parse_from_str(&date[..10], "%Y-%m-%d").unwrap();
    [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ][day.weekday().num_days_from_monday() as usize]
}

pub fn meeting(sector: i64, starts: &str, ends: &str, capacity: i32) -> Value {
    // Registrations close the day before.
    let deadline = chrono::NaiveDate::parse_from_str(&starts[..10], "%Y-%m-%d")
        .unwrap()
        .pred_opt()
        .unwrap()
        .format("%Y-%m-%dT12:00")
        .to_string();
    json!({
        "title": TITLE, "description": "Café, échanges; questions",
        "sector_ids": [sector],
        "venue": {"name": "Maison des associations", "address": "8 rue du Général Renault, 75011 Paris", "lat": 48.8627, "lon": 2.3789},
        "starts_at": starts, "ends_at": ends, "time_zone": "Europe/Paris", "capacity": capacity,
        "registration_deadline": deadline
    })
}

/// The path of the first link holding `needle` in the last message of
/// `kind` queued for `email`.
pub async fn mailed_link(db: &TestDb, email: &str, kind: &str, needle: &str) -> String {
    let outbox = db.store().await.outbox().await.unwrap();
    let message = outbox
        .iter()
        .rev()
        .find(|m| m.recipient_email == email && m.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} message to {email}"));
    let url = message
        .body
        .split_whitespace()
        .find(|w| w.starts_with("http") && w.contains(needle))
        .unwrap_or_else(|| panic!("no link with {needle}: {}", message.body));
    format!("/{}", url.splitn(4, '/').nth(3).unwrap())
}

/// The private links of a registration, as its confirmation mailed them
/// (a registration's answer holds none).
pub struct MailedRegistration {
    /// The registration's secret.
    pub secret: String,
}

impl MailedRegistration {
    /// `/api/v1/registrations/{secret}`: export and erasure hang under it.
    pub fn link(&self) -> String {
        format!("/api/v1/registrations/{}", self.secret)
    }

    pub fn invite(&self) -> String {
        format!("{}/invite.ics", self.link())
    }

    pub fn cancel(&self) -> String {
        format!("{}/cancel", self.link())
    }
}

/// The links of the registration of `email` for `meeting`, from the last
/// confirmation queued for it.
pub async fn registration_links(db: &TestDb, meeting: i64, email: &str) -> MailedRegistration {
    let outbox = db.store().await.outbox().await.unwrap();
    let message = outbox
        .iter()
        .rev()
        .find(|m| {
            m.kind == "confirmation"
                && m.meeting_id == Some(meeting)
                && m.recipient_email.eq_ignore_ascii_case(email)
        })
        .unwrap_or_else(|| panic!("no confirmation of meeting {meeting} to {email}"));
    let invite = message
        .body
        .split_whitespace()
        .find(|w| w.starts_with("http") && w.ends_with("/invite.ics"))
        .unwrap_or_else(|| panic!("no invite in: {}", message.body));
    let secret = invite.trim_end_matches("/invite.ics").rsplit('/').next();
    MailedRegistration {
        secret: secret.unwrap().to_owned(),
    }
}

/// A browser for the pages: its CSRF cookie, and an organizer's session
/// when signed in.
pub struct WebClient {
    csrf_cookie: String,
    session: Option<String>,
}

/// What a page answered.
pub struct WebReply {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

impl WebClient {
    pub fn anonymous() -> Self {
        Self {
            csrf_cookie: hex::encode([7u8; 32]),
            session: None,
        }
    }

    /// Signed in as a new organizer of every sector.
    pub async fn organizer(state: &passerelle_app::AppState, email: &str) -> Self {
        use passerelle_app::{access::Role, accounts};
        let password = "une phrase de passe assez longue 42";
        accounts::create(state, email, Role::Organizer, password, None)
            .await
            .unwrap();
        Self {
            session: Some(accounts::sign_in(state, email, password).await.unwrap()),
            ..Self::anonymous()
        }
    }

    fn cookies(&self) -> String {
        use passerelle_web::{CSRF_COOKIE, SESSION_COOKIE};
        let mut c = format!("{CSRF_COOKIE}={}", self.csrf_cookie);
        if let Some(s) = &self.session {
            c.push_str(&format!("; {SESSION_COOKIE}={s}"));
        }
        c
    }

    async fn send(&self, app: &Router, request: http::request::Builder, body: String) -> WebReply {
        let request = request
            .header(http::header::COOKIE, self.cookies())
            .body(axum::body::Body::from(body))
            .unwrap();
        let response = tower::ServiceExt::oneshot(app.clone(), request)
            .await
            .unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(http::header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        WebReply {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, app: &Router, uri: &str) -> WebReply {
        self.send(app, http::Request::get(uri), String::new()).await
    }

    /// Posts a form with this browser's CSRF token.
    pub async fn post(&self, app: &Router, uri: &str, fields: &[(&str, &str)]) -> WebReply {
        use sha2::{Digest, Sha256};
        let csrf = hex::encode(Sha256::digest(
            format!("{}:csrf", self.csrf_cookie).as_bytes(),
        ));
        let body = fields
            .iter()
            .copied()
            .chain([("csrf", csrf.as_str())])
            .map(|(k, v)| format!("{k}={}", crate::common::urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = http::Request::post(uri).header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        );
        self.send(app, request, body).await
    }
}

/// A meeting of the test sector, created through the API; its id.
pub async fn create_meeting(app: &Router, token: &str, capacity: i32) -> i64 {
    let sector = sector_id(app, "0750607C").await;
    let reply = send(
        app,
        "POST",
        "/api/v1/meetings",
        Some(meeting(
            sector,
            &on("03-12T18:30"),
            &on("03-12T20:00"),
            capacity,
        )),
        Some(token),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()["id"].as_i64().unwrap()
}

/// A meeting of `capacity` places in `sector`, three days from now at 18:30
/// in Paris (meetings must start in the future); returns its id and start.
pub async fn soon_meeting(
    app: &Router,
    token: &str,
    sector: i64,
    capacity: i32,
) -> (i64, DateTime<Utc>) {
    let day = (Utc::now().with_timezone(&Paris) + Duration::days(3)).date_naive();
    let starts = day.and_hms_opt(18, 30, 0).unwrap();
    let local = |t: NaiveDateTime| t.format("%Y-%m-%dT%H:%M").to_string();
    let mut body = meeting(
        sector,
        &local(starts),
        &local(starts + Duration::minutes(90)),
        capacity,
    );
    // Registration stays open until the meeting starts.
    body.as_object_mut()
        .unwrap()
        .remove("registration_deadline");
    let reply = send(app, "POST", "/api/v1/meetings", Some(body), Some(token)).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let id = reply.json()["id"].as_i64().unwrap();
    let starts = Paris
        .from_local_datetime(&starts)
        .single()
        .unwrap()
        .with_timezone(&Utc);
    (id, starts)
}

/// Registers someone; returns the answer.
pub async fn register(app: &Router, meeting: i64, name: &str, email: &str) -> Value {
    let reply = send(
        app,
        "POST",
        &format!("/api/v1/meetings/{meeting}/registrations"),
        Some(json!({"name": name, "email": email})),
        None,
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}
