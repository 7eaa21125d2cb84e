//! The pages through the router, without a browser: status codes,
//! redirections, cookies, French content and errors beside their fields.
use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use passerelle::app;
use passerelle_web::{CSRF_COOKIE, SESSION_COOKIE};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use super::{HOME, UAI, import_subset};
use crate::common::{TestDb, both_backends, shared_data, urlencode};

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn set_cookie(&self) -> String {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn has(&self, needle: &str) -> bool {
        self.body.contains(needle)
    }
}

async fn send(app: &Router, request: Request<Body>) -> Page {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Page {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn page(app: &Router, uri: &str, cookie: Option<&str>) -> Page {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

/// The CSRF cookie of the test's browser, and the token its forms carry.
const BROWSER: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn csrf() -> String {
    hex::encode(Sha256::digest(format!("{BROWSER}:csrf").as_bytes()))
}

/// Posts a form as a browser does: with its CSRF cookie, and the token
/// unless `fields` brings its own.
async fn post(app: &Router, uri: &str, fields: &[(&str, &str)], cookie: Option<&str>) -> Page {
    let token = csrf();
    let mut fields = fields.to_vec();
    if !fields.iter().any(|(k, _)| *k == "csrf") {
        fields.push(("csrf", &token));
    }
    let cookie = match cookie {
        Some(c) => format!("{CSRF_COOKIE}={BROWSER}; {c}"),
        None => format!("{CSRF_COOKIE}={BROWSER}"),
    };
    post_raw(app, uri, &fields, Some(&cookie)).await
}

async fn post_raw(app: &Router, uri: &str, fields: &[(&str, &str)], cookie: Option<&str>) -> Page {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut request =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(Body::from(body)).unwrap()).await
}

async fn pages_speak_french_and_load_nothing_from_elsewhere(db: TestDb) {
    let app = app(db.state().await);
    let home = page(&app, "/", None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(
        home.headers[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    assert!(home.has(r#"<html lang="fr">"#));
    assert!(home.has("Trouver mon collège de secteur"));
    assert!(home.has("Aucune carte des secteurs n&#39;est encore disponible."));
    let csp = home.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.starts_with("default-src 'self';"), "{csp}");
    assert_eq!(home.headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(home.headers[header::CACHE_CONTROL], "no-store");
    for attribute in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
        assert!(
            !home.has(attribute),
            "a link to another origin: {attribute}"
        );
    }

    let english = page(&app, "/?lang=en", None).await;
    assert!(english.has(r#"<html lang="en">"#));
    assert!(english.has("Find my catchment collège"));
    assert!(english.set_cookie().contains("passerelle_lang=en"));
    let remembered = page(&app, "/referent", Some("passerelle_lang=en")).await;
    assert!(remembered.has("Become a referent parent"));
    assert!(remembered.has(r#"href="/referent?lang=fr""#));

    for (path, kind) in [
        ("/static/style.css", "text/css"),
        ("/static/app.js", "text/javascript"),
        ("/static/favicon.svg", "image/svg+xml"),
    ] {
        let asset = page(&app, path, None).await;
        assert_eq!(asset.status, StatusCode::OK, "{path}");
        assert!(
            asset.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
    }

    let empty = page(&app, "/recherche?adresse=", None).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.has(r#"<p class="err" id="adresse-err">Indiquez une adresse.</p>"#));
    assert!(empty.has(r#"aria-invalid="true""#));
    let suggestions = page(&app, "/adresses/suggestions?q=ab", None).await;
    assert_eq!(
        (suggestions.status, suggestions.body.as_str()),
        (StatusCode::OK, "[]")
    );

    for path in [
        "/demande/dem_0000",
        "/demande/dem_0000/envoyee",
        "/espace-referent/ref_0000",
        "/inscription/ins_0000",
        "/reunions/abc",
        "/secteur/999999",
    ] {
        let missing = page(&app, path, None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}");
        assert!(missing.has("<h1>Page introuvable</h1>"), "{path}");
    }
}

/// The mean IPS of the collèges of Paris in the national file.
fn paris_mean_ips() -> String {
    let text = std::fs::read_to_string(shared_data("national/ips-colleges-2022.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap()
    };
    let (dept, ips) = (col("Code du département"), col("IPS"));
    let values: Vec<f64> = lines
        .map(|l| l.split(';').collect::<Vec<_>>())
        .filter(|f| f[dept] == "075")
        .filter_map(|f| f[ips].parse().ok())
        .collect();
    format!("{:.1}", values.iter().sum::<f64>() / values.len() as f64).replace('.', ",")
}

async fn sector_pages_show_facts_map_meetings_and_form(db: TestDb) {
    import_subset(&db);
    let app = app(db.state().await);
    let home = page(&app, "/", None).await;
    assert_eq!(
        home.body.matches(r#"<a href="/secteur/"#).count(),
        7,
        "the overview map links every sector"
    );
    assert!(home.has("data-locate"));

    let sector = page(
        &app,
        &format!("/secteur?lat={}&lon={}", HOME.0, HOME.1),
        None,
    )
    .await;
    assert_eq!(sector.status, StatusCode::OK, "{}", sector.body);
    for needle in [
        "<h1>Collège Alain Fournier</h1>",
        "<dd>Public</dd>",
        "<dd>560</dd>",
        "<dd>118,0 <span class=\"muted\">(moyenne du département : ",
        "indice de position sociale, environ 100 en moyenne nationale",
        "Ce n&#39;est pas une note du collège.",
        r#"<path class="sector" fill-rule="evenodd" d="M"#,
        r#"<g class="home">"#,
        r#"<g class="school">"#,
        r#"name="lat" value="48.856095""#,
        "Aucune réunion n&#39;est prévue",
        "Parler avec un parent du collège",
    ] {
        assert!(sector.has(needle), "{needle:?} missing");
    }
    assert!(sector.has(&format!("moyenne du département : {}", paris_mean_ips())));

    let id = home
        .body
        .split(r#"<a href="/secteur/"#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let picked = page(&app, &format!("/secteur/{id}"), None).await;
    assert_eq!(picked.status, StatusCode::OK);
    assert!(picked.has("Vous avez choisi ce secteur sur la carte"));
    assert!(
        !picked.has(r#"<g class="home">"#),
        "no home without an address"
    );

    let bad = page(&app, "/secteur?lat=abc&lon=2.37", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has(r#"<p class="err" id="lat-err">Indiquez un nombre en degrés décimaux"#));
    assert!(bad.has(r#"value="abc""#), "what was typed stays");
    let nowhere = page(&app, "/secteur?lat=45.0&lon=1.0", None).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert!(nowhere.has("Aucun secteur de collège connu"));
}

async fn the_contact_form_shows_errors_beside_fields_then_redirects(db: TestDb) {
    import_subset(&db);
    let app = app(db.state().await);
    let (lat, lon) = (HOME.0.to_string(), HOME.1.to_string());
    let base = [
        ("sector_id", "0"),
        ("lat", lat.as_str()),
        ("lon", lon.as_str()),
        ("home", "1"),
    ];
    let empty = post(&app, "/demande", &base, None).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "first_name",
        "email",
        "child_grade",
        "preferred_contact",
        "consent",
    ] {
        assert!(
            empty.has(&format!(r#"id="{field}-err""#)),
            "no error beside {field}"
        );
        assert!(
            empty.has(&format!(r##"<a href="#{field}">"##)),
            "{field} not in the summary"
        );
    }
    assert!(empty.has("Le prénom doit compter de 1 à 60 caractères"));
    assert!(empty.has("Indiquez une adresse e-mail ou un numéro de téléphone"));
    // The same refusal, in English for a person who chose it: the codes of
    // the application put into their words.
    let english = post(&app, "/demande", &base, Some("passerelle_lang=en")).await;
    assert_eq!(english.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(english.has("The first name must have 1 to 60 characters"));
    assert!(english.has("Give an e-mail address or a phone number"));
    assert!(english.has("Choose an answer"));
    assert!(
        !english.has("Le prénom"),
        "no French error on an English page"
    );
    assert!(
        empty.has("<h1>Collège Alain Fournier</h1>"),
        "the sector page again"
    );

    let mut fields = base.to_vec();
    fields.extend([
        ("first_name", "Julien"),
        ("email", "pas-une-adresse"),
        ("child_grade", "CM2"),
        ("preferred_contact", "email"),
        ("languages", "fr"),
        ("languages", "ar"),
        ("consent", "1"),
    ]);
    let bad_email = post(&app, "/demande", &fields, None).await;
    assert_eq!(bad_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_email
            .has(r#"<p class="err" id="email-err">L&#39;adresse e-mail n&#39;est pas valide</p>"#)
    );
    assert!(
        bad_email.has(r#"id="lang-ar" name="languages" value="ar" checked"#),
        "choices are kept"
    );

    fields.retain(|(k, _)| *k != "email");
    fields.push(("email", "julien@famille.example"));
    let sent = post(&app, "/demande", &fields, None).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let confirmation = sent.location().to_owned();
    assert!(confirmation.starts_with("/demande/dem_") && confirmation.ends_with("/envoyee"));
    let status_path = confirmation.trim_end_matches("/envoyee").to_owned();
    let shown = page(&app, &confirmation, None).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.has(&format!(r#"<a id="status-link" href="{status_path}">"#)));
    let status = page(&app, &status_path, None).await;
    assert!(status.has("Nous cherchons un parent disponible dans votre secteur."));
    let withdrawn = post(&app, &format!("{status_path}/retrait"), &[], None).await;
    assert_eq!(
        (withdrawn.status, withdrawn.location()),
        (StatusCode::SEE_OTHER, status_path.as_str())
    );
    assert!(
        page(&app, &status_path, None)
            .await
            .has("Vous avez retiré votre demande.")
    );
}

async fn a_referent_volunteers_and_changes_settings(db: TestDb) {
    import_subset(&db);
    let app = app(db.state().await);
    let form = page(&app, "/referent", None).await;
    assert!(form.has(&format!(
        r#"<option value="{UAI}">Collège Alain Fournier</option>"#
    )));
    let empty = post(&app, "/referent", &[], None).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["first_name", "email", "uai", "child_grade", "consent"] {
        assert!(
            empty.has(&format!(r#"id="{field}-err""#)),
            "no error beside {field}"
        );
    }
    let fields = [
        ("first_name", "Amina"),
        ("email", "amina@parents.example"),
        ("uai", UAI),
        ("child_grade", "5e"),
        ("languages", "fr"),
        ("monthly_capacity", "2"),
        ("weekends", "1"),
        ("consent", "1"),
    ];
    let created = post(&app, "/referent", &fields, None).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let welcome = created.location().to_owned();
    assert!(welcome.starts_with("/espace-referent/ref_") && welcome.ends_with("/bienvenue"));
    let space = welcome.trim_end_matches("/bienvenue").to_owned();
    assert!(
        page(&app, &welcome, None)
            .await
            .has(&format!(r#"href="{space}""#))
    );
    let shown = page(&app, &space, None).await;
    assert!(shown.has("<h1>Bonjour Amina</h1>") && shown.has("Aucune demande pour le moment."));

    let saved = post(
        &app,
        &format!("{space}/reglages"),
        &[("monthly_capacity", "4"), ("paused", "1")],
        None,
    )
    .await;
    assert_eq!(saved.location(), format!("{space}?ok=reglages"));
    let shown = page(&app, saved.location(), None).await;
    assert!(shown.has(
        r#"name="monthly_capacity" type="number" min="1" max="10" inputmode="numeric" value="4""#
    ));
    assert!(shown.has("Vos demandes sont en pause.") && shown.has("C&#39;est enregistré."));
    let refused = post(
        &app,
        &format!("{space}/reglages"),
        &[("monthly_capacity", "99")],
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.has("Indiquez un nombre de 1 à 10."));
}

async fn organizer_pages_need_a_session_and_check_csrf(db: TestDb) {
    import_subset(&db);
    let state = db.state().await;
    passerelle_app::accounts::create(
        &state,
        "orga@example.org",
        passerelle_app::access::Role::Organizer,
        "un mot de passe assez long",
        None,
    )
    .await
    .unwrap();
    let app = app(state);
    let anonymous = page(&app, "/organisation", None).await;
    assert_eq!(
        (anonymous.status, anonymous.location()),
        (StatusCode::SEE_OTHER, "/organisation/connexion")
    );
    let form = page(&app, "/organisation/connexion", None).await;
    assert!(form.set_cookie().contains(&format!("{CSRF_COOKIE}=")));
    assert!(form.has(r#"name="csrf" value=""#));

    let wrong = post(
        &app,
        "/organisation/connexion",
        &[
            ("email", "orga@example.org"),
            ("password", "pas le bon mot de passe"),
        ],
        None,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.has("Adresse e-mail ou mot de passe incorrect."));
    assert!(!wrong.set_cookie().contains(SESSION_COOKIE));
    let unknown = post(
        &app,
        "/organisation/connexion",
        &[
            ("email", "nobody@example.org"),
            ("password", "un mot de passe assez long"),
        ],
        None,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(unknown.has("Adresse e-mail ou mot de passe incorrect."));
    let no_csrf = post_raw(
        &app,
        "/organisation/connexion",
        &[
            ("email", "orga@example.org"),
            ("password", "un mot de passe assez long"),
        ],
        None,
    )
    .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);

    let credentials = [
        ("email", "Orga@Example.org"),
        ("password", "un mot de passe assez long"),
    ];
    let signed = post(&app, "/organisation/connexion", &credentials, None).await;
    assert_eq!(
        (signed.status, signed.location()),
        (StatusCode::SEE_OTHER, "/organisation")
    );
    let set = signed.set_cookie();
    for part in [SESSION_COOKIE, "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(part), "{part} missing from {set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    let session = set
        .split(&format!("{SESSION_COOKIE}="))
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .unwrap()
        .to_owned();
    assert!(session.len() > 64, "{session}");
    let behind_tls = send(
        &app,
        Request::post("/organisation/connexion")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-proto", "https")
            .header(header::COOKIE, format!("{CSRF_COOKIE}={BROWSER}"))
            .body(Body::from(format!(
                "email=orga%40example.org&password=un+mot+de+passe+assez+long&csrf={}",
                csrf()
            )))
            .unwrap(),
    )
    .await;
    assert!(
        behind_tls.set_cookie().contains("; Secure"),
        "{}",
        behind_tls.set_cookie()
    );

    let cookie = format!("{SESSION_COOKIE}={session}");
    let with_csrf = format!("{CSRF_COOKIE}={BROWSER}; {cookie}");
    let dashboard = page(&app, "/organisation", Some(&with_csrf)).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.has(&format!(r#"name="csrf" value="{}""#, csrf())));
    assert!(dashboard.has("<td>paris</td><td>2024-2025</td><td>7</td>"));

    let forged = post(
        &app,
        "/organisation/appariement",
        &[("csrf", "0000")],
        Some(&cookie),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.has("Ce formulaire a expiré"));
    let run = post(&app, "/organisation/appariement", &[], Some(&cookie)).await;
    assert_eq!(run.status, StatusCode::SEE_OTHER);
    assert!(
        run.location().starts_with("/organisation?kept=0&created=0"),
        "{}",
        run.location()
    );
    assert!(
        page(&app, run.location(), Some(&cookie))
            .await
            .has("Appariement terminé")
    );

    let new = page(&app, "/organisation/reunions/nouvelle", Some(&cookie)).await;
    let sector = new
        .body
        .split(r#"name="sector_ids" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let (starts, ends) = (
        crate::common::meetings::on("03-12T18:30"),
        crate::common::meetings::on("03-12T20:00"),
    );
    let meeting = [
        ("title", "Réunion de quartier"),
        ("venue_name", "Maison des associations"),
        ("venue_address", "8 rue du Général Renault, 75011 Paris"),
        ("starts_at", starts.as_str()),
        ("ends_at", ends.as_str()),
        ("capacity", "20"),
        ("sector_ids", sector.as_str()),
    ];
    let unreadable = post(
        &app,
        "/organisation/reunions",
        &[("starts_at", "demain")],
        Some(&cookie),
    )
    .await;
    assert_eq!(unreadable.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["title", "starts_at", "ends_at", "capacity", "sector_ids"] {
        assert!(
            unreadable.has(&format!(r#"id="{field}-err""#)),
            "no error beside {field}"
        );
    }
    let created = post(&app, "/organisation/reunions", &meeting, Some(&cookie)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let admin = created.location().split('?').next().unwrap().to_owned();
    let shown = page(&app, created.location(), Some(&cookie)).await;
    assert!(
        shown.has(&format!(
            "{} 12 mars {}, de 18 h 30 à 20 h 00",
            crate::common::meetings::weekday_fr(&starts),
            crate::common::meetings::year()
        )),
        "{}",
        shown.body
    );
    let csv = page(&app, &format!("{admin}/inscriptions.csv"), Some(&cookie)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body, "id,nom,email,accompagnants,statut,inscrit_le\n");
    let no_cookie = page(&app, &format!("{admin}/inscriptions.csv"), None).await;
    assert_eq!(no_cookie.status, StatusCode::SEE_OTHER);
    let cancelled = post(&app, &format!("{admin}/annulation"), &[], Some(&cookie)).await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    assert!(
        page(&app, &admin, Some(&cookie))
            .await
            .has("Réunion annulée")
    );

    let out = post(&app, "/deconnexion", &[], Some(&cookie)).await;
    assert_eq!((out.status, out.location()), (StatusCode::SEE_OTHER, "/"));
    assert!(
        out.set_cookie()
            .contains(&format!("{SESSION_COOKIE}=; Path=/; Max-Age=0"))
    );
    // The session is over on the server too, not only in this browser.
    let ended = page(&app, "/organisation", Some(&cookie)).await;
    assert_eq!(ended.location(), "/organisation/connexion");
}

async fn public_forms_are_rate_limited_with_a_page(db: TestDb) {
    let app = app(db
        .state_with(&[
            ("PASSERELLE_RATE_LIMIT", "on"),
            ("PASSERELLE_RATE_LIMIT_WRITES_PER_MINUTE", "2"),
        ])
        .await);
    for _ in 0..2 {
        let refused = post(&app, "/referent", &[], None).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let limited = post(&app, "/referent", &[], None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
    assert!(limited.has("<h1>Trop de demandes</h1>"), "{}", limited.body);
    assert_eq!(page(&app, "/referent", None).await.status, StatusCode::OK);
}

both_backends!(
    public_forms_are_rate_limited_with_a_page,
    pages_speak_french_and_load_nothing_from_elsewhere,
    sector_pages_show_facts_map_meetings_and_form,
    the_contact_form_shows_errors_beside_fields_then_redirects,
    a_referent_volunteers_and_changes_settings,
    organizer_pages_need_a_session_and_check_csrf,
);
