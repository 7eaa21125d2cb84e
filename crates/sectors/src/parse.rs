//! Parsing and validating an official sector map (GeoJSON FeatureCollection).

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::validation::{InvalidPolygon, RingRole};
use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon, Validation};
use serde_json::{Map, Value};

use crate::error::{FeatureRef, GeometryFault, SectorError};

/// Largest sector map accepted, in bytes: a map of all of France at the
/// Paris file's precision would be about 100 MiB; a bigger input is not a
/// map of sectors, and reading it as JSON would take several times its size
/// in memory.
pub const MAX_MAP_BYTES: u64 = 256 << 20;

/// A validated sector map, ready for [`crate::SectorIndex::new`].
///
/// ```
/// use passerelle_sectors::parse_feature_collection;
///
/// let map = parse_feature_collection(
///     br#"{"type":"FeatureCollection","features":[{"type":"Feature",
///         "properties":{"uai":"0752538B"},
///         "geometry":{"type":"Polygon","coordinates":[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.8]]]}}]}"#,
///     "uai",
/// )?;
/// assert_eq!(map.sectors.len(), 1);
/// assert_eq!(map.dropped_empty_parts, 0);
/// # Ok::<(), passerelle_sectors::SectorError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedMap {
    /// One entry per feature, in input order.
    pub sectors: Vec<ParsedSector>,
    /// Zero-area polygon parts that were dropped, over the whole map.
    pub dropped_empty_parts: usize,
}

/// One sector of a map: its identifiers, collèges and geometry.
///
/// ```
/// use passerelle_sectors::parse_feature_collection;
///
/// let map = parse_feature_collection(
///     br#"{"type":"FeatureCollection","features":[{"type":"Feature","id":7,
///         "properties":{"uais":[" 0752538b","0752538B","0750465Y"],"noms":["Rodin","Bergson"]},
///         "geometry":{"type":"Polygon","coordinates":[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.8]]]}}]}"#,
///     "uais",
/// )?;
/// let sector = &map.sectors[0];
/// assert_eq!(sector.feature_index, 0);
/// assert_eq!(sector.external_id.as_deref(), Some("7"));
/// assert_eq!(sector.name.as_deref(), Some("Rodin / Bergson"));
/// assert_eq!(sector.uais, ["0752538B", "0750465Y"]);
/// assert_eq!(sector.geometry.0.len(), 1);
/// # Ok::<(), passerelle_sectors::SectorError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedSector {
    /// 0-based position in `features`.
    pub feature_index: usize,
    /// Property `secteur_id`, else property `id`, else the Feature's own `id`.
    pub external_id: Option<String>,
    /// Property `nom`, `name` or `libelle`, else the list `noms` joined with " / ".
    pub name: Option<String>,
    /// Trimmed, uppercased, deduplicated UAIs, in input order; never empty.
    pub uais: Vec<String>,
    /// WGS84 lon/lat; a Polygon feature becomes a one-part MultiPolygon.
    pub geometry: MultiPolygon<f64>,
}

