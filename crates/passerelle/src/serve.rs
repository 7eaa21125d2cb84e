//! Serving HTTP until SIGTERM or Ctrl-C, letting requests in flight finish.
use std::sync::Arc;

use passerelle_http::metrics::Metrics;
use tokio::net::TcpListener;

use passerelle_app::AppState;
use passerelle_app::Error;

async fn bind(address: std::net::SocketAddr) -> Result<TcpListener, Error> {
    TcpListener::bind(address)
        .await
        .map_err(|source| Error::Io {
            path: address.to_string(),
            source,
        })
}

/// Binds `config.bind` (and `config.metrics_bind`, when set) and serves
/// until a shutdown signal.
pub async fn run(state: AppState) -> Result<(), Error> {
    // Both addresses are taken before anything starts: a busy metrics
    // port stops the start-up rather than leaving a server without metrics.
    let listener = bind(state.config.bind).await?;
    let metrics_listener = match state.config.metrics_bind {
        Some(address) => Some(bind(address).await?),
        None => None,
    };
    state.spawn_reloader(state.config.reload_interval);
    spawn_expiry(state.clone());
    if let Some(mailer) = passerelle_app::mail::Mailer::from_config(&state)? {
        spawn_delivery(state.clone(), mailer);
    }
    let metrics = Arc::new(Metrics::new());
    let metrics_task = match metrics_listener {
        Some(listener) => Some(spawn_metrics(listener, state.clone(), metrics.clone())?),
        None => None,
    };
    tracing::info!(address = %listener.local_addr().map_err(anyhow::Error::from)?, "listening");
    // Only the rate limits read the client's address: without them, no
    // `ConnectInfo` is added to every request (one allocation less each).
    let limited = state.config.limits.enabled;
    let app = crate::app_with_metrics(state, metrics);
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
    // A scrape in flight has nothing to lose: the metrics stop with the service.
    if let Some(task) = metrics_task {
        task.abort();
    }
    tracing::info!("stopped");
    Ok(())
}

/// Serves `GET /metrics` on its own listener, until aborted.
fn spawn_metrics(
    listener: TcpListener,
    state: AppState,
    metrics: Arc<Metrics>,
) -> Result<tokio::task::JoinHandle<()>, Error> {
    let address = listener.local_addr().map_err(anyhow::Error::from)?;
    tracing::info!(address = %address, "metrics listening");
    let app = crate::metrics_app(state, metrics);
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics listener failed");
        }
    }))
}

/// Every minute: the same chores as `passerelle maintenance` (expiry and
/// re-matching, reminders, retention), and forgetting idle rate-limit keys.
fn spawn_expiry(state: AppState) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            ticker.tick().await;
            state.limits.shrink();
            if let Err(e) = passerelle_app::privacy::maintenance(&state, chrono::Utc::now()).await {
                tracing::warn!(error = %e, "maintenance failed");
            }
        }
    });
}

/// Sends the outbox every ten seconds.
fn spawn_delivery(state: AppState, mailer: passerelle_app::mail::Mailer) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(10));
        loop {
            ticker.tick().await;
            if let Err(e) =
                passerelle_app::mail::deliver_due(&state, &mailer, chrono::Utc::now()).await
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
