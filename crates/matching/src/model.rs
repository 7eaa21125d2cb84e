//! Domain structs and the cost model (documented on [`explain`]).

use serde::{Deserialize, Serialize};

/// School grade of a child, from CM1 (primary) to 3e (last year of collège).
///
/// ```
/// use passerelle_matching::Grade;
///
/// assert!(Grade::Cm2 < Grade::Sixieme);
/// assert_eq!(Grade::Cm2.next(), Grade::Sixieme);
/// assert_eq!(serde_json::to_string(&Grade::Sixieme).unwrap(), "\"6e\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// Cours moyen 1 (primary, age 9–10).
    #[serde(rename = "CM1")]
    Cm1,
    /// Cours moyen 2 (last year of primary).
    #[serde(rename = "CM2")]
    Cm2,
    /// 6e, first year of collège.
    #[serde(rename = "6e")]
    Sixieme,
    /// 5e.
    #[serde(rename = "5e")]
    Cinquieme,
    /// 4e.
    #[serde(rename = "4e")]
    Quatrieme,
    /// 3e, last year of collège.
    #[serde(rename = "3e")]
    Troisieme,
}

impl Grade {
    /// Every grade, from CM1 to 3e.
    pub const ALL: [Grade; 6] = [
        Grade::Cm1,
        Grade::Cm2,
        Grade::Sixieme,
        Grade::Cinquieme,
        Grade::Quatrieme,
        Grade::Troisieme,
    ];

    /// The grade as French schools write it, also its serde form.
    ///
    /// ```
    /// use passerelle_matching::Grade;
    /// assert_eq!(Grade::Sixieme.as_str(), "6e");
    /// assert_eq!(Grade::parse("CM2"), Some(Grade::Cm2));
    /// assert_eq!(Grade::parse("7e"), None);
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Cm1 => "CM1",
            Grade::Cm2 => "CM2",
            Grade::Sixieme => "6e",
            Grade::Cinquieme => "5e",
            Grade::Quatrieme => "4e",
            Grade::Troisieme => "3e",
        }
    }

    /// The grade written as [`Grade::as_str`] writes it.
    pub fn parse(text: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.as_str() == text)
    }

    /// Years since CM1 (CM1 = 0, 3e = 5).
    ///
    /// ```
    /// use passerelle_matching::Grade;
    /// assert_eq!(Grade::Troisieme.rank(), 5);
    /// ```
    pub fn rank(self) -> u8 {
        self as u8
    }

    /// The grade after this one (3e stays 3e).
    ///
    /// ```
    /// use passerelle_matching::Grade;
    /// assert_eq!(Grade::Cm1.next(), Grade::Cm2);
    /// assert_eq!(Grade::Troisieme.next(), Grade::Troisieme);
    /// ```
    pub fn next(self) -> Grade {
        match self {
            Grade::Cm1 => Grade::Cm2,
            Grade::Cm2 => Grade::Sixieme,
            Grade::Sixieme => Grade::Cinquieme,
            Grade::Cinquieme => Grade::Quatrieme,
            Grade::Quatrieme | Grade::Troisieme => Grade::Troisieme,
        }
    }
}

/// A WGS84 position in degrees.
///
/// ```
/// use passerelle_matching::LatLon;
///
/// let notre_dame = LatLon { lat: 48.8530, lon: 2.3499 };
/// let bastille = LatLon { lat: 48.8532, lon: 2.3691 };
/// assert_eq!(notre_dame.distance_m(bastille), 1405);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    /// Latitude, degrees north.
    pub lat: f64,
    /// Longitude, degrees east.
    pub lon: f64,
}

impl LatLon {
    /// Great-circle (haversine) distance in metres, rounded.
    ///
    /// ```
    /// use passerelle_matching::LatLon;
    /// let p = LatLon { lat: 48.85, lon: 2.35 };
    /// assert_eq!(p.distance_m(p), 0);
    /// ```
    pub fn distance_m(self, other: LatLon) -> u32 {
        const EARTH_RADIUS_M: f64 = 6_371_008.8;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        let d = 2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin();
        // `as` saturates; NaN (bad input) becomes 0.
        d.round() as u32
    }
}

