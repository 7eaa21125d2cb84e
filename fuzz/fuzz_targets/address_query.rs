//! The parser of typed addresses and the search behind it, over the first
//! BAN addresses of Paris: any text gives results or a refusal, never a
//! panic.
#![no_main]

use std::io::{BufReader, Read};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use passerelle_geocode::{AddressIndex, GeocodeError, QueryProblem, maybe_gunzip, read_ban};

/// Addresses indexed: enough for homonyms, prefixes and typos.
const ADDRESSES: usize = 30_000;

fn index() -> &'static AddressIndex {
    static INDEX: OnceLock<AddressIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let path = std::env::var("PASSERELLE_FUZZ_BAN").unwrap_or_else(|_| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/data/ban/adresses-75.csv.gz"
            )
            .into()
        });
        let file = std::fs::File::open(&path)
            .unwrap_or_else(|e| panic!("{path}: {e} (set PASSERELLE_FUZZ_BAN)"));
        let reader = maybe_gunzip(BufReader::new(file)).expect("gzip header");
        // Stop at a line end after ADDRESSES rows, so the CSV stays whole.
        let mut text = String::new();
        let mut lines = std::io::BufRead::lines(BufReader::new(reader.take(64 << 20)));
        for line in lines.by_ref().take(ADDRESSES + 1) {
            text.push_str(&line.expect("BAN text"));
            text.push('\n');
        }
        let mut all = Vec::new();
        read_ban(text.as_bytes(), |a| all.push(a)).expect("the BAN sample reads");
        AddressIndex::build(all)
    })
}

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let index = index();
    let parsed = index.parse_query(&query);
    match index.search(&query, 5) {
        Ok(results) => {
            assert!(parsed.is_ok(), "search answered a query the parser refused");
            assert!(results.len() <= 5);
            for r in &results {
                assert!((0.0..=1.0).contains(&r.score), "score {}", r.score);
                assert!(!r.label.is_empty());
            }
        }
        Err(GeocodeError::Query(problem)) => match &parsed {
            Ok(_) => assert_eq!(problem, QueryProblem::Unrecognised),
            Err(p) => assert_eq!(*p, problem),
        },
        Err(e) => panic!("search failed: {e}"),
    }
});
