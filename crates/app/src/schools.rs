//! Collège facts from the two national CSV files: the geolocation list of
//! establishments and the DEPP IPS. Each import is one transaction.
use std::collections::HashMap;

use passerelle_store::{NewIps, NewSchool};

use crate::error::Error;
use crate::progress::Progress;
use crate::school_year::SchoolYear;
use crate::state::AppState;
use crate::validate;

/// A CSV file with its columns found by name.
struct Table {
    reader: csv::Reader<std::io::Cursor<Vec<u8>>>,
    columns: HashMap<String, usize>,
}

impl Table {
    /// Reads the header of `;`- or `,`-separated UTF-8 text, BOM tolerated.
    fn open(mut bytes: Vec<u8>) -> Result<Self, Error> {
        validate::text_file(&bytes)?;
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
        let semicolons = first_line.iter().filter(|b| **b == b';').count();
        let commas = first_line.iter().filter(|b| **b == b',').count();
        let delimiter = if semicolons >= commas { b';' } else { b',' };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(std::io::Cursor::new(bytes));
        let headers = reader
            .headers()
            .map_err(|e| Error::Refused(format!("cannot read the CSV header: {e}")))?;
        let columns = headers
            .iter()
            .enumerate()
            .map(|(i, name)| (name.trim().to_owned(), i))
            .collect();
        Ok(Self { reader, columns })
    }

    fn column(&self, name: &str) -> Result<usize, Error> {
        self.columns
            .get(name)
            .copied()
            .ok_or_else(|| Error::Refused(format!("the CSV has no column `{name}`")))
    }

    fn optional_column(&self, name: &str) -> Option<usize> {
        self.columns.get(name).copied()
    }

    /// Every record with its 1-based line number (the header is line 1).
    fn records(&mut self) -> impl Iterator<Item = Result<(u64, csv::StringRecord), Error>> + '_ {
        self.reader.records().map(|record| {
            let record = record.map_err(|e| Error::Refused(format!("invalid CSV: {e}")))?;
            let line = record.position().map_or(0, |p| p.line());
            Ok((line, record))
        })
    }
}

fn text(record: &csv::StringRecord, column: Option<usize>) -> Option<String> {
    let value = record.get(column?)?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn number(
    record: &csv::StringRecord,
    column: Option<usize>,
    line: u64,
    name: &str,
) -> Result<Option<f64>, Error> {
    let Some(value) = text(record, column) else {
        return Ok(None);
    };
    value
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| Error::Refused(format!("line {line}: `{name}` is not a number: `{value}`")))
}

fn uai(record: &csv::StringRecord, column: usize, line: u64, name: &str) -> Result<String, Error> {
    let value = record.get(column).unwrap_or_default().trim().to_uppercase();
    let bytes = value.as_bytes();
    if bytes.len() == 8
        && bytes[..7].iter().all(u8::is_ascii_digit)
        && bytes[7].is_ascii_uppercase()
    {
        Ok(value)
    } else {
        Err(Error::Refused(format!(
            "line {line}: `{name}` is not a UAI (seven digits and a letter): `{value}`"
        )))
    }
}

/// Reads the national "adresse et géolocalisation des établissements" list.
pub fn parse_schools(bytes: Vec<u8>) -> Result<Vec<NewSchool>, Error> {
    let mut table = Table::open(bytes)?;
    let uai_col = table.column("numero_uai")?;
    let name_col = table.column("appellation_officielle")?;
    let sector_col = table.column("secteur_public_prive_libe")?;
    let address = table.optional_column("adresse_uai");
    let postcode = table.optional_column("code_postal_uai");
    let city = table.optional_column("libelle_commune");
    let department = table.optional_column("code_departement");
    let academy = table.optional_column("libelle_academie");
    let kind = table.optional_column("denomination_principale");
    let patronym = table.optional_column("patronyme_uai");
    let lat_col = table.optional_column("latitude");
    let lon_col = table.optional_column("longitude");
    let mut rows = Vec::new();
    for record in table.records() {
        let (line, record) = record?;
        let uai = uai(&record, uai_col, line, "numero_uai")?;
        // A few real rows have no official name: fall back on the kind of
        // establishment and its patronym, then on the UAI.
        let name = text(&record, Some(name_col))
            .or_else(|| {
                let parts: Vec<String> = [kind, patronym]
                    .into_iter()
                    .filter_map(|c| text(&record, c))
                    .collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            })
            .unwrap_or_else(|| format!("Établissement {uai}"));
        let public = match record.get(sector_col).unwrap_or_default().trim() {
            "Public" | "public" => true,
            "Privé" | "privé" | "Prive" | "prive" => false,
            other => {
                return Err(Error::Refused(format!(
                    "line {line}: `secteur_public_prive_libe` must be Public or Privé, not `{other}`"
                )));
            }
        };
        let lat = number(&record, lat_col, line, "latitude")?;
        let lon = number(&record, lon_col, line, "longitude")?;
        if lat.is_some_and(|v| !(-90.0..=90.0).contains(&v))
            || lon.is_some_and(|v| !(-180.0..=180.0).contains(&v))
        {
            return Err(Error::Refused(format!(
                "line {line}: latitude/longitude are not WGS84 degrees"
            )));
        }
        rows.push(NewSchool {
            uai,
            name,
            address: text(&record, address),
            postcode: text(&record, postcode),
            city: text(&record, city),
            department_code: text(&record, department),
            academy: text(&record, academy),
            lat,
            lon,
            public,
        });
    }
    if rows.is_empty() {
        return Err(Error::Refused("the CSV has no row".into()));
    }
    Ok(rows)
}

