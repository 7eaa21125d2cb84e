//! What guards every form: a CSRF token bound to a cookie that other sites
//! can neither read nor send (double submit), and on public forms a
//! honeypot field and a signed time stamp that keep robots out without a
//! third-party captcha.
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use chrono::Utc;
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderValue, header};
use sha2::{Digest, Sha256};

use crate::i18n::Tr;
use crate::page::{FormData, cookie, is_secure, same_secret};
use passerelle_app::AppState;
use passerelle_app::secrets;

/// The cookie behind every form's CSRF token.
pub const CSRF_COOKIE: &str = "passerelle_csrf";
/// The hidden field robots fill in and people never see.
pub const HONEYPOT: &str = "website";
/// A form shown longer ago than this has expired.
const STAMP_MAX_AGE_SECS: i64 = 24 * 3600;

/// Gives a browser its CSRF cookie on its first visit, and lets the page
/// of that same request already use it.
pub async fn ensure_cookie(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if cookie(request.headers(), CSRF_COOKIE).is_some_and(|v| v.len() == 64) {
        return next.run(request).await;
    }
    let value = secrets::generate("");
    let secure = is_secure(request.uri(), request.headers(), &state);
    if let Ok(header) = HeaderValue::from_str(&format!("{CSRF_COOKIE}={value}")) {
        request.headers_mut().append(header::COOKIE, header);
    }
    let mut response = next.run(request).await;
    if let Ok(header) = HeaderValue::from_str(&format!(
        "{CSRF_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )) {
        response.headers_mut().append(header::SET_COOKIE, header);
    }
    response
}

/// The CSRF token that forms of this browser must carry; empty without
/// the cookie.
pub fn csrf_token(headers: &HeaderMap) -> String {
    cookie(headers, CSRF_COOKIE)
        .filter(|v| !v.is_empty())
        .map(|v| hex::encode(Sha256::digest(format!("{v}:csrf").as_bytes())))
        .unwrap_or_default()
}

/// True when a submitted form carries this browser's CSRF token.
pub fn csrf_ok(form: &FormData, headers: &HeaderMap) -> bool {
    let expected = csrf_token(headers);
    !expected.is_empty() && same_secret(form.get("csrf"), &expected)
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
