//! Every form route refuses a post that lacks this browser's CSRF token,
//! and writes nothing. The routes come from the router's own list, so a new
//! form cannot be left out; the token is the one the browser received (the
//! form's hidden field, bound to its cookie), not one recomputed here.

use http::StatusCode;
use passerelle::app;
use passerelle_app::accounts;
use passerelle_web::form_paths;
use sea_orm::EntityTrait;

use crate::common::api::{ask, setup, volunteer};
use crate::common::web::{Browser, PASSWORD, account, mailed_link, referent, staff};
use crate::common::{TestDb, both_backends};

/// What the pages say when a form lacks its CSRF token.
const REFUSED: &str = "Ce formulaire a expiré";

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
    let sector = crate::common::meetings::sector_id(&app, "0750607C").await;
    let (meeting, _) = crate::common::meetings::soon_meeting(&app, &token, sector, 5).await;
    let meeting = meeting.to_string();
    crate::common::meetings::register(&app, meeting.parse().unwrap(), "Léa", "lea@example.org")
        .await;
    let registration_secret = crate::common::meetings::registration_links(
        &db,
        meeting.parse().unwrap(),
        "lea@example.org",
    )
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