/// Parses and validates an official sector map.
///
/// `uai_property` names the property holding the collège UAI(s): a string or
/// a list of strings (`codeuai` in Lille, `uais` in Paris).
///
/// Zero-area polygon parts (collapsed rings, which real maps contain) are
/// dropped and counted in [`ParsedMap::dropped_empty_parts`]; zero-area holes
/// are dropped too (they remove nothing). A feature left with no area at all
/// is an error, as is anything that is not WGS84 lon/lat. An input larger
/// than [`MAX_MAP_BYTES`] is refused unread; JSON errors (a NUL byte,
/// invalid UTF-8, a file cut short) name the line and column.
///
/// ```
/// use passerelle_sectors::parse_feature_collection;
///
/// // Lambert-93 metres where lon/lat were expected.
/// let err = parse_feature_collection(
///     br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"uai":"0752538B"},
///         "geometry":{"type":"Polygon","coordinates":[[[652000,6862000],[652100,6862000],[652100,6862100],[652000,6862000]]]}}]}"#,
///     "uai",
/// )
/// .unwrap_err();
/// assert!(err.to_string().contains("Lambert-93 (EPSG:2154)"));
/// ```
pub fn parse_feature_collection(
    input: &[u8],
    uai_property: &str,
) -> Result<ParsedMap, SectorError> {
    if input.len() as u64 > MAX_MAP_BYTES {
        return Err(SectorError::TooLarge {
            bytes: input.len() as u64,
            max: MAX_MAP_BYTES,
        });
    }
    // Some French open-data exports start with a UTF-8 BOM, which serde_json rejects.
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let root: Value = serde_json::from_slice(input).map_err(SectorError::InvalidJson)?;
    let not_fc = |reason: String| SectorError::NotFeatureCollection { reason };
    let Value::Object(root) = root else {
        return Err(not_fc(format!("the top-level value is {}", kind_of(&root))));
    };
    match root.get("type") {
        Some(Value::String(t)) if t == "FeatureCollection" => {}
        Some(Value::String(t)) => return Err(not_fc(format!("its type is {t:?}"))),
        _ => return Err(not_fc("it has no \"type\" string member".into())),
    }
    check_crs(root.get("crs"))?;
    let features = match root.get("features") {
        Some(Value::Array(features)) => features,
        _ => return Err(not_fc("it has no \"features\" array".into())),
    };
    if features.is_empty() {
        return Err(SectorError::NoFeatures);
    }

    let mut sectors = Vec::with_capacity(features.len());
    let mut dropped_empty_parts = 0;
    for (index, feature) in features.iter().enumerate() {
        let (sector, dropped) = parse_feature(index, feature, uai_property)?;
        sectors.push(sector);
        dropped_empty_parts += dropped;
    }
    Ok(ParsedMap {
        sectors,
        dropped_empty_parts,
    })
}

fn check_crs(crs: Option<&Value>) -> Result<(), SectorError> {
    let Some(crs) = crs.filter(|c| !c.is_null()) else {
        return Ok(()); // RFC 7946: no crs means WGS84 lon/lat.
    };
    match crs.pointer("/properties/name").and_then(Value::as_str) {
        Some(name) if is_wgs84_lon_lat(name) => Ok(()),
        Some(name) => Err(SectorError::UnsupportedCrs { name: name.into() }),
        None => Err(SectorError::UnsupportedCrs {
            name: crs.to_string(),
        }),
    }
}

