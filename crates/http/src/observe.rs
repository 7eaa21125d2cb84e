//! One layer per request for what operators see of it: its count and
//! latency in the metrics, an `error` line naming its route template when it
//! failed on the server's side (with the [`Failure`] its response carries),
//! and at `debug` a span and a line per request.
//!
//! The span is at `debug` because at `info` it cost about as much as the
//! sector lookup itself (the filter, the span registry and the formatting of
//! its fields, on every request); failures are logged here, where the route
//! is known, rather than inside a span.
//!
//! Hand-written rather than `TraceLayer` plus a `from_fn` middleware: those
//! box the inner future, clone the whole state and wrap the response body on
//! every request, which on the lookup path cost more than the lookup itself.
//! Labels and span fields hold route templates, never the URI: query strings
//! carry home coordinates and paths carry private links.
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Instant;

use axum::extract::MatchedPath;
use http::{Method, Request, Response};
use tower::{Layer, Service};
use tracing::Span;

use crate::error::Failure;
use crate::metrics::Metrics;

/// The route label of requests that matched no route.
const UNMATCHED: &str = "unmatched";

/// Adds [`Observe`] around each route.
#[derive(Clone)]
pub struct ObserveLayer {
    metrics: Arc<Metrics>,
}

impl ObserveLayer {
    /// Records into `metrics`.
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Self { metrics }
    }
}

impl<S> Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Observe<S> {
        Observe {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// The service [`ObserveLayer`] makes.
#[derive(Clone)]
pub struct Observe<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S, B, R> Service<Request<B>> for Observe<S>
where
    S: Service<Request<B>, Response = Response<R>>,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = ObserveFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let route = request.extensions().get::<MatchedPath>().cloned();
        let method = method_label(request.method());
        let span = tracing::debug_span!(
            "request",
            method,
            route = route.as_ref().map_or(UNMATCHED, MatchedPath::as_str)
        );
        let started = Instant::now();
        let inner = span.in_scope(|| self.inner.call(request));
        ObserveFuture {
            inner,
            span,
            started,
            metrics: self.metrics.clone(),
            route,
            method,
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`Observe`].
    pub struct ObserveFuture<F> {
        #[pin]
        inner: F,
        span: Span,
        started: Instant,
        metrics: Arc<Metrics>,
        route: Option<MatchedPath>,
        method: &'static str,
    }
}

impl<F, R, E> Future for ObserveFuture<F>
where
    F: Future<Output = Result<Response<R>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let mut result = ready!(this.inner.poll(cx));
        if let Ok(response) = &mut result {
            let elapsed = this.started.elapsed();
            let status = response.status();
            let route = this.route.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
            this.metrics
                .record(route, this.method, status, elapsed.as_secs_f64());
            if let Some(Failure(cause)) = response.extensions_mut().remove::<Failure>() {
                tracing::error!(
                    method = *this.method,
                    route,
                    status = status.as_u16(),
                    error = %cause,
                    "request failed"
                );
            }
            tracing::debug!(
                status = status.as_u16(),
                latency_us = elapsed.as_micros() as u64,
                "response"
            );
        }
        Poll::Ready(result)
    }
}

/// The standard methods by name; anything else as `other`, so that a
/// client cannot grow the label set.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use http::{Request, StatusCode};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;
    use crate::error::ApiError;
    use passerelle_app::Error;

    /// Log lines written into a shared buffer.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_server_failure_is_logged_once_with_its_route_and_cause_but_not_shown() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || writer.clone())
            .finish();
        let metrics = Arc::new(Metrics::new());
        let app = Router::new()
            .route(
                "/meetings/{id}",
                get(|| async { ApiError(Error::Internal(anyhow::anyhow!("disk on fire"))) }),
            )
            .route("/fine", get(|| async { "ok" }))
            .layer(ObserveLayer::new(metrics));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (status, body) = tracing::subscriber::with_default(subscriber, || {
            runtime.block_on(async {
                let fine = Request::get("/fine").body(Body::empty()).unwrap();
                app.clone().oneshot(fine).await.unwrap();
                let failing = Request::get("/meetings/7").body(Body::empty()).unwrap();
                let response = app.oneshot(failing).await.unwrap();
                assert!(response.extensions().get::<Failure>().is_none());
                let status = response.status();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                (status, String::from_utf8(body.to_vec()).unwrap())
            })
        });
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.contains("disk on fire"), "{body}");
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(log.lines().count(), 1, "{log}");
        for part in [
            "request failed",
            "/meetings/{id}",
            "GET",
            "500",
            "disk on fire",
        ] {
            assert!(log.contains(part), "{part} missing from {log}");
        }
        assert!(!log.contains("/meetings/7"), "{log}");
    }
}
