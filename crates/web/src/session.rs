//! Web sessions: one HttpOnly, SameSite=Lax cookie (Secure over HTTPS)
//! whose secret the database knows only by its hash. Sessions end on
//! sign-out, after `PASSERELLE_SESSION_IDLE_MINUTES` unused, after 12
//! hours in any case, and when an admin revokes them.
use axum::extract::{FromRequestParts, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use http::request::Parts;
use passerelle_app::records::Referent;

use crate::cookies;
use crate::forms::FormData;
use crate::page::{Ctx, PageResult, see_other};
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::access::{Caller, Role};
use passerelle_app::accounts::{self, SESSION_LIFETIME, SessionUser};

/// The session cookie.
pub const SESSION_COOKIE: &str = "passerelle_session";

/// The session cookie; an empty value forgets it.
fn session_cookie(value: &str, secure: bool) -> Cookie<'static> {
    if value.is_empty() {
        return cookies::removal(SESSION_COOKIE);
    }
    let mut cookie = cookies::secret(SESSION_COOKIE, value.to_owned(), secure);
    cookie.set_max_age(time::Duration::seconds(SESSION_LIFETIME.num_seconds()));
    cookie
}

/// A redirection that also sets (or forgets) the session cookie.
pub fn redirect_with_session(location: &str, value: &str, secure: bool) -> Response {
    let jar = CookieJar::new().add(session_cookie(value, secure));
    (jar, see_other(location)).into_response()
}

fn secret(parts: &Parts) -> Option<String> {
    CookieJar::from_headers(&parts.headers)
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|s| !s.is_empty())
}

/// The live session's user, if any.
pub async fn user(parts: &Parts, state: &AppState) -> Result<Option<SessionUser>, Error> {
    match secret(parts) {
        Some(secret) => accounts::session(state, &secret).await,
        None => Ok(None),
    }
}

fn context(parts: &Parts, state: &AppState) -> Ctx {
    Ctx::from_head(&parts.method, &parts.uri, &parts.headers, state)
}

/// A signed-in admin or organizer, with the sectors they may see.
pub struct Staff {
    pub ctx: Ctx,
    pub caller: Caller,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ctx = context(parts, state);
        match user(parts, state).await {
            Ok(Some(SessionUser::Staff(caller))) if caller.role.covers(Role::Organizer) => {
                let mut ctx = ctx.section("organizers");
                ctx.signed_in = true;
                ctx.admin = caller.role == Role::Admin;
                Ok(Staff { ctx, caller })
            }
            Ok(Some(_)) => Err(ctx
                .fail(Error::Forbidden(ctx.t().staff_only.to_owned()))
                .into_response()),
            // Unknown, ended or idle: forget the cookie and ask again.
            Ok(None) => Err(redirect_with_session(
                "/organisation/connexion",
                "",
                ctx.secure,
            )),
            Err(e) => Err(ctx.fail(e).into_response()),
        }
    }
}

/// The referent of a live session, if that is who is signed in.
pub async fn referent(parts: &Parts, state: &AppState) -> Result<Option<Referent>, Error> {
    Ok(match user(parts, state).await? {
        Some(SessionUser::Referent(r)) => Some(r),
        _ => None,
    })
}

/// `POST /deconnexion`: ends the session, whoever it belongs to.
pub async fn sign_out(
    State(state): State<AppState>,
    ctx: Ctx,
    SessionSecret(secret): SessionSecret,
    _form: FormData,
) -> PageResult {
    if let Some(secret) = secret {
        accounts::sign_out(&state, &secret)
            .await
            .map_err(|e| ctx.fail(e))?;
    }
    Ok(redirect_with_session("/", "", ctx.secure))
}

/// The session cookie's secret, as sent.
pub struct SessionSecret(pub Option<String>);

impl FromRequestParts<AppState> for SessionSecret {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(SessionSecret(secret(parts)))
    }
}
