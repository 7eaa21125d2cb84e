//! Checks against the real open data in /work/shared/data (read, never copied).

#[path = "../examples/accuracy/noise.rs"]
mod noise;

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::sync::OnceLock;

use passerelle_geocode::{
    AddressIndex, AddressIndexBuilder, BanAddress, CarteReport, CarteScolaire, GeocodeError,
    MatchKind, QueryProblem, Resolution, maybe_gunzip, read_ban,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const BAN: &str = "ban/adresses-75.csv.gz";
const CARTE: &str = "ille-et-vilaine/fr-en-carte-scolaire-colleges-publics.csv";
const FIXTURE: &str = "fixtures/paris-75111-ban-sample-expected-sector.csv";

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

struct Paris {
    rows: Vec<BanAddress>,
    index: AddressIndex,
}

/// The Paris BAN, read and indexed once for all tests of this binary.
fn paris() -> &'static Paris {
    static PARIS: OnceLock<Paris> = OnceLock::new();
    PARIS.get_or_init(|| {
        let file = File::open(data(BAN)).expect("readable BAN file");
        let mut rows = Vec::new();
        let mut builder = AddressIndexBuilder::new();
        let report = read_ban(maybe_gunzip(BufReader::new(file)).expect("gzip"), |a| {
            rows.push(a.clone());
            builder.push(a);
        })
        .unwrap_or_else(|e| panic!("{BAN} should read: {e}"));
        assert_eq!(report.rows, 158_048);
        assert_eq!(report.departements.iter().collect::<Vec<_>>(), ["75"]);
        Paris {
            rows,
            index: builder.build(),
        }
    })
}

fn first(q: &str) -> passerelle_geocode::SearchResult {
    paris()
        .index
        .search(q, 5)
        .unwrap_or_else(|e| panic!("{q:?}: {e}"))
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{q:?}: no result"))
}

#[test]
fn ban_rows_are_plausible_paris_addresses() {
    let p = paris();
    assert_eq!(p.index.len(), 158_048);
    assert!(p.index.street_count() > 7_000);
    for a in &p.rows {
        assert!(
            (48.80..48.91).contains(&a.lat) && (2.22..2.47).contains(&a.lon),
            "{}",
            a.id
        );
        assert!(a.citycode.starts_with("751"), "{}", a.id);
    }
}

#[test]
fn brief_examples() {
    let r = first("12 rue de la roq");
    assert_eq!(r.label, "12 Rue de la Roquette 75011 Paris");
    assert_eq!(r.kind, MatchKind::Exact);
    for q in [
        "12 RUE DE LA ROQUETTE",
        "12 r. de la roquete, Paris 11e",
        "12 rue de la roquette paris 11",
        "12 rue de la roquette 75012 Paris",
        "12, rue de la Roquette - 75011",
    ] {
        assert_eq!(first(q).label, "12 Rue de la Roquette 75011 Paris", "{q:?}");
    }
    assert_eq!(first("5 bd st germain").street, "Boulevard Saint-Germain");
    assert_eq!(
        first("10 fbg st antoine").street,
        "Rue du Faubourg Saint-Antoine"
    );
    assert_eq!(
        first("1 pl de la republique").street,
        "Place de la République"
    );
    assert_eq!(first("35 r du sentier paris 2e").street, "Rue du Sentier");
    assert_eq!(
        first("8 av des champs-élysées").street,
        "Avenue des Champs Elysées"
    );
}

#[test]
fn bis_and_ter_in_every_spelling() {
    let p = paris();
    let a = p
        .rows
        .iter()
        .find(|a| a.rep.as_deref() == Some("b") && a.street == "Boulevard Voltaire")
        .expect("a bis on boulevard Voltaire");
    for form in [" bis", "bis", "b", " B"] {
        let q = format!("{}{form} bd voltaire", a.housenumber);
        let r = first(&q);
        assert_eq!(r.id.as_deref(), Some(a.id.as_str()), "{q:?}");
        assert_eq!(r.kind, MatchKind::Exact);
        assert!(
            r.label
                .starts_with(&format!("{} bis Boulevard Voltaire", a.housenumber))
        );
    }
}

#[test]
fn a_number_missing_from_a_street_gives_its_nearest_number() {
    let exact = first("100 rue de la roquette");
    let near = first("998 rue de la roquette");
    assert_eq!(exact.kind, MatchKind::Exact);
    assert_eq!(near.kind, MatchKind::NearestNumber);
    assert_eq!(near.street, "Rue de la Roquette");
    assert!(near.score < exact.score);
}

