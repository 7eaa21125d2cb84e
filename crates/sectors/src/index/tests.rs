use super::*;
use geo::{LineString, Polygon, polygon};

fn square(x0: f64, y0: f64, side: f64) -> Polygon<f64> {
    polygon![
        (x: x0, y: y0),
        (x: x0 + side, y: y0),
        (x: x0 + side, y: y0 + side),
        (x: x0, y: y0 + side),
    ]
}

#[test]
fn index_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<SectorIndex>();
}

#[test]
fn hole_is_outside_and_its_edge_inside() {
    let ring = |s: Polygon<f64>| s.exterior().clone();
    let donut = Polygon::new(
        ring(square(0.0, 0.0, 1.0)),
        vec![ring(square(0.4, 0.4, 0.2))],
    );
    let index = SectorIndex::new(vec![donut.into()]);
    assert_eq!(index.containing(0.5, 0.5, |_| true), None);
    assert_eq!(index.containing(0.4, 0.5, |_| true), Some(0));
    assert_eq!(index.containing(0.2, 0.5, |_| true), Some(0));
}

#[test]
fn point_in_a_hole_gets_distance_to_the_hole() {
    let ring = |s: Polygon<f64>| s.exterior().clone();
    let donut = Polygon::new(
        ring(square(0.0, 0.0, 1.0)),
        vec![ring(square(0.4, 0.4, 0.2))],
    );
    let index = SectorIndex::new(vec![donut.into()]);
    let hit = index.locate(0.5, 0.5, 1e6, |_| true).unwrap();
    let expected = 0.1 * METRES_PER_DEGREE; // at lat 0.5 the x scale is 0.99996 of it
    let MatchKind::Nearest { distance_m } = hit.kind else {
        panic!("{hit:?}");
    };
    assert!(
        (distance_m - expected).abs() < 1.0,
        "{distance_m} vs {expected}"
    );
}

#[test]
fn overlapping_sectors_lowest_id_wins_whatever_the_order() {
    let big = square(0.0, 0.0, 1.0);
    let small = square(0.2, 0.2, 0.1);
    let index = SectorIndex::new(vec![square(5.0, 5.0, 1.0).into(), small.into(), big.into()]);
    assert_eq!(index.containing(0.25, 0.25, |_| true), Some(1));
    assert_eq!(index.containing(0.25, 0.25, |id| id != 1), Some(2));
    assert_eq!(index.containing(0.8, 0.8, |_| true), Some(2));
}

#[test]
fn accept_is_asked_before_any_geometry_and_filters() {
    let index = SectorIndex::new(vec![square(0.0, 0.0, 1.0).into()]);
    assert_eq!(index.containing(0.5, 0.5, |_| false), None);
    assert_eq!(index.locate(0.5, 0.5, 1e6, |_| false), None);
}

#[test]
fn multipolygon_part_far_away_still_belongs_to_its_sector() {
    let multi = MultiPolygon::new(vec![square(0.0, 0.0, 1.0), square(10.0, 10.0, 1.0)]);
    let index = SectorIndex::new(vec![square(3.0, 3.0, 1.0).into(), multi]);
    assert_eq!(index.containing(10.5, 10.5, |_| true), Some(1));
    assert_eq!(index.geometry(1).0.len(), 2);
}

#[test]
fn nearest_picks_the_closer_sector_and_respects_the_radius() {
    // Two sectors either side of a 0.001° (~111 m at the equator) wide street; the point is
    // 0.0003° from the west one.
    let index = SectorIndex::new(vec![
        square(1.002, 0.0, 0.001).into(),
        square(1.0, 0.0, 0.001).into(),
    ]);
    let hit = index.locate(1.0013, 0.0005, 100.0, |_| true).unwrap();
    assert_eq!(hit.sector, 1);
    let MatchKind::Nearest { distance_m } = hit.kind else {
        panic!("{hit:?}");
    };
    let expected = 0.0003 * METRES_PER_DEGREE * 0.0005_f64.to_radians().cos();
    assert!(
        (distance_m - expected).abs() < 1e-6,
        "{distance_m} vs {expected}"
    );
    assert_eq!(index.locate(1.0013, 0.0005, 30.0, |_| true), None);
    assert_eq!(
        index
            .locate(1.0013, 0.0005, 100.0, |id| id == 0)
            .map(|h| h.sector),
        Some(0)
    );
}

#[test]
fn longitude_scale_shrinks_with_latitude() {
    // 0.001° of longitude at 60°N is half of what it is at the equator.
    let index = SectorIndex::new(vec![square(0.0, 59.0, 1.0).into()]);
    let hit = index.locate(1.001, 60.0, 1000.0, |_| true).unwrap();
    let MatchKind::Nearest { distance_m } = hit.kind else {
        panic!("{hit:?}");
    };
    let expected = 0.001 * METRES_PER_DEGREE * 0.5;
    assert!(
        (distance_m - expected).abs() < 1e-6,
        "{distance_m} vs {expected}"
    );
}

