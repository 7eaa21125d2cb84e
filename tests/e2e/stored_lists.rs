//! The typed columns of the store: sector keys kept as their `+` text, and
//! lists kept as JSON arrays (TEXT on SQLite, jsonb on PostgreSQL), written
//! and read back; and the migration that turned the joined lists of older
//! rows into arrays.
use chrono::{Duration, Utc};
use passerelle_app::SectorKey;
use passerelle_migrations::{Migrator, MigratorTrait};
use passerelle_store::entities::{contact_requests, referents};
use passerelle_store::{NewAccount, NewReferent, NewRequest, Store};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, Statement};

use crate::common::{TestDb, both_backends};

const KEY: &str = "0750002B+0750001A";

/// The text of `column` of row `id` as the database keeps it.
async fn raw_text(db: &DatabaseConnection, table: &str, column: &str, id: i64) -> String {
    let backend = db.get_database_backend();
    let sql = format!("SELECT CAST({column} AS TEXT) AS v FROM {table} WHERE id = {id}");
    db.query_one_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .expect("the row")
        .try_get_by::<String, _>("v")
        .unwrap()
}

/// Drops the spaces PostgreSQL puts after the commas of a jsonb array.
fn compact(json: &str) -> String {
    serde_json::to_string(&serde_json::from_str::<serde_json::Value>(json).unwrap()).unwrap()
}

