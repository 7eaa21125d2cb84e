//! Hostile and broken files given to every importer: a real file cut in the
//! middle, a NUL byte, a 1 GB line, invalid UTF-8. Each must fail with one
//! readable line and leave the database exactly as it was.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use sea_orm::{ConnectionTrait, Database, Statement};

use crate::common::{TestDb, both_backends, shared_data};

/// What the importers write, read back as text, table by table.
const SNAPSHOT: &[&str] = &[
    "SELECT name, CAST(version AS TEXT) FROM data_versions ORDER BY name",
    "SELECT uai, name, CAST(lat AS TEXT), CAST(lon AS TEXT), CAST(imported_at AS TEXT) FROM schools ORDER BY uai",
    "SELECT uai, school_year, CAST(ips AS TEXT), CAST(pupils AS TEXT) FROM school_ips ORDER BY uai, school_year",
    "SELECT CAST(id AS TEXT), territory, school_year, CAST(sector_count AS TEXT) FROM sector_maps ORDER BY id",
    "SELECT CAST(id AS TEXT), CAST(map_id AS TEXT), name, geometry FROM sectors ORDER BY id",
    "SELECT CAST(sector_id AS TEXT), uai FROM sector_schools ORDER BY sector_id, uai",
    "SELECT zone, CAST(start_date AS TEXT), CAST(end_date AS TEXT), description FROM school_holidays ORDER BY id",
    "SELECT department, CAST(row_count AS TEXT), CAST(LENGTH(data) AS TEXT) FROM address_files ORDER BY department",
    "SELECT school_year, departments, CAST(row_count AS TEXT), CAST(LENGTH(data) AS TEXT) FROM carte_files ORDER BY school_year, departments",
];

type Rows = Vec<Vec<Option<String>>>;

async fn snapshot(db: &TestDb) -> Vec<Rows> {
    let conn = Database::connect(db.url.as_str()).await.expect("connect");
    let backend = conn.get_database_backend();
    let mut tables = Vec::new();
    for sql in SNAPSHOT {
        let rows = conn
            .query_all_raw(Statement::from_string(backend, *sql))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        tables.push(
            rows.iter()
                .map(|row| {
                    (0..row.column_names().len())
                        .map(|i| row.try_get_by_index::<Option<String>>(i).expect("text"))
                        .collect()
                })
                .collect(),
        );
    }
    conn.close().await.ok();
    tables
}

/// A file of one short line and one line of 1 GiB, written once and shared
/// by the tests that run at the same time; deleted when the last one ends.
struct BigLine {
    dir: tempfile::TempDir,
}

impl BigLine {
    fn path(&self) -> PathBuf {
        self.dir.path().join("one-gigabyte-line.txt")
    }

    fn gz(&self) -> PathBuf {
        self.dir.path().join("one-gigabyte-line.csv.gz")
    }

    fn shared() -> Arc<Self> {
        static SHARED: Mutex<Weak<BigLine>> = Mutex::new(Weak::new());
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(big) = shared.upgrade() {
            return big;
        }
        let big = Arc::new(Self {
            dir: tempfile::tempdir().expect("temp dir"),
        });
        let chunk = vec![b'x'; 1 << 20];
        let mut file = std::io::BufWriter::new(std::fs::File::create(big.path()).unwrap());
        // The same bytes gzipped: about 1 MB that a reader must not inflate whole.
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(big.gz()).unwrap(),
            flate2::Compression::fast(),
        );
        // The columns of both the BAN and the carte scolaire, so that their
        // readers get past the header.
        let header = "id;numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon;lat;\
                      Type_et_Libelle;No_de_voie_debut;Indice_de_repetition_debut;No_de_voie_fin;\
                      Indice_de_repetition_fin;Parite;Code_RNE;Secteur_unique\n";
        for out in [&mut file as &mut dyn Write, &mut gz] {
            out.write_all(header.as_bytes()).unwrap();
        }
        for _ in 0..1024 {
            file.write_all(&chunk).unwrap();
            gz.write_all(&chunk).unwrap();
        }
        file.into_inner().unwrap().sync_all().unwrap();
        gz.finish().unwrap();
        *shared = Arc::downgrade(&big);
        big
    }
}

/// One importer: its command line, a real file to break, and the words its
/// errors must hold.
struct Importer {
    name: &'static str,
    args: &'static [&'static str],
    valid: PathBuf,
    victim: Vec<u8>,
    /// The start of the 1 GB-line error.
    too_long: &'static str,
    /// Whether the format is JSON (errors say "line L column C").
    json: bool,
}

/// The first `lines` lines of the Paris BAN file, as plain CSV.
fn ban_prefix(lines: usize) -> Vec<u8> {
    use std::io::{BufRead, BufReader};
    let gz = std::fs::File::open(shared_data("ban/adresses-75.csv.gz")).unwrap();
    let reader = BufReader::new(flate2::read::MultiGzDecoder::new(gz));
    let mut out = Vec::new();
    for line in reader.lines().take(lines) {
        out.extend_from_slice(line.unwrap().as_bytes());
        out.push(b'\n');
    }
    out
}

