//! The web front-end in a real browser: headless Chromium from Debian,
//! driven through chromedriver, against the real `passerelle serve` on a
//! real database. The DevTools network log of the pages proves that they
//! ask for nothing but 127.0.0.1; every request of the browser also goes
//! through a recording proxy that refuses any other host (and measures the
//! home page). Screenshots of each step land in `target/browser-screenshots/`,
//! and each of those pages is checked with axe-core when npm can install it.
//!
//! Run them alone with `cargo test -p passerelle --test e2e browser::`.
mod harness;
mod pages;

use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use chrono_tz::Europe::Paris;
use serde_json::json;

use crate::common::{TestDb, shared_data};
use harness::{Browser, DESKTOP, Server, exclusive};

/// 86 rue de la Roquette, in the sector of collège Alain Fournier (0750607C).
pub const HOME: (f64, f64) = (48.856095, 2.376293);
pub const UAI: &str = "0750607C";

/// The 7 sectors of the Paris 11e subset, with the collèges and their IPS.
pub fn import_subset(db: &TestDb) {
    for (kind, file) in [
        ("schools", "national/colleges-geolocalisation.csv"),
        ("ips", "national/ips-colleges-2022.csv"),
    ] {
        db.cli_ok(&["import", kind, shared_data(file).to_str().unwrap()]);
    }
    db.cli_ok(&[
        "import",
        "sectors",
        shared_data("fixtures/paris-75111-secteurs-subset.geojson")
            .to_str()
            .unwrap(),
        "--territory",
        "paris",
        "--year",
        "2024-2025",
    ]);
}

/// A referent volunteers; a parent finds the sector on the map and by
/// address, asks for a contact; the referent accepts; each sees the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_and_a_referent_meet_in_the_browser() {
    let _one = exclusive().await;
    let db = TestDb::sqlite();
    import_subset(&db);
    db.cli_ok(&[
        "import",
        "addresses",
        shared_data("ban/adresses-75.csv.gz").to_str().unwrap(),
    ]);
    let server = Server::start(&db);
    let b = Browser::start(&server.base, "a").await;

    // A member parent volunteers, forgetting fields at first.
    b.goto("/referent").await;
    b.click("form[action='/referent'] button[type=submit]")
        .await;
    b.wait_text("#uai-err", "Choisissez un collège").await;
    b.shot("00-referent-form-errors").await;
    b.fill("#first_name", "Amina").await;
    b.fill("#email", "amina@parents.example").await;
    b.fill("#phone", "06 11 22 33 44").await;
    b.find("#uai")
        .await
        .select_by_value(UAI)
        .await
        .expect("the collège is offered");
    b.click("#child_grade-6e").await;
    b.click("#consent").await;
    b.shot("01-referent-form").await;
    b.click("form[action='/referent'] button[type=submit]")
        .await;
    let space = b
        .find("#space-link")
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("a link to the space");
    assert!(space.starts_with("/espace-referent/ref_"), "{space}");
    b.shot("02-referent-welcome").await;

    // A hesitant parent clicks their home on the overview map.
    b.goto("/").await;
    b.wait_text("h1", "Trouver mon collège de secteur").await;
    b.shot("03-home").await;
    b.click_map_at(HOME.1, HOME.0).await;
    b.wait_path("/secteur?lat=").await;
    b.wait_text("h1", "Alain Fournier").await;
    b.find("svg.sector-map g.home").await;
    b.shot("04-sector-from-the-map").await;

    // Then types the address and picks a suggestion.
    b.goto("/").await;
    b.fill("#adresse", "86 rue de la roq").await;
    b.wait_text("#adresse-suggestions", "86 Rue de la Roquette")
        .await;
    b.shot("05-address-suggestions").await;
    b.click("#adresse-suggestions li:first-child a").await;
    b.wait_path("/secteur?adresse=").await;
    b.wait_text("h1", "Alain Fournier").await;
    let page = b.text("main").await;
    for needle in [
        "86 Rue de la Roquette 75011 Paris",
        "Public",
        "moyenne du département",
        "Ce n'est pas une note du collège.",
    ] {
        assert!(
            page.contains(needle),
            "{needle:?} missing from the sector page"
        );
    }
    b.shot("06-sector").await;

    // The contact form: an error beside the field first, then the request.
    b.fill("#first_name", "Julien").await;
    b.fill("#email", "julien@famille.example").await;
    b.fill("#phone", "07 98 76 54 32").await;
    b.click("#child_grade-CM2").await;
    b.click("#preferred-phone").await;
    b.fill("#concerns", "Le niveau en maths, la cantine").await;
    b.click("form[action^='/demande'] button[type=submit]")
        .await;
    b.wait_text("#consent-err", "consentement").await;
    assert_eq!(
        b.find("#first_name")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Julien"),
        "what was typed is kept"
    );
    b.shot("07-contact-form-error").await;
    b.click("#consent").await;
    b.click("form[action^='/demande'] button[type=submit]")
        .await;
    let status = b
        .find("#status-link")
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("a link to the status page");
    assert!(status.starts_with("/demande/dem_"), "{status}");
    b.shot("08-request-sent").await;
    b.click("#status-link").await;
    b.wait_text("#request-state", "a reçu votre demande").await;
    b.shot("09-request-proposed").await;

    // The referent accepts in their space and sees the family's details.
    b.goto(&space).await;
    b.wait_text(".proposal", "Julien").await;
    assert!(
        !b.text("main").await.contains("julien@famille.example"),
        "no contact detail before acceptance"
    );
    b.shot("10-space-proposal").await;
    b.click(".proposal form[action$='/accepter'] button").await;
    b.wait_text(".family-contact", "julien@famille.example")
        .await;
    b.wait_text(".family-contact", "07 98 76 54 32").await;
    b.shot("11-space-accepted").await;

    // The family sees the referent's.
    b.goto(&status).await;
    b.wait_text("#referent", "amina@parents.example").await;
    b.wait_text("#referent", "Collège Alain Fournier").await;
    b.shot("12-request-accepted").await;

    b.resize(DESKTOP).await;
    b.goto("/secteur?adresse=86%20Rue%20de%20la%20Roquette%2075011%20Paris")
        .await;
    b.find("svg.sector-map g.home").await;
    b.shot("13-sector-desktop").await;

    b.assert_pages_stayed_local().await;
    b.assert_accessible();
    b.close().await;
}

