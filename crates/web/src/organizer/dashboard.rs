//! The organizers' dashboard and the batch matching.

use askama::Template;
use axum::extract::State;
use http::{StatusCode, Uri};

use super::signin::ORG_PATH;
use crate::forms::FormData;
use crate::i18n::{self, Tr};
use crate::page::{Ctx, PageResult, WebError, render, see_other, sentence};
use crate::session::Staff;
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::matching;

pub struct MapRow {
    pub territory: String,
    pub year: String,
    pub sectors: i32,
    pub imported_at: String,
}

#[derive(Template)]
#[template(path = "org_dashboard.html")]
struct DashboardPage {
    ctx: Ctx,
    t: &'static Tr,
    maps: Vec<MapRow>,
    report: Option<String>,
    error: Option<String>,
}

async fn dashboard_page(
    state: &AppState,
    session: Staff,
    report: Option<String>,
    error: Option<String>,
) -> Result<DashboardPage, WebError> {
    let ctx = session.ctx;
    let lang = ctx.lang;
    let maps = passerelle_app::sectors::maps(state)
        .await
        .map_err(|e| ctx.fail(e))?
        .into_iter()
        .map(|m| {
            let at = m.imported_at.with_timezone(&chrono_tz::Europe::Paris);
            MapRow {
                territory: m.territory,
                year: m.school_year,
                sectors: m.sector_count,
                imported_at: format!("{}, {}", i18n::date(lang, at), i18n::time(lang, at)),
            }
        })
        .collect();
    Ok(DashboardPage {
        t: ctx.t(),
        ctx,
        maps,
        report,
        error,
    })
}

/// `/organisation`: matching, imports, links.
pub async fn dashboard(State(state): State<AppState>, session: Staff, uri: Uri) -> PageResult {
    let t = session.ctx.t();
    let params = FormData::from_uri(&uri);
    let report = params.opt("created").map(|_| {
        format!(
            "{} : {} {}, {} {}, {} {}, {} {}.",
            t.matching_done,
            params.get("kept"),
            t.kept,
            params.get("created"),
            t.created,
            params.get("superseded"),
            t.superseded,
            params.get("expired"),
            t.expired
        )
    });
    let page = dashboard_page(&state, session, report, None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /organisation/appariement`: the batch matching.
pub async fn run_matching(
    State(state): State<AppState>,
    mut session: Staff,
    _form: FormData,
) -> PageResult {
    if let Err(e) = session.caller.require_every_sector() {
        return Err(session.ctx.fail(e));
    }
    match matching::run_batch(&state).await {
        Ok(r) => Ok(see_other(&format!(
            "/organisation?kept={}&created={}&superseded={}&expired={}",
            r.kept, r.created, r.superseded, r.expired
        ))),
        Err(e @ Error::Conflict(_)) => {
            session.ctx.link_other_language(ORG_PATH);
            let page =
                dashboard_page(&state, session, None, Some(sentence(&e.to_string()))).await?;
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(session.ctx.fail(e)),
    }
}
