//! Passerelle geocode: offline address search over the Base Adresse
//! Nationale, and the address-range carte scolaire (pure library, no IO).
//!
//! The service reads the files; this crate parses, indexes and answers:
//!
//! ```
//! use passerelle_geocode::{read_ban, AddressIndexBuilder, CarteScolaire, Resolution};
//!
//! let ban = "id;numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon;lat\n\
//!            35238_0420_00044;44;;Rue de Nantes;35000;35238;Rennes;-1.6910;48.1112\n";
//! let mut builder = AddressIndexBuilder::new();
//! read_ban(ban.as_bytes(), |a| builder.push(a))?;
//! let index = builder.build();
//!
//! let carte = "code_insee;Type_et_Libelle;No_de_voie_debut;Indice_de_repetition_debut;\
//!              No_de_voie_fin;Indice_de_repetition_fin;Parite;Code_RNE;Secteur_unique\n\
//!              35238;R DE NANTES;2;;9999;;P;0350734H;N\n";
//! let (carte, _report) = CarteScolaire::read(carte.as_bytes())?;
//!
//! let home = &index.search("44 r de nantes rennes", 1)?[0];
//! let sector = carte.resolve_with_rep(&home.citycode, &home.street,
//!     home.housenumber.unwrap(), home.rep.as_deref());
//! assert_eq!(sector, Resolution::Found(vec!["0350734H".into()]));
//! # Ok::<(), passerelle_geocode::GeocodeError>(())
//! ```
#![forbid(unsafe_code)]

mod ban;
mod carte;
mod error;
mod index;
mod lines;
mod normalize;
mod text;
mod typos;

pub use ban::{BanAddress, BanReport, MaybeGzip, maybe_gunzip, read_ban};
pub use carte::{CarteReport, CarteScolaire, RangeConflict, RejectedRow, Resolution, SharedSector};
pub use error::{GeocodeError, QueryProblem};
pub use index::{
    AddressIndex, AddressIndexBuilder, MAX_QUERY_CHARS, MIN_SCORE, MatchKind, ParsedQuery,
    SearchResult,
};
pub use normalize::fold;
pub use text::{MAX_LINE_BYTES, TextGuard, TextProblem};
