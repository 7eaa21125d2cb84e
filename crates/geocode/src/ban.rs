//! Streaming reader of the Base Adresse Nationale CSV.

use std::collections::BTreeSet;
use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;

use crate::GeocodeError;

/// One address of the BAN: a number on a street of a commune, with its
/// WGS84 position.
///
/// ```
/// use passerelle_geocode::BanAddress;
///
/// let a = BanAddress {
///     id: "75111_8358_00012_bis".into(),
///     housenumber: 12,
///     rep: Some("bis".into()),
///     street: "Rue de la Roquette".into(),
///     postcode: "75011".into(),
///     citycode: "75111".into(),
///     city: "Paris 11e Arrondissement".into(),
///     lat: 48.8547,
///     lon: 2.3728,
/// };
/// assert_eq!(a.departement(), "75");
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BanAddress {
    /// BAN identifier (`id` column).
    pub id: String,
    /// House number (`numero`).
    pub housenumber: u32,
    /// Repetition index (`rep`): "bis", "ter", "a", "b"...; `None` when empty.
    pub rep: Option<String>,
    /// Street name as the BAN writes it (`nom_voie`).
    pub street: String,
    /// Postcode (`code_postal`).
    pub postcode: String,
    /// INSEE code of the commune (`code_insee`); Paris uses one per arrondissement.
    pub citycode: String,
    /// Commune name (`nom_commune`).
    pub city: String,
    /// WGS84 latitude.
    pub lat: f64,
    /// WGS84 longitude.
    pub lon: f64,
}

impl BanAddress {
    /// The département code of the commune: two characters ("75", "2A"),
    /// three for the overseas départements ("971").
    ///
    /// ```
    /// # let mut a = passerelle_geocode::BanAddress { id: String::new(), housenumber: 1,
    /// #   rep: None, street: String::new(), postcode: String::new(), citycode: String::new(),
    /// #   city: String::new(), lat: 0.0, lon: 0.0 };
    /// a.citycode = "97411".into();
    /// assert_eq!(a.departement(), "974");
    /// a.citycode = "2A004".into();
    /// assert_eq!(a.departement(), "2A");
    /// ```
    pub fn departement(&self) -> &str {
        departement(&self.citycode)
    }
}

pub(crate) fn departement(citycode: &str) -> &str {
    let n = if citycode.starts_with("97") || citycode.starts_with("98") {
        3
    } else {
        2
    };
    citycode.get(..n).unwrap_or(citycode)
}

/// What [`read_ban`] saw.
///
/// ```
/// let report = passerelle_geocode::BanReport::default();
/// assert_eq!(report.rows, 0);
/// assert!(report.departements.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BanReport {
    /// Addresses read.
    pub rows: u64,
    /// Département codes seen, sorted ("2A", "75", "971"...).
    pub departements: BTreeSet<String>,
}

const REQUIRED: [&str; 9] = [
    "id",
    "numero",
    "rep",
    "nom_voie",
    "code_postal",
    "code_insee",
    "nom_commune",
    "lon",
    "lat",
];

