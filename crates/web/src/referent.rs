//! The referent's pages: volunteering, and the private space behind the
//! link it gives (proposals to answer, the families' details once
//! accepted, capacity and pause).
use askama::Template;
use axum::extract::{FromRequestParts, Path, RawPathParams, State};
use axum::response::{IntoResponse, Response};
use chrono_tz::Europe::Paris;
use http::request::Parts;
use http::{StatusCode, Uri};
use passerelle_app::records::ProposalState;

use crate::forms;
use crate::forms::FormData;
use crate::i18n::{self, LANGUAGES, Tr};
use crate::page::{Choice, Ctx, Errors, PageResult, render, see_other, sentence};
use crate::session::{self, redirect_with_session};
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::accounts;
use passerelle_app::referents::{self, ReferentSpace, Settings, Volunteer};
use passerelle_app::sectors::year_choice;

pub struct SchoolGroup {
    pub territory: String,
    pub schools: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "volunteer.html")]
struct VolunteerPage {
    ctx: Ctx,
    t: &'static Tr,
    values: FormData,
    errors: Errors,
    groups: Vec<SchoolGroup>,
    grades: Vec<Choice>,
    language_choices: Vec<Choice>,
    availability: Vec<Choice>,
    capacity: String,
}

impl VolunteerPage {
    fn new(state: &AppState, ctx: Ctx, values: FormData, errors: Errors) -> Self {
        let t = ctx.t();
        let catalog = state.catalog();
        let chosen = values.get("uai").to_owned();
        let mut rows: Vec<(String, String, String)> = catalog
            .sectors(year_choice(None))
            .into_iter()
            .flat_map(|s| {
                s.uais
                    .iter()
                    .map(move |u| (s.territory().to_owned(), u.clone()))
            })
            .map(|(territory, uai)| {
                let name = catalog.school(&uai).name.unwrap_or_else(|| uai.clone());
                (territory, name, uai)
            })
            .collect();
        rows.sort();
        rows.dedup();
        let mut groups: Vec<SchoolGroup> = Vec::new();
        for (territory, name, uai) in rows {
            if groups.last().is_none_or(|g| g.territory != territory) {
                groups.push(SchoolGroup {
                    territory: territory.clone(),
                    schools: Vec::new(),
                });
            }
            let checked = uai == chosen;
            if let Some(group) = groups.last_mut() {
                group.schools.push(Choice::new(uai, name, checked));
            }
        }
        let fresh = values.get("first_name").is_empty() && values.get("email").is_empty();
        let languages = if fresh {
            vec!["fr".to_owned()]
        } else {
            values.all("languages")
        };
        let grade = values.get("child_grade").to_owned();
        Self {
            grades: ["6e", "5e", "4e", "3e"]
                .iter()
                .map(|g| Choice::new(*g, *g, grade == *g))
                .collect(),
            language_choices: LANGUAGES
                .iter()
                .map(|c| {
                    Choice::new(
                        *c,
                        i18n::language_name(ctx.lang, c),
                        languages.iter().any(|l| l == c),
                    )
                })
                .collect(),
            availability: [
                ("weekday_evenings", t.weekday_evenings),
                ("wednesday_afternoons", t.wednesday_afternoons),
                ("weekends", t.weekends),
            ]
            .iter()
            .map(|(v, l)| Choice::new(*v, *l, values.checked(v)))
            .collect(),
            capacity: values.opt("monthly_capacity").unwrap_or("2").to_owned(),
            t,
            ctx: ctx.section("volunteer"),
            values,
            errors,
            groups,
        }
    }
}

/// `/referent`: the volunteer form.
pub async fn form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    Ok(render(
        StatusCode::OK,
        &VolunteerPage::new(&state, ctx, FormData::default(), Errors::default()),
    ))
}

