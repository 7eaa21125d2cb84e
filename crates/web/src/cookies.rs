//! The cookies of the pages, written by the `cookie` crate through
//! axum-extra's jar: the ones that hold secrets are HttpOnly, SameSite=Lax,
//! for the whole site, and Secure when the person reached us over HTTPS.
use axum_extra::extract::cookie::{Cookie, SameSite};
use http::{HeaderMap, Uri};
use passerelle_app::AppState;

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

/// A cookie that holds a secret: scripts and other sites never see it.
pub fn secret(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .build();
    if secure {
        cookie.set_secure(true);
    }
    cookie
}

/// What forgets a cookie of the whole site: empty, expired, `Max-Age=0`.
pub fn removal(name: &'static str) -> Cookie<'static> {
    let mut cookie = Cookie::build(name).path("/").build();
    cookie.make_removal();
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_cookies_keep_their_attributes() {
        let plain = secret("s", "v".into(), false).to_string();
        assert_eq!(plain, "s=v; HttpOnly; SameSite=Lax; Path=/");
        let tls = secret("s", "v".into(), true).to_string();
        assert_eq!(tls, "s=v; HttpOnly; SameSite=Lax; Secure; Path=/");
        assert!(
            removal("s")
                .to_string()
                .starts_with("s=; Path=/; Max-Age=0; Expires=")
        );
    }
}
