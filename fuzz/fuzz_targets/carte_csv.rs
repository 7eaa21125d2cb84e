//! The address-range carte scolaire reader: any bytes give a carte or an
//! error, never a panic; the carte answers any address.
#![no_main]

use libfuzzer_sys::fuzz_target;
use passerelle_geocode::{CarteScolaire, Resolution};

fuzz_target!(|data: &[u8]| {
    let Ok((carte, report)) = CarteScolaire::read(data) else {
        return;
    };
    for r in &report.rejected {
        assert!(r.line >= 2, "a rejected row on the header line");
    }
    // Ask for the streets the file names, with a few numbers.
    let text = String::from_utf8_lossy(data);
    for line in text.lines().skip(1).take(20) {
        let fields: Vec<&str> = line.split(';').collect();
        let (Some(insee), Some(street)) = (fields.first(), fields.get(2)) else {
            continue;
        };
        for n in [0, 1, 2, 13, 9999, u32::MAX] {
            for rep in [None, Some("bis"), Some("")] {
                if let Resolution::Found(uais) = carte.resolve_with_rep(insee, street, n, rep) {
                    assert!(!uais.is_empty());
                }
            }
        }
    }
});