/// Reads the DEPP "IPS des collèges" file.
pub fn parse_ips(bytes: Vec<u8>) -> Result<Vec<NewIps>, Error> {
    let mut table = Table::open(bytes)?;
    let year_col = table.column("Rentrée scolaire")?;
    let uai_col = table.column("UAI")?;
    let ips_col = table.column("IPS")?;
    let department = table.optional_column("Code du département");
    let pupils_col = table.optional_column("Effectifs");
    let sd_col = table.optional_column("Ecart-type de l'IPS");
    let mut rows = Vec::new();
    for record in table.records() {
        let (line, record) = record?;
        let year_text = record.get(year_col).unwrap_or_default().trim();
        let school_year: SchoolYear = year_text
            .parse()
            .map_err(|e| Error::Refused(format!("line {line}: {e}")))?;
        let pupils = number(&record, pupils_col, line, "Effectifs")?;
        rows.push(NewIps {
            uai: uai(&record, uai_col, line, "UAI")?,
            school_year: school_year.to_string(),
            department_code: text(&record, department),
            pupils: pupils.map(|p| p.round() as i32),
            ips: number(&record, Some(ips_col), line, "IPS")?,
            ips_std_dev: number(&record, sd_col, line, "Ecart-type de l'IPS")?,
        });
    }
    if rows.is_empty() {
        return Err(Error::Refused("the CSV has no row".into()));
    }
    Ok(rows)
}

/// Imports the national list of collèges; returns how many rows were read.
pub async fn import_schools(
    state: &AppState,
    bytes: Vec<u8>,
    progress: &dyn Progress,
) -> Result<usize, Error> {
    progress.stage("reading collèges", None);
    let rows = tokio::task::spawn_blocking(move || parse_schools(bytes))
        .await
        .map_err(anyhow::Error::from)??;
    progress.stage("saving collèges", Some(rows.len() as u64));
    state
        .store
        .upsert_schools(&rows, &|done| progress.set(done as u64))
        .await?;
    progress.finish();
    state.reload_catalog().await?;
    Ok(rows.len())
}

/// Imports the DEPP IPS file; returns how many rows were read.
pub async fn import_ips(
    state: &AppState,
    bytes: Vec<u8>,
    progress: &dyn Progress,
) -> Result<usize, Error> {
    progress.stage("reading IPS", None);
    let rows = tokio::task::spawn_blocking(move || parse_ips(bytes))
        .await
        .map_err(anyhow::Error::from)??;
    progress.stage("saving IPS", Some(rows.len() as u64));
    state
        .store
        .upsert_ips(&rows, &|done| progress.set(done as u64))
        .await?;
    progress.finish();
    state.reload_catalog().await?;
    Ok(rows.len())
}

/// What is known of every collège (name, sector, IPS), by UAI.
pub async fn facts(
    state: &AppState,
) -> Result<std::collections::HashMap<String, passerelle_store::SchoolFacts>, Error> {
    Ok(state.store.school_facts().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_semicolons_with_bom_and_names_bad_rows() {
        let csv = "\u{feff}numero_uai;appellation_officielle;secteur_public_prive_libe;latitude;longitude\n\
                   0752538B;Collège Rodin;Public;48.8;2.34\n";
        let rows = parse_schools(csv.as_bytes().to_vec()).unwrap();
        assert_eq!(rows[0].uai, "0752538B");
        assert!(rows[0].public);
        assert_eq!(rows[0].lat, Some(48.8));

        let bad =
            "numero_uai;appellation_officielle;secteur_public_prive_libe\nXX;Collège;Public\n";
        let err = parse_schools(bad.as_bytes().to_vec())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("line 2: `numero_uai` is not a UAI"),
            "{err}"
        );

        let missing = "uai;nom\n0752538B;x\n";
        let err = parse_schools(missing.as_bytes().to_vec())
            .unwrap_err()
            .to_string();
        assert_eq!(err, "the CSV has no column `numero_uai`");
    }

    #[test]
    fn reads_ips_rows() {
        let csv = "Rentrée scolaire;UAI;Effectifs;IPS;Ecart-type de l'IPS\n2022-2023;0010005A;540.0;110.4;31.3\n";
        let rows = parse_ips(csv.as_bytes().to_vec()).unwrap();
        assert_eq!(rows[0].pupils, Some(540));
        assert_eq!(rows[0].ips, Some(110.4));
        let bad = "Rentrée scolaire;UAI;Effectifs;IPS\n2022-2023;0010005A;540;beaucoup\n";
        let err = parse_ips(bad.as_bytes().to_vec()).unwrap_err().to_string();
        assert_eq!(err, "line 2: `IPS` is not a number: `beaucoup`");
    }
}
