//! The admins' page: every account, with its role and sectors; an admin
//! ends an account's sessions or disables it. Accounts are created with
//! `passerelle account create`, so that no password is ever chosen for
//! someone else through a form.
use askama::Template;
use axum::extract::State;
use http::{StatusCode, Uri};

use crate::forms::FormData;
use crate::i18n::Tr;
use crate::page::{Ctx, PageResult, WebError, render, see_other};
use crate::session::Staff;
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::access::{Caller, Role};
use passerelle_app::accounts;

pub struct AccountRow {
    pub email: String,
    pub role: String,
    pub sectors: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
struct AccountsPage {
    ctx: Ctx,
    t: &'static Tr,
    rows: Vec<AccountRow>,
    flash: Option<&'static str>,
}

/// Refuses organizers: this page is the admins'.
fn admin_only(session: Staff) -> Result<(Ctx, Caller), WebError> {
    if session.caller.role == Role::Admin {
        Ok((session.ctx, session.caller))
    } else {
        let message = session.ctx.t().admin_only.to_owned();
        Err(session.ctx.fail(Error::Forbidden(message)))
    }
}

/// `/organisation/comptes`.
pub async fn accounts(State(state): State<AppState>, session: Staff, uri: Uri) -> PageResult {
    let (ctx, caller) = admin_only(session)?;
    let t = ctx.t();
    let rows = accounts::list(&state, &caller)
        .await
        .map_err(|e| ctx.fail(e))?
        .into_iter()
        .map(|a| AccountRow {
            sectors: a.sectors.map_or_else(
                || t.all_sectors.to_owned(),
                |s| s.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "),
            ),
            email: a.email,
            role: a.role,
            active: !a.disabled,
        })
        .collect();
    let flash = match FormData::from_uri(&uri).get("ok") {
        "sessions" => Some(t.sessions_revoked),
        "desactive" => Some(t.account_disabled),
        _ => None,
    };
    Ok(render(
        StatusCode::OK,
        &AccountsPage {
            t,
            ctx,
            rows,
            flash,
        },
    ))
}

/// `POST /organisation/comptes/sessions`: ends an account's sessions.
pub async fn revoke_sessions(
    State(state): State<AppState>,
    session: Staff,
    form: FormData,
) -> PageResult {
    let (ctx, _) = admin_only(session)?;
    accounts::revoke_sessions(&state, form.get("email"))
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(see_other("/organisation/comptes?ok=sessions"))
}

/// `POST /organisation/comptes/desactivation`: disables an account.
pub async fn disable(State(state): State<AppState>, session: Staff, form: FormData) -> PageResult {
    let (ctx, _) = admin_only(session)?;
    accounts::disable(&state, form.get("email"))
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(see_other("/organisation/comptes?ok=desactive"))
}
