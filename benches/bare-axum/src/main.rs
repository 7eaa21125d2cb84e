//! The baseline of `benches/load.sh`: a bare axum server answering a
//! constant JSON on `GET /api/v1/sectors/lookup` (and any other path), with
//! no middleware, state or database, on the same tokio runtime as
//! `passerelle serve` (the default multi-thread runtime, one worker per
//! core). The answer is small (about 130 bytes), or padded to the given
//! size, so that the baseline can carry as many bytes as a real answer.
//!
//! `cargo run --release -p bare-axum -- 127.0.0.1:18090 [BYTES]`
use axum::Router;
use axum::routing::get;

/// About the size and shape of a real lookup answer's head.
const ANSWER: &str = r#"{"match":"inside","distance_m":0.0,"school_year":"2024-2025","sector":{"id":1,"name":"bare","territory":"paris"},"schools":[]}"#;

/// `ANSWER`, its `schools` array padded with spaces up to `bytes`.
fn answer(bytes: usize) -> &'static str {
    let (head, tail) = ANSWER.split_at(ANSWER.len() - 2);
    let pad = " ".repeat(bytes.saturating_sub(ANSWER.len()));
    Box::leak(format!("{head}{pad}{tail}").into_boxed_str())
}

fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18090".to_owned());
    let bytes: usize = std::env::args()
        .nth(2)
        .and_then(|b| b.parse().ok())
        .unwrap_or(0);
    let body = answer(bytes);
    let lookup = move || async move { ([(http::header::CONTENT_TYPE, "application/json")], body) };
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
