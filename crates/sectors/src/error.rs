//! The one error type of the crate.

use std::fmt;

/// Which feature of a FeatureCollection an error is about.
///
/// Displays as `feature #3` or `feature #3 (id PARIS-2024-004)`; the index is
/// the 0-based position in the `features` array.
///
/// ```
/// use passerelle_sectors::FeatureRef;
///
/// let at = FeatureRef { index: 3, external_id: Some("PARIS-2024-004".into()) };
/// assert_eq!(at.to_string(), "feature #3 (id PARIS-2024-004)");
/// let at = FeatureRef { index: 0, external_id: None };
/// assert_eq!(at.to_string(), "feature #0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureRef {
    /// 0-based position in `features`.
    pub index: usize,
    /// The sector's own identifier, when the feature carries one.
    pub external_id: Option<String>,
}

impl fmt::Display for FeatureRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "feature #{}", self.index)?;
        if let Some(id) = &self.external_id {
            write!(f, " (id {id})")?;
        }
        Ok(())
    }
}

/// What makes a ring invalid, in [`SectorError::InvalidGeometry`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryFault {
    /// Two edges of the ring cross or touch (a bow tie, a loop).
    SelfIntersection,
    /// The ring has fewer than 3 distinct positions.
    TooFewPositions,
    /// A hole that is not inside its polygon's exterior ring.
    HoleOutsideShell,
}

impl fmt::Display for GeometryFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GeometryFault::SelfIntersection => "intersects itself (self-intersection)",
            GeometryFault::TooFewPositions => "has fewer than 3 distinct positions",
            GeometryFault::HoleOutsideShell => {
                "is a hole outside the polygon's exterior ring (ring 0)"
            }
        })
    }
}

