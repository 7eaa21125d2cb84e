//! One layer per request for what operators see of it: the span that names
//! its route template (so that warnings and errors say where they come
//! from), its count and latency in the metrics, and a line at `debug`.
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
        // A clone of the matched path is an `Arc`, not a new string.
        let route = request.extensions().get::<MatchedPath>().cloned();
        let method = method_label(request.method());
        let span = tracing::info_span!(
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
            route,
            method,
            metrics: self.metrics.clone(),
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
        route: Option<MatchedPath>,
        method: &'static str,
        metrics: Arc<Metrics>,
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
        let result = ready!(this.inner.poll(cx));
        if let Ok(response) = &result {
            let elapsed = this.started.elapsed();
            let status = response.status();
            this.metrics.observe(
                this.route.as_ref().map_or(UNMATCHED, MatchedPath::as_str),
                this.method,
                status,
                elapsed.as_secs_f64(),
            );
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
