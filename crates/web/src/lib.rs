//! The web front-end: server-rendered pages in French (English on request)
//! on top of the same services as the JSON API. Every flow works without
//! JavaScript, with plain forms and POST-redirect-GET; `static/app.js` only
//! adds address suggestions and exact map clicks. Nothing is loaded from
//! another origin.
mod admin;
mod cache;
mod cookies;
mod forms;
mod i18n;
mod map;
mod organizer;
mod page;
mod public;
mod referent;
mod session;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use http::{HeaderValue, header};

use passerelle_app::AppState;

pub use forms::CSRF_COOKIE;
pub use session::SESSION_COOKIE;

const STYLE: &str = include_str!("../static/style.css");
const SCRIPT: &str = include_str!("../static/app.js");
const ICON: &str = include_str!("../static/favicon.svg");

/// Every page route, to merge into the service's router. Public form
/// submissions and lookups are rate-limited per IP like the API's.
pub fn router(state: AppState) -> Router {
    let limit = middleware::from_fn_with_state(state.clone(), limit);
    let mut router = Router::new()
        .route("/", get(public::home))
        .route("/recherche", get(public::search).route_layer(limit.clone()))
        .route(
            "/adresses/suggestions",
            get(public::suggestions).route_layer(limit.clone()),
        )
        .route(
            "/secteur",
            get(public::sector_by_point).route_layer(limit.clone()),
        )
        .route("/secteur/{id}", get(public::sector_by_id))
        .route("/demande/{secret}", get(public::request_status))
        .route("/demande/{secret}/envoyee", get(public::request_sent))
        .route("/reunions/{id}", get(public::meeting))
        .route("/inscription/{secret}", get(public::registration))
        .route("/referent", get(referent::form))
        .route("/referent/connexion", get(referent::signin_form))
        .route("/connexion/{token}", get(referent::link_form))
        .route("/espace-referent", get(referent::space))
        .route("/espace-referent/{secret}", get(referent::space))
        .route(
            "/espace-referent/{secret}/bienvenue",
            get(referent::welcome),
        )
        .route("/organisation", get(organizer::dashboard))
        .route("/organisation/connexion", get(organizer::signin_form))
        .route("/organisation/couverture", get(organizer::coverage))
        .route("/organisation/comptes", get(admin::accounts))
        .route("/organisation/reunions", get(organizer::meetings_list))
        .route(
            "/organisation/reunions/nouvelle",
            get(organizer::new_meeting),
        )
        .route("/organisation/reunions/{id}", get(organizer::meeting))
        .route(
            "/organisation/reunions/{id}/inscriptions.csv",
            get(organizer::registrations_csv),
        )
        .route(
            "/static/style.css",
            get(|| asset("text/css; charset=utf-8", STYLE)),
        )
        .route(
            "/static/app.js",
            get(|| asset("text/javascript; charset=utf-8", SCRIPT)),
        )
        .route("/static/favicon.svg", get(|| asset("image/svg+xml", ICON)));
    for form in forms() {
        let handler = match form.limit {
            Limit::PerIp => form.handler.route_layer(limit.clone()),
            Limit::Unlimited => form.handler,
        };
        router = router.route(form.path, handler);
    }
    router
        .layer(middleware::from_fn_with_state(
            state.clone(),
            forms::ensure_cookie,
        ))
        .layer(middleware::from_fn(headers))
        .with_state(state)
}

/// Whether a form is rate-limited per IP (those open to anyone).
enum Limit {
    PerIp,
    Unlimited,
}

/// A form: a POST route of the pages.
struct Form {
    path: &'static str,
    handler: MethodRouter<AppState>,
    limit: Limit,
}

fn form(path: &'static str, handler: MethodRouter<AppState>, limit: Limit) -> Form {
    Form {
        path,
        handler,
        limit,
    }
}

/// Every form of the site, in one list that both builds the router and
/// tells the tests which routes must refuse a post without its CSRF token.
fn forms() -> Vec<Form> {
    use Limit::{PerIp, Unlimited};
    vec![
        form("/demande", post(public::contact), PerIp),
        form("/demande/{secret}/retrait", post(public::withdraw), PerIp),
        form("/reunions/{id}/inscription", post(public::register), PerIp),
        form(
            "/inscription/{secret}/annulation",
            post(public::cancel_registration),
            PerIp,
        ),
        form("/referent", post(referent::volunteer), PerIp),
        form("/referent/connexion", post(referent::send_link), PerIp),
        form("/connexion/{token}", post(referent::use_link), PerIp),
        form("/deconnexion", post(session::sign_out), Unlimited),
        form(
            "/espace-referent/propositions/{id}/accepter",
            post(referent::accept),
            Unlimited,
        ),
        form(
            "/espace-referent/propositions/{id}/refuser",
            post(referent::decline),
            Unlimited,
        ),
        form(
            "/espace-referent/reglages",
            post(referent::settings),
            Unlimited,
        ),
        form(
            "/espace-referent/{secret}/propositions/{id}/accepter",
            post(referent::accept),
            PerIp,
        ),
        form(
            "/espace-referent/{secret}/propositions/{id}/refuser",
            post(referent::decline),
            PerIp,
        ),
        form(
            "/espace-referent/{secret}/reglages",
            post(referent::settings),
            PerIp,
        ),
        form("/organisation/connexion", post(organizer::signin), PerIp),
        form(
            "/organisation/appariement",
            post(organizer::run_matching),
            Unlimited,
        ),
        form(
            "/organisation/comptes/sessions",
            post(admin::revoke_sessions),
            Unlimited,
        ),
        form(
            "/organisation/comptes/desactivation",
            post(admin::disable),
            Unlimited,
        ),
        form(
            "/organisation/reunions",
            post(organizer::create_meeting),
            Unlimited,
        ),
        form(
            "/organisation/reunions/{id}",
            post(organizer::update_meeting),
            Unlimited,
        ),
        form(
            "/organisation/reunions/{id}/annulation",
            post(organizer::cancel_meeting),
            Unlimited,
        ),
    ]
}

/// The path of every form (POST route) of the pages, as the router has them.
pub fn form_paths() -> Vec<&'static str> {
    forms().into_iter().map(|f| f.path).collect()
}

/// The per-IP limits, answered with a page in the person's language.
async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let ctx = page::Ctx::from_head(request.method(), request.uri(), request.headers(), &state);
    match passerelle_http::limits::pages_by_ip(State(state), request, next).await {
        Ok(response) => response,
        Err(e) => ctx.fail(e).into_response(),
    }
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// The policy of every page: only our own origin, no referrer (private
/// links live in URLs), no framing; the language choice remembered.
async fn headers(request: Request, next: Next) -> Response {
    let chosen = i18n::query_lang(request.uri());
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    match chosen {
        // A preference, not a secret: kept a year.
        Some(lang) => {
            let cookie = Cookie::build((i18n::LANG_COOKIE, lang.code()))
                .path("/")
                .max_age(time::Duration::days(365))
                .same_site(SameSite::Lax);
            (CookieJar::new().add(cookie), response).into_response()
        }
        None => response,
    }
}
