//! E-mail addresses: one syntax check for every input that takes one (API,
//! pages, CLI). Quotes and angle brackets, which mail headers and calendar
//! invitations cannot carry, are refused with a message naming the field,
//! and nothing is stored.
use http::StatusCode;
use passerelle::app;
use serde_json::json;

use crate::common::api::{family, send, setup};
use crate::common::meetings::{meeting, registration_links, sector_id};
use crate::common::web::post_form;
use crate::common::{TestDb, both_backends, get};

const REFUSED: [&str; 6] = [
    "\"zoe\"@example.org",
    "\"zo e\"@example.org",
    "<zoe@example.org>",
    "Zoé <zoe@example.org>",
    "zoe>@example.org",
    "zo<e@example.org",
];

async fn addresses_with_quotes_or_brackets_are_refused_everywhere(db: TestDb) {
    let token = setup(&db);
    let app = app(db.state().await);
    let sector = sector_id(&app, "0750607C").await;
    let id = send(
        &app,
        "POST",
        "/api/v1/meetings",
        Some(meeting(
            sector,
            &crate::common::meetings::on("03-12T18:30"),
            &crate::common::meetings::on("03-12T20:00"),
            5,
        )),
        Some(&token),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap();
    let registrations = format!("/api/v1/meetings/{id}/registrations");
    for email in REFUSED {
        let mut request = family("Zoé");
        request["email"] = json!(email);
        let referent = json!({"first_name": "Zoé", "email": email, "uai": "0750607C",
            "child_grade": "6e", "monthly_capacity": 1, "consent": true});
        let registration = json!({"name": "Zoé", "email": email});
        for (uri, body) in [
            ("/api/v1/contact-requests", request),
            ("/api/v1/referents", referent),
            (registrations.as_str(), registration),
        ] {
            let detail = send(&app, "POST", uri, Some(body), None)
                .await
                .problem(StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(detail, "l'adresse e-mail n'est pas valide", "{uri} {email}");
        }
        // The pages: the sentence next to the field.
        for (uri, fields) in [
            (
                format!("/reunions/{id}/inscription"),
                vec![("name", "Zoé"), ("email", email)],
            ),
            (
                "/organisation/connexion".to_owned(),
                vec![("email", email), ("password", "un mot de passe assez long")],
            ),
            ("/referent/connexion".to_owned(), vec![("email", email)]),
        ] {
            let (reply, _) = post_form(&app, &uri, &fields).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{uri} {email}"
            );
            let page = String::from_utf8(reply.body).unwrap();
            assert!(
                page.contains(r#"<p class="err" id="email-err">"#)
                    && page.contains("adresse e-mail n&#39;est pas valide"),
                "{uri} {email}: {page}"
            );
        }
        // The command line: one line, exit 1.
        let out = db.cli_input(
            &["account", "create", "--email", email, "--role", "admin"],
            "un mot de passe assez long\n",
        );
        assert!(!out.status.success(), "{email}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim(), "error: l'adresse e-mail n'est pas valide");
    }
    let listed = |uri: String| {
        let app = app.clone();
        let token = token.clone();
        async move {
            let reply = send(&app, "GET", &uri, None, Some(&token)).await;
            reply.json().as_array().expect("a list").len()
        }
    };
    assert_eq!(listed("/api/v1/contact-requests".into()).await, 0);
    assert_eq!(listed("/api/v1/referents".into()).await, 0);
    assert_eq!(listed(registrations.clone()).await, 0);
    assert_eq!(db.cli_ok(&["account", "list"]), "");

    // An ordinary address with a tag goes through, and so does its invitation.
    let created = send(
        &app,
        "POST",
        &registrations,
        Some(json!({"name": "Zoé", "email": "zoe+reunion@example.org"})),
        None,
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let mailed = registration_links(&db, id, "zoe+reunion@example.org").await;
    let invite = get(&app, &mailed.invite()).await;
    assert_eq!(invite.status, StatusCode::OK);
}

both_backends!(addresses_with_quotes_or_brackets_are_refused_everywhere);
