//! Every form route refuses a post that lacks this browser's CSRF token,
//! and writes nothing. The routes come from the router's own list, so a new
//! form cannot be left out; the token is the one the browser received (the
//! form's hidden field, bound to its cookie), not one recomputed here.
use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use passerelle::app;
use passerelle_app::accounts;
use passerelle_web::{SESSION_COOKIE, form_paths};
use sea_orm::EntityTrait;

use crate::common::{TestDb, both_backends, urlencode};
use crate::matching::{ask, setup, volunteer};

/// A password that any reasonable password rule accepts.
pub const PASSWORD: &str = "Vx7#qLp9-mZ2@wRt4!kB";

/// What the pages say when a form lacks its CSRF token.
const REFUSED: &str = "Ce formulaire a expiré";

/// A page as a browser sees it.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

/// A browser: the cookies the server gave it and the CSRF token of the
/// last form it was shown.
pub struct Browser {
    cookies: BTreeMap<String, String>,
    pub token: String,
}

impl Browser {
    /// A new browser that opens `page` (a page with a form) and keeps what
    /// it is given.
    pub async fn open(app: &Router, page: &str) -> Self {
        let mut browser = Self {
            cookies: BTreeMap::new(),
            token: String::new(),
        };
        let shown = browser.get(app, page).await;
        assert_eq!(shown.status, StatusCode::OK, "{page}");
        browser
    }

    pub fn has_session(&self) -> bool {
        self.cookies.contains_key(SESSION_COOKIE)
    }

    pub fn session(&self) -> Option<&str> {
        self.cookies.get(SESSION_COOKIE).map(String::as_str)
    }

    fn keep(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    async fn send(&mut self, app: &Router, request: http::request::Builder, body: String) -> Page {
        let cookies: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let request = request
            .header(header::COOKIE, cookies.join("; "))
            .body(Body::from(body))
            .unwrap();
        let response = tower::ServiceExt::oneshot(app.clone(), request)
            .await
            .unwrap();
        self.keep(response.headers());
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8(bytes.to_vec()).unwrap();
        if let Some(token) = body
            .split(r#"name="csrf" value=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        {
            self.token = token.to_owned();
        }
        Page {
            status,
            location,
            body,
        }
    }

    pub async fn get(&mut self, app: &Router, uri: &str) -> Page {
        self.send(app, Request::get(uri), String::new()).await
    }

    /// Posts exactly `fields`.
    pub async fn post(&mut self, app: &Router, uri: &str, fields: &[(&str, &str)]) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request =
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(app, request, body).await
    }

    /// Posts `fields` with the token of the form this browser was shown.
    pub async fn submit(&mut self, app: &Router, uri: &str, fields: &[(&str, &str)]) -> Page {
        assert!(!self.token.is_empty(), "no form was shown to this browser");
        let token = self.token.clone();
        let mut all = fields.to_vec();
        all.push(("csrf", &token));
        self.post(app, uri, &all).await
    }
}

/// The sign-in link of the newest mail to `email`, as a path.
pub async fn mailed_link(db: &TestDb, email: &str) -> String {
    let outbox = db.store().await.outbox().await.unwrap();
    let mail = outbox
        .iter()
        .rev()
        .find(|m| m.recipient_email == email && m.kind == "sign_in_link")
        .expect("a sign-in mail");
    let url = mail
        .body
        .split_whitespace()
        .find(|w| w.contains("/connexion/"))
        .unwrap();
    url[url.find("/connexion/").unwrap()..].to_owned()
}

/// Creates an account with the real binary.
pub fn account(db: &TestDb, email: &str, role: &str) {
    let out = db.cli_input(
        &["account", "create", "--email", email, "--role", role],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A browser signed in as staff through the sign-in page.
pub async fn staff(app: &Router, email: &str) -> Browser {
    let mut browser = Browser::open(app, "/organisation/connexion").await;
    let page = browser
        .submit(
            app,
            "/organisation/connexion",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some("/organisation"),
        "{}",
        page.body
    );
    assert!(browser.has_session());
    browser
}

/// A browser signed in as a referent through a mailed link.
pub async fn referent(app: &Router, db: &TestDb, email: &str) -> Browser {
    let mut browser = Browser::open(app, "/referent/connexion").await;
    browser
        .submit(app, "/referent/connexion", &[("email", email)])
        .await;
    let link = mailed_link(db, email).await;
    browser.get(app, &link).await;
    let page = browser.submit(app, &link, &[]).await;
    assert_eq!(page.location.as_deref(), Some("/espace-referent"));
    assert!(browser.has_session());
    browser
}

/// Everything the forms could change, as text (sessions without their
/// last activity, which reading a page may touch).
async fn snapshot(db: &TestDb) -> String {
    use passerelle_store::entities::{
        accounts, contact_requests, meetings, outbox, proposals, referents, registrations,
        sessions, sign_in_links,
    };
    let conn = sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    let sessions: Vec<_> = sessions::Entity::find()
        .all(&conn)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.id, s.token_hash, s.expires_at, s.revoked_at))
        .collect();
    let text = format!(
        "{:?}\n{sessions:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        accounts::Entity::find().all(&conn).await.unwrap(),
        sign_in_links::Entity::find().all(&conn).await.unwrap(),
        referents::Entity::find().all(&conn).await.unwrap(),
        contact_requests::Entity::find().all(&conn).await.unwrap(),
        proposals::Entity::find().all(&conn).await.unwrap(),
        meetings::Entity::find().all(&conn).await.unwrap(),
        registrations::Entity::find().all(&conn).await.unwrap(),
        outbox::Entity::find().all(&conn).await.unwrap(),
    );
    conn.close().await.ok();
    text
}

