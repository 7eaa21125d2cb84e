//! `passerelle maintenance --now`, on the real binary: what the service does
//! on its own as time passes (proposals expire and go to someone else,
//! reminders go out before a meeting, retention anonymises and deletes),
//! each checked in the database.
use chrono::{DateTime, Duration, Months, SecondsFormat, Utc};
use http::StatusCode;
use passerelle::app;
use passerelle_app::{accounts, mail};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::common::api::{ask, send, setup, volunteer};
use crate::common::meetings::{register, soon_meeting};
use crate::common::{SmtpServer, TestDb, both_backends, get};

/// What one `passerelle maintenance` run reports, in the order it says it.
#[derive(Debug, PartialEq, Eq)]
pub struct Done {
    pub expired: usize,
    pub reminders: usize,
    pub requests: usize,
    pub registrations: usize,
    pub messages: usize,
}

const fn done(
    expired: usize,
    reminders: usize,
    requests: usize,
    registrations: usize,
    messages: usize,
) -> Done {
    Done {
        expired,
        reminders,
        requests,
        registrations,
        messages,
    }
}

/// An instant as `--now` takes it.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Runs `passerelle maintenance` as of `now` (the wall clock when `None`)
/// and reads back the counts of its report line, exactly.
pub fn maintenance(db: &TestDb, now: Option<DateTime<Utc>>) -> Done {
    let mut args = vec!["maintenance".to_owned()];
    if let Some(now) = now {
        args.extend(["--now".to_owned(), rfc3339(now)]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = db.cli(&args);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{args:?}: {stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("maintenance done: "))
        .unwrap_or_else(|| panic!("no report line: {stderr}"));
    let n: Vec<usize> = line
        .split([' ', ','])
        .filter_map(|word| word.parse().ok())
        .collect();
    assert_eq!(n.len(), 5, "{line}");
    let expected = format!(
        "maintenance done: {} proposal(s) expired, {} reminder(s), {} request(s) and {} registration(s) anonymised, {} message(s) deleted",
        n[0], n[1], n[2], n[3], n[4]
    );
    assert_eq!(line, expected, "the report line has its usual shape");
    done(n[0], n[1], n[2], n[3], n[4])
}

/// One number from the test database.
pub async fn count(db: &TestDb, sql: &str) -> i64 {
    let conn = sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = row.try_get_by_index(0).unwrap();
    conn.close().await.ok();
    n
}

/// A bad `--now` is one line and a failure, and nothing runs.
async fn a_bad_clock_is_refused(db: TestDb) {
    for bad in [
        "tomorrow",
        "2027-08-05",
        "2027-08-05T10:00:00",
        "2027-13-05T10:00:00+02:00",
    ] {
        let line = db.cli_err(&["maintenance", "--now", bad]);
        assert!(
            line.contains("--now") && line.contains(bad),
            "{bad}: {line}"
        );
    }
    // Refused before the database is touched: not even migrated.
    match db.url.strip_prefix("sqlite://") {
        Some(file) => assert!(!std::path::Path::new(file).exists()),
        None => assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"
            )
            .await,
            0
        ),
    }
    // A good one, with its offset, runs.
    let output = db.cli(&["maintenance", "--now", "2027-08-05T10:00:00+02:00"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("maintenance done: 0 proposal(s)"),
        "{stderr}"
    );
}

/// Retention, on every kind it touches: closed contact requests and the
/// registrations of past meetings are anonymised in place (the rows stay
/// for the counts), sent and given-up messages are deleted and unsent ones
/// kept, ended sessions and sign-in links are deleted at once.
async fn retention_reaches_every_kind(db: TestDb) {
    let token = setup(&db);
    let maildir = db.dir().join("maildir");
    let smtp = tokio::task::block_in_place(|| SmtpServer::start(&maildir, None));
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let state = db
        .state_with(&[("PASSERELLE_SMTP_URL", url.as_str())])
        .await;
    let app = app(state.clone());
    let sector = crate::common::meetings::sector_id(&app, "0750607C").await;
    let (meeting, _) = soon_meeting(&app, &token, sector, 1).await;
    assert_eq!(
        register(&app, meeting, "Léa", "lea@example.org").await["status"],
        "confirmed"
    );
    assert_eq!(
        register(&app, meeting, "Tom", "tom@example.org").await["status"],
        "waitlisted"
    );

    // Two closed requests: one completed after a conversation, one withdrawn.
    let space = volunteer(&app, "Amina", 2).await;
    let (julien, proposed) = ask(&app, "Julien").await;
    assert!(proposed);
    let proposal = get(&app, &space).await.json()["proposals"][0]["id"]
        .as_i64()
        .unwrap();
    let accepted = send(
        &app,
        "POST",
        &format!("{space}/proposals/{proposal}/accept"),
        None,
        None,
    )
    .await;
    assert_eq!(accepted.status, StatusCode::OK);
    let feedback = send(
        &app,
        "POST",
        &format!("{julien}/feedback"),
        Some(json!({"met": true, "usefulness": 4})),
        None,
    )
    .await;
    assert!(feedback.status.is_success(), "{}", feedback.status);
    let (chloe, _) = ask(&app, "Chloé").await;
    let withdrawn = send(&app, "POST", &format!("{chloe}/withdraw"), None, None).await;
    assert!(withdrawn.status.is_success(), "{}", withdrawn.status);

    // A referent signs in by a mailed link: a session and a spent link.
    accounts::send_sign_in_link(&state, "amina@parents.example")
        .await
        .unwrap();
    let body = db
        .store()
        .await
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .rfind(|m| m.kind == "sign_in_link")
        .unwrap()
        .body;
    let secret = body
        .split_whitespace()
        .find_map(|w| w.split("/connexion/").nth(1))
        .unwrap()
        .to_owned();
    accounts::use_sign_in_link(&state, &secret).await.unwrap();

    // Everything so far goes out through a real SMTP server.
    let mailer = mail::Mailer::from_config(&state).unwrap().unwrap();
    let sent = mail::deliver_due(&state, &mailer, Utc::now())
        .await
        .unwrap()
        .sent;
    assert!(sent >= 2, "a confirmation and the sign-in link: {sent}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox").await, sent as i64);
    assert_eq!(smtp.messages().len(), sent);
    // A second link's message cannot be delivered: after ten tries over
    // three days it is given up (failed, deletable like a sent one).
    accounts::send_sign_in_link(&state, "amina@parents.example")
        .await
        .unwrap();
    let dead_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead_url = format!("smtp://127.0.0.1:{dead_port}");
    let dead = db
        .state_with(&[("PASSERELLE_SMTP_URL", dead_url.as_str())])
        .await;
    let dead_mailer = mail::Mailer::from_config(&dead).unwrap().unwrap();
    let mut given_up = 0;
    for hours in (1..=10).map(|k| k * 7) {
        let round = mail::deliver_due(&dead, &dead_mailer, Utc::now() + Duration::hours(hours))
            .await
            .unwrap();
        assert_eq!(round.sent, 0);
        given_up += round.given_up;
    }
    assert_eq!(given_up, 1);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL"
        )
        .await,
        1
    );
    // A third link is asked for: its message is not sent yet.
    accounts::send_sign_in_link(&state, "amina@parents.example")
        .await
        .unwrap();
    let unsent = count(
        &db,
        "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
    )
    .await;
    assert_eq!(unsent, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sessions").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sign_in_links").await, 3);

    // Today nothing is due; the live session and links stay.
    assert_eq!(maintenance(&db, None), done(0, 0, 0, 0, 0));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sessions").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sign_in_links").await, 3);

    // Eleven months on: sessions and links have ended and go; the rest
    // is not old enough.
    let now = Utc::now();
    let eleven = now.checked_add_months(Months::new(11)).unwrap();
    assert_eq!(maintenance(&db, Some(eleven)), done(0, 0, 0, 0, 0));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sign_in_links").await, 0);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM outbox").await,
        sent as i64 + 2
    );
    let store = db.store().await;
    assert!(
        store
            .registrations(meeting)
            .await
            .unwrap()
            .iter()
            .all(|r| r.name != "(effacé)")
    );

    // Past the twelve months after the meeting: every kind, exactly.
    let later = now.checked_add_months(Months::new(12)).unwrap() + Duration::days(10);
    assert_eq!(maintenance(&db, Some(later)), done(0, 0, 2, 2, sent + 1));
    let registrations = store.registrations(meeting).await.unwrap();
    assert_eq!(registrations.len(), 2, "the rows stay for the counts");
    for r in &registrations {
        assert_eq!(r.name, "(effacé)");
        assert_eq!(r.email, format!("erased-{}@invalid", r.id));
    }
    let requests = store.requests().await.unwrap();
    assert_eq!(requests.len(), 2, "the rows stay for the counts");
    for r in &requests {
        assert_eq!(r.first_name, "(effacé)");
        assert!(r.email.is_none() && r.phone.is_none() && r.concerns.is_none());
    }
    let mut outcomes: Vec<&str> = requests.iter().map(|r| r.status.as_str()).collect();
    outcomes.sort_unstable();
    assert_eq!(outcomes, ["completed", "withdrawn"], "outcomes still count");
    let outbox = store.outbox().await.unwrap();
    assert_eq!(outbox.len(), 1, "only the unsent message is left");
    assert!(outbox[0].sent_at.is_none() && outbox[0].failed_at.is_none());
    assert_eq!(outbox[0].kind, "sign_in_link");
    let everything = format!("{registrations:?}{requests:?}");
    for personal in ["Léa", "lea@", "tom@", "Julien", "Chloé", "famille.example"] {
        assert!(!everything.contains(personal), "{personal} is still stored");
    }
    // The referent is not closed: retention leaves them be.
    assert_eq!(store.referents().await.unwrap()[0].first_name, "Amina");

    // Nothing is left to do.
    assert_eq!(maintenance(&db, Some(later)), done(0, 0, 0, 0, 0));
}