/// Streams the standard BAN CSV (`;`-separated, 23 columns, header line;
/// only the 9 columns of [`BanAddress`] are required, in any order) and
/// calls `on_row` for each address.
///
/// The first error stops the reading; it names the line and the problem.
/// For a `.csv.gz` file, wrap the reader in [`maybe_gunzip`].
///
/// ```
/// use passerelle_geocode::read_ban;
///
/// let csv = "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;\
/// code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;\
/// nom_ld;libelle_acheminement;nom_afnor;source_position;source_nom_voie;\
/// certification_commune;cad_parcelles
/// 75111_8358_00012;;12;bis;Rue de la Roquette;75011;75111;Paris 11e Arrondissement;;;\
/// 653500;6861800;2.3728;48.8547;entrée;;;PARIS;RUE DE LA ROQUETTE;commune;commune;1;
/// ";
/// let mut all = Vec::new();
/// let report = read_ban(csv.as_bytes(), |a| all.push(a))?;
/// assert_eq!(report.rows, 1);
/// assert_eq!(report.departements.iter().collect::<Vec<_>>(), ["75"]);
/// assert_eq!(all[0].rep.as_deref(), Some("bis"));
/// assert_eq!(all[0].housenumber, 12);
///
/// let err = read_ban("id;numero\n".as_bytes(), |_| {}).unwrap_err();
/// assert_eq!(err.to_string(), "line 1: missing column `rep`");
/// # Ok::<(), passerelle_geocode::GeocodeError>(())
/// ```
pub fn read_ban(
    reader: impl Read,
    mut on_row: impl FnMut(BanAddress),
) -> Result<BanReport, GeocodeError> {
    let (reader, line_of) =
        crate::lines::count_lines(crate::TextGuard::new(reader).final_line_break());
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let header = csv
        .byte_headers()
        .map_err(|e| GeocodeError::from_csv(e, &line_of, 0))?
        .clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| trim_bom(h) == name.as_bytes())
            .ok_or_else(|| GeocodeError::MissingColumn {
                column: name.to_string(),
            })
    };
    let mut cols = [0usize; REQUIRED.len()];
    for (slot, name) in cols.iter_mut().zip(REQUIRED) {
        *slot = column(name)?;
    }
    let [
        c_id,
        c_num,
        c_rep,
        c_street,
        c_pc,
        c_insee,
        c_city,
        c_lon,
        c_lat,
    ] = cols;

    let mut report = BanReport::default();
    let mut record = csv::ByteRecord::new();
    let mut last_line = 1;
    while let Some(line) = line_of.next_record(&mut csv, &mut record, &mut last_line)? {
        let text = |i: usize, name: &str| -> Result<&str, GeocodeError> {
            std::str::from_utf8(&record[i])
                .map(str::trim)
                .map_err(|_| GeocodeError::row(line, format!("invalid UTF-8 in column `{name}`")))
        };
        let required = |i: usize, name: &str| -> Result<String, GeocodeError> {
            let t = text(i, name)?;
            if t.is_empty() {
                return Err(GeocodeError::row(line, format!("empty column `{name}`")));
            }
            Ok(t.to_string())
        };
        let numero = text(c_num, "numero")?;
        let housenumber: u32 = numero.parse().map_err(|_| {
            GeocodeError::row(line, format!("`numero` is not a whole number: {numero:?}"))
        })?;
        let coordinate = |i: usize, name: &str, limit: f64| -> Result<f64, GeocodeError> {
            let t = text(i, name)?;
            let v: f64 = t
                .parse()
                .map_err(|_| GeocodeError::row(line, format!("`{name}` is not a number: {t:?}")))?;
            if !v.is_finite() || v.abs() > limit {
                return Err(GeocodeError::row(
                    line,
                    format!("`{name}` = {v} is out of range (WGS84 degrees, |{name}| <= {limit})"),
                ));
            }
            Ok(v)
        };
        let lon = coordinate(c_lon, "lon", 180.0)?;
        let lat = coordinate(c_lat, "lat", 90.0)?;
        let rep = text(c_rep, "rep")?;
        let address = BanAddress {
            id: required(c_id, "id")?,
            housenumber,
            rep: (!rep.is_empty()).then(|| rep.to_string()),
            street: required(c_street, "nom_voie")?,
            postcode: text(c_pc, "code_postal")?.to_string(),
            citycode: required(c_insee, "code_insee")?,
            city: text(c_city, "nom_commune")?.to_string(),
            lat,
            lon,
        };
        let dep = address.departement();
        if !report.departements.contains(dep) {
            report.departements.insert(dep.to_string());
        }
        report.rows += 1;
        on_row(address);
    }
    Ok(report)
}

pub(crate) fn trim_bom(field: &[u8]) -> &[u8] {
    field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field)
}

/// A reader that is either the bytes as they come or their gunzipped form;
/// made by [`maybe_gunzip`].
///
/// ```
/// use std::io::Read;
/// use passerelle_geocode::{maybe_gunzip, MaybeGzip};
///
/// let mut r = maybe_gunzip(&b"id;numero\n"[..])?;
/// assert!(matches!(r, MaybeGzip::Plain(_)));
/// let mut s = String::new();
/// r.read_to_string(&mut s)?;
/// assert_eq!(s, "id;numero\n");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub enum MaybeGzip<R: BufRead> {
    /// Not gzip: the bytes pass through.
    Plain(R),
    /// Gzip (one or several members, as BAN downloads are).
    Gzip(BufReader<MultiGzDecoder<R>>),
}

/// Sniffs the gzip magic bytes (1f 8b) and decompresses when they are there.
///
/// A truncated gzip file shows up later as an
/// [`GeocodeError::Io`] from [`read_ban`].
///
/// ```
/// use std::io::{Read, Write};
/// use flate2::{write::GzEncoder, Compression};
/// use passerelle_geocode::maybe_gunzip;
///
/// let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
/// gz.write_all(b"hello")?;
/// let bytes = gz.finish()?;
/// let mut s = String::new();
/// maybe_gunzip(&bytes[..])?.read_to_string(&mut s)?;
/// assert_eq!(s, "hello");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn maybe_gunzip<R: BufRead>(mut reader: R) -> io::Result<MaybeGzip<R>> {
    let head = reader.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        MaybeGzip::Gzip(BufReader::with_capacity(
            256 * 1024,
            MultiGzDecoder::new(reader),
        ))
    } else {
        MaybeGzip::Plain(reader)
    })
}

