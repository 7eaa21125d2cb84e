//! Where demand is not met, on a map and in a table.
use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use http::StatusCode;

use crate::cache;
use crate::i18n::{self, Tr};
use crate::map::{AreaStyle, OverviewMap};
use crate::page::{Ctx, PageResult, render};
use crate::session::Staff;
use passerelle_app::AppState;
use passerelle_app::matching;

pub struct CoverageLine {
    pub sector_id: i64,
    pub sector: String,
    pub territory: String,
    pub pending: usize,
    pub referents: usize,
    pub capacity_left: u32,
    pub unmet: usize,
    pub median: String,
}

#[derive(Template)]
#[template(path = "org_coverage.html")]
struct CoveragePage {
    ctx: Ctx,
    t: &'static Tr,
    lines: Vec<CoverageLine>,
    maps: Vec<OverviewMap>,
    targets: Vec<CoverageLine>,
}

/// The colour class of an unmet demand.
fn unmet_class(unmet: usize) -> &'static str {
    match unmet {
        0 => "u0",
        1 => "u1",
        2..=4 => "u2",
        _ => "u3",
    }
}

/// `/organisation/couverture`: where demand is not met, on a map and in a
/// table, and where to recruit.
pub async fn coverage(State(state): State<AppState>, session: Staff) -> PageResult {
    let ctx = session.ctx;
    let t = ctx.t();
    let mut rows = matching::coverage(&state).await.map_err(|e| ctx.fail(e))?;
    rows.retain(|r| session.caller.scope.allows(&r.uais));
    let lines: Vec<CoverageLine> = rows
        .iter()
        .map(|r| CoverageLine {
            sector_id: r.sector_id,
            sector: r.sector_name.clone(),
            territory: r.territory.clone(),
            pending: r.pending_requests,
            referents: r.active_referents,
            capacity_left: r.capacity_left,
            unmet: r.pending_requests.saturating_sub(r.capacity_left as usize),
            median: r
                .median_hours_to_acceptance
                .map(|h| i18n::decimal(ctx.lang, h))
                .unwrap_or_default(),
        })
        .collect();
    let unmet: HashMap<i64, usize> = lines.iter().map(|l| (l.sector_id, l.unmet)).collect();
    let catalog = state.catalog();
    let maps = cache::territories(&catalog)
        .iter()
        .filter_map(|territory| cache::overview(&catalog, territory))
        .map(|overview| {
            overview.svg(t.coverage_map_title, t.coverage_lead, false, |area| {
                let n = unmet.get(&area.id).copied().unwrap_or(0);
                AreaStyle {
                    href: Some(format!("/secteur/{}", area.id)),
                    class: unmet_class(n),
                    label: format!("{} : {} {}", area.name, n, t.col_unmet.to_lowercase()),
                }
            })
        })
        .collect();
    let targets = rows
        .iter()
        .zip(&lines)
        .filter(|(r, _)| r.recruitment_target)
        .map(|(_, l)| CoverageLine {
            sector: l.sector.clone(),
            territory: l.territory.clone(),
            median: l.median.clone(),
            ..*l
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &CoveragePage {
            t,
            ctx,
            lines,
            maps,
            targets,
        },
    ))
}