/// A proposal left unanswered past its 72 hours expires, and the family is
/// proposed to the other referent of the sector.
async fn an_unanswered_family_goes_to_the_next_referent(db: TestDb) {
    setup(&db);
    let app = app(db.state().await);
    let amina = volunteer(&app, "Amina", 2).await;
    let asked = Utc::now();
    let (status, proposed) = ask(&app, "Julien").await;
    assert!(proposed);
    let bruno = volunteer(&app, "Bruno", 2).await;
    let store = db.store().await;
    let id_of = |name: &'static str| {
        let store = store.clone();
        async move {
            store
                .referents()
                .await
                .unwrap()
                .into_iter()
                .find(|r| r.first_name == name)
                .unwrap()
                .id
        }
    };
    let (amina_id, bruno_id) = (id_of("Amina").await, id_of("Bruno").await);
    let live = || {
        let store = store.clone();
        async move {
            store
                .proposals()
                .await
                .unwrap()
                .into_iter()
                .filter(|p| p.state == passerelle_store::ProposalState::Proposed)
                .map(|p| (p.referent_id, p.expires_at))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(live().await.len(), 1);
    assert_eq!(live().await[0].0, amina_id, "the first referent was free");

    // Within the 72 hours: nothing moves.
    let early = asked + Duration::hours(71);
    assert_eq!(maintenance(&db, Some(early)), done(0, 0, 0, 0, 0));
    assert_eq!(live().await[0].0, amina_id);

    // Past them: Amina's proposal expires and Bruno gets the family.
    let late = asked + Duration::hours(73);
    assert_eq!(maintenance(&db, Some(late)), done(1, 0, 0, 0, 0));
    let late = rfc3339(late).parse::<DateTime<Utc>>().unwrap();
    assert_eq!(
        live().await,
        [(bruno_id, late + Duration::hours(72))],
        "proposed to Bruno, with 72 hours from the run to answer"
    );
    let seen_by_amina = get(&app, &amina).await.json();
    assert_eq!(seen_by_amina["proposals"][0]["state"], "expired");
    let seen_by_bruno = get(&app, &bruno).await.json();
    assert_eq!(seen_by_bruno["proposals"][0]["state"], "proposed");
    assert_eq!(
        seen_by_bruno["proposals"][0]["family"]["first_name"],
        "Julien"
    );
    assert_eq!(
        get(&app, &status).await.json()["proposal_state"],
        "proposed"
    );

    // Bruno's own 72 hours run from then: a second run moves nothing.
    assert_eq!(maintenance(&db, Some(late)), done(0, 0, 0, 0, 0));
    assert_eq!(live().await, [(bruno_id, late + Duration::hours(72))]);
}

/// Within 48 hours of a meeting, confirmed people get one reminder however
/// often maintenance runs; the waitlisted get none.
async fn reminders_go_once_to_confirmed_people(db: TestDb) {
    let token = setup(&db);
    let app = app(db.state().await);
    let sector = crate::common::meetings::sector_id(&app, "0750607C").await;
    let (meeting, starts) = soon_meeting(&app, &token, sector, 1).await;
    let lea = register(&app, meeting, "Léa", "lea@example.org").await;
    assert_eq!(lea["status"], "confirmed");
    let tom = register(&app, meeting, "Tom", "tom@example.org").await;
    assert_eq!(tom["status"], "waitlisted");
    let store = db.store().await;
    let reminders = || {
        let store = store.clone();
        async move {
            store
                .outbox()
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.kind == "reminder")
                .collect::<Vec<_>>()
        }
    };

    // More than 48 hours before: no reminder.
    let early = starts - Duration::hours(49);
    assert_eq!(maintenance(&db, Some(early)), done(0, 0, 0, 0, 0));
    assert!(reminders().await.is_empty());

    // The day before: Léa's reminder, once, however often it runs.
    let eve = starts - Duration::hours(24);
    assert_eq!(maintenance(&db, Some(eve)), done(0, 1, 0, 0, 0));
    maintenance(&db, Some(eve));
    maintenance(&db, Some(eve + Duration::hours(12)));
    let queued = reminders().await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].recipient_email, "lea@example.org");
    assert!(
        queued[0].subject.starts_with("Rappel : "),
        "{}",
        queued[0].subject
    );
    assert_eq!(queued[0].meeting_id, Some(meeting));

    // Once it has begun: nothing more.
    assert_eq!(
        maintenance(&db, Some(starts + Duration::minutes(5))),
        done(0, 0, 0, 0, 0)
    );
    assert_eq!(reminders().await.len(), 1);
}

both_backends!(
    a_bad_clock_is_refused,
    retention_reaches_every_kind,
    an_unanswered_family_goes_to_the_next_referent,
    reminders_go_once_to_confirmed_people,
);
