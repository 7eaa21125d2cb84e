//! Checks against the real open data in /work/shared/data (read, never copied).

use std::collections::HashMap;
use std::path::PathBuf;

use geo::{BoundingRect, Distance, Euclidean, Intersects, MapCoords, MultiPolygon, Point};
use passerelle_sectors::{MatchKind, ParsedMap, SectorIndex, parse_feature_collection};

const PARIS: &str = "paris/secteurs-colleges-2024-2025.geojson";
const LILLE: &str = "lille/secteurs-colleges-mel-2022.geojson";
const METRES_PER_DEGREE: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

fn data(relative: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(relative);
    assert!(
        path.is_file(),
        "missing shared data file {} (tests read the real open data from \
         /work/shared/data, i.e. ../../../shared/data from the crate)",
        path.display()
    );
    path
}

fn load(relative: &str, uai_property: &str) -> ParsedMap {
    let bytes = std::fs::read(data(relative)).expect("readable data file");
    parse_feature_collection(&bytes, uai_property)
        .unwrap_or_else(|e| panic!("{relative} should parse: {e}"))
}

fn index_of(map: &ParsedMap) -> SectorIndex {
    SectorIndex::new(map.sectors.iter().map(|s| s.geometry.clone()).collect())
}

fn csv_rows(relative: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(data(relative))
        .expect("readable CSV");
    let headers: Vec<String> = reader
        .headers()
        .expect("CSV header")
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("CSV record");
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

fn f64_of(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|e| panic!("column {column} = {:?}: {e}", row[column]))
}

/// SplitMix64 uniform points in a box, reproducible.
fn random_points(n: usize, (x0, y0, x1, y1): (f64, f64, f64, f64)) -> Vec<(f64, f64)> {
    let mut seed = 7_u64;
    let mut next = move || {
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| (x0 + next() * (x1 - x0), y0 + next() * (y1 - y0)))
        .collect()
}

const PARIS_BBOX: (f64, f64, f64, f64) = (2.22927, 48.81626, 2.46386, 48.90216);
const LILLE_BBOX: (f64, f64, f64, f64) = (2.71947, 50.49269, 3.28689, 50.79470);

#[test]
fn paris_map_parses() {
    let map = load(PARIS, "uais");
    assert_eq!(map.sectors.len(), 110);
    // 15 collinear parts and 4 out-and-back spikes, counted independently with exact arithmetic.
    assert_eq!(map.dropped_empty_parts, 19);
    let first = &map.sectors[0];
    assert_eq!(first.external_id.as_deref(), Some("PARIS-2024-001"));
    assert_eq!(first.name.as_deref(), Some("Collège Rodin"));
    assert_eq!(first.uais, ["0752538B"]);
    let two_colleges = map.sectors.iter().filter(|s| s.uais.len() == 2).count();
    assert_eq!(
        two_colleges, 3,
        "the README says three sectors have two collèges"
    );
    let parts: usize = map.sectors.iter().map(|s| s.geometry.0.len()).sum();
    assert_eq!(parts + map.dropped_empty_parts, 5999);
}

#[test]
fn lille_map_parses() {
    let map = load(LILLE, "codeuai");
    assert_eq!(map.sectors.len(), 75);
    assert_eq!(map.dropped_empty_parts, 0);
    let multi = map
        .sectors
        .iter()
        .filter(|s| s.geometry.0.len() > 1)
        .count();
    assert_eq!(multi, 2);
    assert_eq!(map.sectors[0].uais, ["0590057S"]);
    assert!(
        map.sectors
            .iter()
            .all(|s| s.uais.len() == 1 && s.external_id.is_none())
    );
}

