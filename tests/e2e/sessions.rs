//! Time limits of signing in: a web session ends 12 hours after sign-in
//! however active it is, and a mailed sign-in link works for 30 minutes.
//! Time passes by ageing the rows in the test database.
use chrono::{Duration, Utc};
use http::StatusCode;
use passerelle::app;
use passerelle_store::entities::{sessions, sign_in_links};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::common::api::{setup, volunteer};
use crate::common::web::{Browser, account, mailed_link, staff};
use crate::common::{TestDb, both_backends};

/// Moves every session's sign-in and end `by` into the past, its last
/// activity to now: someone who has been active all along since.
async fn age_sessions(db: &TestDb, by: Duration) {
    let conn = sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    for s in sessions::Entity::find().all(&conn).await.unwrap() {
        sessions::Entity::update_many()
            .col_expr(sessions::Column::CreatedAt, Expr::value(s.created_at - by))
            .col_expr(sessions::Column::ExpiresAt, Expr::value(s.expires_at - by))
            .col_expr(sessions::Column::LastSeenAt, Expr::value(Utc::now()))
            .filter(sessions::Column::Id.eq(s.id))
            .exec(&conn)
            .await
            .unwrap();
    }
    conn.close().await.ok();
}

/// Moves the newest sign-in link's creation and end `by` into the past.
async fn age_newest_link(db: &TestDb, by: Duration) -> i64 {
    let conn = sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    let link = sign_in_links::Entity::find()
        .order_by_desc(sign_in_links::Column::Id)
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    sign_in_links::Entity::update_many()
        .col_expr(
            sign_in_links::Column::CreatedAt,
            Expr::value(link.created_at - by),
        )
        .col_expr(
            sign_in_links::Column::ExpiresAt,
            Expr::value(link.expires_at - by),
        )
        .filter(sign_in_links::Column::Id.eq(link.id))
        .exec(&conn)
        .await
        .unwrap();
    conn.close().await.ok();
    link.id
}

async fn link_used(db: &TestDb, id: i64) -> bool {
    let conn = sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    let link = sign_in_links::Entity::find_by_id(id)
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    conn.close().await.ok();
    link.used_at.is_some()
}

/// An organizer busy all day is signed out 12 hours after signing in.
async fn a_session_ends_twelve_hours_after_sign_in(db: TestDb) {
    account(&db, "orga@asso.example", "organizer");
    let app = app(db.state().await);
    let mut browser = staff(&app, "orga@asso.example").await;
    assert_eq!(
        browser.get(&app, "/organisation").await.status,
        StatusCode::OK
    );

    age_sessions(&db, Duration::hours(11) + Duration::minutes(50)).await;
    assert_eq!(
        browser.get(&app, "/organisation").await.status,
        StatusCode::OK,
        "11 h 50 after sign-in, active: still signed in"
    );

    age_sessions(&db, Duration::minutes(20)).await;
    let page = browser.get(&app, "/organisation").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "12 h 10 after sign-in");
    assert_eq!(page.location.as_deref(), Some("/organisation/connexion"));
    assert!(!browser.has_session(), "the cookie is forgotten too");
}

/// A mailed sign-in link works within 30 minutes, and not after.
async fn a_sign_in_link_works_for_thirty_minutes(db: TestDb) {
    setup(&db);
    let app = app(db.state().await);
    volunteer(&app, "Amina", 2).await;

    let mut prompt = Browser::open(&app, "/referent/connexion").await;
    prompt
        .submit(
            &app,
            "/referent/connexion",
            &[("email", "amina@parents.example")],
        )
        .await;
    let link = mailed_link(&db, "amina@parents.example").await;
    let id = age_newest_link(&db, Duration::minutes(29)).await;
    let mut browser = Browser::open(&app, &link).await;
    let page = browser.submit(&app, &link, &[]).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/espace-referent"),
        "29 minutes old: {}",
        page.body
    );
    assert!(browser.has_session() && link_used(&db, id).await);

    prompt
        .submit(
            &app,
            "/referent/connexion",
            &[("email", "amina@parents.example")],
        )
        .await;
    let late = mailed_link(&db, "amina@parents.example").await;
    assert_ne!(late, link);
    let id = age_newest_link(&db, Duration::minutes(31)).await;
    let mut browser = Browser::open(&app, "/referent/connexion").await;
    let page = browser.submit(&app, &late, &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "31 minutes old");
    assert!(page.body.contains("expiré"), "{}", page.body);
    assert!(!browser.has_session());
    assert!(!link_used(&db, id).await);
    let conn = sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    assert_eq!(
        sessions::Entity::find().all(&conn).await.unwrap().len(),
        1,
        "only the first link opened a session"
    );
}

both_backends!(
    a_session_ends_twelve_hours_after_sign_in,
    a_sign_in_link_works_for_thirty_minutes,
);