#[test]
fn local_frame_is_within_0_01_percent_of_the_sphere_at_1_km() {
    // A sector shrunk to a point near Paris; queries 1 km away in 16 directions.
    let (lon0, lat0) = (2.35, 48.85);
    let dot = square(lon0, lat0, 1e-9);
    let index = SectorIndex::new(vec![dot.into()]);
    let r = 6_371_008.8;
    for k in 0..16 {
        let bearing = k as f64 * std::f64::consts::TAU / 16.0;
        let lat = lat0 + 1000.0 * bearing.cos() / METRES_PER_DEGREE;
        let lon = lon0 + 1000.0 * bearing.sin() / (METRES_PER_DEGREE * lat0.to_radians().cos());
        let (p1, p2) = (lat0.to_radians(), lat.to_radians());
        let a = ((p2 - p1) / 2.0).sin().powi(2)
            + p1.cos() * p2.cos() * ((lon - lon0).to_radians() / 2.0).sin().powi(2);
        let haversine = 2.0 * r * a.sqrt().asin();
        let hit = index.locate(lon, lat, 2000.0, |_| true).unwrap();
        let MatchKind::Nearest { distance_m } = hit.kind else {
            panic!("{hit:?}");
        };
        let error = (distance_m - haversine).abs() / haversine;
        assert!(error < 1e-4, "bearing {k}/16: {distance_m} vs {haversine}");
    }
}

#[test]
fn equidistant_sectors_tie_to_the_lowest_id() {
    let index = SectorIndex::new(vec![
        square(2.0, 0.0, 1.0).into(),
        square(0.0, 0.0, 1.0).into(),
    ]);
    let hit = index.locate(1.5, 0.5, 1e6, |_| true).unwrap();
    assert_eq!(hit.sector, 0);
    let index = SectorIndex::new(vec![
        square(0.0, 0.0, 1.0).into(),
        square(2.0, 0.0, 1.0).into(),
    ]);
    assert_eq!(index.locate(1.5, 0.5, 1e6, |_| true).unwrap().sector, 0);
}

#[test]
fn non_finite_or_negative_inputs_find_nothing() {
    let index = SectorIndex::new(vec![square(0.0, 0.0, 1.0).into()]);
    assert_eq!(index.containing(f64::NAN, 0.5, |_| true), None);
    assert_eq!(index.locate(f64::NAN, 0.5, 1e6, |_| true), None);
    // 0.0001° (11 m) east of the square: found with a radius, not without.
    assert!(index.locate(1.0001, 0.5, 20.0, |_| true).is_some());
    assert_eq!(index.locate(1.0001, 0.5, -1.0, |_| true), None);
    assert_eq!(index.locate(1.0001, 0.5, f64::NAN, |_| true), None);
}

#[test]
fn empty_parts_are_skipped() {
    let empty = Polygon::new(LineString::new(vec![]), vec![]);
    let multi = MultiPolygon::new(vec![empty, square(0.0, 0.0, 1.0)]);
    let index = SectorIndex::new(vec![multi]);
    assert_eq!(index.containing(0.5, 0.5, |_| true), Some(0));
}

/// A star-like ring with many vertices.
fn star(n: usize) -> Vec<Coord<f64>> {
    let mut coords: Vec<Coord<f64>> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            let r = if i % 2 == 0 { 1.0 } else { 0.45 };
            Coord {
                x: r * a.cos(),
                y: r * a.sin(),
            }
        })
        .collect();
    coords.push(coords[0]);
    coords
}

#[test]
fn vertices_and_edge_points_are_inside() {
    let polygon = Polygon::new(LineString::new(star(100)), vec![]);
    let index = SectorIndex::new(vec![polygon.clone().into()]);
    for &vertex in &polygon.exterior().0 {
        assert_eq!(
            index.containing(vertex.x, vertex.y, |_| true),
            Some(0),
            "{vertex:?}"
        );
    }
    let flat = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 0.0, y: 1.0)];
    let index = SectorIndex::new(vec![flat.into()]);
    assert_eq!(index.containing(1.0, 0.0, |_| true), Some(0));
    assert_eq!(index.containing(2.0, 0.5, |_| true), Some(0));
    assert_eq!(index.containing(2.0, 1.5, |_| true), None);
}

#[test]
fn pruned_distance_matches_scanning_every_edge() {
    let coords = star(300);
    let polygon = Polygon::new(LineString::new(coords.clone()), vec![]);
    let frame = LocalFrame::new(0.2, 0.1);
    let all = coords
        .windows(2)
        .map(|w| segment_distance_sq(frame.local(w[0]), frame.local(w[1])))
        .fold(f64::INFINITY, f64::min);
    assert_eq!(frame.boundary_distance_sq(&polygon, f64::INFINITY), all);
    assert_eq!(frame.boundary_distance_sq(&polygon, all), all);
    assert_eq!(
        frame.boundary_distance_sq(&polygon, all * 0.999),
        f64::INFINITY
    );
}

#[test]
fn segment_distance_clamps_to_endpoints() {
    assert_eq!(segment_distance_sq((3.0, 4.0), (3.0, 10.0)), 25.0);
    assert_eq!(segment_distance_sq((-1.0, 2.0), (1.0, 2.0)), 4.0);
    assert_eq!(segment_distance_sq((1.0, 1.0), (1.0, 1.0)), 2.0);
}
