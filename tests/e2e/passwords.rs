//! Passwords: one rule wherever an account gets one (at least 12
//! characters, not only blanks, not a common password), and taken exactly
//! as typed, blanks included, when it is set and at sign-in.
use std::process::Output;

use axum::Router;
use http::StatusCode;
use passerelle::app;

use crate::common::web::post_form;
use crate::common::{TestDb, both_backends};

/// `passerelle account ARGS… --email EMAIL` with `password` typed on
/// standard input.
fn account(db: &TestDb, args: &[&str], email: &str, password: &str) -> Output {
    let mut all = vec!["account"];
    all.extend(args);
    all.extend(["--email", email]);
    db.cli_input(&all, &format!("{password}\n"))
}

/// Asserts a failed command with one line on stderr holding `expected`.
fn refused(output: &Output, expected: &str) {
    assert!(!output.status.success(), "should have failed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(lines[0].contains(expected), "`{expected}` not in: {stderr}");
}

async fn sign_in(app: &Router, email: &str, password: &str) -> (StatusCode, Option<String>) {
    let (reply, location) = post_form(
        app,
        "/organisation/connexion",
        &[("email", email), ("password", password)],
    )
    .await;
    (reply.status, location)
}

async fn passwords_follow_one_rule_and_are_taken_as_typed(db: TestDb) {
    let create = ["create", "--role", "organizer"];
    let email = "lea@asso.example";
    let twelve_blanks = " ".repeat(12);
    for (password, expected) in [
        (twelve_blanks.as_str(), "que d'espaces"),
        (" \t \t \t \t \t \t", "que d'espaces"),
        ("motdepasse123", "plus courants"),
        ("MotDePasse2024", "plus courants"),
        ("Password1234", "plus courants"),
        ("court", "au moins 12 caractères"),
    ] {
        refused(&account(&db, &create, email, password), expected);
    }
    assert_eq!(db.cli_ok(&["account", "list"]), "", "nothing was created");

    let typed = "  un mot de passe à espaces  ";
    let out = account(&db, &create, email, typed);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let app = app(db.state().await);
    assert_eq!(
        sign_in(&app, email, typed.trim()).await.0,
        StatusCode::UNAUTHORIZED,
        "the blanks are part of the password"
    );
    assert_eq!(
        sign_in(&app, email, typed).await,
        (StatusCode::SEE_OTHER, Some("/organisation".to_owned()))
    );

    // A new password follows the same rule, and is taken as typed too.
    refused(
        &account(&db, &["password"], email, &twelve_blanks),
        "que d'espaces",
    );
    refused(
        &account(&db, &["password"], email, "AZERTYUIOP123"),
        "plus courants",
    );
    assert_eq!(sign_in(&app, email, typed).await.0, StatusCode::SEE_OTHER);
    let renewed = "\tun autre mot de passe ";
    let out = account(&db, &["password"], email, renewed);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        sign_in(&app, email, typed).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(sign_in(&app, email, renewed).await.0, StatusCode::SEE_OTHER);
}

both_backends!(passwords_follow_one_rule_and_are_taken_as_typed);