/// A hesitant parent asking to talk with a member parent.
///
/// ```
/// use passerelle_matching::{Grade, Request};
///
/// let request = Request {
///     id: 7,
///     sector: 75_011,
///     school_of_concern: Some("0751234A".into()),
///     grade: Grade::Cm2,
///     languages: vec!["fr".into(), "ar".into()],
///     location: None,
///     excluded_referents: vec![],
/// };
/// assert_eq!(request.grade.next(), Grade::Sixieme);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Identifier, returned in proposals.
    pub id: u64,
    /// Catchment sector of the family's home.
    pub sector: u64,
    /// The collège the family hesitates about (a UAI or any name that
    /// matches [`Referent::school`]); `None` if not said.
    pub school_of_concern: Option<String>,
    /// The child's current grade (usually CM1 or CM2).
    pub grade: Grade,
    /// Languages the parent is comfortable in (e.g. ISO 639-1 codes,
    /// compared case-insensitively); empty means any.
    pub languages: Vec<String>,
    /// Home position, if geocoded.
    pub location: Option<LatLon>,
    /// Referents this family declined or was already paired with.
    pub excluded_referents: Vec<u64>,
}

/// A member parent who volunteers to talk with hesitant families.
///
/// ```
/// use passerelle_matching::{Grade, Referent};
///
/// let referent = Referent {
///     id: 3,
///     sector: 75_011,
///     school: "0751234A".into(),
///     child_grade: Grade::Sixieme,
///     languages: vec!["fr".into()],
///     location: None,
///     capacity_left: 2,
///     paused: false,
/// };
/// assert!(!referent.paused);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referent {
    /// Identifier, returned in proposals.
    pub id: u64,
    /// Catchment sector of the referent's collège.
    pub sector: u64,
    /// The collège the referent's child attends.
    pub school: String,
    /// The referent's child's current grade.
    pub child_grade: Grade,
    /// Languages the referent speaks.
    pub languages: Vec<String>,
    /// Home position, if geocoded.
    pub location: Option<LatLon>,
    /// How many more families the referent accepts this month.
    pub capacity_left: u32,
    /// A paused referent gets no family.
    pub paused: bool,
}

/// Weights of the cost model, in integer points (see [`explain`]).
///
/// The defaults make a referent at another collège (100) cost more than a
/// language mismatch (60), itself worth three extra families on one referent
/// (3 × 20), a two-year grade gap (20) or 4 km (20).
///
/// ```
/// use passerelle_matching::Weights;
///
/// let w = Weights::default();
/// assert_eq!((w.other_school, w.language_mismatch, w.grade_gap), (100, 60, 10));
/// assert_eq!((w.per_km, w.unknown_distance, w.load), (5, 10, 20));
/// let no_spread = Weights { load: 0, ..Weights::default() };
/// assert_eq!(no_spread.load, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    /// Referent's child at another collège than the one of concern. Default 100.
    pub other_school: u32,
    /// No common language. Default 60.
    pub language_mismatch: u32,
    /// Per year of grade gap. Default 10.
    pub grade_gap: u32,
    /// Per kilometre between homes. Default 5.
    pub per_km: u32,
    /// When either home is not geocoded (about 2 km). Default 10.
    pub unknown_distance: u32,
    /// Per family already given to the referent this month. Default 20.
    pub load: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            other_school: 100,
            language_mismatch: 60,
            grade_gap: 10,
            per_km: 5,
            unknown_distance: 10,
            load: 20,
        }
    }
}

/// The cost terms of one proposal, so organisers see why it was made.
///
/// ```
/// use passerelle_matching::Explanation;
///
/// let e = Explanation { other_school: 0, language: 60, grade_gap: 10, distance: 7, distance_m: Some(1400), load: 20 };
/// assert_eq!(e.total(), 97);
/// assert_eq!(e.pair_cost(), 77);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Explanation {
    /// Referent at another collège than the one of concern.
    pub other_school: u32,
    /// No common language.
    pub language: u32,
    /// Grade gap term.
    pub grade_gap: u32,
    /// Distance term.
    pub distance: u32,
    /// Distance between homes in metres, when both are known (not a cost).
    pub distance_m: Option<u32>,
    /// Load term: what this family adds to the referent's load.
    pub load: u32,
}

impl Explanation {
    /// Sum of all cost terms.
    ///
    /// ```
    /// use passerelle_matching::Explanation;
    /// assert_eq!(Explanation { load: 40, ..Explanation::default() }.total(), 40);
    /// ```
    pub fn total(&self) -> u64 {
        self.pair_cost() + u64::from(self.load)
    }

    /// Sum of the terms that depend on the pair only (all but `load`).
    ///
    /// ```
    /// use passerelle_matching::Explanation;
    /// assert_eq!(Explanation { load: 40, grade_gap: 10, ..Explanation::default() }.pair_cost(), 10);
    /// ```
    pub fn pair_cost(&self) -> u64 {
        u64::from(self.other_school)
            + u64::from(self.language)
            + u64::from(self.grade_gap)
            + u64::from(self.distance)
    }
}

