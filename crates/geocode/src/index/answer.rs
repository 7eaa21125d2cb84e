//! What a search answers: an owned, serialisable address and how it
//! relates to the number asked for.

/// How the chosen address relates to the number asked for.
///
/// ```
/// use passerelle_geocode::MatchKind;
/// assert_ne!(MatchKind::Exact, MatchKind::NearestNumber);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MatchKind {
    /// The number and repetition index asked for.
    Exact,
    /// The number asked for, with another (or no) repetition index.
    SameNumber,
    /// The number is not in the base: the nearest number on that street.
    NearestNumber,
    /// No number was asked for: a middle address of the street.
    Street,
}

/// One answer of [`AddressIndex::search`], owned and serialisable.
///
/// ```
/// # let index = passerelle_geocode::AddressIndex::build(vec![passerelle_geocode::BanAddress {
/// #     id: "75111_8358_00012_bis".into(), housenumber: 12, rep: Some("bis".into()),
/// #     street: "Rue de la Roquette".into(), postcode: "75011".into(),
/// #     citycode: "75111".into(), city: "Paris 11e Arrondissement".into(),
/// #     lat: 48.8547, lon: 2.3728 }]);
/// let r = &index.search("12b r de la roquette paris", 1)?[0];
/// assert_eq!(r.label, "12 bis Rue de la Roquette 75011 Paris");
/// assert_eq!((r.housenumber, r.rep.as_deref()), (Some(12), Some("bis")));
/// assert_eq!(r.city, "Paris 11e Arrondissement");
/// assert!(r.score > 0.9 && r.score <= 1.0);
/// # Ok::<(), passerelle_geocode::GeocodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SearchResult {
    /// "12 bis Rue de la Roquette 75011 Paris" (Paris, Lyon and Marseille
    /// without their arrondissement, as on an envelope).
    pub label: String,
    /// BAN identifier of the address; `None` for a street-level answer.
    pub id: Option<String>,
    /// House number; `None` for a street-level answer.
    pub housenumber: Option<u32>,
    /// Repetition index as the BAN writes it ("bis", "b", "a"...).
    pub rep: Option<String>,
    /// Street name as the BAN writes it.
    pub street: String,
    /// Postcode.
    pub postcode: String,
    /// Commune name as the BAN writes it ("Paris 11e Arrondissement").
    pub city: String,
    /// INSEE code of the commune.
    pub citycode: String,
    /// WGS84 latitude.
    pub lat: f64,
    /// WGS84 longitude.
    pub lon: f64,
    /// Confidence between 0 and 1; 1 is every word, the postcode and the number found.
    pub score: f64,
    /// How the address relates to the number asked for.
    pub kind: MatchKind,
}