/// `POST /referent`.
pub async fn volunteer(State(state): State<AppState>, mut ctx: Ctx, form: FormData) -> PageResult {
    let t = ctx.t();
    let mut errors = Errors::default();
    if let Err(message) = forms::human(&form, &state, t) {
        errors.general = Some(message.to_owned());
    } else {
        let capacity = form.get("monthly_capacity").trim().parse::<i32>().ok();
        if capacity.is_none() {
            errors.add("monthly_capacity", t.capacity_invalid);
        }
        let input = Volunteer {
            first_name: form.get("first_name").to_owned(),
            email: form.get("email").to_owned(),
            phone: form.opt("phone").map(str::to_owned),
            uai: form.get("uai").to_owned(),
            child_grade: form.get("child_grade").to_owned(),
            languages: form.all("languages"),
            // An unreadable capacity has its error already; 0 is refused
            // too, so the other fields still get theirs.
            monthly_capacity: capacity.unwrap_or(0),
            weekday_evenings: form.checked("weekday_evenings"),
            wednesday_afternoons: form.checked("wednesday_afternoons"),
            weekends: form.checked("weekends"),
            consent: form.checked("consent"),
        };
        match referents::volunteer(&state, input).await {
            Ok((_, secret)) => {
                return Ok(see_other(&format!("/espace-referent/{secret}/bienvenue")));
            }
            Err(Error::Invalid(fields)) => errors.refused(ctx.lang, &fields),
            Err(e @ (Error::Refused(_) | Error::BadRequest(_))) => {
                errors.general = Some(sentence(&e.to_string()));
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    ctx.link_other_language("/referent");
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &VolunteerPage::new(&state, ctx, form, errors),
    ))
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct WelcomePage {
    ctx: Ctx,
    t: &'static Tr,
    space_path: String,
}

/// `/espace-referent/{secret}/bienvenue`: the private link, shown once
/// after volunteering.
pub async fn welcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
) -> PageResult {
    referents::by_link(&state, &secret)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(render(
        StatusCode::OK,
        &WelcomePage {
            t: ctx.t(),
            ctx: ctx.section("volunteer"),
            space_path: format!("/espace-referent/{secret}"),
        },
    ))
}

/// Whose space a request opens: the referent of the private link in the
/// path, or else the referent signed in by a mailed link. Actions go to
/// `base`, the same way in.
pub struct Access {
    ctx: Ctx,
    referent_id: i64,
    base: String,
    proposal: Option<String>,
}

impl FromRequestParts<AppState> for Access {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let mut ctx = Ctx::from_head(&parts.method, &parts.uri, &parts.headers, state);
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_owned())
        };
        let proposal = param("id");
        let (referent_id, base) = match param("secret") {
            Some(secret) => {
                let referent = referents::by_link(state, &secret)
                    .await
                    .map_err(|e| ctx.fail(e).into_response())?;
                (referent.id, format!("/espace-referent/{secret}"))
            }
            None => match session::referent(parts, state).await {
                Ok(Some(referent)) => {
                    ctx.signed_in = true;
                    (referent.id, "/espace-referent".to_owned())
                }
                Ok(None) => return Err(see_other("/referent/connexion")),
                Err(e) => return Err(ctx.fail(e).into_response()),
            },
        };
        Ok(Access {
            ctx,
            referent_id,
            base,
            proposal,
        })
    }
}

#[derive(Template)]
#[template(path = "referent_signin.html")]
struct SigninPage {
    ctx: Ctx,
    t: &'static Tr,
    email: String,
    errors: Errors,
    sent: bool,
}

/// `/referent/connexion`: asks for the e-mail to send a sign-in link to.
pub async fn signin_form(ctx: Ctx) -> PageResult {
    Ok(render(
        StatusCode::OK,
        &SigninPage {
            t: ctx.t(),
            ctx: ctx.section("volunteer"),
            email: String::new(),
            errors: Errors::default(),
            sent: false,
        },
    ))
}

/// `POST /referent/connexion`: mails a one-time link if the address is a
/// referent's; the page says the same either way.
pub async fn send_link(State(state): State<AppState>, mut ctx: Ctx, form: FormData) -> PageResult {
    let t = ctx.t();
    let mut errors = Errors::default();
    if let Err(message) = forms::human(&form, &state, t) {
        errors.general = Some(message.to_owned());
    } else {
        match accounts::send_sign_in_link(&state, form.get("email")).await {
            Ok(()) => {
                return Ok(render(
                    StatusCode::OK,
                    &SigninPage {
                        t,
                        ctx: ctx.section("volunteer"),
                        email: String::new(),
                        errors,
                        sent: true,
                    },
                ));
            }
            Err(Error::Invalid(fields)) => errors.refused(ctx.lang, &fields),
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    ctx.link_other_language("/referent/connexion");
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &SigninPage {
            t,
            ctx: ctx.section("volunteer"),
            email: form.get("email").to_owned(),
            errors,
            sent: false,
        },
    ))
}

#[derive(Template)]
#[template(path = "link_confirm.html")]
struct LinkPage {
    ctx: Ctx,
    t: &'static Tr,
    /// The link's token, sent back in the form's action.
    token: String,
}

/// `/connexion/{token}`: a button, so that mail scanners that follow links
/// do not spend them.
pub async fn link_form(ctx: Ctx, Path(token): Path<String>) -> PageResult {
    Ok(render(
        StatusCode::OK,
        &LinkPage {
            t: ctx.t(),
            ctx: ctx.section("volunteer"),
            token,
        },
    ))
}

/// `POST /connexion/{token}`: spends the link and opens the session.
pub async fn use_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    _form: FormData,
) -> PageResult {
    let secret = accounts::use_sign_in_link(&state, &token)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(redirect_with_session(
        "/espace-referent",
        &secret,
        ctx.secure,
    ))
}

pub struct ProposalCard {
    pub id: i64,
    pub state: &'static str,
    pub pending: bool,
    pub revealed: bool,
    pub first_name: String,
    pub child_grade: String,
    pub languages: String,
    pub preferred: &'static str,
    pub concerns: String,
    pub schools: String,
    pub expires: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Template)]
#[template(path = "space.html")]
struct SpacePage {
    ctx: Ctx,
    t: &'static Tr,
    base: String,
    first_name: String,
    school: String,
    child_grade: String,
    capacity: i32,
    paused: bool,
    current: Vec<ProposalCard>,
    past: Vec<ProposalCard>,
    flash: Option<&'static str>,
    error: Option<String>,
}

