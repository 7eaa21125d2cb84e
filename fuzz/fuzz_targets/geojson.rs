//! The GeoJSON sector-map importer: any bytes give a map or an error,
//! never a panic, and an accepted map is usable by the index.
#![no_main]

use libfuzzer_sys::fuzz_target;
use passerelle_sectors::{SectorIndex, parse_feature_collection};

fuzz_target!(|data: &[u8]| {
    for property in ["uais", "codeuai"] {
        let Ok(map) = parse_feature_collection(data, property) else {
            continue;
        };
        assert!(!map.sectors.is_empty());
        let mut probe = None;
        for s in &map.sectors {
            assert!(!s.uais.is_empty(), "a sector without UAI was accepted");
            for c in s.geometry.0.iter().flat_map(|p| p.exterior().0.iter()) {
                assert!(c.x.abs() <= 180.0 && c.y.abs() <= 90.0, "{c:?}");
                probe.get_or_insert((c.x, c.y));
            }
        }
        let index = SectorIndex::new(map.sectors.iter().map(|s| s.geometry.clone()).collect());
        if let Some((lon, lat)) = probe
            && let Some(hit) = index.locate(lon, lat, 50.0, |_| true)
        {
            assert!(hit.sector < map.sectors.len());
        }
    }
});
