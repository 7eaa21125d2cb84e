//! What every page shares: the language, the layout context, rendering,
//! error pages, form data and field errors.
use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, StatusCode, Uri, header};

use crate::i18n::{EN, FR, Tr};
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_http::error::Failure;

/// The language of the pages: French unless asked otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

/// The cookie that remembers an explicit language choice.
pub const LANG_COOKIE: &str = "passerelle_lang";

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn tr(self) -> &'static Tr {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn other(self) -> Self {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    /// `?lang=` first, then the cookie, then French.
    pub fn of(uri: &Uri, headers: &HeaderMap) -> Self {
        query_lang(uri)
            .or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::parse))
            .unwrap_or(Lang::Fr)
    }
}

/// The `lang` query parameter, when it names a language we have.
pub fn query_lang(uri: &Uri) -> Option<Lang> {
    uri.query()?
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .find_map(Lang::parse)
}

/// One cookie of the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// True when the person reached us over HTTPS (directly, through a proxy
/// that says so, or because the service is published at an `https://` URL):
/// cookies then get `Secure`.
pub fn is_secure(uri: &Uri, headers: &HeaderMap, state: &AppState) -> bool {
    uri.scheme_str() == Some("https")
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
        || state.config.public_url.starts_with("https://")
}

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
            csrf: super::forms::csrf_token(headers),
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

    /// The signed time at which a public form is shown, made when the
    /// page that holds one renders.
    pub fn stamp(&self) -> String {
        super::forms::stamp(&self.form_key)
    }

    /// The strings of the page's language.
    pub fn t(&self) -> &'static Tr {
        self.lang.tr()
    }

    /// Points the language switch at `target` (a path with its query).
    pub fn link_other_language(&mut self, target: &str) {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut pairs: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("lang="))
            .collect();
        let lang = format!("lang={}", self.lang.other().code());
        pairs.push(&lang);
        self.switch_href = format!("{path}?{}", pairs.join("&"));
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
        let message = if cause.is_some() {
            t.error_unexpected.to_owned()
        } else {
            sentence(&error.to_string())
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

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A service message as a sentence: services write them in lower case, to
/// be embedded; a page shows them alone.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Percent-encodes a query parameter value.
pub fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Submitted form fields (or query parameters), in order; repeated names
/// (checkboxes) are kept.
#[derive(Clone, Debug, Default)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn from_uri(uri: &Uri) -> Self {
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
            .map(|q| Self(q.0))
            .unwrap_or_default()
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// The first value of `name` exactly as sent; for passwords, where
    /// blanks count.
    pub fn raw(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The first value of `name`, trimmed, when not empty.
    pub fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name)).filter(|v| !v.is_empty())
    }

    /// Every non-empty value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    /// True for a ticked checkbox.
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// A submitted form: refused unless it carries this browser's CSRF token.
impl FromRequest<AppState> for FormData {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let headers = request.headers().clone();
        let form = match axum::Form::<Vec<(String, String)>>::from_request(request, state).await {
            Ok(form) => Self(form.0),
            Err(rejection) => {
                return Err((
                    rejection.status(),
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    "formulaire illisible",
                )
                    .into_response());
            }
        };
        if !super::forms::csrf_ok(&form, &headers) {
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

    /// Keeps the value, or records the error against `field`.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, Error>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
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

    /// The attributes that tie an input to its error.
    pub fn attrs(&self, field: &str) -> String {
        if self.has(field) {
            format!(r#" aria-invalid="true" aria-describedby="{field}-err""#)
        } else {
            String::new()
        }
    }

    /// The error paragraph of a field, or nothing.
    pub fn msg(&self, field: &str) -> String {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(f, m)| format!(r#"<p class="err" id="{f}-err">{}</p>"#, escape(m)))
            .unwrap_or_default()
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

/// Constant-time comparison of two secrets.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_comes_from_query_then_cookie() {
        let mut headers = HeaderMap::new();
        let uri: Uri = "/secteur?lat=1&lang=en".parse().unwrap();
        assert_eq!(Lang::of(&uri, &headers), Lang::En);
        let plain: Uri = "/".parse().unwrap();
        assert_eq!(Lang::of(&plain, &headers), Lang::Fr);
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; passerelle_lang=en"),
        );
        assert_eq!(Lang::of(&plain, &headers), Lang::En);
        let bad: Uri = "/?lang=de".parse().unwrap();
        assert_eq!(Lang::of(&bad, &HeaderMap::new()), Lang::Fr);
    }

    #[test]
    fn field_errors_are_escaped_and_tied_to_inputs() {
        let mut errors = Errors::default();
        errors.add("email", "l'adresse <b> n'est pas valide");
        assert_eq!(
            errors.attrs("email"),
            r#" aria-invalid="true" aria-describedby="email-err""#
        );
        assert!(errors.msg("email").contains(">L&#39;adresse &lt;b&gt;"));
        assert_eq!(sentence("été"), "Été");
        assert_eq!(errors.msg("phone"), "");
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
