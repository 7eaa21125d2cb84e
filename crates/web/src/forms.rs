//! Submitted forms and what guards them: a CSRF token bound to a cookie
//! that other sites can neither read nor send (double submit), and on
//! public forms a honeypot field and a signed time stamp that keep robots
//! out without a third-party captcha.
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderValue, Uri, header};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::cookies::{self, is_secure};
use crate::i18n::Tr;
use passerelle_app::AppState;
use passerelle_app::secrets;

/// The cookie behind every form's CSRF token.
pub const CSRF_COOKIE: &str = "passerelle_csrf";
/// The hidden field robots fill in and people never see.
pub const HONEYPOT: &str = "website";
/// A form shown longer ago than this has expired.
const STAMP_MAX_AGE_SECS: i64 = 24 * 3600;

/// Submitted form fields (or query parameters), in order; repeated names
/// (checkboxes) are kept.
#[derive(Clone, Debug, Default)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

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

/// Gives a browser its CSRF cookie on its first visit, and lets the page
/// of that same request already use it.
pub async fn ensure_cookie(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let jar = CookieJar::from_headers(request.headers());
    if jar.get(CSRF_COOKIE).is_some_and(|c| c.value().len() == 64) {
        return next.run(request).await;
    }
    let secure = is_secure(request.uri(), request.headers(), &state);
    let cookie = cookies::secret(CSRF_COOKIE, secrets::generate(""), secure);
    if let Ok(header) = HeaderValue::from_str(&cookie.stripped().to_string()) {
        request.headers_mut().append(header::COOKIE, header);
    }
    let response = next.run(request).await;
    (jar.add(cookie), response).into_response()
}

/// The CSRF token that forms of this browser must carry; empty without
/// the cookie.
pub fn csrf_token(headers: &HeaderMap) -> String {
    CookieJar::from_headers(headers)
        .get(CSRF_COOKIE)
        .map(|c| c.value())
        .filter(|v| !v.is_empty())
        .map(|v| hex::encode(Sha256::digest(format!("{v}:csrf").as_bytes())))
        .unwrap_or_default()
}

/// True when a submitted form carries this browser's CSRF token.
pub fn csrf_ok(form: &FormData, headers: &HeaderMap) -> bool {
    let expected = csrf_token(headers);
    !expected.is_empty() && same_secret(form.get("csrf"), &expected)
}

/// Compares two secrets in constant time.
fn same_secret(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn mac(key: &str, seconds: i64) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(seconds.to_string().as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// The signed time at which a form is shown.
pub fn stamp(key: &str) -> String {
    let now = Utc::now().timestamp();
    format!("{now}.{}", mac(key, now))
}

/// Refuses what looks like a robot: a filled honeypot, a form sent without
/// a valid stamp, sooner than `PASSERELLE_FORM_MIN_SECONDS` after it was
/// shown, or a day later (the stamp is not checked when that setting is
/// 0). The message is for the person, in their language.
pub fn human(form: &FormData, state: &AppState, t: &'static Tr) -> Result<(), &'static str> {
    if !form.get(HONEYPOT).is_empty() {
        return Err(t.robot_suspected);
    }
    if state.config.form_min_seconds == 0 {
        return Ok(());
    }
    let age = form
        .get("stamp")
        .split_once('.')
        .and_then(|(at, signature)| {
            let at: i64 = at.parse().ok()?;
            same_secret(signature, &mac(&state.form_key, at)).then(|| Utc::now().timestamp() - at)
        });
    match age {
        Some(age) if age > STAMP_MAX_AGE_SECS => Err(t.form_expired),
        Some(age) if age >= state.config.form_min_seconds => Ok(()),
        Some(_) => Err(t.robot_too_fast),
        None => Err(t.form_expired),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_signed_with_the_key() {
        let s = stamp("key");
        let (at, signature) = s.split_once('.').unwrap();
        assert_eq!(signature, mac("key", at.parse().unwrap()));
        assert_ne!(signature, mac("other key", at.parse().unwrap()));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }

    #[test]
    fn csrf_tokens_follow_the_cookie() {
        let mut headers = HeaderMap::new();
        assert_eq!(csrf_token(&headers), "");
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("passerelle_csrf=abc"),
        );
        let token = csrf_token(&headers);
        assert_eq!(token.len(), 64);
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("passerelle_csrf=abd"),
        );
        assert_ne!(csrf_token(&headers), token);
    }
}