/// An organizer signs in with a password and schedules a meeting; parents
/// register on the sector page (the second one waits); the .ics downloads;
/// the organizer sees both, exports them, edits, runs the matching.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_schedules_a_meeting_and_parents_register() {
    let _one = exclusive().await;
    let db = TestDb::sqlite();
    import_subset(&db);
    let created = db.cli_input(
        &[
            "account",
            "create",
            "--email",
            "orga@asso.example",
            "--role",
            "organizer",
        ],
        "un mot de passe assez long\n",
    );
    assert!(created.status.success());
    let server = Server::start(&db);
    let sectors: serde_json::Value = reqwest::get(format!("{}/api/v1/sectors", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sector = sectors["sectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["uais"][0] == UAI)
        .expect("the sector of the collège")["id"]
        .as_i64()
        .unwrap();
    let b = Browser::start(&server.base, "b").await;

    b.goto("/organisation").await;
    b.wait_path("/organisation/connexion").await;
    b.fill("#email", "orga@asso.example").await;
    b.fill("#password", "pas le bon mot de passe").await;
    b.click("form[action='/organisation/connexion'] button")
        .await;
    b.wait_text("#signin-err", "mot de passe incorrect").await;
    b.shot("01-signin-error").await;
    b.fill("#password", "un mot de passe assez long").await;
    b.click("form[action='/organisation/connexion'] button")
        .await;
    b.wait_text("h1", "Organisation").await;
    b.wait_text("main", "2024-2025").await;
    b.shot("02-dashboard").await;

    // A meeting in ten days, for one place, so that the second parent waits.
    let day = (Utc::now() + TimeDelta::days(10))
        .with_timezone(&Paris)
        .format("%Y-%m-%d")
        .to_string();
    b.goto("/organisation/reunions").await;
    b.click("#new-meeting").await;
    b.fill("#title", "Réunion des parents du collège Alain Fournier")
        .await;
    b.fill("#description", "Un café pour parler du collège.")
        .await;
    b.fill("#venue_name", "Maison des associations").await;
    b.fill("#venue_address", "8 rue du Général Renault, 75011 Paris")
        .await;
    b.set_value("#starts_at", &format!("{day}T18:30")).await;
    b.set_value("#ends_at", &format!("{day}T20:00")).await;
    b.fill("#capacity", "1").await;
    b.click(&format!("#sector-{sector}")).await;
    b.shot("03-new-meeting").await;
    b.click("form[action='/organisation/reunions'] button[type=submit]")
        .await;
    b.wait_text(".flash", "familles du secteur sont invitées")
        .await;
    let path = b.path().await;
    let meeting: i64 = path
        .trim_start_matches("/organisation/reunions/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .expect("the new meeting's page");
    b.shot("04-meeting-created").await;

    // A parent finds the sector by coordinates and registers.
    b.goto("/").await;
    b.fill("#lat", &HOME.0.to_string()).await;
    b.fill("#lon", &HOME.1.to_string()).await;
    b.click("#coordonnees button").await;
    b.wait_path("/secteur?lat=").await;
    b.wait_text(&format!("#reunion-{meeting}"), "Maison des associations")
        .await;
    let card = format!("#reunion-{meeting}");
    b.fill(&format!("#m{meeting}-name"), "Nadia").await;
    b.fill(&format!("#m{meeting}-email"), "nadia@famille.example")
        .await;
    b.find(&format!("{card} button[type=submit]"))
        .await
        .click()
        .await
        .unwrap();
    b.wait_path(&format!("/reunions/{meeting}?inscription=confirmee"))
        .await;
    b.wait_text(".flash", "Votre inscription est confirmée.")
        .await;
    b.shot("05-registered").await;

    // The .ics link of the sector page is a calendar.
    b.goto(&format!("/secteur?lat={}&lon={}", HOME.0, HOME.1))
        .await;
    let href = b
        .find(&format!("{card} a[download]"))
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("an .ics link");
    assert_eq!(href, format!("/api/v1/meetings/{meeting}.ics"));
    let (code, content_type, body) = b.fetch(&href).await;
    assert_eq!(code, 200);
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    assert!(body.starts_with("BEGIN:VCALENDAR"), "{body}");
    assert!(body.contains("BEGIN:VEVENT"), "{body}");
    b.shot("06-sector-with-meeting").await;

    // A second parent: the meeting is full, so the waiting list.
    b.fill(&format!("#m{meeting}-name"), "Karim").await;
    b.fill(&format!("#m{meeting}-email"), "karim@famille.example")
        .await;
    b.find(&format!("{card} button[type=submit]"))
        .await
        .click()
        .await
        .unwrap();
    b.wait_text(".flash", "liste d'attente").await;

    // The organizer sees both, exports them, then adds a place.
    b.goto(&format!("/organisation/reunions/{meeting}")).await;
    b.wait_text("#registrations", "nadia@famille.example").await;
    b.wait_text("#waitlist", "karim@famille.example").await;
    b.shot("07-meeting-registrations").await;
    let (code, content_type, csv) = b
        .fetch(&format!(
            "/organisation/reunions/{meeting}/inscriptions.csv"
        ))
        .await;
    assert_eq!(code, 200);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    assert!(
        csv.starts_with("id,nom,email,accompagnants,statut,inscrit_le"),
        "{csv}"
    );
    assert!(
        csv.contains("nadia@famille.example") && csv.contains("waitlisted"),
        "{csv}"
    );
    b.fill("#capacity", "2").await;
    b.click(&format!(
        "form[action='/organisation/reunions/{meeting}'] button[type=submit]"
    ))
    .await;
    b.wait_text(".flash", "La réunion est modifiée").await;
    b.wait_text("#registrations", "karim@famille.example").await;

    b.goto("/organisation").await;
    b.click("form[action='/organisation/appariement'] button")
        .await;
    b.wait_text("#matching-report", "Appariement terminé").await;
    b.goto("/organisation/couverture").await;
    b.find("svg.overview path.u0").await;
    b.shot("08-coverage").await;

    // The English switch, remembered by a cookie.
    b.goto("/").await;
    b.click("a[hreflang='en']").await;
    b.find("html[lang='en']").await;
    b.wait_text("h1", "Find my catchment collège").await;
    b.shot("09-home-english").await;
    b.goto("/referent").await;
    b.wait_text("h1", "Become a referent parent").await;
    b.click("a[hreflang='fr']").await;
    b.wait_text("h1", "Devenir parent référent").await;

    // Signing out ends the session.
    b.goto("/organisation").await;
    b.click("footer form[action='/deconnexion'] button").await;
    b.wait_exact("/").await;
    b.goto("/organisation").await;
    b.wait_path("/organisation/connexion").await;

    b.assert_pages_stayed_local().await;
    b.assert_accessible();
    b.close().await;
}

/// The home page with the whole Paris map (110 sectors), its style sheet,
/// script and icon weigh under 100 KB on the wire.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_transfers_under_100_kb() {
    let _one = exclusive().await;
    let db = TestDb::sqlite();
    db.import_paris();
    let server = Server::start(&db);
    let b = Browser::start(&server.base, "c").await;
    b.recorder.clear();
    b.goto("/").await;
    b.find("svg.overview").await;
    let areas = b
        .eval(
            "return document.querySelectorAll('svg.overview a').length;",
            vec![],
        )
        .await;
    assert_eq!(areas, json!(110), "every Paris sector is on the map");
    // The icon is fetched after the load event.
    let started = Instant::now();
    while !b
        .recorder
        .seen()
        .iter()
        .any(|s| s.target == "/static/favicon.svg")
    {
        assert!(started.elapsed() < harness::TIMEOUT, "no icon request");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seen = b.recorder.seen();
    for target in ["/", "/static/style.css", "/static/app.js"] {
        assert!(
            seen.iter()
                .any(|s| s.method == "GET" && s.target == target && s.bytes > 0),
            "{target} was not loaded: {seen:#?}"
        );
    }
    let total: u64 = seen.iter().map(|s| s.bytes).sum();
    for s in &seen {
        eprintln!("{} {}{} {} bytes", s.method, s.host, s.target, s.bytes);
    }
    assert!(
        total < 100 * 1024,
        "the home page transfers {total} bytes: {seen:#?}"
    );
    b.shot("01-home-paris-phone").await;
    b.resize(DESKTOP).await;
    b.shot("02-home-paris-desktop").await;
    b.assert_pages_stayed_local().await;
    b.assert_accessible();
    b.close().await;
}

/// A page that asks for other hosts is caught by the DevTools log (so the
/// journeys' assertion can fail), and the proxy refuses those requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_to_other_hosts_are_caught_and_refused() {
    let _one = exclusive().await;
    let b = Browser::start("http://127.0.0.1:9", "d").await;
    let page = "<img src='http://example.com/x.png'><link rel='stylesheet' href='https://example.org/s.css'>";
    let encoded: String = page
        .bytes()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                (c as char).to_string()
            } else {
                format!("%{c:02X}")
            }
        })
        .collect();
    b.client
        .goto(&format!("data:text/html;charset=utf-8,{encoded}"))
        .await
        .expect("a page of another origin");
    let started = Instant::now();
    loop {
        let hosts: Vec<String> = b.recorder.away().into_iter().map(|s| s.host).collect();
        if hosts.iter().any(|h| h == "example.com") && hosts.iter().any(|h| h == "example.org") {
            break;
        }
        assert!(
            started.elapsed() < harness::TIMEOUT,
            "the proxy did not see the requests to other hosts: {hosts:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let logged = b.page_requests().await;
    for url in ["http://example.com/x.png", "https://example.org/s.css"] {
        assert!(
            logged.iter().any(|u| u == url),
            "{url} not in the log: {logged:?}"
        );
        assert!(!harness::is_local_url(url));
    }
    b.close().await;
}
