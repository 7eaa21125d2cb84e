//! API tokens: created once by the CLI, stored hashed.
use crate::common::{TestDb, both_backends};

/// The secret is printed once and never stored in clear.
async fn tokens_are_stored_hashed(db: TestDb) {
    let secret = db
        .cli_ok(&["token", "create", "--role", "organizer", "--name", "script"])
        .trim()
        .to_owned();
    let store = db.store().await;
    use sea_orm::{ConnectionTrait, Statement};
    let _ = &store;
    let conn = sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT token_hash FROM api_tokens",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let hash: String = rows[0].try_get("", "token_hash").unwrap();
    assert_eq!(hash.len(), 64);
    assert!(!hash.contains(&secret[4..]));
    // The same name twice, and an unknown role, are one-line errors.
    let line = db.cli_err(&["token", "create", "--role", "organizer", "--name", "script"]);
    assert!(line.contains("already exists"), "{line}");
    let line = db.cli_err(&["token", "create", "--role", "king", "--name", "other"]);
    assert!(line.contains("unknown role"), "{line}");
}

both_backends!(tokens_are_stored_hashed);
