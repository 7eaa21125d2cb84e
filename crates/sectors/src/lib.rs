//! Passerelle sectors: parse an official collège sector map and find which
//! sector a home lies in (pure library, no IO).
//!
//! ```
//! use passerelle_sectors::{parse_feature_collection, MatchKind, SectorIndex};
//!
//! let map = parse_feature_collection(
//!     br#"{"type":"FeatureCollection","features":[{"type":"Feature",
//!         "properties":{"secteur_id":"S1","uais":["0752538B"]},
//!         "geometry":{"type":"Polygon","coordinates":[[[2.30,48.80],[2.35,48.80],[2.35,48.85],[2.30,48.85],[2.30,48.80]]]}}]}"#,
//!     "uais",
//! )?;
//! let index = SectorIndex::new(map.sectors.iter().map(|s| s.geometry.clone()).collect());
//! let hit = index.locate(2.32, 48.82, 100.0, |_| true).unwrap();
//! assert_eq!(map.sectors[hit.sector].uais, ["0752538B"]);
//! assert_eq!(hit.kind, MatchKind::Inside);
//! # Ok::<(), passerelle_sectors::SectorError>(())
//! ```
#![forbid(unsafe_code)]

mod error;
mod index;
mod key;
mod parse;

pub use error::{FeatureRef, GeometryFault, SectorError};
pub use index::{Hit, MatchKind, SectorIndex};
pub use key::{SectorKey, SectorKeyError};
pub use parse::{
    GEOMETRY_TOLERANCE, MAX_MAP_BYTES, ParsedMap, ParsedSector, parse_feature_collection,
};