/// Why an official sector map was rejected.
///
/// Its `Display` is one English line meant for the person importing the map:
/// it names the feature (see [`FeatureRef`]), and the polygon and ring when
/// relevant (0-based; ring 0 is the exterior ring).
///
/// ```
/// use passerelle_sectors::{parse_feature_collection, SectorError};
///
/// let err = parse_feature_collection(br#"{"type":"FeatureCollection","features":[]}"#, "uai")
///     .unwrap_err();
/// assert!(matches!(err, SectorError::NoFeatures));
/// assert_eq!(err.to_string(), "the FeatureCollection has no features");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SectorError {
    /// The file is larger than [`crate::MAX_MAP_BYTES`].
    #[error("the map is {bytes} bytes, more than the {max} bytes (256 MiB) a sector map may have")]
    TooLarge {
        /// Size of the input.
        bytes: u64,
        /// The limit.
        max: u64,
    },

    /// The input is not JSON; serde_json's message says where (line and column).
    #[error("invalid JSON: {0}")]
    InvalidJson(#[source] serde_json::Error),

    /// The JSON is not a GeoJSON FeatureCollection.
    #[error("not a GeoJSON FeatureCollection: {reason}")]
    NotFeatureCollection {
        /// What was found instead.
        reason: String,
    },

    /// A `crs` member names something other than WGS84 longitude/latitude.
    #[error(
        "unsupported coordinate reference system {name}: only WGS84 longitude/latitude \
         (urn:ogc:def:crs:OGC:1.3:CRS84 or EPSG:4326) is accepted; reproject the map"
    )]
    UnsupportedCrs {
        /// The declared CRS name, or the `crs` member as JSON when it has no name.
        name: String,
    },

    /// The `features` array is empty.
    #[error("the FeatureCollection has no features")]
    NoFeatures,

    /// A member of `features` is not a GeoJSON Feature object.
    #[error("{feature}: not a GeoJSON Feature: {reason}")]
    MalformedFeature {
        /// The feature.
        feature: FeatureRef,
        /// What is wrong.
        reason: String,
    },

    /// The feature's geometry is missing or null.
    #[error("{feature}: has no geometry")]
    MissingGeometry {
        /// The feature.
        feature: FeatureRef,
    },

    /// The geometry is neither a Polygon nor a MultiPolygon.
    #[error("{feature}: geometry type {kind} is not supported (expected Polygon or MultiPolygon)")]
    UnsupportedGeometry {
        /// The feature.
        feature: FeatureRef,
        /// The GeoJSON `type` found.
        kind: String,
    },

    /// The `coordinates` member does not have the nesting or the numbers GeoJSON requires.
    #[error("{feature}: malformed coordinates: {reason}")]
    MalformedCoordinates {
        /// The feature.
        feature: FeatureRef,
        /// What is wrong, and where.
        reason: String,
    },

    /// Coordinates in the Lambert-93 range where longitude/latitude were expected.
    #[error(
        "{feature}: coordinates ({x}, {y}) look like Lambert-93 (EPSG:2154) metres, \
         not longitude/latitude; reproject the map to WGS84 (EPSG:4326)"
    )]
    LooksLikeLambert93 {
        /// The feature.
        feature: FeatureRef,
        /// First coordinate found.
        x: f64,
        /// Second coordinate found.
        y: f64,
    },

    /// Coordinates outside |lon| ≤ 180, |lat| ≤ 90, or not finite.
    #[error(
        "{feature}: coordinates ({lon}, {lat}) are not WGS84 longitude/latitude \
         (need |lon| <= 180 and |lat| <= 90)"
    )]
    CoordinatesOutOfRange {
        /// The feature.
        feature: FeatureRef,
        /// First coordinate found.
        lon: f64,
        /// Second coordinate found.
        lat: f64,
    },

    /// A ring whose first and last positions differ.
    #[error(
        "{feature}: ring {ring} of polygon {polygon} is not closed (its first and last positions differ)"
    )]
    UnclosedRing {
        /// The feature.
        feature: FeatureRef,
        /// 0-based polygon part (0 for a Polygon feature).
        polygon: usize,
        /// 0-based ring within the polygon; 0 is the exterior.
        ring: usize,
    },

    /// A ring with fewer than 4 positions.
    #[error(
        "{feature}: degenerate ring {ring} of polygon {polygon}: {positions} positions, a closed ring needs at least 4"
    )]
    DegenerateRing {
        /// The feature.
        feature: FeatureRef,
        /// 0-based polygon part (0 for a Polygon feature).
        polygon: usize,
        /// 0-based ring within the polygon; 0 is the exterior.
        ring: usize,
        /// How many positions the ring has.
        positions: usize,
    },

    /// A ring of a polygon part breaks the simple-features rules (checked
    /// with [`geo::Validation`]): it crosses itself, or a hole lies outside
    /// its shell.
    #[error("{feature}: invalid geometry: ring {ring} of polygon {polygon} {fault}")]
    InvalidGeometry {
        /// The feature.
        feature: FeatureRef,
        /// 0-based polygon part (0 for a Polygon feature).
        polygon: usize,
        /// 0-based ring within the polygon, as in the input; 0 is the exterior.
        ring: usize,
        /// What is wrong with the ring.
        fault: GeometryFault,
    },

    /// Every polygon part of the feature has zero area.
    #[error("{feature}: degenerate geometry: none of its {parts} polygon part(s) has any area")]
    DegenerateGeometry {
        /// The feature.
        feature: FeatureRef,
        /// How many parts it had.
        parts: usize,
    },

    /// The UAI property is absent, null or empty.
    #[error("{feature}: property {property:?} (the collège UAI) is missing or empty")]
    MissingUai {
        /// The feature.
        feature: FeatureRef,
        /// The property looked up.
        property: String,
    },

    /// A UAI that is not 7 digits and a letter.
    #[error(
        "{feature}: property {property:?} holds {value}, which is not a UAI (7 digits and a letter, e.g. 0752538B)"
    )]
    InvalidUai {
        /// The feature.
        feature: FeatureRef,
        /// The property looked up.
        property: String,
        /// The offending value, as JSON.
        value: String,
    },
}