/// CRS84 and EPSG:4326 in their usual spellings. EPSG:4326 is lat/lon on
/// paper, but GeoJSON writers that declare it write lon/lat.
fn is_wgs84_lon_lat(name: &str) -> bool {
    let name = name.trim().to_ascii_uppercase();
    name == "CRS84"
        || name.ends_with(":CRS84")
        || name.ends_with("/CRS84")
        || name == "EPSG:4326"
        || (name.starts_with("URN:OGC:DEF:CRS:EPSG:") && name.ends_with(":4326"))
        || name.ends_with("/EPSG/0/4326")
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn parse_feature(
    index: usize,
    feature: &Value,
    uai_property: &str,
) -> Result<(ParsedSector, usize), SectorError> {
    let Value::Object(feature) = feature else {
        return Err(SectorError::MalformedFeature {
            feature: FeatureRef {
                index,
                external_id: None,
            },
            reason: format!("it is {}", kind_of(feature)),
        });
    };
    let empty = Map::new();
    let properties = feature
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let external_id = ["secteur_id", "id"]
        .iter()
        .find_map(|key| properties.get(*key).and_then(id_string))
        .or_else(|| feature.get("id").and_then(id_string));
    // JSON escapes such as \u0000 give text that no database column takes.
    let control = |s: &String| s.chars().any(char::is_control);
    if external_id.as_ref().is_some_and(control) {
        return Err(SectorError::MalformedFeature {
            feature: FeatureRef {
                index,
                external_id: None,
            },
            reason: "its id holds a control character (a NUL or a line break)".into(),
        });
    }
    let at = FeatureRef { index, external_id };
    match feature.get("type").and_then(Value::as_str) {
        Some("Feature") => {}
        other => {
            return Err(SectorError::MalformedFeature {
                feature: at,
                reason: format!("its type is {other:?}"),
            });
        }
    }

    let uais = parse_uais(&at, properties, uai_property)?;
    let name = parse_name(properties);
    if name.as_ref().is_some_and(control) {
        return Err(SectorError::MalformedFeature {
            feature: at,
            reason: "its name holds a control character (a NUL or a line break)".into(),
        });
    }
    let (geometry, dropped) = parse_geometry(&at, feature.get("geometry"))?;
    Ok((
        ParsedSector {
            feature_index: index,
            external_id: at.external_id,
            name,
            uais,
            geometry,
        },
        dropped,
    ))
}

fn parse_name(properties: &Map<String, Value>) -> Option<String> {
    let single = ["nom", "name", "libelle"].iter().find_map(|key| {
        let s = properties.get(*key)?.as_str()?.trim();
        (!s.is_empty()).then(|| s.to_owned())
    });
    single.or_else(|| {
        let names: Vec<&str> = properties
            .get("noms")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        (!names.is_empty()).then(|| names.join(" / "))
    })
}

fn parse_uais(
    at: &FeatureRef,
    properties: &Map<String, Value>,
    property: &str,
) -> Result<Vec<String>, SectorError> {
    let missing = || SectorError::MissingUai {
        feature: at.clone(),
        property: property.into(),
    };
    let invalid = |value: &Value| SectorError::InvalidUai {
        feature: at.clone(),
        property: property.into(),
        value: value.to_string(),
    };
    let values: Vec<&Value> = match properties.get(property) {
        None | Some(Value::Null) => return Err(missing()),
        Some(Value::Array(values)) => values.iter().collect(),
        Some(value) => vec![value],
    };
    let mut uais: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        let Value::String(raw) = value else {
            return Err(invalid(value));
        };
        let uai = raw.trim().to_ascii_uppercase();
        if uai.is_empty() {
            continue;
        }
        if !crate::key::is_uai(&uai) {
            return Err(invalid(value));
        }
        if !uais.contains(&uai) {
            uais.push(uai);
        }
    }
    if uais.is_empty() {
        return Err(missing());
    }
    Ok(uais)
}

/// Returns the geometry and how many zero-area parts were dropped.
fn parse_geometry(
    at: &FeatureRef,
    geometry: Option<&Value>,
) -> Result<(MultiPolygon<f64>, usize), SectorError> {
    let geometry = match geometry {
        None | Some(Value::Null) => {
            return Err(SectorError::MissingGeometry {
                feature: at.clone(),
            });
        }
        Some(g) => g,
    };
    let malformed = |reason: String| SectorError::MalformedCoordinates {
        feature: at.clone(),
        reason,
    };
    let kind = geometry.get("type").and_then(Value::as_str);
    let coordinates = geometry.get("coordinates");
    let polygons: Vec<&Value> = match (kind, coordinates) {
        (Some("Polygon"), Some(c)) => vec![c],
        (Some("MultiPolygon"), Some(Value::Array(parts))) => parts.iter().collect(),
        (Some("Polygon" | "MultiPolygon"), _) => {
            return Err(malformed(
                "\"coordinates\" is missing or not an array".into(),
            ));
        }
        (Some(other), _) => {
            return Err(SectorError::UnsupportedGeometry {
                feature: at.clone(),
                kind: other.into(),
            });
        }
        (None, _) => {
            return Err(SectorError::UnsupportedGeometry {
                feature: at.clone(),
                kind: "(none)".into(),
            });
        }
    };

    let mut parts = Vec::with_capacity(polygons.len());
    // For each kept part: its index in the input, and its holes' ring indexes.
    let mut origins = Vec::with_capacity(polygons.len());
    let mut dropped = 0;
    for (p, polygon) in polygons.iter().enumerate() {
        let Value::Array(rings) = polygon else {
            return Err(malformed(format!("polygon {p} is not an array of rings")));
        };
        let rings = rings
            .iter()
            .enumerate()
            .map(|(r, ring)| parse_ring(at, p, r, ring))
            .collect::<Result<Vec<_>, _>>()?;
        let mut rings = rings.into_iter().enumerate();
        match rings.next() {
            // A zero-area hole removes nothing, so it goes too.
            Some((_, exterior)) if !encloses_no_area(&exterior.0) => {
                let (hole_rings, holes): (Vec<usize>, Vec<_>) =
                    rings.filter(|(_, h)| !encloses_no_area(&h.0)).unzip();
                parts.push(Polygon::new(exterior, holes));
                origins.push((p, hole_rings));
            }
            _ => dropped += 1,
        }
    }
    if parts.is_empty() {
        return Err(SectorError::DegenerateGeometry {
            feature: at.clone(),
            parts: polygons.len(),
        });
    }
    let area: f64 = parts.iter().map(Area::unsigned_area).sum();
    for (part, (p, hole_rings)) in parts.iter().zip(&origins) {
        check_valid(at, *p, part, hole_rings, area)?;
    }
    Ok((MultiPolygon::new(parts), dropped))
}

