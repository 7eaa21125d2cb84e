use super::*;

const SQUARE: &str = "[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.9],[2.3,48.8]]]";

fn fc(features: &str) -> String {
    format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#)
}

fn feature(properties: &str, geometry: &str) -> String {
    format!(r#"{{"type":"Feature","properties":{properties},"geometry":{geometry}}}"#)
}

fn polygon(coordinates: &str) -> String {
    format!(r#"{{"type":"Polygon","coordinates":{coordinates}}}"#)
}

fn parse(input: &str) -> Result<ParsedMap, SectorError> {
    parse_feature_collection(input.as_bytes(), "uai")
}

fn one(properties: &str, geometry: &str) -> Result<ParsedMap, SectorError> {
    parse(&fc(&feature(properties, geometry)))
}

fn err(result: Result<ParsedMap, SectorError>) -> (SectorError, String) {
    let e = result.expect_err("the map should be rejected");
    let text = e.to_string();
    assert!(!text.contains('\n'), "one line expected: {text}");
    (e, text)
}

#[test]
fn valid_polygon_becomes_one_part_multipolygon() {
    let map = one(r#"{"uai":"0752538B"}"#, &polygon(SQUARE)).unwrap();
    assert_eq!(map.sectors.len(), 1);
    assert_eq!(map.sectors[0].geometry.0.len(), 1);
    assert_eq!(map.sectors[0].geometry.0[0].exterior().0.len(), 5);
    assert_eq!(map.dropped_empty_parts, 0);
}

#[test]
fn invalid_json_says_where() {
    let (e, text) = err(parse("{\"type\":\n  \"FeatureCollection\",,}"));
    assert!(matches!(e, SectorError::InvalidJson(_)), "{e:?}");
    assert!(text.contains("line 2 column 23"), "{text}");
}

#[test]
fn utf8_bom_is_accepted() {
    let input = format!(
        "\u{feff}{}",
        fc(&feature(r#"{"uai":"0752538B"}"#, &polygon(SQUARE)))
    );
    assert_eq!(parse(&input).unwrap().sectors.len(), 1);
}

#[test]
fn a_single_feature_is_not_a_feature_collection() {
    let (e, text) = err(parse(&feature(r#"{"uai":"0752538B"}"#, &polygon(SQUARE))));
    assert!(
        matches!(e, SectorError::NotFeatureCollection { .. }),
        "{e:?}"
    );
    assert!(text.contains("\"Feature\""), "{text}");
}

#[test]
fn features_must_be_an_array() {
    let (e, _) = err(parse(r#"{"type":"FeatureCollection","features":{}}"#));
    assert!(
        matches!(e, SectorError::NotFeatureCollection { .. }),
        "{e:?}"
    );
}

#[test]
fn empty_feature_collection_is_rejected() {
    let (e, _) = err(parse(r#"{"type":"FeatureCollection","features":[]}"#));
    assert!(matches!(e, SectorError::NoFeatures), "{e:?}");
}

#[test]
fn member_of_features_must_be_a_feature() {
    let (e, text) = err(parse(&fc(&polygon(SQUARE))));
    assert!(matches!(e, SectorError::MalformedFeature { .. }), "{e:?}");
    assert!(text.starts_with("feature #0: "), "{text}");
}

#[test]
fn crs84_and_epsg_4326_are_accepted() {
    for name in [
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "EPSG:4326",
        "urn:ogc:def:crs:EPSG::4326",
    ] {
        let input = format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"{name}"}}}},"features":[{}]}}"#,
            feature(r#"{"uai":"0752538B"}"#, &polygon(SQUARE))
        );
        assert!(parse(&input).is_ok(), "{name} should be accepted");
    }
}

#[test]
fn other_crs_is_rejected_by_name() {
    let input = format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::2154"}}}},"features":[{}]}}"#,
        feature(r#"{"uai":"0752538B"}"#, &polygon(SQUARE))
    );
    let (e, text) = err(parse(&input));
    assert!(matches!(e, SectorError::UnsupportedCrs { .. }), "{e:?}");
    assert!(text.contains("urn:ogc:def:crs:EPSG::2154"), "{text}");
}

#[test]
fn missing_geometry_is_rejected() {
    let (e, text) = err(one(r#"{"uai":"0752538B"}"#, "null"));
    assert!(matches!(e, SectorError::MissingGeometry { .. }), "{e:?}");
    assert!(text.starts_with("feature #0"), "{text}");
}

#[test]
fn point_geometry_is_rejected() {
    let (e, text) = err(one(
        r#"{"uai":"0752538B","secteur_id":"S1"}"#,
        r#"{"type":"Point","coordinates":[2.3,48.8]}"#,
    ));
    assert!(
        matches!(e, SectorError::UnsupportedGeometry { .. }),
        "{e:?}"
    );
    assert!(
        text.contains("feature #0 (id S1)") && text.contains("Point"),
        "{text}"
    );
}

#[test]
fn non_numeric_position_is_rejected() {
    let (e, text) = err(one(
        r#"{"uai":"0752538B"}"#,
        &polygon(r#"[[[2.3,48.8],[2.4,"48.8"],[2.4,48.9],[2.3,48.8]]]"#),
    ));
    assert!(
        matches!(e, SectorError::MalformedCoordinates { .. }),
        "{e:?}"
    );
    assert!(text.contains("position 1"), "{text}");
}

#[test]
fn lambert_93_coordinates_are_named() {
    let (e, text) = err(one(
        r#"{"uai":"0752538B"}"#,
        &polygon("[[[652000,6862000],[652100,6862000],[652100,6862100],[652000,6862000]]]"),
    ));
    assert!(matches!(e, SectorError::LooksLikeLambert93 { .. }), "{e:?}");
    assert!(
        text.contains("Lambert-93 (EPSG:2154)") && text.contains("WGS84"),
        "{text}"
    );
}

#[test]
fn out_of_range_coordinates_are_rejected() {
    let (e, _) = err(one(
        r#"{"uai":"0752538B"}"#,
        &polygon("[[[2.3,48.8],[2.4,91],[2.4,48.9],[2.3,48.8]]]"),
    ));
    assert!(
        matches!(e, SectorError::CoordinatesOutOfRange { .. }),
        "{e:?}"
    );
}

#[test]
fn unclosed_ring_names_ring_and_polygon() {
    let geometry = format!(
        r#"{{"type":"MultiPolygon","coordinates":[{SQUARE},[[[2.5,48.8],[2.6,48.8],[2.6,48.9],[2.5,48.9]]]]}}"#
    );
    let (e, text) = err(one(r#"{"uai":"0752538B","id":"X9"}"#, &geometry));
    assert!(
        matches!(
            e,
            SectorError::UnclosedRing {
                polygon: 1,
                ring: 0,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        text.contains("ring 0 of polygon 1") && text.contains("(id X9)"),
        "{text}"
    );
}

#[test]
fn ring_with_three_positions_is_degenerate() {
    let (e, text) = err(one(
        r#"{"uai":"0752538B"}"#,
        &polygon("[[[2.3,48.8],[2.4,48.8],[2.3,48.8]]]"),
    ));
    assert!(
        matches!(e, SectorError::DegenerateRing { positions: 3, .. }),
        "{e:?}"
    );
    assert!(text.contains("degenerate ring 0 of polygon 0"), "{text}");
}

#[test]
fn collapsed_parts_are_dropped_and_counted() {
    // The collapsed part is the real one quoted from the Paris map; the
    // second one retraces a path (out and back), also seen in Paris.
    let geometry = format!(
        r#"{{"type":"MultiPolygon","coordinates":[
                [[[2.3546,48.83067],[2.35447,48.83063],[2.35447,48.83063],[2.3546,48.83067],[2.3546,48.83067]]],
                {SQUARE},
                [[[2.38643,48.87102],[2.38652,48.871],[2.38643,48.87102],[2.38607,48.87139],[2.38643,48.87102]]]]}}"#
    );
    let map = one(r#"{"uai":"0752538B"}"#, &geometry).unwrap();
    assert_eq!(map.dropped_empty_parts, 2);
    assert_eq!(map.sectors[0].geometry.0.len(), 1);
    assert_eq!(
        map.sectors[0].geometry.0[0].exterior().0[1],
        Coord { x: 2.4, y: 48.8 }
    );
}

#[test]
fn collapsed_hole_is_dropped_but_real_hole_kept() {
    let rings = "[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.9],[2.3,48.8]],
            [[2.33,48.83],[2.34,48.84],[2.33,48.83],[2.33,48.83]],
            [[2.35,48.85],[2.35,48.86],[2.36,48.86],[2.35,48.85]]]";
    let map = one(r#"{"uai":"0752538B"}"#, &polygon(rings)).unwrap();
    assert_eq!(map.dropped_empty_parts, 0);
    assert_eq!(map.sectors[0].geometry.0[0].interiors().len(), 1);
}

#[test]
fn feature_without_any_area_is_degenerate() {
    let (e, text) = err(one(
        r#"{"uai":"0752538B"}"#,
        &polygon(
            "[[[2.3546,48.83067],[2.35447,48.83063],[2.35447,48.83063],[2.3546,48.83067],[2.3546,48.83067]]]",
        ),
    ));
    assert!(
        matches!(e, SectorError::DegenerateGeometry { parts: 1, .. }),
        "{e:?}"
    );
    assert!(text.contains("degenerate geometry"), "{text}");
}

#[test]
fn bow_tie_is_refused_as_self_intersecting() {
    let (e, text) = err(one(
        r#"{"uai":"0752538B","id":"B1"}"#,
        &polygon("[[[2.3,48.8],[2.4,48.9],[2.4,48.8],[2.3,48.9],[2.3,48.8]]]"),
    ));
    assert!(
        matches!(
            e,
            SectorError::InvalidGeometry {
                polygon: 0,
                ring: 0,
                fault: GeometryFault::SelfIntersection,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        text.contains("feature #0 (id B1)") && text.contains("self-intersection"),
        "{text}"
    );
}

#[test]
fn self_intersecting_hole_names_its_ring() {
    let rings = "[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.9],[2.3,48.8]],
            [[2.32,48.82],[2.34,48.84],[2.34,48.82],[2.32,48.84],[2.32,48.82]]]";
    let (e, _) = err(one(r#"{"uai":"0752538B"}"#, &polygon(rings)));
    assert!(
        matches!(
            e,
            SectorError::InvalidGeometry {
                ring: 1,
                fault: GeometryFault::SelfIntersection,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn hole_outside_its_shell_is_refused_by_its_input_ring() {
    // Ring 1 collapses and is dropped; ring 2 lies outside the square.
    let rings = "[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.9],[2.3,48.8]],
            [[2.33,48.83],[2.34,48.84],[2.33,48.83],[2.33,48.83]],
            [[2.5,48.85],[2.5,48.86],[2.6,48.86],[2.5,48.85]]]";
    let geometry = format!(r#"{{"type":"MultiPolygon","coordinates":[{SQUARE},{rings}]}}"#);
    let (e, text) = err(one(r#"{"uai":"0752538B"}"#, &geometry));
    assert!(
        matches!(
            e,
            SectorError::InvalidGeometry {
                polygon: 1,
                ring: 2,
                fault: GeometryFault::HoleOutsideShell,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(text.contains("ring 2 of polygon 1"), "{text}");
}

#[test]
fn hole_touching_its_shell_at_a_point_is_valid() {
    let rings = "[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.9],[2.3,48.8]],
            [[2.3,48.85],[2.35,48.84],[2.36,48.86],[2.3,48.85]]]";
    let map = one(r#"{"uai":"0752538B"}"#, &polygon(rings)).unwrap();
    assert_eq!(map.sectors[0].geometry.0[0].interiors().len(), 1);
}

#[test]
fn nearly_flat_but_real_sliver_is_kept() {
    // From the Paris map: 3.6e-20 square degrees, not zero. Its ring
    // also crosses itself over about 2 m², which its sector's area
    // (here a square) makes a drawing slip.
    let geometry = format!(
        r#"{{"type":"MultiPolygon","coordinates":[{SQUARE},
                [[[2.34007,48.89029],[2.34007,48.89028],[2.34011,48.89045],[2.34015,48.8906],[2.34007,48.89029]]]]}}"#
    );
    let map = one(r#"{"uai":"0752538B"}"#, &geometry).unwrap();
    assert_eq!(map.dropped_empty_parts, 0);
    assert_eq!(map.sectors[0].geometry.0.len(), 2);
}

#[test]
fn a_sliver_crossing_itself_alone_is_refused() {
    let (e, _) = err(one(
        r#"{"uai":"0752538B"}"#,
        &polygon(
            "[[[2.34007,48.89029],[2.34007,48.89028],[2.34011,48.89045],[2.34015,48.8906],[2.34007,48.89029]]]",
        ),
    ));
    assert!(
        matches!(
            e,
            SectorError::InvalidGeometry {
                fault: GeometryFault::SelfIntersection,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn a_ring_touching_itself_at_a_corner_is_kept() {
    // Two squares drawn as one ring through their shared corner.
    let map = one(
            r#"{"uai":"0752538B"}"#,
            &polygon("[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.5,48.9],[2.5,49.0],[2.4,49.0],[2.4,48.9],[2.3,48.9],[2.3,48.8]]]"),
        )
        .unwrap();
    assert_eq!(map.sectors[0].geometry.0.len(), 1);
}

#[test]
fn missing_uai_property_is_named() {
    let (e, text) = err(one(r#"{"nom":"Rodin"}"#, &polygon(SQUARE)));
    assert!(matches!(e, SectorError::MissingUai { .. }), "{e:?}");
    assert!(text.contains("\"uai\""), "{text}");
}

#[test]
fn empty_uai_list_is_missing() {
    let (e, _) = err(one(r#"{"uai":[" ",""]}"#, &polygon(SQUARE)));
    assert!(matches!(e, SectorError::MissingUai { .. }), "{e:?}");
}

#[test]
fn malformed_uai_is_rejected() {
    let (e, text) = err(one(r#"{"uai":["0752538B","075253B"]}"#, &polygon(SQUARE)));
    assert!(matches!(e, SectorError::InvalidUai { .. }), "{e:?}");
    assert!(text.contains("075253B"), "{text}");
}

#[test]
fn numeric_uai_is_rejected() {
    let (e, _) = err(one(r#"{"uai":590057}"#, &polygon(SQUARE)));
    assert!(matches!(e, SectorError::InvalidUai { .. }), "{e:?}");
}

#[test]
fn ids_and_names_follow_the_fallback_order() {
    let input = fc(&[
            feature(r#"{"uai":"0752538B","secteur_id":"S","id":"P","nom":"N","noms":["A"]}"#, &polygon(SQUARE)),
            format!(
                r#"{{"type":"Feature","id":"F","properties":{{"uai":"0752538B","id":12,"libelle":" L "}},"geometry":{}}}"#,
                polygon(SQUARE)
            ),
            format!(
                r#"{{"type":"Feature","id":"F","properties":{{"uai":"0752538B","noms":["A","B"]}},"geometry":{}}}"#,
                polygon(SQUARE)
            ),
            feature(r#"{"uai":"0752538B"}"#, &polygon(SQUARE)),
        ]
        .join(","));
    let map = parse(&input).unwrap();
    let got: Vec<_> = map
        .sectors
        .iter()
        .map(|s| (s.feature_index, s.external_id.as_deref(), s.name.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (0, Some("S"), Some("N")),
            (1, Some("12"), Some("L")),
            (2, Some("F"), Some("A / B")),
            (3, None, None),
        ]
    );
}