#[test]
fn paris_fixture_addresses_get_the_expected_sector() {
    let map = load(PARIS, "uais");
    let index = index_of(&map);
    let rows = csv_rows("fixtures/paris-75111-ban-sample-expected-sector.csv");
    assert_eq!(rows.len(), 230);
    let (mut inside, mut nearest, mut worst_gap) = (0, 0, 0.0_f64);
    for row in &rows {
        let (lon, lat) = (f64_of(row, "lon"), f64_of(row, "lat"));
        let hit = index
            .locate(lon, lat, 200.0, |_| true)
            .unwrap_or_else(|| panic!("{} found no sector", row["ban_id"]));
        let sector = &map.sectors[hit.sector];
        assert_eq!(
            sector.uais.join("+"),
            row["expected_uais"],
            "{}",
            row["ban_id"]
        );
        assert_eq!(
            sector.external_id.as_deref(),
            Some(row["expected_secteur_id"].as_str())
        );
        match (row["match"].as_str(), hit.kind) {
            ("inside", MatchKind::Inside) => inside += 1,
            ("nearest", MatchKind::Nearest { distance_m }) => {
                let expected = f64_of(row, "distance_to_sector_m");
                let gap = (distance_m - expected).abs();
                assert!(
                    gap <= 1.0_f64.max(0.01 * expected),
                    "{}: {distance_m:.2} m, expected {expected} m",
                    row["ban_id"]
                );
                // Tighter: the fixture rounds to 0.1 m, and our sphere differs from
                // the ellipsoid by up to 0.3% east-west (see `SectorIndex::locate`).
                assert!(gap <= 0.05 + 0.004 * expected, "{}: {gap} m", row["ban_id"]);
                worst_gap = worst_gap.max(gap);
                nearest += 1;
            }
            (expected, got) => panic!("{}: expected {expected}, got {got:?}", row["ban_id"]),
        }
    }
    assert_eq!((inside, nearest), (200, 30));
    eprintln!("worst gap to the fixture's nearest distance: {worst_gap:.3} m");
}

/// Checks `containing` on random points against geo's `Intersects` tried on
/// every polygon part whose bounding box holds the point; returns how many
/// points were inside a sector.
fn check_containing_by_brute_force(map: &ParsedMap, bbox: (f64, f64, f64, f64), n: usize) -> usize {
    let index = index_of(map);
    let parts: Vec<_> = map
        .sectors
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.geometry
                .iter()
                .map(move |p| (i, p.bounding_rect().unwrap(), p))
        })
        .collect();
    let mut found = 0;
    for (lon, lat) in random_points(n, bbox) {
        let point = Point::new(lon, lat);
        let brute = parts
            .iter()
            .filter(|(_, rect, polygon)| rect.intersects(&point) && polygon.intersects(&point))
            .map(|(sector, _, _)| *sector)
            .min();
        assert_eq!(
            index.containing(lon, lat, |_| true),
            brute,
            "at ({lon}, {lat})"
        );
        found += usize::from(brute.is_some());
    }
    found
}

#[test]
fn paris_random_points_match_a_brute_force_scan() {
    let found = check_containing_by_brute_force(&load(PARIS, "uais"), PARIS_BBOX, 20_000);
    // Blocks cover about 36% of the bounding box (streets, the Seine, the two
    // woods and the suburbs around Paris are in no sector).
    assert!((6_000..9_000).contains(&found), "{found} of 20000 inside");
}

#[test]
fn lille_random_points_match_a_brute_force_scan() {
    // Unlike Paris's blocks, Lille's rings are long (up to 2,079 vertices).
    let found = check_containing_by_brute_force(&load(LILLE, "codeuai"), LILLE_BBOX, 5_000);
    assert!((2_500..3_500).contains(&found), "{found} of 5000 inside");
}

/// Checks every `Nearest` answer among random points against geo's Euclidean
/// distance in the same local metric frame, over all sectors; returns how many.
fn check_nearest_by_brute_force(
    map: &ParsedMap,
    bbox: (f64, f64, f64, f64),
    n: usize,
    max_distance_m: f64,
) -> usize {
    let index = index_of(map);
    let mut checked = 0;
    for (lon, lat) in random_points(n, bbox) {
        let Some(hit) = index.locate(lon, lat, max_distance_m, |_| true) else {
            continue;
        };
        let MatchKind::Nearest { distance_m } = hit.kind else {
            continue;
        };
        // Independent computation: geo's Euclidean distance in the same local metric frame.
        let (kx, ky) = (
            METRES_PER_DEGREE * lat.to_radians().cos(),
            METRES_PER_DEGREE,
        );
        let local = |m: &MultiPolygon<f64>| {
            m.map_coords(|c| geo::coord! { x: (c.x - lon) * kx, y: (c.y - lat) * ky })
        };
        let origin = Point::new(0.0, 0.0);
        let (best, best_d) = map
            .sectors
            .iter()
            .enumerate()
            // Only sectors whose box is within reach: the rest cannot win.
            .filter(|(_, s)| {
                let b = s.geometry.bounding_rect().unwrap();
                Euclidean.distance(&origin, &local(&MultiPolygon::from(b.to_polygon())))
                    <= max_distance_m
            })
            .map(|(i, s)| (i, Euclidean.distance(&origin, &local(&s.geometry))))
            .fold(
                (usize::MAX, f64::INFINITY),
                |a, b| if b.1 < a.1 { b } else { a },
            );
        assert_eq!(hit.sector, best, "at ({lon}, {lat})");
        assert!(
            (distance_m - best_d).abs() < 1e-6,
            "{distance_m} vs {best_d}"
        );
        checked += 1;
    }
    checked
}

