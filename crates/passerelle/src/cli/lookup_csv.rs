//! `passerelle lookup --csv`: the sector of every row, streamed, so that a
//! file of any length runs in constant memory.
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use passerelle_sectors::{MatchKind, SectorKey};

use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::school_year::SchoolYear;
use passerelle_app::sectors::{RANGE_POINT_MAX_M, year_choice};

const LON_NAMES: [&str; 4] = ["lon", "lng", "longitude", "long"];
const LAT_NAMES: [&str; 2] = ["lat", "latitude"];

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

fn csv_error(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::Refused(format!("{}: {e}", path.display()))
}

fn find_column(headers: &csv::ByteRecord, names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| {
        let h = String::from_utf8_lossy(h);
        let h = h.trim().trim_start_matches('\u{feff}');
        names.iter().any(|n| h.eq_ignore_ascii_case(n))
    })
}

fn parse_number(field: Option<&[u8]>) -> Option<f64> {
    std::str::from_utf8(field?)
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// Counts of a run, printed at the end.
#[derive(Default)]
struct Counts {
    rows: u64,
    inside: u64,
    nearest: u64,
    range: u64,
    none: u64,
    invalid: u64,
}

/// Reads `input`, writes every row plus `match`, `distance_m` and `uais`.
/// Returns a one-line summary.
pub fn run(
    state: &AppState,
    input: &Path,
    out: Option<&Path>,
    year: Option<SchoolYear>,
) -> Result<String, Error> {
    let catalog = state.catalog();
    let addresses = state.addresses();
    let now = SchoolYear::at(chrono::Utc::now());
    let choice = year_choice(year);
    let max_distance_m = state.config.nearest_max_m;
    let joined: HashMap<i64, String> = catalog
        .sectors(choice)
        .into_iter()
        .map(|s| (s.id, s.key.to_string()))
        .collect();

    let mut reader = BufReader::with_capacity(1 << 20, File::open(input).map_err(io_error(input))?);
    let first_line = reader.fill_buf().map_err(io_error(input))?;
    let first_line = first_line.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if first_line.contains(&b';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(reader);
    let headers = reader.byte_headers().map_err(csv_error(input))?.clone();
    let (Some(lon_col), Some(lat_col)) = (
        find_column(&headers, &LON_NAMES),
        find_column(&headers, &LAT_NAMES),
    ) else {
        return Err(Error::Refused(format!(
            "{}: the CSV needs a `lon` and a `lat` column",
            input.display()
        )));
    };

    let sink: Box<dyn Write> = match out {
        Some(path) => Box::new(File::create(path).map_err(io_error(path))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let out_name = out.map_or_else(|| Path::new("stdout").to_owned(), Path::to_owned);
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(BufWriter::with_capacity(1 << 20, sink));
    let mut out_headers = headers.clone();
    out_headers.push_field(b"match");
    out_headers.push_field(b"distance_m");
    out_headers.push_field(b"uais");
    writer
        .write_byte_record(&out_headers)
        .map_err(csv_error(&out_name))?;

    let spinner = indicatif::ProgressBar::new_spinner();
    let mut counts = Counts::default();
    let mut record = csv::ByteRecord::new();
    let mut distance = String::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(csv_error(input))?
    {
        counts.rows += 1;
        if counts.rows % 100_000 == 0 {
            spinner.set_message(format!("{} rows", counts.rows));
            spinner.tick();
        }
        let lon = parse_number(record.get(lon_col));
        let lat = parse_number(record.get(lat_col));
        let valid = matches!((lon, lat), (Some(lon), Some(lat)) if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat));
        let found = match (valid, lon, lat) {
            (true, Some(lon), Some(lat)) => catalog.lookup(lon, lat, choice, max_distance_m),
            _ => None,
        };
        distance.clear();
        // A commune mapped by address ranges: through the nearest address.
        let range = match (&found, valid, lon, lat) {
            (None, true, Some(lon), Some(lat)) => addresses
                .resolve_point(lon, lat, RANGE_POINT_MAX_M, year, now)
                .filter(|(_, r, _)| !r.uais().is_empty()),
            _ => None,
        };
        let range_uais;
        let (kind, uais): (&[u8], &str) = match found {
            None if range.is_some() => {
                let (_, resolution, d) = range.as_ref().expect("checked");
                counts.range += 1;
                use std::fmt::Write as _;
                let _ = write!(distance, "{d:.2}");
                range_uais = SectorKey::from_uais(resolution.uais())
                    .map(|key| key.to_string())
                    .unwrap_or_default();
                (b"range", range_uais.as_str())
            }
            None if !valid => {
                counts.invalid += 1;
                (b"invalid", "")
            }
            None => {
                counts.none += 1;
                (b"none", "")
            }
            Some(found) => {
                let uais = joined.get(&found.sector.id).map_or("", String::as_str);
                match found.kind {
                    MatchKind::Inside => {
                        counts.inside += 1;
                        distance.push('0');
                        (b"inside", uais)
                    }
                    MatchKind::Nearest { distance_m } => {
                        counts.nearest += 1;
                        use std::fmt::Write as _;
                        let _ = write!(distance, "{distance_m:.2}");
                        (b"nearest", uais)
                    }
                }
            }
        };
        record.push_field(kind);
        record.push_field(distance.as_bytes());
        record.push_field(uais.as_bytes());
        writer
            .write_byte_record(&record)
            .map_err(csv_error(&out_name))?;
    }
    writer
        .into_inner()
        .map_err(|e| Error::Refused(format!("{}: {}", out_name.display(), e.error())))?
        .flush()
        .map_err(io_error(&out_name))?;
    spinner.finish_and_clear();
    Ok(format!(
        "{} rows: {} inside, {} nearest, {} by address range, {} none, {} invalid",
        counts.rows, counts.inside, counts.nearest, counts.range, counts.none, counts.invalid
    ))
}
