//! Addresses without a third party: the national address base (BAN) and
//! address-range cartes scolaires, imported per file and indexed in memory.
//! No address ever leaves the server, and none is logged.
use std::collections::BTreeSet;
use std::io::{BufReader, Read, Write};

use passerelle_geocode::{CarteReport, CarteScolaire, maybe_gunzip, read_ban};
use serde::Serialize;

pub use crate::address_catalog::{AddressCatalog, AddressHit};

use crate::error::Error;
use crate::progress::Progress;
use crate::school_year::SchoolYear;
use crate::state::AppState;

/// The best addresses for what someone typed, best first.
pub async fn search(state: &AppState, query: &str, limit: usize) -> Result<Vec<AddressHit>, Error> {
    if !(1..=20).contains(&limit) {
        return Err(Error::BadRequest(
            "`limit` doit être compris entre 1 et 20".into(),
        ));
    }
    state.addresses().search(query, limit)
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes.to_vec());
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).map_err(anyhow::Error::from)?;
    Ok(encoder.finish().map_err(anyhow::Error::from)?)
}

/// What an address import did.
#[derive(Clone, Debug, Serialize)]
pub struct AddressImport {
    pub department: String,
    pub rows: u64,
}

/// Imports one département's BAN file (`.csv` or `.csv.gz`), replacing the
/// previous one of that département in one transaction.
pub async fn import_addresses(
    state: &AppState,
    bytes: Vec<u8>,
    progress: &dyn Progress,
) -> Result<AddressImport, Error> {
    progress.stage("reading addresses", None);
    let (bytes, report) = tokio::task::spawn_blocking(move || {
        let reader = maybe_gunzip(BufReader::new(bytes.as_slice()))
            .map_err(|e| Error::Refused(format!("cannot read the file: {e}")))?;
        let report = read_ban(reader, |_| {}).map_err(|e| Error::Refused(e.to_string()))?;
        Ok::<_, Error>((gzip(&bytes)?, report))
    })
    .await
    .map_err(anyhow::Error::from)??;
    let department = match report.departements.len() {
        1 => report
            .departements
            .iter()
            .next()
            .cloned()
            .unwrap_or_default(),
        0 => return Err(Error::Refused("the file holds no address".into())),
        _ => {
            return Err(Error::Refused(format!(
                "the file mixes départements ({}): import one BAN file per département",
                report
                    .departements
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    };
    progress.stage("saving addresses", None);
    state
        .store
        .replace_address_file(&department, report.rows, bytes)
        .await?;
    progress.finish();
    state.reload_addresses().await?;
    Ok(AddressImport {
        department,
        rows: report.rows,
    })
}

/// Imports an address-range carte scolaire for `year`, replacing the one of
/// that year for the same départements. Rows that overlap with different
/// collèges are reported, never resolved silently.
pub async fn import_carte(
    state: &AppState,
    bytes: Vec<u8>,
    year: SchoolYear,
) -> Result<CarteReport, Error> {
    let (bytes, report, departments) = tokio::task::spawn_blocking(move || {
        let reader = maybe_gunzip(BufReader::new(bytes.as_slice()))
            .map_err(|e| Error::Refused(format!("cannot read the file: {e}")))?;
        let (_, report) = CarteScolaire::read(reader).map_err(|e| Error::Refused(e.to_string()))?;
        if let Some(first) = report.rejected.first() {
            return Err(Error::Refused(format!(
                "line {}: {} ({} row(s) refused in all)",
                first.line,
                first.problem,
                report.rejected.len()
            )));
        }
        let departments = departments_of(&bytes)?;
        Ok((gzip(&bytes)?, report, departments))
    })
    .await
    .map_err(anyhow::Error::from)??;
    state
        .store
        .replace_carte_file(&year.to_string(), &departments, report.rows as u64, bytes)
        .await?;
    state.reload_addresses().await?;
    Ok(report)
}

/// The départements of a carte file, from its `code_insee` column.
fn departments_of(bytes: &[u8]) -> Result<String, Error> {
    let mut text = Vec::new();
    maybe_gunzip(BufReader::new(bytes))
        .and_then(|mut r| r.read_to_end(&mut text))
        .map_err(|e| Error::Refused(format!("cannot read the file: {e}")))?;
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(text);
    let column = reader
        .headers()
        .ok()
        .and_then(|h| h.iter().position(|c| c.trim() == "code_insee"))
        .ok_or_else(|| Error::Refused("the CSV has no column `code_insee`".into()))?;
    let mut departments = BTreeSet::new();
    for record in reader.records().flatten() {
        let code = record.get(column).unwrap_or_default();
        let n = if code.starts_with("97") || code.starts_with("98") {
            3
        } else {
            2
        };
        if let Some(d) = code.get(..n) {
            departments.insert(d.to_owned());
        }
    }
    Ok(departments.into_iter().collect::<Vec<_>>().join(","))
}