#[test]
fn paris_nearest_matches_a_brute_force_distance() {
    let checked = check_nearest_by_brute_force(&load(PARIS, "uais"), PARIS_BBOX, 3_000, 100.0);
    assert!(checked > 300, "only {checked} street-gap points checked");
}

#[test]
fn lille_nearest_matches_a_brute_force_distance() {
    let checked = check_nearest_by_brute_force(&load(LILLE, "codeuai"), LILLE_BBOX, 3_000, 3_000.0);
    assert!(
        checked > 50,
        "only {checked} points near the outer edge checked"
    );
}

#[test]
fn lille_public_colleges_resolve_to_their_own_sector() {
    let map = load(LILLE, "codeuai");
    let index = index_of(&map);
    let mut own = 0;
    let mut wrong = Vec::new();
    for row in csv_rows("national/colleges-geolocalisation.csv") {
        if row["secteur_public_prive_libe"] != "Public" || row["latitude"].is_empty() {
            continue;
        }
        let (lon, lat) = (f64_of(&row, "longitude"), f64_of(&row, "latitude"));
        let Some(sector) = index.containing(lon, lat, |_| true) else {
            continue;
        };
        let uai = row["numero_uai"].as_str();
        if map.sectors[sector].uais.iter().any(|u| u == uai) {
            own += 1;
        } else {
            wrong.push((uai.to_owned(), map.sectors[sector].uais.join("+")));
        }
    }
    // Collège Émile Zola, Wattrelos (174 rue de la Baillerie, geocoded
    // "Parfaite" here and at the same spot in the MEL IPS file) stands about
    // 530 m inside the sector of Collège Pablo Néruda and 540 m from its own
    // sector: a collège need not lie in its own catchment. Néruda's building
    // is in Néruda's sector, so the two codes are not swapped in the map.
    let exceptions = [("0595169Y".to_owned(), "0594392D".to_owned())];
    assert_eq!(wrong, exceptions, "collèges found in another sector");
    assert_eq!(own, 74);
}

// Hostile input: the real Paris map, broken.

/// A cut on an ASCII byte in the middle of a line, near the middle.
fn middle(bytes: &[u8]) -> usize {
    let mut at = bytes.len() / 2;
    while !bytes[at].is_ascii() {
        at += 1;
    }
    at
}

#[test]
fn broken_paris_maps_are_json_errors_with_line_and_column() {
    let bytes = std::fs::read(data(PARIS)).unwrap();
    let at = middle(&bytes);
    let string = at + bytes[at..].iter().position(|&b| b == b'"').unwrap() + 2;
    for (what, broken) in [
        ("truncated", bytes[..at].to_vec()),
        ("NUL", [&bytes[..string], b"\0", &bytes[string..]].concat()),
        (
            "Latin-1",
            [&bytes[..string], b"\xE9", &bytes[string..]].concat(),
        ),
    ] {
        let err = parse_feature_collection(&broken, "uais")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid JSON: ") && err.contains(" line ") && err.contains(" column "),
            "{what}: {err}"
        );
    }
}

#[test]
fn escaped_control_characters_in_names_and_ids_are_refused() {
    let feature = |props: &str| {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"uais":["0752538B"],{props}}},
            "geometry":{{"type":"Polygon","coordinates":[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.8]]]}}}}]}}"#
        )
    };
    let err = parse_feature_collection(feature(r#""noms":["Rodin\u0000"]"#).as_bytes(), "uais")
        .unwrap_err()
        .to_string();
    assert!(err.contains("its name holds a control character"), "{err}");
    let err = parse_feature_collection(feature(r#""secteur_id":"S\n1""#).as_bytes(), "uais")
        .unwrap_err()
        .to_string();
    assert!(err.contains("its id holds a control character"), "{err}");
    assert!(!err.contains('\n'), "{err}");
    parse_feature_collection(feature(r#""noms":["Rodin"]"#).as_bytes(), "uais").unwrap();
}

#[test]
fn a_map_above_the_size_limit_is_refused_unread() {
    let limit = passerelle_sectors::MAX_MAP_BYTES as usize;
    let mut big = std::fs::read(data(PARIS)).unwrap();
    big.resize(limit + 1, b' ');
    let err = parse_feature_collection(&big, "uais")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "the map is 268435457 bytes, more than the 268435456 bytes (256 MiB) a sector map may have"
    );
    // Just at the limit, trailing white space is still JSON.
    big.truncate(limit);
    assert_eq!(
        parse_feature_collection(&big, "uais")
            .unwrap()
            .sectors
            .len(),
        110
    );
}
