//! The organizers' sign-in.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use http::StatusCode;

use crate::forms::FormData;
use crate::i18n::Tr;
use crate::page::{Ctx, Errors, PageResult, render};
use crate::session::redirect_with_session;
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::accounts;

/// Where a signed-in organizer lands.
pub(super) const ORG_PATH: &str = "/organisation";

#[derive(Template)]
#[template(path = "org_signin.html")]
struct SigninPage {
    ctx: Ctx,
    t: &'static Tr,
    email: String,
    errors: Errors,
}

/// `/organisation/connexion`.
pub async fn signin_form(ctx: Ctx) -> Response {
    render(
        StatusCode::OK,
        &SigninPage {
            t: ctx.t(),
            ctx: ctx.section("organizers"),
            email: String::new(),
            errors: Errors::default(),
        },
    )
}

/// `POST /organisation/connexion`: checks the e-mail and password, then
/// opens a session.
pub async fn signin(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    let t = ctx.t();
    let mut errors = Errors::default();
    let status = match accounts::sign_in(&state, form.get("email"), form.raw("password")).await {
        Ok(secret) => return Ok(redirect_with_session(ORG_PATH, &secret, ctx.secure)),
        Err(Error::Unauthorized) => {
            errors.general = Some(t.signin_failed.to_owned());
            StatusCode::UNAUTHORIZED
        }
        Err(Error::Invalid(fields)) => {
            errors.refused(ctx.lang, &fields);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => return Err(ctx.fail(e)),
    };
    let mut ctx = ctx.section("organizers");
    ctx.link_other_language("/organisation/connexion");
    Ok(render(
        status,
        &SigninPage {
            t,
            ctx,
            email: form.get("email").to_owned(),
            errors,
        },
    ))
}