#[test]
fn absurd_queries_are_refused_and_unknown_streets_give_nothing() {
    let index = &paris().index;
    let refused = |q: &str| matches!(index.search(q, 5), Err(GeocodeError::Query(_)));
    for q in [
        "",
        "x",
        "12",
        "75011",
        "de la",
        "du le des",
        "rue",
        "12 avenue",
        "Paris 11e",
        "?!;:",
    ] {
        assert!(refused(q), "{q:?} should be refused");
    }
    // Random 40-character garbage, letters only or mixed with punctuation.
    let mut rng = StdRng::seed_from_u64(7);
    for round in 0..200 {
        let pool: &[u8] = if round % 2 == 0 {
            b"abcdefghijklmnopqrstuvwxyz"
        } else {
            b"bcdfghjklmnpqrstvwxz0123456789.,;:!?#@"
        };
        let garbage: String = (0..40)
            .map(|_| pool[rng.random_range(0..pool.len())] as char)
            .collect();
        assert!(refused(&garbage), "garbage #{round} was not refused");
    }
    assert_eq!(
        index.search("12 rue Zorglub", 5).map(|r| r.len()).ok(),
        Some(0)
    );
    assert!(matches!(
        index.search("de la", 5),
        Err(GeocodeError::Query(QueryProblem::OnlyStopwords))
    ));
}

#[test]
fn every_fixture_address_is_found_exactly() {
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(data(FIXTURE))
        .expect("readable fixture");
    let mut n = 0;
    for row in csv.deserialize::<HashMap<String, String>>() {
        let row = row.expect("fixture row");
        let q = format!(
            "{}{} {} {}",
            row["numero"], row["rep"], row["nom_voie"], row["code_postal"]
        );
        let r = first(&q);
        assert_eq!(
            r.id.as_deref(),
            Some(row["ban_id"].as_str()),
            "{}",
            row["ban_id"]
        );
        let lat: f64 = row["lat"].parse().expect("lat");
        assert!((r.lat - lat).abs() < 1e-9);
        n += 1;
    }
    assert_eq!(n, 230);
}

#[test]
fn noisy_spellings_of_sampled_addresses_are_found_within_30_m() {
    let p = paris();
    let mut postcodes: Vec<String> = p.rows.iter().map(|a| a.postcode.clone()).collect();
    postcodes.sort();
    postcodes.dedup();
    let mut rng = StdRng::seed_from_u64(2024);
    let total = 500;
    let mut hits = 0;
    for _ in 0..total {
        let a = &p.rows[rng.random_range(0..p.rows.len())];
        let (q, _) = noise::noisy_query(a, &postcodes, &mut rng);
        if let Ok(r) = p.index.search(&q, 1)
            && let Some(r) = r.first()
        {
            hits += usize::from(noise::metres(r.lat, r.lon, a.lat, a.lon) <= 30.0);
        }
    }
    assert!(
        hits * 100 >= total * 98,
        "{hits}/{total} within 30 m, need 98%"
    );
}

fn carte() -> (CarteScolaire, CarteReport) {
    let file = File::open(data(CARTE)).expect("readable carte scolaire");
    CarteScolaire::read(BufReader::new(file)).unwrap_or_else(|e| panic!("{CARTE} should read: {e}"))
}

#[test]
fn carte_report_of_ille_et_vilaine() {
    let (carte, report) = carte();
    assert_eq!(report.rows, 5_416);
    assert_eq!(report.communes, 340);
    assert_eq!(report.colleges, 62);
    assert_eq!(report.whole_commune_rows, 348);
    assert_eq!(report.street_rows, 5_068);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(report.mixed_communes.is_empty());
    // The one contradiction of the file: odd numbers of a lieu-dit in Rennes
    // given to a shared sector of three collèges and to a fourth one.
    assert_eq!(report.conflicts.len(), 1, "{:?}", report.conflicts);
    let c = &report.conflicts[0];
    assert_eq!(
        (c.citycode.as_str(), c.street.as_str()),
        ("35238", "LIEU DIT LES 5 CHEMINS")
    );
    assert_eq!(c.lines, [1307, 1308, 2769, 2770]);
    assert!(matches!(
        carte.resolve("35238", "Lieu-dit les 5 Chemins", 3),
        Resolution::Conflict { .. }
    ));
    assert_eq!(
        carte.resolve("35238", "Lieu-dit les 5 Chemins", 4).uais(),
        ["0350760L"]
    );
    // Rennes lists many streets for three collèges at once.
    assert!(
        report
            .shared
            .iter()
            .filter(|s| s.citycode == "35238")
            .count()
            > 100
    );
    assert_eq!(
        carte.resolve("35238", "Allée Bisson", 1).uais(),
        ["0350895H", "0351638R", "0351796M"]
    );
    assert_eq!(
        carte.resolve("75111", "Rue de la Roquette", 12),
        Resolution::CommuneNotCovered
    );
}