/// Share of a feature's area that a drawing slip may misplace: rings of the
/// official maps that touch or cross themselves over a few square metres,
/// holes that touch their shell along a street (see [`check_valid`]).
pub const GEOMETRY_TOLERANCE: f64 = 1e-3;

/// Refuses a polygon part that geo's validation finds invalid in one of
/// the ways a lookup would answer wrongly: a ring that crosses itself, a
/// ring of fewer than 3 distinct positions, a hole outside its shell.
///
/// The official maps are drawn block by block, so many of their rings touch
/// themselves at a corner, or cross over a sliver of a few square metres,
/// and some holes touch their shell along an edge; geo reports all of these.
/// So a fault is refused only when it misplaces more than
/// [`GEOMETRY_TOLERANCE`] of the feature's area (`feature_area`, the sum of
/// its parts' areas): for a crossing ring, the difference between the area
/// its coordinates sum to and the area it encloses (a bow tie sums to
/// zero); for a hole, its area outside the shell. Rings that merely touch
/// one another are not refused: the lookup answers correctly for them.
/// `hole_rings` gives each kept hole's ring index in the input, so that the
/// error names the ring as written.
fn check_valid(
    at: &FeatureRef,
    polygon: usize,
    part: &Polygon<f64>,
    hole_rings: &[usize],
    feature_area: f64,
) -> Result<(), SectorError> {
    let tolerance = GEOMETRY_TOLERANCE * feature_area;
    for problem in part.validation_errors() {
        let (role, fault) = match problem {
            InvalidPolygon::SelfIntersection(role) => (role, GeometryFault::SelfIntersection),
            InvalidPolygon::TooFewPointsInRing(role) => (role, GeometryFault::TooFewPositions),
            InvalidPolygon::InteriorRingNotContainedInExteriorRing(role) => {
                (role, GeometryFault::HoleOutsideShell)
            }
            _ => continue,
        };
        let (ring, line) = match role {
            RingRole::Exterior => (0, part.exterior()),
            RingRole::Interior(i) => (hole_rings[i], &part.interiors()[i]),
        };
        let alone = Polygon::new(line.clone(), vec![]);
        let misplaced = match fault {
            GeometryFault::SelfIntersection => {
                let enclosed = alone.union(&Polygon::new(LineString::new(vec![]), vec![]));
                (enclosed.unsigned_area() - alone.unsigned_area()).abs()
            }
            GeometryFault::HoleOutsideShell => {
                let shell = Polygon::new(part.exterior().clone(), vec![]);
                alone.difference(&shell).unsigned_area()
            }
            GeometryFault::TooFewPositions => f64::INFINITY,
        };
        if misplaced > tolerance {
            return Err(SectorError::InvalidGeometry {
                feature: at.clone(),
                polygon,
                ring,
                fault,
            });
        }
    }
    Ok(())
}

