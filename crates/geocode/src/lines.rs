//! Line numbers for CSV records. The csv crate counts one line too few in
//! CRLF files (both open data files here are CRLF), so lines are counted
//! from the record's byte offset instead. A line ends at LF, CRLF or a
//! lone CR (old Mac files), as the csv crate reads them.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

#[derive(Debug, Default)]
struct State {
    read: u64,
    /// Offsets of the line ends read ahead of the current record (the CR
    /// of a CRLF).
    pending: VecDeque<u64>,
    /// Whether the last byte read was a CR.
    after_cr: bool,
    /// Newlines before the current record.
    passed: u64,
}

/// A reader that notes where its newlines are.
pub(crate) struct CountLines<R> {
    inner: R,
    state: Rc<RefCell<State>>,
}

/// Answers "which line is byte N on", for increasing N.
pub(crate) struct LineOf(Rc<RefCell<State>>);

pub(crate) fn count_lines<R: Read>(inner: R) -> (CountLines<R>, LineOf) {
    let state = Rc::new(RefCell::new(State::default()));
    (
        CountLines {
            inner,
            state: Rc::clone(&state),
        },
        LineOf(state),
    )
}

impl<R: Read> Read for CountLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut s = self.state.borrow_mut();
        let base = s.read;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\r' || (b == b'\n' && !s.after_cr) {
                s.pending.push_back(base + i as u64);
            }
            s.after_cr = b == b'\r';
        }
        s.read += n as u64;
        Ok(n)
    }
}

impl LineOf {
    /// Reads the next record into `record`: its 1-based line, or `None` at
    /// the end. `last` is the previous record's line (the header's, 1, at
    /// first); it places errors and records without a position.
    pub(crate) fn next_record<R: Read>(
        &self,
        csv: &mut csv::Reader<R>,
        record: &mut csv::ByteRecord,
        last: &mut u64,
    ) -> Result<Option<u64>, crate::GeocodeError> {
        let more = csv
            .read_byte_record(record)
            .map_err(|e| crate::GeocodeError::from_csv(e, self, *last))?;
        if !more {
            return Ok(None);
        }
        *last = record.position().map_or(*last + 1, |p| self.line(p.byte()));
        Ok(Some(*last))
    }

    /// 1-based line of a record starting at `offset`; offsets must not decrease.
    pub(crate) fn line(&self, offset: u64) -> u64 {
        let mut s = self.0.borrow_mut();
        // In CRLF files csv puts a record's start on the previous line's
        // '\n' (after the '\r' that ended it): that newline is passed too.
        while s.pending.front().is_some_and(|&nl| nl <= offset) {
            s.pending.pop_front();
            s.passed += 1;
        }
        s.passed + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_records_in_lf_and_crlf_files() {
        for (data, want) in [
            ("h;a\n1;2\n3;4\n", [2, 3]),
            ("h;a\n\n1;2\n3;4\n", [3, 4]),
            ("h;a\r\n1;2\r\n3;4\r\n", [2, 3]),
            ("h;a\r1;2\r3;4\r", [2, 3]),
            ("h;a\r\r1;2\r\n3;4", [3, 4]),
            ("\u{feff}h;a\r\n\"x\ny\";2\r\n3;4", [2, 4]),
        ] {
            let (reader, line_of) = count_lines(data.as_bytes());
            let mut csv = csv::ReaderBuilder::new()
                .delimiter(b';')
                .from_reader(reader);
            let mut rec = csv::ByteRecord::new();
            let mut got = Vec::new();
            while csv.read_byte_record(&mut rec).unwrap() {
                got.push(line_of.line(rec.position().unwrap().byte()));
            }
            assert_eq!(got, want, "{data:?}");
        }
    }
}