fn importers(dir: &Path) -> Vec<Importer> {
    let read = |p: &str| std::fs::read(shared_data(p)).unwrap();
    let ban = dir.join("adresses-75-start.csv");
    std::fs::write(&ban, ban_prefix(3001)).unwrap();
    vec![
        Importer {
            name: "sectors",
            args: &["--territory", "paris", "--year", "2024-2025", "--replace"],
            valid: shared_data("fixtures/paris-75111-secteurs-subset.geojson"),
            victim: read("paris/secteurs-colleges-2024-2025.geojson"),
            too_long: "the map is 1073742021 bytes, more than the 268435456 bytes (256 MiB)",
            json: true,
        },
        Importer {
            name: "schools",
            args: &[],
            valid: shared_data("national/colleges-geolocalisation.csv"),
            victim: read("national/colleges-geolocalisation.csv"),
            too_long: "line 2 is longer than 1 MiB",
            json: false,
        },
        Importer {
            name: "ips",
            args: &[],
            valid: shared_data("national/ips-colleges-2022.csv"),
            victim: read("national/ips-colleges-2022.csv"),
            too_long: "line 2 is longer than 1 MiB",
            json: false,
        },
        Importer {
            name: "holidays",
            args: &[],
            valid: shared_data("calendrier-scolaire/Zone-A-B-C-Corse-2021.ics"),
            victim: read("calendrier-scolaire/Zone-A-B-C-Corse-2021.ics"),
            too_long: "line 2 is longer than 1 MiB",
            json: false,
        },
        Importer {
            name: "addresses",
            args: &[],
            victim: ban_prefix(20_000),
            valid: ban,
            too_long: "line 2 is longer than 1 MiB",
            json: false,
        },
        Importer {
            name: "carte-scolaire",
            args: &["--year", "2023-2024"],
            valid: shared_data("ille-et-vilaine/fr-en-carte-scolaire-colleges-publics.csv"),
            victim: read("ille-et-vilaine/fr-en-carte-scolaire-colleges-publics.csv"),
            too_long: "line 2 is longer than 1 MiB",
            json: false,
        },
    ]
}

/// A cut in the middle of a line, on an ASCII byte, near the middle of the file.
fn middle_of_a_line(bytes: &[u8]) -> usize {
    let mut at = bytes.len() / 2;
    while !bytes[at].is_ascii() || bytes[at] == b'\n' || bytes[at - 1] == b'\n' {
        at += 1;
    }
    at
}

fn with_inserted(bytes: &[u8], at: usize, insert: &[u8]) -> Vec<u8> {
    [&bytes[..at], insert, &bytes[at..]].concat()
}

/// The broken variants of a real file, with what the error must say.
fn broken(importer: &Importer) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let bytes = &importer.victim;
    let at = middle_of_a_line(bytes);
    // For JSON, inside a string, where any byte must be valid text.
    let in_string = if importer.json {
        at + bytes[at..].iter().position(|&b| b == b'"').unwrap() + 2
    } else {
        at
    };
    let (truncated, nul, latin1) = if importer.json {
        ("EOF while parsing", "line", "line")
    } else {
        (
            "ends without a line break: the file looks truncated",
            "holds a NUL byte",
            "is not valid UTF-8",
        )
    };
    vec![
        ("truncated", bytes[..at].to_vec(), truncated),
        ("NUL byte", with_inserted(bytes, in_string, b"\0"), nul),
        (
            "Latin-1",
            with_inserted(bytes, in_string, b"\xE9t\xE9"),
            latin1,
        ),
    ]
}

async fn every_importer_refuses_hostile_files(db: TestDb) {
    let big = BigLine::shared();
    let importers = importers(db.dir());
    for importer in &importers {
        let mut args = vec!["import", importer.name, importer.valid.to_str().unwrap()];
        args.extend(importer.args);
        db.cli_ok(&args);
    }
    let before = snapshot(&db).await;
    assert!(before.iter().all(|rows| !rows.is_empty()), "{before:?}");

    let run = |path: &Path, importer: &Importer| {
        let mut args = vec!["import", importer.name, path.to_str().unwrap()];
        args.extend(importer.args);
        db.cli_err(&args)
    };
    for importer in &importers {
        for (what, bytes, expected) in broken(importer) {
            let path = db.dir().join(format!("{}-{what}", importer.name));
            std::fs::write(&path, bytes).unwrap();
            let line = run(&path, importer);
            assert!(
                line.starts_with("error: ") && line.contains(expected),
                "{} with a {what}: {line}",
                importer.name
            );
            assert!(
                line.contains("line "),
                "{} with a {what}: no line named in {line}",
                importer.name
            );
        }
        let line = run(&big.path(), importer);
        assert!(
            line.contains(importer.too_long),
            "{} with a 1 GB line: {line}",
            importer.name
        );
    }
    // Gzip files are checked once inflated, as they are read.
    for name in ["addresses", "carte-scolaire"] {
        let importer = importers.iter().find(|i| i.name == name).unwrap();
        let line = run(&big.gz(), importer);
        assert!(
            line.contains("line 2 is longer than 1 MiB"),
            "{name}, 1 GB line gzipped: {line}"
        );
    }
    // A calendar cut between two lines ends without END:VCALENDAR.
    let holidays = importers.iter().find(|i| i.name == "holidays").unwrap();
    let at = middle_of_a_line(&holidays.victim);
    let line_end = at
        + holidays.victim[at..]
            .iter()
            .position(|&b| b == b'\n')
            .unwrap();
    let path = db.dir().join("holidays-cut-at-a-line-end.ics");
    std::fs::write(&path, &holidays.victim[..=line_end]).unwrap();
    let line = run(&path, holidays);
    assert!(line.contains("does not end with END:VCALENDAR"), "{line}");

    assert!(
        snapshot(&db).await == before,
        "a failed import changed the database"
    );
}

both_backends!(every_importer_refuses_hostile_files);