impl<R: BufRead> Read for MaybeGzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(r) => r.read(buf),
            Self::Gzip(r) => r.read(buf),
        }
    }
}

impl<R: BufRead> BufRead for MaybeGzip<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Self::Plain(r) => r.fill_buf(),
            Self::Gzip(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, amt: usize) {
        match self {
            Self::Plain(r) => r.consume(amt),
            Self::Gzip(r) => r.consume(amt),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const HEADER: &str = "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;\
        code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;\
        libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;\
        cad_parcelles";

    fn row(numero: &str, lon: &str, lat: &str, insee: &str) -> String {
        format!(
            "{insee}_x_1;;{numero};;Rue Test;75011;{insee};Ville;;;1;2;{lon};{lat};entrée;;;V;RUE TEST;c;c;1;\n"
        )
    }

    fn read(body: &str) -> Result<(BanReport, Vec<BanAddress>), GeocodeError> {
        let mut v = Vec::new();
        let r = read_ban(format!("{HEADER}\n{body}").as_bytes(), |a| v.push(a))?;
        Ok((r, v))
    }

    #[test]
    fn reads_rows_and_departements() {
        let body = [
            row("1", "2.3", "48.8", "75111"),
            row("2", "9.1", "41.9", "2A004"),
            row("3", "-61.5", "16.2", "97101"),
        ]
        .concat();
        let (report, rows) = read(&body).unwrap();
        assert_eq!(report.rows, 3);
        assert_eq!(
            report.departements.into_iter().collect::<Vec<_>>(),
            ["2A", "75", "971"]
        );
        assert_eq!(rows[2].housenumber, 3);
        assert_eq!(rows[2].rep, None);
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let body = [
            row("1", "2.3", "48.8", "75111"),
            row("x2", "2.3", "48.8", "75111"),
        ]
        .concat();
        let err = read(&body).unwrap_err().to_string();
        assert_eq!(err, "line 3: `numero` is not a whole number: \"x2\"");

        let err = read(&row("1", "653500", "6861800", "75111"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("line 2: `lon` = 653500 is out of range"),
            "{err}"
        );

        let err = read(&row("1", "2.3", "-91", "75111"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("line 2: `lat` = -91 is out of range"),
            "{err}"
        );

        let err = read("a;b\n").unwrap_err().to_string();
        assert_eq!(err, "line 2: 2 fields where the header has 23");
    }

    #[test]
    fn invalid_utf8_is_reported_with_its_line() {
        let mut bytes = format!("{HEADER}\n{}", row("1", "2.3", "48.8", "75111")).into_bytes();
        let good = row("2", "2.3", "48.8", "75111").replace("Rue Test", "Rue T\u{e9}st");
        let latin1 = good.replace('\u{e9}', "\u{1}");
        let mut third = latin1.into_bytes();
        let at = third.iter().position(|&b| b == 1).unwrap();
        third[at] = 0xE9;
        bytes.extend(third);
        let err = read_ban(&bytes[..], |_| {}).unwrap_err().to_string();
        assert_eq!(err, "line 3: invalid UTF-8 in column `nom_voie`");
    }

    #[test]
    fn truncated_gzip_is_an_io_error() {
        let mut body = String::new();
        for i in 0..2000 {
            body.push_str(&row(&i.to_string(), "2.3", "48.8", "75111"));
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(format!("{HEADER}\n{body}").as_bytes())
            .unwrap();
        let bytes = gz.finish().unwrap();

        let mut n = 0;
        read_ban(maybe_gunzip(&bytes[..]).unwrap(), |_| n += 1).unwrap();
        assert_eq!(n, 2000);

        let cut = &bytes[..bytes.len() * 2 / 3];
        let err = read_ban(maybe_gunzip(cut).unwrap(), |_| {}).unwrap_err();
        assert!(matches!(err, GeocodeError::Io { .. }), "{err}");
        assert!(err.to_string().contains("truncated"), "{err}");
    }

    #[test]
    fn bom_and_column_order_do_not_matter() {
        let csv = "\u{feff}lat;lon;numero;rep;nom_voie;code_postal;code_insee;nom_commune;id\n\
                   48.8;2.3;7;ter;Rue A;35000;35238;Rennes;x\n";
        let mut v = Vec::new();
        read_ban(csv.as_bytes(), |a| v.push(a)).unwrap();
        assert_eq!(v[0].rep.as_deref(), Some("ter"));
        assert_eq!(v[0].departement(), "35");
    }
}