#[test]
fn every_carte_row_resolves_to_its_college() {
    let (carte, report) = carte();
    let in_conflict: BTreeSet<u64> = report
        .conflicts
        .iter()
        .flat_map(|c| c.lines.clone())
        .collect();
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(data(CARTE))
        .expect("readable carte scolaire");
    let headers = csv.headers().expect("header").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap_or_else(|| panic!("column {name}"))
    };
    let (insee, street, start, start_rep, parity, uai, unique) = (
        col("code_insee"),
        col("Type_et_Libelle"),
        col("No_de_voie_debut"),
        col("Indice_de_repetition_debut"),
        col("Parite"),
        col("Code_RNE"),
        col("Secteur_unique"),
    );
    let mut checked = 0;
    // No field spans lines in this file: data row i is on line i + 2.
    for (i, record) in csv.records().enumerate() {
        let r = record.expect("row");
        let line = i as u64 + 2;
        if in_conflict.contains(&line) {
            continue;
        }
        let resolution = if &r[unique] == "O" {
            carte.resolve(&r[insee], "Rue Imaginaire du Test", 1)
        } else {
            let first: u32 = r[start].parse().unwrap_or(0);
            let mut n = first.max(1);
            if (&r[parity] == "P" && n % 2 == 1) || (&r[parity] == "I" && n.is_multiple_of(2)) {
                n += 1;
            }
            let rep = (n == first && !r[start_rep].is_empty()).then(|| &r[start_rep]);
            carte.resolve_with_rep(&r[insee], &r[street], n, rep)
        };
        assert!(
            resolution.uais().iter().any(|u| u == &r[uai]),
            "line {line}: expected {} in {resolution:?}",
            &r[uai]
        );
        checked += 1;
    }
    assert_eq!(checked + in_conflict.len(), 5_416);
}

// Hostile input: real files, broken; endless lines.

#[test]
fn broken_carte_files_name_the_line_and_the_problem() {
    use passerelle_geocode::TextProblem;
    let bytes = std::fs::read(data(CARTE)).unwrap();
    let mut at = bytes.len() / 2;
    while bytes[at - 1] == b'\n' || !bytes[at].is_ascii() {
        at += 1;
    }
    let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64;
    let read = |b: &[u8]| CarteScolaire::read(b).map(|_| ()).unwrap_err();
    assert!(
        matches!(read(&bytes[..at]), GeocodeError::Text(TextProblem::Truncated { line: l }) if l == line)
    );
    let nul = [&bytes[..at], b"\0", &bytes[at..]].concat();
    assert_eq!(
        read(&nul).to_string(),
        format!("line {line} holds a NUL byte: this is binary data, not text")
    );
}

#[test]
fn an_endless_line_stops_the_readers_after_one_mebibyte() {
    use std::io::Read;
    let endless = |header: &'static [u8]| header.chain(std::io::repeat(b'x').take(1 << 40));
    let header: &[u8] = b"id;numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon;lat\n";
    let err = read_ban(endless(header), |_| {}).unwrap_err();
    assert_eq!(err.to_string(), "line 2 is longer than 1 MiB");
    let header: &[u8] = b"code_insee;Type_et_Libelle;No_de_voie_debut;Indice_de_repetition_debut;No_de_voie_fin;Indice_de_repetition_fin;Parite;Code_RNE;Secteur_unique\n";
    let err = CarteScolaire::read(endless(header))
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.to_string(), "line 2 is longer than 1 MiB");
    // The header itself, too.
    let err = read_ban(std::io::repeat(b'x').take(1 << 40), |_| {}).unwrap_err();
    assert_eq!(err.to_string(), "line 1 is longer than 1 MiB");
}

#[test]
fn a_ban_file_cut_at_the_end_of_a_row_is_refused() {
    use std::io::Read;
    let mut text = Vec::new();
    maybe_gunzip(BufReader::new(File::open(data(BAN)).unwrap()))
        .unwrap()
        .take(200_000)
        .read_to_end(&mut text)
        .unwrap();
    // Without its line break the last row still reads as a whole row: only
    // the missing break shows that the download stopped there.
    let end = text.iter().rposition(|&b| b == b'\n').unwrap();
    let mut n = 0;
    read_ban(&text[..=end], |_| n += 1).unwrap();
    assert!(n > 500);
    let err = read_ban(&text[..end], |_| {}).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "line {} ends without a line break: the file looks truncated",
            n + 1
        )
    );
}

/// Found by `fuzz/run.sh` (carte_csv): a header ended by a lone CR (old Mac
/// files) put the rejected rows on line 1, and a file of such lines would
/// have been one line longer than 1 MiB.
#[test]
fn lone_cr_line_ends_count_as_lines() {
    let csv = "code_insee;Type_et_Libelle;No_de_voie_debut;Indice_de_repetition_debut;No_de_voie_fin;Indice_de_repetition_fin;Parite;Code_RNE;Secteur_unique\r\
               35238;R DE NANTES;2;;9999;;P;0350734H;N\r\
               35238;R DE BREST;2;;9999;;P;pas un UAI;N\r";
    let (carte, report) = CarteScolaire::read(csv.as_bytes()).unwrap();
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].line, 3);
    assert_eq!(
        carte.resolve("35238", "R DE NANTES", 4),
        Resolution::Found(vec!["0350734H".into()])
    );
    // 2 MiB of short CR-ended lines is not one long line.
    let mut big =
        String::from("id;numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon;lat\r");
    while big.len() < 2 << 20 {
        big.push_str("75111_1;1;;Rue A;75011;75111;Paris;2.37;48.85\r");
    }
    let report = read_ban(big.as_bytes(), |_| {}).unwrap();
    assert!(report.rows > 40_000);
}