fn parse_ring(
    at: &FeatureRef,
    polygon: usize,
    ring: usize,
    value: &Value,
) -> Result<LineString<f64>, SectorError> {
    let malformed = |reason: String| SectorError::MalformedCoordinates {
        feature: at.clone(),
        reason: format!("ring {ring} of polygon {polygon}: {reason}"),
    };
    let Value::Array(positions) = value else {
        return Err(malformed("not an array of positions".into()));
    };
    let mut coords = Vec::with_capacity(positions.len());
    for (i, position) in positions.iter().enumerate() {
        let xy = match position.as_array().map(Vec::as_slice) {
            Some([x, y, ..]) => x.as_f64().zip(y.as_f64()),
            _ => None,
        };
        let Some((x, y)) = xy else {
            return Err(malformed(format!(
                "position {i} is {position}, not an array of at least 2 numbers (lon, lat)"
            )));
        };
        check_lon_lat(at, x, y)?;
        coords.push(Coord { x, y });
    }
    if coords.len() < 4 {
        return Err(SectorError::DegenerateRing {
            feature: at.clone(),
            polygon,
            ring,
            positions: coords.len(),
        });
    }
    if coords.first() != coords.last() {
        return Err(SectorError::UnclosedRing {
            feature: at.clone(),
            polygon,
            ring,
        });
    }
    Ok(LineString::new(coords))
}

fn check_lon_lat(at: &FeatureRef, x: f64, y: f64) -> Result<(), SectorError> {
    if x.is_finite() && y.is_finite() && x.abs() <= 180.0 && y.abs() <= 90.0 {
        return Ok(());
    }
    // Metropolitan France in Lambert-93, with margin (see the glossary).
    if (50_000.0..=1_300_000.0).contains(&x) && (6_000_000.0..=7_200_000.0).contains(&y) {
        return Err(SectorError::LooksLikeLambert93 {
            feature: at.clone(),
            x,
            y,
        });
    }
    Err(SectorError::CoordinatesOutOfRange {
        feature: at.clone(),
        lon: x,
        lat: y,
    })
}

/// Exact test, no tolerance: a closed ring encloses no area when all its
/// vertices lie on one line, or when it only retraces its own edges (a spike
/// that goes out and comes back, as in the Paris map).
fn encloses_no_area(ring: &[Coord<f64>]) -> bool {
    let Some(&first) = ring.first() else {
        return true;
    };
    let collinear = match ring.iter().find(|c| **c != first) {
        None => true,
        Some(&second) => ring
            .iter()
            .all(|&c| RobustKernel::orient2d(first, second, c) == Orientation::Collinear),
    };
    collinear || retraces_itself(ring)
}

/// True when every edge a→b is cancelled by an edge b→a, so the winding
/// number is zero everywhere.
fn retraces_itself(ring: &[Coord<f64>]) -> bool {
    type Key = (u64, u64);
    // `+ 0.0` folds -0.0 into 0.0 so equal coordinates get equal keys.
    let key = |c: Coord<f64>| -> Key { ((c.x + 0.0).to_bits(), (c.y + 0.0).to_bits()) };
    let mut edges: Vec<((Key, Key), i32)> = ring
        .windows(2)
        .filter(|w| w[0] != w[1])
        .map(|w| {
            let (a, b) = (key(w[0]), key(w[1]));
            if a < b { ((a, b), 1) } else { ((b, a), -1) }
        })
        .collect();
    edges.sort_unstable_by_key(|(edge, _)| *edge);
    edges
        .chunk_by(|x, y| x.0 == y.0)
        .all(|same| same.iter().map(|(_, sign)| sign).sum::<i32>() == 0)
}

#[cfg(test)]
mod tests;
