//! The baseline of `benches/load.sh`: a bare axum server answering a small
//! constant JSON on `GET /api/v1/sectors/lookup` (and any other path), with no middleware, state
//! or database, on the same tokio runtime as `passerelle serve` (the default
//! multi-thread runtime, one worker per core).
//!
//! `cargo run --release -p passerelle-api --example bare_axum -- 127.0.0.1:18090`
use axum::Router;
use axum::routing::get;

/// About the size and shape of a real lookup answer's head.
const ANSWER: &str = r#"{"match":"inside","distance_m":0.0,"school_year":"2024-2025","sector":{"id":1,"name":"bare","territory":"paris"},"schools":[]}"#;

async fn lookup() -> ([(http::HeaderName, &'static str); 1], &'static str) {
    ([(http::header::CONTENT_TYPE, "application/json")], ANSWER)
}

fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18090".to_owned());
    // The same constructor as the `passerelle` CLI uses.
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        // Every path gets the same answer, so that each scenario has a baseline.
        let app = Router::new()
            .route("/api/v1/sectors/lookup", get(lookup))
            .fallback(lookup);
        let listener = tokio::net::TcpListener::bind(&bind).await?;
        eprintln!("bare_axum listening on {bind}");
        axum::serve(listener, app).await
    })
}
