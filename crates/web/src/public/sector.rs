//! A sector's page: its collèges, meetings and map, and the contact form.
use askama::Template;
use axum::extract::{Path, State};
use geo::InteriorPoint;
use http::{StatusCode, Uri};

use super::home::HomePage;
use super::meetings::MeetingCard;
use crate::cache;
use crate::forms::FormData;
use crate::i18n::{self, LANGUAGES, Tr};
use crate::map::{self, Marker, SectorMap, SectorMapText};
use crate::page::{Choice, Ctx, Errors, PageResult, render, sentence};
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::SectorKey;
use passerelle_app::addresses;
use passerelle_app::meetings::{self};
use passerelle_app::sectors::{self, LookupAnswer, MatchType};

/// A latitude or longitude as people type it, with a comma or a point.
pub(super) fn coordinate(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// The sector a page is about: one of the polygon maps, or a lookup's
/// answer (which may come from an address-range carte scolaire, without
/// polygon).
pub(super) enum Source {
    Catalog(i64),
    Answer(LookupAnswer),
}

/// `/secteur?adresse=` or `/secteur?lat=&lon=`: the sector of a home.
pub async fn sector_by_point(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let params = FormData::from_uri(&uri);
    let t = ctx.t();
    let catalog = state.catalog();
    let addresses = state.addresses();
    let max = state.config.nearest_max_m;
    let mut errors = Errors::default();
    let mut address_error = None;
    let found = if let Some(address) = params.opt("adresse") {
        // The address decides (by street and number where the commune is
        // mapped by address ranges); its position marks the home.
        let located = addresses::search(&state, address, 1)
            .await
            .and_then(|hits| {
                hits.into_iter()
                    .next()
                    .ok_or_else(|| Error::NotFound(t.address_none_found.to_owned()))
            })
            .and_then(|hit| {
                sectors::lookup_address(&catalog, &addresses, address, None, max)
                    .map(|answer| ((hit.lat, hit.lon), answer))
            });
        match located {
            Ok(found) => Some(found),
            Err(e @ (Error::NotFound(_) | Error::BadRequest(_) | Error::Conflict(_))) => {
                address_error = Some(sentence(&e.to_string()));
                None
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    } else {
        let lat = coordinate(params.get("lat"));
        let lon = coordinate(params.get("lon"));
        if lat.is_none() {
            errors.add("lat", t.coordinate_invalid);
        }
        if lon.is_none() {
            errors.add("lon", t.coordinate_invalid);
        }
        match (lat, lon) {
            (Some(lat), Some(lon)) => {
                match sectors::lookup(&catalog, &addresses, lat, lon, None, max) {
                    Ok(answer) => Some(((lat, lon), answer)),
                    Err(e @ (Error::NotFound(_) | Error::BadRequest(_) | Error::Conflict(_))) => {
                        errors.general = Some(sentence(&e.to_string()));
                        None
                    }
                    Err(e) => return Err(ctx.fail(e)),
                }
            }
            _ => None,
        }
    };
    let Some((home, answer)) = found else {
        let mut page = HomePage::new(&state, ctx, &params);
        page.address = params.get("adresse").to_owned();
        page.lat = params.get("lat").to_owned();
        page.lon = params.get("lon").to_owned();
        let status = if errors.has("lat") || errors.has("lon") {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::NOT_FOUND
        };
        page.address_error = address_error;
        page.errors = errors;
        return Ok(render(status, &page));
    };
    let note = (answer.match_type == MatchType::Nearest)
        .then(|| format!("{} {} m.", t.nearest_note, answer.distance_m.round()));
    SectorPage::build(
        &state,
        ctx,
        Source::Answer(answer),
        Some(home),
        note,
        ContactValues::default(),
        Errors::default(),
    )
    .await
    .map(|page| render(StatusCode::OK, &page))
}

/// `/secteur/{id}`: a sector chosen on the map, without the home.
pub async fn sector_by_id(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: i64 = id
        .parse()
        .map_err(|_| ctx.fail(Error::NotFound(format!("le secteur « {id} » n'existe pas"))))?;
    SectorPage::build(
        &state,
        ctx,
        Source::Catalog(id),
        None,
        None,
        ContactValues::default(),
        Errors::default(),
    )
    .await
    .map(|page| render(StatusCode::OK, &page))
}

pub struct SchoolCard {
    pub name: String,
    pub address: String,
    pub kind: &'static str,
    pub pupils: String,
    pub ips: String,
    pub ips_note: String,
}

/// What the parent typed in the contact form.
#[derive(Clone, Debug, Default)]
pub struct ContactValues {
    pub first_name: String,
    pub email: String,
    pub phone: String,
    pub child_grade: String,
    pub preferred_contact: String,
    pub concerns: String,
    pub languages: Vec<String>,
    pub concern_uais: Vec<String>,
    pub consent: bool,
}

impl ContactValues {
    pub(super) fn from_form(form: &FormData) -> Self {
        Self {
            first_name: form.get("first_name").to_owned(),
            email: form.get("email").to_owned(),
            phone: form.get("phone").to_owned(),
            child_grade: form.get("child_grade").to_owned(),
            preferred_contact: form.get("preferred_contact").to_owned(),
            concerns: form.get("concerns").to_owned(),
            languages: form.all("languages"),
            concern_uais: form.all("concern_uais"),
            consent: form.checked("consent"),
        }
    }
}

#[derive(Template)]
#[template(path = "sector.html")]
pub(super) struct SectorPage {
    ctx: Ctx,
    t: &'static Tr,
    sector_id: i64,
    sector_name: String,
    territory: String,
    school_year: String,
    /// The address the sector was found from.
    address: Option<String>,
    note: Option<String>,
    home_known: bool,
    lat: String,
    lon: String,
    schools: Vec<SchoolCard>,
    map: Option<SectorMap>,
    meetings: Vec<MeetingCard>,
    form: ContactValues,
    errors: Errors,
    grades: Vec<Choice>,
    concern_choices: Vec<Choice>,
    language_choices: Vec<Choice>,
    contact_choices: Vec<Choice>,
}

impl SectorPage {
    /// `home` is (lat, lon), when the person gave it.
    pub(super) async fn build(
        state: &AppState,
        ctx: Ctx,
        source: Source,
        home: Option<(f64, f64)>,
        note: Option<String>,
        form: ContactValues,
        errors: Errors,
    ) -> Result<Self, crate::page::WebError> {
        let lang = ctx.lang;
        let t = ctx.t();
        let catalog = state.catalog();
        let (sector_id, name, territory, school_year, uais, geometry) = match &source {
            Source::Answer(a) if a.sector.id.is_none() => (
                0,
                a.sector.name.clone(),
                a.sector.territory.clone(),
                a.school_year.to_string(),
                a.schools.iter().map(|s| s.uai.clone()).collect::<Vec<_>>(),
                None,
            ),
            _ => {
                let id = match &source {
                    Source::Catalog(id) => *id,
                    Source::Answer(a) => a.sector.id.unwrap_or_default(),
                };
                let (s, g) = catalog.sector(id).ok_or_else(|| {
                    ctx.fail(Error::NotFound(format!("le secteur {id} n'existe pas")))
                })?;
                (
                    id,
                    s.name().to_owned(),
                    s.territory().to_owned(),
                    s.school_year.to_string(),
                    s.uais.clone(),
                    Some(g),
                )
            }
        };
        let address = match source {
            Source::Answer(a) => a.address,
            Source::Catalog(_) => None,
        };
        let departments = cache::department_ips(state)
            .await
            .map_err(|e| ctx.fail(e))?;
        let facts: Vec<_> = uais.iter().map(|u| catalog.school(u)).collect();
        let mut markers = Vec::new();
        let mut schools = Vec::new();
        for (i, f) in facts.iter().enumerate() {
            let name = f.name.clone().unwrap_or_else(|| f.uai.clone());
            if let (Some(lat), Some(lon)) = (f.lat, f.lon) {
                markers.push(Marker {
                    lon,
                    lat,
                    tag: (i + 1).to_string(),
                    label: name.clone(),
                });
            }
            let average = f
                .department_code
                .as_ref()
                .and_then(|code| departments.get(code));
            let mut ips_note = Vec::new();
            if let Some(avg) = average {
                ips_note.push(format!(
                    "{} : {}",
                    t.dept_average,
                    i18n::decimal(lang, *avg)
                ));
            }
            if let Some(year) = &f.ips_school_year {
                ips_note.push(format!("{} {year}", t.school_year_of));
            }
            schools.push(SchoolCard {
                address: [
                    f.address.as_deref(),
                    f.postcode.as_deref(),
                    f.city.as_deref(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
                kind: match f.public {
                    Some(true) => t.public_school,
                    Some(false) => t.private_school,
                    None => t.unknown,
                },
                pupils: f
                    .pupils
                    .map_or_else(|| t.unknown.to_owned(), |p| i18n::integer(lang, p.into())),
                ips: f
                    .ips
                    .map_or_else(|| t.unknown.to_owned(), |v| i18n::decimal(lang, v)),
                ips_note: if ips_note.is_empty() {
                    String::new()
                } else {
                    format!("({})", ips_note.join(" ; "))
                },
                name,
            });
        }
        let map = map::sector_svg(
            &SectorMapText {
                title: &format!("{} : {}", t.sector_map, name),
                description: t.map_schools,
                home: t.map_home,
            },
            geometry,
            home.map(|(lat, lon)| (lon, lat)),
            &markers,
        );
        // Every sector the service shows has a key; without one there is no
        // meeting to list.
        let meetings = match SectorKey::from_uais(&uais) {
            Ok(key) => meetings::upcoming_in_sector(state, &key)
                .await
                .map_err(|e| ctx.fail(e))?
                .iter()
                .map(|r| MeetingCard::new(lang, r))
                .collect(),
            Err(_) => Vec::new(),
        };
        // Without the home, a point inside the sector stands for it: the
        // request is matched on the sector, and no one's address is guessed.
        let (lat, lon) = home
            .or_else(|| {
                geometry
                    .and_then(|g| g.interior_point())
                    .map(|p| (p.y(), p.x()))
            })
            .unwrap_or_default();
        let grades = ["CM1", "CM2"]
            .iter()
            .map(|g| Choice::new(*g, *g, form.child_grade == *g))
            .collect();
        let concern_choices = facts
            .iter()
            .map(|f| {
                Choice::new(
                    f.uai.clone(),
                    f.name.clone().unwrap_or_else(|| f.uai.clone()),
                    form.concern_uais.contains(&f.uai),
                )
            })
            .collect();
        let checked_languages = if form.languages.is_empty() && form.first_name.is_empty() {
            vec!["fr".to_owned()]
        } else {
            form.languages.clone()
        };
        let language_choices = LANGUAGES
            .iter()
            .map(|code| {
                Choice::new(
                    *code,
                    i18n::language_name(lang, code),
                    checked_languages.iter().any(|c| c == code),
                )
            })
            .collect();
        let contact_choices = [
            ("phone", t.contact_phone),
            ("email", t.contact_email),
            ("meeting", t.contact_meeting),
        ]
        .iter()
        .map(|(v, l)| Choice::new(*v, *l, form.preferred_contact == *v))
        .collect();
        Ok(Self {
            t,
            ctx: ctx.section("find"),
            sector_id,
            sector_name: name,
            territory,
            school_year,
            address,
            note,
            home_known: home.is_some(),
            lat: format!("{lat:.6}"),
            lon: format!("{lon:.6}"),
            schools,
            map,
            meetings,
            form,
            errors,
            grades,
            concern_choices,
            language_choices,
            contact_choices,
        })
    }
}
