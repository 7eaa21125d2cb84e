//! The outbox delivered to a real SMTP server: MIME structure of invites
//! (text, HTML and calendar), exactly-once delivery, and retries while the
//! server is down.
use chrono::{Duration, Utc};
use passerelle::app;
use passerelle_app::mail::{Mailer, deliver_due};
use serde_json::json;

use crate::common::api::send;
use crate::common::{SmtpServer, TestDb, both_backends};

fn part_types(mail: &mailparse::ParsedMail<'_>, out: &mut Vec<String>) {
    out.push(mail.ctype.mimetype.clone());
    for p in &mail.subparts {
        part_types(p, out);
    }
}

async fn outbox_goes_out_once_with_its_calendar(db: TestDb) {
    let token = crate::common::api::setup(&db);
    let maildir = db.dir().join("maildir");
    let server = SmtpServer::start(&maildir, None);
    let url = format!("smtp://127.0.0.1:{}", server.port);
    let state = db
        .state_with(&[("PASSERELLE_SMTP_URL", url.as_str())])
        .await;
    let app = app(state.clone());
    let sector = crate::common::meetings::sector_id(&app, "0750607C").await;
    let meeting = crate::common::meetings::meeting(
        sector,
        &crate::common::meetings::on("03-12T18:30"),
        &crate::common::meetings::on("03-12T20:00"),
        1,
    );
    let id = send(
        &app,
        "POST",
        "/api/v1/meetings",
        Some(meeting),
        Some(&token),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap();
    let first = send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{id}/registrations"),
        Some(json!({"name": "Dupont, \"Mimi\" Marie", "email": "mimi@example.org"})),
        None,
    )
    .await
    .json();
    assert_eq!(first["status"], "confirmed");

    let mailer = Mailer::from_config(&state)
        .unwrap()
        .expect("SMTP configured");
    let report = deliver_due(&state, &mailer, Utc::now()).await.unwrap();
    assert_eq!(report.sent, 1);
    assert_eq!(
        deliver_due(&state, &mailer, Utc::now()).await.unwrap().sent,
        0,
        "nothing is sent twice"
    );
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let mail = mailparse::parse_mail(&messages[0]).unwrap();
    let mut types = Vec::new();
    part_types(&mail, &mut types);
    assert_eq!(
        types,
        [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "text/calendar",
            "application/ics"
        ]
    );
    let calendar = &mail.subparts[0].subparts[2];
    assert_eq!(
        calendar.ctype.params.get("method").map(String::as_str),
        Some("REQUEST")
    );
    let ics = calendar.get_body().unwrap();
    assert!(
        ics.contains("METHOD:REQUEST\r\n"),
        "the METHOD inside matches the part's"
    );
    let attachment = &mail.subparts[1];
    assert_eq!(
        attachment
            .get_content_disposition()
            .params
            .get("filename")
            .map(String::as_str),
        Some("invitation.ics")
    );
    assert!(attachment.get_body().unwrap().contains("METHOD:REQUEST"));
    let subject = mail
        .headers
        .iter()
        .find(|h| h.get_key() == "Subject")
        .unwrap()
        .get_value();
    assert!(subject.starts_with("Inscription confirmée"), "{subject}");
    let text = mail.subparts[0].subparts[0].get_body().unwrap();
    assert!(text.contains("Bonjour Dupont, \"Mimi\" Marie"), "{text}");
    // The HTML part says the same, its links as links, the name escaped.
    let html = mail.subparts[0].subparts[1].get_body().unwrap();
    let link = text
        .lines()
        .find_map(|l| l.strip_prefix("Votre inscription (pour la consulter ou l'annuler) : "))
        .expect("the registration's link in the text");
    assert!(link.contains("/inscription/ins_"), "{link}");
    assert!(
        html.contains(&format!(r#"<a href="{link}">{link}</a>"#)),
        "{html}"
    );
    assert!(
        html.contains("Bonjour Dupont, &#34;Mimi&#34; Marie"),
        "{html}"
    );

    // SMTP goes down: the cancellation waits and is retried, then goes out once.
    server.stop();
    send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{id}/cancel"),
        None,
        Some(&token),
    )
    .await;
    let report = deliver_due(&state, &mailer, Utc::now()).await.unwrap();
    assert_eq!((report.sent, report.retried), (0, 1));
    let row = db
        .store()
        .await
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.kind == "cancellation")
        .unwrap();
    assert!(row.sent_at.is_none() && row.last_error.is_some() && row.attempts == 1);
    // Not before its backoff.
    assert_eq!(
        deliver_due(&state, &mailer, Utc::now()).await.unwrap(),
        Default::default()
    );
    let server = SmtpServer::start(
        &maildir,
        Some(url.rsplit(':').next().unwrap().parse().unwrap()),
    );
    let later = Utc::now() + Duration::minutes(2);
    assert_eq!(deliver_due(&state, &mailer, later).await.unwrap().sent, 1);
    assert_eq!(
        deliver_due(&state, &mailer, later + Duration::hours(1))
            .await
            .unwrap()
            .sent,
        0
    );
    let messages = server.messages();
    assert_eq!(
        messages.len(),
        2,
        "the confirmation and the cancellation, once each"
    );
    let cancel = messages
        .iter()
        .map(|m| mailparse::parse_mail(m).unwrap())
        .find(|m| {
            m.subparts.len() == 2
                && m.subparts[0].subparts[2]
                    .ctype
                    .params
                    .get("method")
                    .map(String::as_str)
                    == Some("CANCEL")
        });
    let cancel = cancel.expect("a METHOD=CANCEL message");
    assert!(
        cancel.subparts[0].subparts[2]
            .get_body()
            .unwrap()
            .contains("STATUS:CANCELLED")
    );
}

both_backends!(outbox_goes_out_once_with_its_calendar);
