//! The referent's pages: volunteering, and the private space behind the
//! link it gives (proposals to answer, the families' details once
//! accepted, capacity and pause).
use askama::Template;
use axum::extract::{Path, State};
use chrono_tz::Europe::Paris;
use http::{StatusCode, Uri};
use passerelle_store::state as proposal_state;

use super::i18n::{self, LANGUAGES, Tr};
use super::page::{Choice, Ctx, Errors, FormData, PageResult, render, see_other, sentence};
use crate::error::Error;
use crate::services::referents::{self, ReferentSpace, Settings, Volunteer};
use crate::services::sectors::year_choice;
use crate::services::validate;
use crate::state::AppState;

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
            .flat_map(|s| s.uais.iter().map(move |u| (s.territory.clone(), u.clone())))
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
    errors.check("first_name", validate::first_name(form.get("first_name")));
    errors.check("email", validate::email(form.get("email")));
    if let Some(phone) = form.opt("phone") {
        errors.check("phone", validate::phone(phone));
    }
    if form.get("uai").is_empty() {
        errors.add("uai", t.choose_school);
    }
    if form.get("child_grade").is_empty() {
        errors.add("child_grade", t.choose_one);
    }
    let capacity = form
        .get("monthly_capacity")
        .parse::<i32>()
        .ok()
        .filter(|c| (1..=10).contains(c));
    if capacity.is_none() {
        errors.add("monthly_capacity", t.capacity_invalid);
    }
    errors.check("consent", validate::consent(form.checked("consent")));
    if let (true, Some(capacity)) = (errors.is_empty(), capacity) {
        let input = Volunteer {
            first_name: form.get("first_name").to_owned(),
            email: form.get("email").to_owned(),
            phone: form.opt("phone").map(str::to_owned),
            uai: form.get("uai").to_owned(),
            child_grade: form.get("child_grade").to_owned(),
            languages: form.all("languages"),
            monthly_capacity: capacity,
            weekday_evenings: form.checked("weekday_evenings"),
            wednesday_afternoons: form.checked("wednesday_afternoons"),
            weekends: form.checked("weekends"),
            consent: true,
        };
        match referents::volunteer(&state, input).await {
            Ok((_, secret)) => {
                return Ok(see_other(&format!("/espace-referent/{secret}/bienvenue")));
            }
            Err(e @ (Error::Invalid(_) | Error::BadRequest(_))) => {
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
    referents::space(&state, &secret)
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
    secret: String,
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
    secret: String,
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
                state: t.proposal_state(&p.state),
                pending: p.state == proposal_state::PROPOSED,
                revealed: p.state == proposal_state::ACCEPTED,
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
        secret,
    }
}

/// `/espace-referent/{secret}`.
pub async fn space(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
    uri: Uri,
) -> PageResult {
    let space = referents::space(&state, &secret)
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
        &space_page(&state, ctx, secret, space, flash, None),
    ))
}

async fn respond(
    state: AppState,
    mut ctx: Ctx,
    secret: String,
    id: String,
    accept: bool,
) -> PageResult {
    let id: i64 = id.parse().map_err(|_| {
        ctx.fail(Error::NotFound(format!(
            "la proposition « {id} » n'existe pas"
        )))
    })?;
    match referents::respond(&state, &secret, id, accept).await {
        Ok(_) => Ok(see_other(&format!(
            "/espace-referent/{secret}?ok={}",
            if accept { "accepte" } else { "refuse" }
        ))),
        Err(e @ Error::Conflict(_)) => {
            let space = referents::space(&state, &secret)
                .await
                .map_err(|e| ctx.fail(e))?;
            ctx.link_other_language(&format!("/espace-referent/{secret}"));
            Ok(render(
                StatusCode::CONFLICT,
                &space_page(
                    &state,
                    ctx,
                    secret,
                    space,
                    None,
                    Some(sentence(&e.to_string())),
                ),
            ))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// `POST /espace-referent/{secret}/propositions/{id}/accepter`.
pub async fn accept(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((secret, id)): Path<(String, String)>,
) -> PageResult {
    respond(state, ctx, secret, id, true).await
}

/// `POST /espace-referent/{secret}/propositions/{id}/refuser`.
pub async fn decline(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((secret, id)): Path<(String, String)>,
) -> PageResult {
    respond(state, ctx, secret, id, false).await
}

/// `POST /espace-referent/{secret}/reglages`: capacity and pause.
pub async fn settings(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(secret): Path<String>,
    form: FormData,
) -> PageResult {
    let t = ctx.t();
    let capacity = form
        .get("monthly_capacity")
        .parse::<i32>()
        .ok()
        .filter(|c| (1..=10).contains(c));
    let Some(capacity) = capacity else {
        let space = referents::space(&state, &secret)
            .await
            .map_err(|e| ctx.fail(e))?;
        ctx.link_other_language(&format!("/espace-referent/{secret}"));
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &space_page(
                &state,
                ctx,
                secret,
                space,
                None,
                Some(t.capacity_invalid.to_owned()),
            ),
        ));
    };
    referents::update(
        &state,
        &secret,
        Settings {
            monthly_capacity: Some(capacity),
            paused: Some(form.checked("paused")),
        },
    )
    .await
    .map_err(|e| ctx.fail(e))?;
    Ok(see_other(&format!("/espace-referent/{secret}?ok=reglages")))
}
