//! A family's contact request: sending it, its private status page, and
//! its withdrawal.
use askama::Template;
use axum::extract::{Path, State};
use http::StatusCode;

use super::sector::{ContactValues, SectorPage, Source, coordinate};
use crate::forms;
use crate::forms::FormData;
use crate::i18n::Tr;
use crate::page::{Ctx, Errors, PageResult, render, see_other, sentence};
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::contact_requests::{self, ContactForm};
use passerelle_app::records::{ProposalState, RequestStatus};
use passerelle_app::sectors::{self};

/// `POST /demande`: the contact form.
pub async fn contact(State(state): State<AppState>, mut ctx: Ctx, form: FormData) -> PageResult {
    let t = ctx.t();
    let sector_id: i64 = form.get("sector_id").parse().unwrap_or(-1);
    let lat = coordinate(form.get("lat"));
    let lon = coordinate(form.get("lon"));
    let home_known = form.get("home") == "1";
    let (Some(lat), Some(lon)) = (lat, lon) else {
        return Err(ctx.fail(Error::BadRequest(
            "le formulaire ne contient pas la position du domicile".into(),
        )));
    };
    let values = ContactValues::from_form(&form);
    let mut errors = Errors::default();
    if let Err(message) = forms::human(&form, &state, t) {
        errors.general = Some(message.to_owned());
    } else {
        let request = ContactForm {
            first_name: values.first_name.clone(),
            email: Some(values.email.clone()),
            phone: Some(values.phone.clone()),
            lat: Some(lat),
            lon: Some(lon),
            address: None,
            concern_uais: values.concern_uais.clone(),
            child_grade: values.child_grade.clone(),
            languages: values.languages.clone(),
            preferred_contact: values.preferred_contact.clone(),
            concerns: Some(values.concerns.clone()),
            consent: values.consent,
        };
        match contact_requests::create(&state, request).await {
            Ok((_, secret, _)) => return Ok(see_other(&format!("/demande/{secret}/envoyee"))),
            Err(Error::Invalid(fields)) => errors.refused(ctx.lang, &fields),
            Err(e @ (Error::Refused(_) | Error::BadRequest(_) | Error::NotFound(_))) => {
                errors.general = Some(sentence(&e.to_string()));
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let home = home_known.then_some((lat, lon));
    ctx.link_other_language(&match home {
        Some((lat, lon)) => format!("/secteur?lat={lat}&lon={lon}"),
        None => format!("/secteur/{sector_id}"),
    });
    // A sector of an address-range carte scolaire has no id: find it again.
    let source = match home {
        Some((lat, lon)) if sector_id <= 0 => {
            let catalog = state.catalog();
            sectors::lookup(
                &catalog,
                &state.addresses(),
                lat,
                lon,
                None,
                state.config.nearest_max_m,
            )
            .map(Source::Answer)
            .map_err(|e| ctx.fail(e))?
        }
        _ => Source::Catalog(sector_id),
    };
    let page = SectorPage::build(&state, ctx, source, home, None, values, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Template)]
#[template(path = "request_sent.html")]
struct RequestSentPage {
    ctx: Ctx,
    t: &'static Tr,
    status_path: String,
}

/// `/demande/{secret}/envoyee`: the confirmation, with the private link.
pub async fn request_sent(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
) -> PageResult {
    contact_requests::status(&state, &secret)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(render(
        StatusCode::OK,
        &RequestSentPage {
            t: ctx.t(),
            ctx: ctx.section("find"),
            status_path: format!("/demande/{secret}"),
        },
    ))
}

pub struct ReferentCard {
    pub first_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub school: String,
    pub child_grade: String,
}

#[derive(Template)]
#[template(path = "request_status.html")]
struct RequestStatusPage {
    ctx: Ctx,
    t: &'static Tr,
    secret: String,
    sector_name: String,
    message: &'static str,
    referent: Option<ReferentCard>,
    can_withdraw: bool,
}

/// `/demande/{secret}`: the private status page of a request.
pub async fn request_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
) -> PageResult {
    let status = contact_requests::status(&state, &secret)
        .await
        .map_err(|e| ctx.fail(e))?;
    let t = ctx.t();
    let message = match (status.status, status.proposal_state) {
        (RequestStatus::Withdrawn, _) => t.status_withdrawn,
        (RequestStatus::Completed, _) => t.status_completed,
        (_, Some(ProposalState::Accepted | ProposalState::Completed)) => t.status_accepted,
        (_, Some(ProposalState::Proposed)) => t.status_proposed,
        _ => t.status_open,
    };
    let catalog = state.catalog();
    Ok(render(
        StatusCode::OK,
        &RequestStatusPage {
            t,
            ctx: ctx.section("find"),
            sector_name: status.sector_name,
            message,
            referent: status.referent.map(|r| ReferentCard {
                school: catalog.school(&r.uai).name.unwrap_or(r.uai),
                first_name: r.first_name,
                email: r.email,
                phone: r.phone,
                child_grade: r.child_grade,
            }),
            can_withdraw: matches!(status.status, RequestStatus::Open | RequestStatus::Matched),
            secret,
        },
    ))
}

/// `POST /demande/{secret}/retrait`: the family withdraws its request.
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
    _form: FormData,
) -> PageResult {
    contact_requests::withdraw(&state, &secret)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(see_other(&format!("/demande/{secret}")))
}