/// A suggested pairing, with its cost and why.
///
/// ```
/// use passerelle_matching::{Explanation, Proposal};
///
/// let p = Proposal { request: 1, referent: 2, cost: 5, explanation: Explanation { distance: 5, ..Explanation::default() } };
/// assert_eq!(p.cost, p.explanation.total());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// [`Request::id`].
    pub request: u64,
    /// [`Referent::id`].
    pub referent: u64,
    /// Total cost, equal to `explanation.total()`.
    pub cost: u64,
    /// The cost terms.
    pub explanation: Explanation,
}

/// Hard constraints: same sector, capacity left this month, referent not
/// paused, and not declined by (or already paired with) this family.
///
/// ```
/// use passerelle_matching::{is_eligible, Grade, Referent, Request};
///
/// let request = Request { id: 1, sector: 9, school_of_concern: None, grade: Grade::Cm2,
///     languages: vec![], location: None, excluded_referents: vec![4] };
/// let mut referent = Referent { id: 3, sector: 9, school: "A".into(), child_grade: Grade::Sixieme,
///     languages: vec![], location: None, capacity_left: 1, paused: false };
/// assert!(is_eligible(&request, &referent));
/// referent.id = 4;
/// assert!(!is_eligible(&request, &referent));
/// ```
pub fn is_eligible(request: &Request, referent: &Referent) -> bool {
    request.sector == referent.sector
        && referent.capacity_left > 0
        && !referent.paused
        && !request.excluded_referents.contains(&referent.id)
}

/// The cost terms of a pair, with `current_load` families already given to
/// the referent this month. Hard constraints are not checked here (see
/// [`is_eligible`]).
///
/// Each term is a non-negative integer number of points, lower is better:
///
/// | term | value |
/// | --- | --- |
/// | `other_school` | [`Weights::other_school`] if the request names a collège of concern and the referent's child attends another one |
/// | `language` | [`Weights::language_mismatch`] if the parent listed languages and the referent speaks none of them |
/// | `grade_gap` | [`Weights::grade_gap`] × years between the referent's child's grade and the grade the family's child enters next (6e for a primary pupil) |
/// | `distance` | [`Weights::per_km`] × great-circle km (rounded to the metre), or [`Weights::unknown_distance`] when a location is missing |
/// | `load` | [`Weights::load`] × families already given to that referent this month: the n-th family costs `load × (n − 1)` |
///
/// The load term is convex (each further family costs more than the
/// previous one), which spreads families over referents instead of filling
/// the cheapest referents first.
///
/// Terms saturate instead of overflowing.
///
/// ```
/// use passerelle_matching::{explain, Grade, Referent, Request, Weights};
///
/// let request = Request { id: 1, sector: 9, school_of_concern: Some("A".into()), grade: Grade::Cm2,
///     languages: vec!["ar".into()], location: None, excluded_referents: vec![] };
/// let referent = Referent { id: 3, sector: 9, school: "B".into(), child_grade: Grade::Quatrieme,
///     languages: vec!["fr".into()], location: None, capacity_left: 1, paused: false };
/// let e = explain(&request, &referent, &Weights::default(), 2);
/// assert_eq!((e.other_school, e.language, e.grade_gap, e.distance, e.load), (100, 60, 20, 10, 40));
/// assert_eq!(e.total(), 230);
/// ```
pub fn explain(
    request: &Request,
    referent: &Referent,
    weights: &Weights,
    current_load: u32,
) -> Explanation {
    let other_school = match &request.school_of_concern {
        Some(school) if *school != referent.school => weights.other_school,
        _ => 0,
    };
    let shares_language = request.languages.is_empty()
        || request
            .languages
            .iter()
            .any(|l| referent.languages.iter().any(|m| l.eq_ignore_ascii_case(m)));
    let language = if shares_language {
        0
    } else {
        weights.language_mismatch
    };
    // The family wants to hear about the grade its child enters next.
    let target = request.grade.next().max(Grade::Sixieme);
    let gap = u32::from(referent.child_grade.rank().abs_diff(target.rank()));
    let grade_gap = weights.grade_gap.saturating_mul(gap);
    let distance_m = match (request.location, referent.location) {
        (Some(a), Some(b)) => Some(a.distance_m(b)),
        _ => None,
    };
    let distance = match distance_m {
        Some(m) => {
            let points = (u64::from(weights.per_km) * u64::from(m) + 500) / 1000;
            u32::try_from(points).unwrap_or(u32::MAX)
        }
        None => weights.unknown_distance,
    };
    Explanation {
        other_school,
        language,
        grade_gap,
        distance,
        distance_m,
        load: weights.load.saturating_mul(current_load),
    }
}