fn space_page(
    state: &AppState,
    ctx: Ctx,
    base: String,
    space: ReferentSpace,
    flash: Option<&'static str>,
    error: Option<String>,
) -> SpacePage {
    let t = ctx.t();
    let lang = ctx.lang;
    let catalog = state.catalog();
    let school_name = |uai: &str| catalog.school(uai).name.unwrap_or_else(|| uai.to_owned());
    let (current, past): (Vec<ProposalCard>, Vec<ProposalCard>) = space
        .proposals
        .iter()
        .map(|p| {
            let f = &p.family;
            ProposalCard {
                id: p.id,
                state: t.proposal_state(p.state),
                pending: p.state == ProposalState::Proposed,
                revealed: p.state == ProposalState::Accepted,
                first_name: f.first_name.clone(),
                child_grade: f.child_grade.clone(),
                languages: f
                    .languages
                    .iter()
                    .map(|c| i18n::language_name(lang, c))
                    .collect::<Vec<_>>()
                    .join(", "),
                preferred: match f.preferred_contact.as_str() {
                    "phone" => t.contact_phone,
                    "email" => t.contact_email,
                    _ => t.contact_meeting,
                },
                concerns: f.concerns.clone().unwrap_or_default(),
                schools: f
                    .concern_uais
                    .iter()
                    .map(|u| school_name(u))
                    .collect::<Vec<_>>()
                    .join(", "),
                expires: {
                    let at = p.expires_at.with_timezone(&Paris);
                    format!("{}, {}", i18n::date(lang, at), i18n::time(lang, at))
                },
                email: f.email.clone(),
                phone: f.phone.clone(),
            }
        })
        .partition(|c| c.pending || c.revealed);
    SpacePage {
        t,
        ctx: ctx.section("volunteer"),
        school: school_name(&space.uai),
        first_name: space.first_name,
        child_grade: space.child_grade,
        capacity: space.monthly_capacity,
        paused: space.paused,
        current,
        past,
        flash,
        error,
        base,
    }
}

/// `/espace-referent/{secret}` and `/espace-referent`.
pub async fn space(State(state): State<AppState>, access: Access, uri: Uri) -> PageResult {
    let Access {
        ctx,
        referent_id,
        base,
        ..
    } = access;
    let space = referents::space(&state, referent_id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let t = ctx.t();
    let flash = match FormData::from_uri(&uri).get("ok") {
        "accepte" => Some(t.accepted_flash),
        "refuse" => Some(t.declined_flash),
        "reglages" => Some(t.saved),
        _ => None,
    };
    Ok(render(
        StatusCode::OK,
        &space_page(&state, ctx, base, space, flash, None),
    ))
}

async fn respond(state: AppState, access: Access, accept: bool) -> PageResult {
    let Access {
        mut ctx,
        referent_id,
        base,
        proposal,
    } = access;
    let text = proposal.unwrap_or_default();
    let id: i64 = text.parse().map_err(|_| {
        ctx.fail(Error::NotFound(format!(
            "la proposition « {text} » n'existe pas"
        )))
    })?;
    match referents::respond(&state, referent_id, id, accept).await {
        Ok(_) => Ok(see_other(&format!(
            "{base}?ok={}",
            if accept { "accepte" } else { "refuse" }
        ))),
        Err(e @ Error::Conflict(_)) => {
            let space = referents::space(&state, referent_id)
                .await
                .map_err(|e| ctx.fail(e))?;
            ctx.link_other_language(&base);
            Ok(render(
                StatusCode::CONFLICT,
                &space_page(
                    &state,
                    ctx,
                    base,
                    space,
                    None,
                    Some(sentence(&e.to_string())),
                ),
            ))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// `POST …/propositions/{id}/accepter`.
pub async fn accept(State(state): State<AppState>, access: Access, _form: FormData) -> PageResult {
    respond(state, access, true).await
}

/// `POST …/propositions/{id}/refuser`.
pub async fn decline(State(state): State<AppState>, access: Access, _form: FormData) -> PageResult {
    respond(state, access, false).await
}

/// `POST …/reglages`: capacity and pause.
pub async fn settings(State(state): State<AppState>, access: Access, form: FormData) -> PageResult {
    let Access {
        mut ctx,
        referent_id,
        base,
        ..
    } = access;
    let t = ctx.t();
    let capacity = form
        .get("monthly_capacity")
        .parse::<i32>()
        .ok()
        .filter(|c| (1..=10).contains(c));
    let Some(capacity) = capacity else {
        let space = referents::space(&state, referent_id)
            .await
            .map_err(|e| ctx.fail(e))?;
        ctx.link_other_language(&base);
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &space_page(
                &state,
                ctx,
                base,
                space,
                None,
                Some(t.capacity_invalid.to_owned()),
            ),
        ));
    };
    referents::update(
        &state,
        referent_id,
        Settings {
            monthly_capacity: Some(capacity),
            paused: Some(form.checked("paused")),
        },
    )
    .await
    .map_err(|e| ctx.fail(e))?;
    Ok(see_other(&format!("{base}?ok=reglages")))
}

#[cfg(test)]
mod tests;
