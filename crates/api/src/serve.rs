//! Serving HTTP until SIGTERM or Ctrl-C, letting requests in flight finish.
use tokio::net::TcpListener;

use crate::error::Error;
use crate::state::AppState;

/// Binds `config.bind` and serves until a shutdown signal.
pub async fn run(state: AppState) -> Result<(), Error> {
    let bind = state.config.bind;
    state.spawn_reloader(state.config.reload_interval);
    spawn_expiry(state.clone());
    if let Some(mailer) = crate::services::mail::Mailer::from_config(&state)? {
        spawn_delivery(state.clone(), mailer);
    }
    let listener = TcpListener::bind(bind).await.map_err(|source| Error::Io {
        path: bind.to_string(),
        source,
    })?;
    tracing::info!(address = %listener.local_addr().map_err(anyhow::Error::from)?, "listening");
    // Only the rate limits read the client's address: without them, no
    // `ConnectInfo` is added to every request (one allocation less each).
    let limited = state.config.limits.enabled;
    let app = crate::http::app(state);
    if limited {
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
    } else {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
    }
    .map_err(anyhow::Error::from)?;
    tracing::info!("stopped");
    Ok(())
}

/// Every minute: the same chores as `passerelle maintenance` (expiry and
/// re-matching, reminders, retention), and forgetting idle rate-limit keys.
fn spawn_expiry(state: AppState) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            ticker.tick().await;
            state.limits.shrink();
            if let Err(e) = crate::services::privacy::maintenance(&state, chrono::Utc::now()).await
            {
                tracing::warn!(error = %e, "maintenance failed");
            }
        }
    });
}

/// Sends the outbox every ten seconds.
fn spawn_delivery(state: AppState, mailer: crate::services::mail::Mailer) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(10));
        loop {
            ticker.tick().await;
            if let Err(e) =
                crate::services::mail::deliver_due(&state, &mailer, chrono::Utc::now()).await
            {
                tracing::warn!(error = %e, "mail delivery round failed");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
