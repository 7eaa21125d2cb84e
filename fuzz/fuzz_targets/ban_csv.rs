//! The BAN CSV reader: any bytes give addresses or an error naming a
//! line, never a panic; every address it yields is sane.
#![no_main]

use libfuzzer_sys::fuzz_target;
use passerelle_geocode::{GeocodeError, read_ban};

fuzz_target!(|data: &[u8]| {
    let mut rows = 0u64;
    match read_ban(data, |a| {
        rows += 1;
        assert!(a.lat.abs() <= 90.0 && a.lon.abs() <= 180.0);
        assert!(!a.id.is_empty() && !a.street.is_empty() && !a.citycode.is_empty());
        assert!(a.rep.as_deref() != Some(""));
    }) {
        Ok(report) => assert_eq!(report.rows, rows),
        Err(GeocodeError::Row { line, .. }) => assert!(line >= 1),
        Err(_) => {}
    }
});
