//! What every page shares: the layout context, rendering, error pages,
//! submitted forms and field errors.
use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, StatusCode, Uri, header};

use crate::cookies::is_secure;
use crate::forms::{self, FormData};
use crate::i18n::{Lang, PageLang, Tr};
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::invalid::FieldError;
use passerelle_http::error::Failure;
use passerelle_words::{field_error, field_errors};

/// The layout's context: language, the other language's link, navigation.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub switch_href: String,
    pub switch_lang: &'static str,
    /// Which navigation entry is current: `find`, `volunteer`, `organizers`.
    pub section: &'static str,
    /// Pages of a signed-in person show the sign-out button.
    pub signed_in: bool,
    /// Admins' pages link to the accounts.
    pub admin: bool,
    /// The CSRF token every form carries.
    pub csrf: String,
    /// Signs the time stamps of public forms, on the pages that have one.
    form_key: std::sync::Arc<String>,
    /// `scheme://host` as the person reached us, to show private links whole.
    pub origin: String,
    /// The person reached us over HTTPS: cookies get `Secure`.
    pub secure: bool,
}

impl Ctx {
    fn from_parts(parts: &Parts, state: &AppState) -> Self {
        Self::from_head(&parts.method, &parts.uri, &parts.headers, state)
    }

    /// The context of a request, from its method, URI and headers.
    pub fn from_head(
        method: &http::Method,
        uri: &Uri,
        headers: &HeaderMap,
        state: &AppState,
    ) -> Self {
        let lang = Lang::of(uri, headers);
        let secure = is_secure(uri, headers, state);
        let scheme = if secure { "https" } else { "http" };
        let origin = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
            })
            .map_or_else(
                || state.config.public_url.clone(),
                |h| format!("{scheme}://{h}"),
            );
        let mut ctx = Self {
            lang,
            switch_href: String::new(),
            switch_lang: lang.other().code(),
            section: "",
            signed_in: false,
            admin: false,
            csrf: forms::csrf_token(headers),
            form_key: state.form_key.clone(),
            origin,
            secure,
        };
        let target = if method == http::Method::GET {
            uri.path_and_query().map_or("/", |p| p.as_str()).to_owned()
        } else {
            "/".to_owned()
        };
        ctx.link_other_language(&target);
        ctx
    }

    /// A context without a request, for rendering pages in tests.
    #[cfg(test)]
    pub fn for_tests(lang: Lang) -> Self {
        Self {
            lang,
            switch_href: String::new(),
            switch_lang: lang.other().code(),
            section: "",
            signed_in: false,
            admin: false,
            csrf: String::new(),
            form_key: std::sync::Arc::new(String::new()),
            origin: String::new(),
            secure: false,
        }
    }

    /// The signed time at which a public form is shown, made when the
    /// page that holds one renders.
    pub fn stamp(&self) -> String {
        forms::stamp(&self.form_key)
    }

    /// The strings of the page's language.
    pub fn t(&self) -> &'static Tr {
        self.lang.tr()
    }

    /// Points the language switch at `target` (a path with its query).
    pub fn link_other_language(&mut self, target: &str) {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        pairs.extend_pairs(
            form_urlencoded::parse(query.as_bytes()).filter(|(name, _)| name != "lang"),
        );
        pairs.append_pair("lang", self.lang.other().code());
        self.switch_href = format!("{path}?{}", pairs.finish());
    }

    pub fn section(mut self, section: &'static str) -> Self {
        self.section = section;
        self
    }

    /// An error page for a service error.
    pub fn fail(&self, error: Error) -> WebError {
        WebError(Box::new((self.clone(), error)))
    }

    /// The label of the language switch.
    pub fn switch_label(&self) -> &'static str {
        self.t().switch_label
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Ctx::from_parts(parts, state))
    }
}

/// An HTML response.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e) => {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response
                .extensions_mut()
                .insert(Failure(format!("template rendering failed: {e}")));
            response
        }
    }
}

/// A 303 redirection: the GET after a POST.
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: &'a Ctx,
    t: &'static Tr,
    title: &'static str,
    message: String,
}

/// A service error shown as a page, in the person's language.
pub struct WebError(Box<(Ctx, Error)>);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (ctx, error) = *self.0;
        let status = passerelle_http::error::status(&error);
        let t = ctx.t();
        // The cause goes to the log (it holds no form value), not to people.
        let cause = status.is_server_error().then(|| Failure(error.to_string()));
        let message = match &error {
            _ if cause.is_some() => t.error_unexpected.to_owned(),
            Error::Invalid(fields) => sentence(&field_errors(ctx.lang, fields)),
            other => sentence(&other.to_string()),
        };
        let title = match status.as_u16() {
            400 => t.error_title_400,
            401 | 403 => t.error_title_403,
            404 => t.error_title_404,
            409 => t.error_title_409,
            422 => t.error_title_422,
            429 => t.error_title_429,
            _ => t.error_title_500,
        };
        let mut response = render(
            status,
            &ErrorPage {
                ctx: &ctx,
                t,
                title,
                message,
            },
        );
        if let Error::TooManyRequests(seconds) = error {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(cause) = cause {
            response.extensions_mut().insert(cause);
        }
        response
    }
}

/// What a page handler returns.
pub type PageResult = Result<Response, WebError>;

/// A service message as a sentence: services write them in lower case, to
/// be embedded; a page shows them alone.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A submitted form: refused unless it carries this browser's CSRF token.
impl FromRequest<AppState> for FormData {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let headers = request.headers().clone();
        let form = match axum::Form::<Vec<(String, String)>>::from_request(request, state).await {
            Ok(form) => FormData::new(form.0),
            Err(rejection) => {
                return Err((
                    rejection.status(),
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    "formulaire illisible",
                )
                    .into_response());
            }
        };
        if !forms::csrf_ok(&form, &headers) {
            let ctx = Ctx::from_head(&method, &uri, &headers, state);
            let message = ctx.t().csrf_failed.to_owned();
            return Err(ctx.fail(Error::Forbidden(message)).into_response());
        }
        Ok(form)
    }
}

/// Errors of a form: one per field, shown beside it, and one for the form.
#[derive(Clone, Debug, Default)]
pub struct Errors {
    fields: Vec<(&'static str, String)>,
    pub general: Option<String>,
}

impl Errors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if !self.has(field) {
            self.fields.push((field, sentence(&message.into())));
        }
    }

    /// The fields the application refused, each beside its input, in the
    /// page's language.
    pub fn refused(&mut self, lang: Lang, errors: &[FieldError]) {
        for error in errors {
            self.add(input_of(error.field), field_error(lang, error));
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.iter().any(|(f, _)| *f == field)
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_none()
    }

    /// Field errors in order, for the summary at the top of a form.
    pub fn list(&self) -> &[(&'static str, String)] {
        &self.fields
    }

    /// The message of a field's error, shown beside it.
    pub fn message(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// The form input that holds an API field: the forms flatten the venue.
fn input_of(field: &'static str) -> &'static str {
    match field {
        "venue" | "venue.name" => "venue_name",
        "venue.address" => "venue_address",
        other => other,
    }
}

/// A radio button or checkbox.
#[derive(Clone, Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, checked: bool) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
            checked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_read_as_sentences() {
        let mut errors = Errors::default();
        errors.add("email", "l'adresse <b> n'est pas valide");
        errors.add("email", "une autre");
        assert_eq!(
            errors.message("email"),
            Some("L'adresse <b> n'est pas valide")
        );
        assert!(errors.has("email") && !errors.has("phone"));
        assert_eq!(errors.message("phone"), None);
        assert_eq!(sentence("été"), "Été");
    }
}
