//! The hesitant parent's pages: finding the sector, its collèges and
//! meetings, asking for a contact, following the request, registering.
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use chrono_tz::Tz;
use geo::InteriorPoint;
use http::{StatusCode, Uri};
use passerelle_app::records::{MeetingRecord, meeting_status};

use crate::cache;
use crate::forms;
use crate::forms::FormData;
use crate::i18n::{self, LANGUAGES, Lang, Tr};
use crate::map::{self, AreaStyle, Marker, OverviewMap, SectorMap, SectorMapText};
use crate::page::{Choice, Ctx, Errors, PageResult, render, see_other, sentence};
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::contact_requests::{self, ContactForm};
use passerelle_app::meetings::{self, RegistrationInput};
use passerelle_app::sectors::{self, LookupAnswer, MatchType};
use passerelle_app::{addresses, validate};

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
struct HomePage {
    ctx: Ctx,
    t: &'static Tr,
    address: String,
    address_error: Option<String>,
    results: Vec<Link>,
    map: Option<OverviewMap>,
    territories: Vec<TerritoryLink>,
    lat: String,
    lon: String,
    errors: Errors,
}

impl HomePage {
    fn new(state: &AppState, ctx: Ctx, params: &FormData) -> Self {
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

fn coordinate(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// The sector a page is about: one of the polygon maps, or a lookup's
/// answer (which may come from an address-range carte scolaire, without
/// polygon).
pub enum Source {
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

pub struct MeetingCard {
    pub id: i64,
    pub title: String,
    pub when: String,
    pub place: String,
    pub description: String,
    pub cancelled: bool,
    /// Registrations are open.
    pub open: bool,
    pub ics_url: String,
    pub sectors: String,
}

impl MeetingCard {
    pub fn new(lang: Lang, record: &MeetingRecord) -> Self {
        let m = &record.meeting;
        let t = lang.tr();
        let tz: Tz = m.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris);
        let cancelled = m.status == meeting_status::CANCELLED;
        let place = match (&m.venue_name, &m.venue_address, &m.online_url) {
            (Some(name), Some(address), _) => format!("{name}, {address}"),
            (_, _, Some(url)) => format!("{} : {url}", t.online),
            _ => String::new(),
        };
        Self {
            id: m.id,
            title: m.title.clone(),
            when: i18n::when(
                lang,
                m.starts_at.with_timezone(&tz),
                m.ends_at.with_timezone(&tz),
            ),
            place,
            description: m.description.clone(),
            cancelled,
            open: !cancelled && m.registration_deadline > Utc::now(),
            ics_url: format!("/api/v1/meetings/{}.ics", m.id),
            sectors: record
                .sectors
                .iter()
                .map(|s| s.sector_name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
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
    fn from_form(form: &FormData) -> Self {
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
struct SectorPage {
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
    async fn build(
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
        let meetings = meetings::upcoming_in_sector(state, &uais.join("+"))
            .await
            .map_err(|e| ctx.fail(e))?
            .iter()
            .map(|r| MeetingCard::new(lang, r))
            .collect();
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
    // Field by field with the service's own checks, to show each error
    // beside its field; the service checks everything again.
    let mut errors = Errors::default();
    if let Err(message) = forms::human(&form, &state, t) {
        errors.general = Some(message.to_owned());
    }
    errors.check("first_name", validate::first_name(&values.first_name));
    if !values.email.is_empty() {
        errors.check("email", validate::email(&values.email));
    }
    if !values.phone.is_empty() {
        errors.check("phone", validate::phone(&values.phone));
    }
    if values.email.is_empty() && values.phone.is_empty() {
        errors.add("email", t.email_or_phone_missing);
    }
    if values.child_grade.is_empty() {
        errors.add("child_grade", t.choose_one);
    }
    if values.preferred_contact.is_empty() {
        errors.add("preferred_contact", t.choose_one);
    }
    errors.check("consent", validate::consent(values.consent));
    if errors.is_empty() {
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
            Err(e @ (Error::Invalid(_) | Error::BadRequest(_) | Error::NotFound(_))) => {
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
    let message = match (status.status.as_str(), status.proposal_state.as_deref()) {
        ("withdrawn", _) => t.status_withdrawn,
        ("completed", _) => t.status_completed,
        (_, Some("accepted" | "completed")) => t.status_accepted,
        (_, Some("proposed")) => t.status_proposed,
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
            can_withdraw: matches!(status.status.as_str(), "open" | "matched"),
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

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    ctx: Ctx,
    t: &'static Tr,
    m: MeetingCard,
    name: String,
    email: String,
    guests: String,
    errors: Errors,
    flash: Option<String>,
}

async fn meeting_card(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<MeetingCard, crate::page::WebError> {
    let not_found = || ctx.fail(Error::NotFound(format!("la réunion « {id} » n'existe pas")));
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let record = meetings::get(state, id).await.map_err(|e| ctx.fail(e))?;
    Ok(MeetingCard::new(ctx.lang, &record))
}

/// `/reunions/{id}`: one meeting and its registration form; after a
/// registration (`?inscription=confirmee` or `attente`), what comes next.
pub async fn meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    uri: Uri,
) -> PageResult {
    let m = meeting_card(&state, &ctx, &id).await?;
    let t = ctx.t();
    let flash = match FormData::from_uri(&uri).get("inscription") {
        "confirmee" => Some(format!(
            "{} {}",
            t.registration_confirmed, t.registration_mailed
        )),
        "attente" => Some(format!(
            "{} {}",
            t.registration_waitlisted, t.registration_mailed
        )),
        _ => None,
    };
    Ok(render(
        StatusCode::OK,
        &MeetingPage {
            flash,
            t,
            ctx: ctx.section("find"),
            m,
            name: String::new(),
            email: String::new(),
            guests: "0".into(),
            errors: Errors::default(),
        },
    ))
}

/// `POST /reunions/{id}/inscription`.
pub async fn register(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let t = ctx.t();
    let m = meeting_card(&state, &ctx, &id).await?;
    let mut errors = Errors::default();
    if let Err(message) = forms::human(&form, &state, t) {
        errors.general = Some(message.to_owned());
    }
    errors.check("name", validate::first_name(form.get("name")));
    errors.check("email", validate::email(form.get("email")));
    let guests = match form.opt("guests").map(str::parse::<i32>) {
        None => Some(0),
        Some(Ok(n)) if (0..=10).contains(&n) => Some(n),
        Some(_) => {
            errors.add("guests", t.guests_invalid);
            None
        }
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (true, Some(guests)) = (errors.is_empty(), guests) {
        let input = RegistrationInput {
            name: form.get("name").to_owned(),
            email: form.get("email").to_owned(),
            guests,
        };
        match meetings::register(&state, m.id, input).await {
            // The same page whether the address was new to the meeting or
            // not: the private links go by mail only.
            Ok(created) => {
                let outcome = if created.status == meeting_status::CONFIRMED {
                    "confirmee"
                } else {
                    "attente"
                };
                return Ok(see_other(&format!(
                    "/reunions/{}?inscription={outcome}",
                    m.id
                )));
            }
            Err(e @ (Error::Invalid(_) | Error::Conflict(_))) => {
                status = passerelle_http::error::status(&e);
                errors.general = Some(sentence(&e.to_string()));
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    ctx.link_other_language(&format!("/reunions/{}", m.id));
    Ok(render(
        status,
        &MeetingPage {
            t,
            ctx: ctx.section("find"),
            m,
            name: form.get("name").to_owned(),
            email: form.get("email").to_owned(),
            guests: form.get("guests").to_owned(),
            errors,
            flash: None,
        },
    ))
}

#[derive(Template)]
#[template(path = "registration.html")]
struct RegistrationPage {
    ctx: Ctx,
    t: &'static Tr,
    secret: String,
    message: &'static str,
    cancelled: bool,
    m: MeetingCard,
}

/// `/inscription/{secret}`: a registration, its calendar links, and its
/// cancellation.
pub async fn registration(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
) -> PageResult {
    let found = meetings::registration_by_secret(&state, &secret)
        .await
        .map_err(|e| ctx.fail(e))?;
    let t = ctx.t();
    let status = found.registration.status.as_str();
    let message = match status {
        meeting_status::CONFIRMED => t.registration_confirmed,
        meeting_status::WAITLISTED => t.registration_waitlisted,
        _ => t.registration_cancelled,
    };
    Ok(render(
        StatusCode::OK,
        &RegistrationPage {
            t,
            message,
            cancelled: status == meeting_status::CANCELLED,
            m: MeetingCard::new(ctx.lang, &found.meeting),
            ctx: ctx.section("find"),
            secret,
        },
    ))
}

/// `POST /inscription/{secret}/annulation`.
pub async fn cancel_registration(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
    _form: FormData,
) -> PageResult {
    meetings::cancel_registration(&state, &secret)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(see_other(&format!("/inscription/{secret}")))
}
