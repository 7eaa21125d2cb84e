//! The pages as a person uses them: a browser-like client that keeps its
//! cookies and the CSRF token of the last page, staff and referents signed in.
use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use passerelle_web::{CSRF_COOKIE, SESSION_COOKIE};
use sha2::{Digest, Sha256};

use super::{Reply, TestDb, urlencode};

/// A password that any reasonable password rule accepts.
pub const PASSWORD: &str = "Vx7#qLp9-mZ2@wRt4!kB";

/// A page as a browser sees it.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

/// A browser: the cookies the server gave it and the CSRF token of the
/// last form it was shown.
pub struct Browser {
    cookies: BTreeMap<String, String>,
    pub token: String,
}

impl Browser {
    /// A new browser that opens `page` (a page with a form) and keeps what
    /// it is given.
    pub async fn open(app: &Router, page: &str) -> Self {
        let mut browser = Self {
            cookies: BTreeMap::new(),
            token: String::new(),
        };
        let shown = browser.get(app, page).await;
        assert_eq!(shown.status, StatusCode::OK, "{page}");
        browser
    }

    pub fn has_session(&self) -> bool {
        self.cookies.contains_key(SESSION_COOKIE)
    }

    pub fn session(&self) -> Option<&str> {
        self.cookies.get(SESSION_COOKIE).map(String::as_str)
    }

    fn keep(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    async fn send(&mut self, app: &Router, request: http::request::Builder, body: String) -> Page {
        let cookies: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let request = request
            .header(header::COOKIE, cookies.join("; "))
            .body(Body::from(body))
            .unwrap();
        let response = tower::ServiceExt::oneshot(app.clone(), request)
            .await
            .unwrap();
        self.keep(response.headers());
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8(bytes.to_vec()).unwrap();
        if let Some(token) = body
            .split(r#"name="csrf" value=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        {
            self.token = token.to_owned();
        }
        Page {
            status,
            location,
            body,
        }
    }

    pub async fn get(&mut self, app: &Router, uri: &str) -> Page {
        self.send(app, Request::get(uri), String::new()).await
    }

    /// Posts exactly `fields`.
    pub async fn post(&mut self, app: &Router, uri: &str, fields: &[(&str, &str)]) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request =
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(app, request, body).await
    }

    /// Posts `fields` with the token of the form this browser was shown.
    pub async fn submit(&mut self, app: &Router, uri: &str, fields: &[(&str, &str)]) -> Page {
        assert!(!self.token.is_empty(), "no form was shown to this browser");
        let token = self.token.clone();
        let mut all = fields.to_vec();
        all.push(("csrf", &token));
        self.post(app, uri, &all).await
    }
}

/// The sign-in link of the newest mail to `email`, as a path.
pub async fn mailed_link(db: &TestDb, email: &str) -> String {
    let outbox = db.store().await.outbox().await.unwrap();
    let mail = outbox
        .iter()
        .rev()
        .find(|m| m.recipient_email == email && m.kind == "sign_in_link")
        .expect("a sign-in mail");
    let url = mail
        .body
        .split_whitespace()
        .find(|w| w.contains("/connexion/"))
        .unwrap();
    url[url.find("/connexion/").unwrap()..].to_owned()
}

/// Creates an account with the real binary.
pub fn account(db: &TestDb, email: &str, role: &str) {
    let out = db.cli_input(
        &["account", "create", "--email", email, "--role", role],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A browser signed in as staff through the sign-in page.
pub async fn staff(app: &Router, email: &str) -> Browser {
    let mut browser = Browser::open(app, "/organisation/connexion").await;
    let page = browser
        .submit(
            app,
            "/organisation/connexion",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some("/organisation"),
        "{}",
        page.body
    );
    assert!(browser.has_session());
    browser
}

/// A browser signed in as a referent through a mailed link.
pub async fn referent(app: &Router, db: &TestDb, email: &str) -> Browser {
    let mut browser = Browser::open(app, "/referent/connexion").await;
    browser
        .submit(app, "/referent/connexion", &[("email", email)])
        .await;
    let link = mailed_link(db, email).await;
    browser.get(app, &link).await;
    let page = browser.submit(app, &link, &[]).await;
    assert_eq!(page.location.as_deref(), Some("/espace-referent"));
    assert!(browser.has_session());
    browser
}

/// Posts a page form with a valid CSRF token; returns the reply and the
/// `Location` it redirects to, if any.
pub async fn post_form(
    app: &Router,
    uri: &str,
    fields: &[(&str, &str)],
) -> (Reply, Option<String>) {
    let cookie = "cd".repeat(32);
    let csrf = hex::encode(Sha256::digest(format!("{cookie}:csrf").as_bytes()));
    let body = fields
        .iter()
        .copied()
        .chain([("csrf", csrf.as_str())])
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("{CSRF_COOKIE}={cookie}"))
        .body(Body::from(body))
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.clone(), request)
        .await
        .unwrap();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let reply = Reply {
        status,
        content_type,
        body: body.to_vec(),
    };
    (reply, location)
}
