//! The home page: the three ways to find one's sector, and the address
//! search and suggestions behind them.
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, Uri};

use crate::cache;
use crate::forms::FormData;
use crate::i18n::Tr;
use crate::map::{AreaStyle, OverviewMap};
use crate::page::{Ctx, Errors, PageResult, render, sentence};
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::addresses;

pub struct Link {
    pub href: String,
    pub label: String,
}

pub struct TerritoryLink {
    pub name: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
pub(super) struct HomePage {
    ctx: Ctx,
    t: &'static Tr,
    pub(super) address: String,
    pub(super) address_error: Option<String>,
    results: Vec<Link>,
    map: Option<OverviewMap>,
    territories: Vec<TerritoryLink>,
    pub(super) lat: String,
    pub(super) lon: String,
    pub(super) errors: Errors,
}

impl HomePage {
    pub(super) fn new(state: &AppState, ctx: Ctx, params: &FormData) -> Self {
        let t = ctx.t();
        let catalog = state.catalog();
        let names = cache::territories(&catalog);
        let current = params
            .opt("territoire")
            .filter(|n| names.iter().any(|x| x == n))
            .or(names.first().map(String::as_str))
            .map(str::to_owned);
        let map = current
            .as_deref()
            .and_then(|name| cache::overview(&catalog, name))
            .map(|overview| {
                overview.svg(t.overview_title, t.overview_desc, true, |area| AreaStyle {
                    href: Some(format!("/secteur/{}", area.id)),
                    class: "pick",
                    label: area.name.clone(),
                })
            });
        let territories = names
            .iter()
            .map(|name| TerritoryLink {
                href: format!(
                    "/?{}#h-map",
                    form_urlencoded::Serializer::new(String::new())
                        .append_pair("territoire", name)
                        .finish()
                ),
                current: current.as_deref() == Some(name.as_str()),
                name: name.clone(),
            })
            .collect();
        Self {
            t,
            ctx: ctx.section("find"),
            address: String::new(),
            address_error: None,
            results: Vec::new(),
            map,
            territories,
            lat: String::new(),
            lon: String::new(),
            errors: Errors::default(),
        }
    }
}

/// `/`: the three ways to find one's sector.
pub async fn home(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> Response {
    render(
        StatusCode::OK,
        &HomePage::new(&state, ctx, &FormData::from_uri(&uri)),
    )
}

/// `/recherche?adresse=`: the address form without JavaScript.
pub async fn search(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let params = FormData::from_uri(&uri);
    let mut page = HomePage::new(&state, ctx.clone(), &params);
    let query = params.get("adresse");
    page.address = query.to_owned();
    if query.is_empty() {
        page.address_error = Some(page.t.address_required.to_owned());
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    match addresses::search(&state, query, 8).await {
        Ok(hits) if hits.is_empty() => {
            page.address_error = Some(page.t.address_none_found.to_owned());
            Ok(render(StatusCode::NOT_FOUND, &page))
        }
        Ok(hits) => {
            page.results = hits
                .into_iter()
                .map(|h| Link {
                    href: format!(
                        "/secteur?{}",
                        form_urlencoded::Serializer::new(String::new())
                            .append_pair("adresse", &h.label)
                            .finish()
                    ),
                    label: h.label,
                })
                .collect();
            Ok(render(StatusCode::OK, &page))
        }
        // Also what the search answers while it is not available: the map
        // and the coordinates stay on the page.
        Err(e @ (Error::NotFound(_) | Error::BadRequest(_))) => {
            let status = passerelle_http::error::status(&e);
            page.address_error = Some(sentence(&e.to_string()));
            Ok(render(status, &page))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// `/adresses/suggestions?q=&limit=`: the autocomplete's JSON. An empty list
/// when nothing is found or the search is unavailable, so that the script
/// simply shows nothing.
pub async fn suggestions(State(state): State<AppState>, uri: Uri) -> Response {
    let params = FormData::from_uri(&uri);
    let query = params.get("q");
    let limit = params
        .get("limit")
        .parse::<usize>()
        .unwrap_or(5)
        .clamp(1, 10);
    if query.chars().count() < 3 {
        return axum::Json(Vec::<addresses::AddressHit>::new()).into_response();
    }
    match addresses::search(&state, query, limit).await {
        Ok(hits) => axum::Json(hits).into_response(),
        Err(Error::NotFound(_) | Error::BadRequest(_)) => {
            axum::Json(Vec::<addresses::AddressHit>::new()).into_response()
        }
        Err(e) => passerelle_http::ApiError(e).into_response(),
    }
}