/// Fields of a form, by name.
type Fields<'a> = Vec<(&'a str, &'a str)>;

/// Who posts a form.
#[derive(Clone, Copy, Debug)]
enum Who {
    Anyone,
    Referent,
    Admin,
}

async fn every_form_refuses_a_post_without_its_token(db: TestDb) {
    let token = setup(&db);
    account(&db, "admin@asso.example", "admin");
    account(&db, "orga@asso.example", "organizer");
    let state = db.state().await;
    let app = app(state.clone());
    let space = volunteer(&app, "Amina", 2).await;
    let space_secret = space.rsplit('/').next().unwrap().to_owned();
    let (status, proposed) = ask(&app, "Julien").await;
    assert!(proposed);
    let status_secret = status.rsplit('/').next().unwrap().to_owned();
    let proposal = db.store().await.proposals().await.unwrap()[0]
        .id
        .to_string();
    let sector = crate::meetings::sector_id(&app, "0750607C").await;
    let (meeting, _) = crate::maintenance::soon_meeting(&app, &token, sector, 5).await;
    let meeting = meeting.to_string();
    crate::maintenance::register(&app, meeting.parse().unwrap(), "Léa", "lea@example.org").await;
    let registration_secret =
        crate::meetings::registration_links(&db, meeting.parse().unwrap(), "lea@example.org")
            .await
            .secret;
    accounts::send_sign_in_link(&state, "amina@parents.example")
        .await
        .unwrap();
    let link = mailed_link(&db, "amina@parents.example").await;

    let mut referent_browser = referent(&app, &db, "amina@parents.example").await;
    let mut admin = staff(&app, "admin@asso.example").await;
    let mut anyone = Browser::open(&app, "/referent").await;
    // Another browser, with a session of its own and its own valid token.
    let other = staff(&app, "orga@asso.example").await;
    assert_ne!(other.token, admin.token);
    assert_ne!(other.token, anyone.token);

    let family = [
        ("first_name", "Chloé"),
        ("email", "chloe@famille.example"),
        ("lat", "48.856095"),
        ("lon", "2.376293"),
        ("child_grade", "CM2"),
        ("preferred_contact", "email"),
        ("consent", "on"),
    ];
    let volunteer_fields = [
        ("first_name", "Bruno"),
        ("email", "bruno@parents.example"),
        ("uai", "0750607C"),
        ("child_grade", "6e"),
        ("monthly_capacity", "2"),
        ("consent", "on"),
    ];
    let sector_text = sector.to_string();
    let meeting_fields = [
        ("title", "Réunion changée"),
        ("sector_ids", sector_text.as_str()),
        ("capacity", "9"),
    ];
    let cases: Vec<(&str, String, Who, Fields<'_>)> = vec![
        ("/demande", "/demande".into(), Who::Anyone, family.to_vec()),
        (
            "/demande/{secret}/retrait",
            format!("/demande/{status_secret}/retrait"),
            Who::Anyone,
            vec![],
        ),
        (
            "/reunions/{id}/inscription",
            format!("/reunions/{meeting}/inscription"),
            Who::Anyone,
            vec![("name", "Tom"), ("email", "tom@example.org")],
        ),
        (
            "/inscription/{secret}/annulation",
            format!("/inscription/{registration_secret}/annulation"),
            Who::Anyone,
            vec![],
        ),
        (
            "/referent",
            "/referent".into(),
            Who::Anyone,
            volunteer_fields.to_vec(),
        ),
        (
            "/referent/connexion",
            "/referent/connexion".into(),
            Who::Anyone,
            vec![("email", "amina@parents.example")],
        ),
        ("/connexion/{token}", link.clone(), Who::Anyone, vec![]),
        ("/deconnexion", "/deconnexion".into(), Who::Referent, vec![]),
        (
            "/espace-referent/propositions/{id}/accepter",
            format!("/espace-referent/propositions/{proposal}/accepter"),
            Who::Referent,
            vec![],
        ),
        (
            "/espace-referent/propositions/{id}/refuser",
            format!("/espace-referent/propositions/{proposal}/refuser"),
            Who::Referent,
            vec![],
        ),
        (
            "/espace-referent/reglages",
            "/espace-referent/reglages".into(),
            Who::Referent,
            vec![("monthly_capacity", "5")],
        ),
        (
            "/espace-referent/{secret}/propositions/{id}/accepter",
            format!("/espace-referent/{space_secret}/propositions/{proposal}/accepter"),
            Who::Anyone,
            vec![],
        ),
        (
            "/espace-referent/{secret}/propositions/{id}/refuser",
            format!("/espace-referent/{space_secret}/propositions/{proposal}/refuser"),
            Who::Anyone,
            vec![],
        ),
        (
            "/espace-referent/{secret}/reglages",
            format!("/espace-referent/{space_secret}/reglages"),
            Who::Anyone,
            vec![("monthly_capacity", "5")],
        ),
        (
            "/organisation/connexion",
            "/organisation/connexion".into(),
            Who::Anyone,
            vec![("email", "admin@asso.example"), ("password", PASSWORD)],
        ),
        (
            "/organisation/appariement",
            "/organisation/appariement".into(),
            Who::Admin,
            vec![],
        ),
        (
            "/organisation/comptes/sessions",
            "/organisation/comptes/sessions".into(),
            Who::Admin,
            vec![("email", "orga@asso.example")],
        ),
        (
            "/organisation/comptes/desactivation",
            "/organisation/comptes/desactivation".into(),
            Who::Admin,
            vec![("email", "orga@asso.example")],
        ),
        (
            "/organisation/reunions",
            "/organisation/reunions".into(),
            Who::Admin,
            meeting_fields.to_vec(),
        ),
        (
            "/organisation/reunions/{id}",
            format!("/organisation/reunions/{meeting}"),
            Who::Admin,
            meeting_fields.to_vec(),
        ),
        (
            "/organisation/reunions/{id}/annulation",
            format!("/organisation/reunions/{meeting}/annulation"),
            Who::Admin,
            vec![],
        ),
    ];

    // The router's list and this test's cases are the same set.
    let routes: Vec<&str> = form_paths();
    let covered: Vec<&str> = cases.iter().map(|c| c.0).collect();
    for route in &routes {
        assert!(
            covered.contains(route),
            "POST {route} is a form of the router with no case here: add one"
        );
    }
    for path in &covered {
        assert!(routes.contains(path), "{path} is no longer a form route");
    }
    assert_eq!(routes.len(), covered.len());

    let before = snapshot(&db).await;
    let mut failures = Vec::new();
    for (route, uri, who, fields) in &cases {
        let browser = match who {
            Who::Anyone => &mut anyone,
            Who::Referent => &mut referent_browser,
            Who::Admin => &mut admin,
        };
        let mine = browser.token.clone();
        let mut wrong = mine.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        let attempts = [
            ("no token", None),
            ("a wrong token", Some(wrong.as_str())),
            ("another browser's token", Some(other.token.as_str())),
        ];
        for (what, csrf) in attempts {
            let session = browser.session().map(str::to_owned);
            let mut sent = fields.clone();
            if let Some(csrf) = csrf {
                sent.push(("csrf", csrf));
            }
            let page = browser.post(&app, uri, &sent).await;
            if page.status != StatusCode::FORBIDDEN || !page.body.contains(REFUSED) {
                failures.push(format!(
                    "POST {route} ({uri}) as {who:?} with {what}: {} {:?}",
                    page.status,
                    page.body.chars().take(200).collect::<String>()
                ));
            }
            assert_eq!(
                browser.session(),
                session.as_deref(),
                "POST {route} with {what} changed the session cookie"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        snapshot(&db).await,
        before,
        "a refused form wrote something"
    );

    // The same posts with the browser's own token are not refused as
    // forged: the refusals above were the token's doing. Sign-out last.
    let mut ordered: Vec<_> = cases.iter().collect();
    ordered.sort_by_key(|c| c.0 == "/deconnexion");
    for (route, uri, who, fields) in ordered {
        let browser = match who {
            Who::Anyone => &mut anyone,
            Who::Referent => &mut referent_browser,
            Who::Admin => &mut admin,
        };
        let page = browser.submit(&app, uri, fields).await;
        assert!(
            !page.body.contains(REFUSED) && page.status != StatusCode::FORBIDDEN,
            "POST {route} as {who:?} with its own token: {} {}",
            page.status,
            page.body.chars().take(300).collect::<String>()
        );
    }
}

both_backends!(every_form_refuses_a_post_without_its_token);