async fn lists_are_written_and_read_back(db: TestDb) {
    let store = db.store().await;
    let key: SectorKey = KEY.parse().unwrap();
    let referent = store
        .insert_referent(NewReferent {
            first_name: "Amina".into(),
            email: "amina@parents.example".into(),
            phone: None,
            uai: "0750001A".into(),
            child_grade: "5e".into(),
            languages: vec!["fr".into(), "ar".into(), "en".into()],
            monthly_capacity: 2,
            weekday_evenings: true,
            wednesday_afternoons: false,
            weekends: true,
            consent_version: "2026-11".into(),
            link_hash: "referent-link".into(),
            link_expires_at: Utc::now() + Duration::days(30),
        })
        .await
        .unwrap();
    let request = store
        .insert_request(NewRequest {
            first_name: "Julien".into(),
            email: Some("julien@famille.example".into()),
            phone: None,
            lat: 48.86,
            lon: 2.38,
            sector_id: 1,
            sector_name: "Secteur 1".into(),
            sector_uais: key.clone(),
            school_year: "2026-2027".into(),
            concern_uais: vec!["0750002B".into(), "0750001A".into()],
            child_grade: "CM2".into(),
            languages: vec!["fr".into(), "ar".into()],
            preferred_contact: "email".into(),
            concerns: None,
            consent_version: "2026-11".into(),
            link_hash: "request-link".into(),
            link_expires_at: Utc::now() + Duration::days(30),
        })
        .await
        .unwrap();

    let referents = store.referents().await.unwrap();
    assert_eq!(referents[0].languages.0, ["fr", "ar", "en"]);
    let requests = store.requests().await.unwrap();
    assert_eq!(requests[0].sector_uais, key);
    assert_eq!(requests[0].concern_uais.0, ["0750002B", "0750001A"]);
    assert_eq!(requests[0].languages.0, ["fr", "ar"]);
    // The matching reads a sector's requests by its key.
    let month = Utc::now() - Duration::days(40);
    let snapshot = store.matching_snapshot(Some(&key), month).await.unwrap();
    assert_eq!(snapshot.requests.len(), 1);
    let other: SectorKey = "0750001A+0750002B".parse().unwrap();
    let snapshot = store.matching_snapshot(Some(&other), month).await.unwrap();
    assert!(snapshot.requests.is_empty(), "the order of a key counts");

    let account = store
        .create_account(NewAccount {
            email: "orga@asso.example".into(),
            role: "organizer".into(),
            password_hash: "hash".into(),
            sectors: Some(vec![key.clone(), "0750465Y".parse().unwrap()]),
        })
        .await
        .unwrap();
    let read = store
        .account_by_email("orga@asso.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.sectors, account.sectors);
    assert_eq!(read.sectors.unwrap()[0], key);

    // As the database keeps them: the key as its text, the lists as arrays.
    let conn = Database::connect(db.url.as_str()).await.unwrap();
    let text = |table, column, id| raw_text(&conn, table, column, id);
    assert_eq!(
        text("contact_requests", "sector_uais", request.id).await,
        KEY
    );
    assert_eq!(
        compact(&text("contact_requests", "concern_uais", request.id).await),
        r#"["0750002B","0750001A"]"#
    );
    assert_eq!(
        compact(&text("contact_requests", "languages", request.id).await),
        r#"["fr","ar"]"#
    );
    assert_eq!(
        compact(&text("referents", "languages", referent.id).await),
        r#"["fr","ar","en"]"#
    );
    assert_eq!(
        compact(&text("accounts", "sectors", account.id).await),
        format!(r#"["{KEY}","0750465Y"]"#)
    );
    conn.close().await.ok();
}

/// Rows written before the lists were JSON: a database migrated up to the
/// step before, old rows put in as they were, then the rest of the
/// migrations.
async fn the_migration_converts_old_rows(db: TestDb) {
    // A SQLite file is made on first connection only when asked to.
    let url = if db.url.starts_with("sqlite:") {
        format!("{}?mode=rwc", db.url)
    } else {
        db.url.clone()
    };
    let conn = Database::connect(url.as_str()).await.unwrap();
    Migrator::up(&conn, Some(7)).await.unwrap();
    let backend = conn.get_database_backend();
    let at = "'2026-12-01T10:00:00+00:00'";
    for sql in [
        format!(
            "INSERT INTO referents (first_name, email, uai, child_grade, languages, \
             monthly_capacity, weekday_evenings, wednesday_afternoons, weekends, paused, \
             consent_at, consent_version, link_hash, link_expires_at, created_at) VALUES \
             ('Amina', 'amina@parents.example', '0750001A', '5e', 'fr,ar', 2, TRUE, FALSE, \
             TRUE, FALSE, {at}, '2026-11', 'r1', {at}, {at})"
        ),
        format!(
            "INSERT INTO referents (first_name, email, uai, child_grade, languages, \
             monthly_capacity, weekday_evenings, wednesday_afternoons, weekends, paused, \
             consent_at, consent_version, link_hash, link_expires_at, created_at) VALUES \
             ('Bruno', 'bruno@parents.example', '0750002B', '4e', 'fr', 1, TRUE, TRUE, \
             FALSE, FALSE, {at}, '2026-11', 'r2', {at}, {at})"
        ),
        format!(
            "INSERT INTO contact_requests (first_name, email, lat, lon, sector_id, \
             sector_name, sector_uais, school_year, concern_uais, child_grade, languages, \
             preferred_contact, consent_at, consent_version, status, link_hash, \
             link_expires_at, created_at) VALUES ('Julien', 'julien@famille.example', 48.86, \
             2.38, 1, 'Secteur 1', '{KEY}', '2026-2027', '0750002B+0750001A', 'CM2', \
             'fr,ar,en', 'email', {at}, '2026-11', 'open', 'q1', {at}, {at})"
        ),
        "INSERT INTO accounts (email, role, password_hash, sectors, created_at) VALUES \
         ('orga@asso.example', 'organizer', 'hash', '[\"0750002B+0750001A\"]', \
         '2026-12-01T10:00:00+00:00')"
            .to_owned(),
    ] {
        conn.execute_raw(Statement::from_string(backend, sql))
            .await
            .unwrap();
    }
    Migrator::up(&conn, None).await.unwrap();
    assert!(
        Migrator::get_pending_migrations(&conn)
            .await
            .unwrap()
            .is_empty()
    );

    let referents = referents::Entity::find().all(&conn).await.unwrap();
    let languages: Vec<Vec<String>> = referents.iter().map(|r| r.languages.0.clone()).collect();
    assert_eq!(languages, [vec!["fr", "ar"], vec!["fr"]]);
    let request = contact_requests::Entity::find()
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(request.sector_uais.to_string(), KEY);
    assert_eq!(request.concern_uais.0, ["0750002B", "0750001A"]);
    assert_eq!(request.languages.0, ["fr", "ar", "en"]);
    conn.close().await.ok();

    // The store and the use cases read them as before.
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let account = store
        .account_by_email("orga@asso.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.sectors, Some(vec![KEY.parse().unwrap()]));
    let state = db.state().await;
    let scope = passerelle_app::access::Scope::from_keys(account.sectors);
    let visible = passerelle_app::contact_requests::list_for(&state, &scope)
        .await
        .unwrap();
    assert_eq!(
        visible.len(),
        1,
        "the organiser of the sector sees its request"
    );
}

both_backends!(
    lists_are_written_and_read_back,
    the_migration_converts_old_rows
);
