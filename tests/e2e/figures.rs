//! Public figures hide every count under 5, so that no family can be
//! singled out, and publish the exact count from 5 on: checked at the
//! boundary (4 hidden, 5 shown) for matches and conversations held.
use axum::Router;
use http::StatusCode;
use passerelle::app;
use serde_json::{Value, json};

use crate::common::api::{ask, send, setup, volunteer};
use crate::common::{TestDb, both_backends, get};

/// The figures row of the Roquette sector.
async fn roquette(app: &Router) -> Value {
    let reply = get(app, "/api/v1/figures").await;
    assert_eq!(reply.status, StatusCode::OK);
    let rows = reply.json();
    let mine: Vec<&Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["sector_key"] == "0750607C")
        .collect();
    assert_eq!(mine.len(), 1, "one row for the sector and year: {rows}");
    mine[0].clone()
}

async fn accept(app: &Router, space: &str, id: i64) {
    let reply = send(
        app,
        "POST",
        &format!("{space}/proposals/{id}/accept"),
        None,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "accept {id}");
}

async fn small_counts_are_hidden_from_five_on_shown(db: TestDb) {
    setup(&db);
    let app = app(db.state().await);
    let space = volunteer(&app, "Amina", 10).await;
    let mut families = Vec::new();
    for i in 0..7 {
        let (status, proposed) = ask(&app, &format!("Famille{i}")).await;
        assert!(proposed, "Amina has room for all seven");
        families.push(status);
    }
    let row = roquette(&app).await;
    assert_eq!(row["requests"], 7);
    assert!(row["matched"].is_null(), "0 matches: {row}");

    let proposals = get(&app, &space).await.json()["proposals"].clone();
    let ids: Vec<i64> = proposals
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 7);
    for &id in &ids[..4] {
        accept(&app, &space, id).await;
    }
    let row = roquette(&app).await;
    assert_eq!(row["requests"], 7);
    assert!(row["matched"].is_null(), "4 matches are hidden: {row}");
    accept(&app, &space, ids[4]).await;
    let row = roquette(&app).await;
    assert_eq!(row["matched"], 5, "5 matches are shown: {row}");

    // Conversations held, as the families say: the same boundary.
    let accepted: Vec<String> = {
        let seen = get(&app, &space).await.json();
        let mut names = Vec::new();
        for p in seen["proposals"].as_array().unwrap() {
            if p["state"] == "accepted" {
                names.push(p["family"]["first_name"].as_str().unwrap().to_owned());
            }
        }
        names
    };
    assert_eq!(accepted.len(), 5);
    let status_of = |name: &str| {
        let i: usize = name.trim_start_matches("Famille").parse().unwrap();
        families[i].clone()
    };
    for name in &accepted[..4] {
        let reply = send(
            &app,
            "POST",
            &format!("{}/feedback", status_of(name)),
            Some(json!({"met": true, "usefulness": 4})),
            None,
        )
        .await;
        assert!(
            reply.status.is_success(),
            "feedback of {name}: {}",
            reply.status
        );
    }
    let row = roquette(&app).await;
    assert!(row["met"].is_null(), "4 conversations are hidden: {row}");
    assert_eq!(row["matched"], 5, "completed still counts as matched");
    let reply = send(
        &app,
        "POST",
        &format!("{}/feedback", status_of(&accepted[4])),
        Some(json!({"met": true, "usefulness": 5})),
        None,
    )
    .await;
    assert!(reply.status.is_success(), "{}", reply.status);
    let row = roquette(&app).await;
    assert_eq!(row["met"], 5, "5 conversations are shown: {row}");
    assert_eq!(row["requests"], 7);
}

both_backends!(small_counts_are_hidden_from_five_on_shown);
