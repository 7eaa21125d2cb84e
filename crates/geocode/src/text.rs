//! A guard for text files of unknown origin: it streams the bytes through
//! and stops at the first NUL byte, overlong line or (optionally) invalid
//! UTF-8 or cut-off last line, so that a hostile file is refused before it
//! is read whole.

use std::io::{self, Read};

/// Longest line the readers accept, in bytes (the longest line of the
/// real files is under 2 KiB).
pub const MAX_LINE_BYTES: u64 = 1 << 20;

/// Why a text file was refused; its `Display` is one line naming the line.
///
/// ```
/// use passerelle_geocode::TextProblem;
///
/// let p = TextProblem::LineTooLong { line: 2 };
/// assert_eq!(p.to_string(), "line 2 is longer than 1 MiB");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextProblem {
    /// A line longer than [`MAX_LINE_BYTES`].
    #[error("line {line} is longer than 1 MiB")]
    LineTooLong {
        /// 1-based line.
        line: u64,
    },
    /// A NUL byte: binary data, not text.
    #[error("line {line} holds a NUL byte: this is binary data, not text")]
    Nul {
        /// 1-based line.
        line: u64,
    },
    /// Bytes that are not UTF-8 (often Latin-1).
    #[error("line {line} is not valid UTF-8: convert the file to UTF-8")]
    InvalidUtf8 {
        /// 1-based line.
        line: u64,
    },
    /// The file ends in the middle of a line.
    #[error("line {line} ends without a line break: the file looks truncated")]
    Truncated {
        /// 1-based line.
        line: u64,
    },
}

impl TextProblem {
    /// The problem carried by an I/O error from a [`TextGuard`], if any.
    ///
    /// ```
    /// use std::io::Read;
    /// use passerelle_geocode::{TextGuard, TextProblem};
    ///
    /// let err = TextGuard::new(&b"a\n\0"[..]).read_to_end(&mut Vec::new()).unwrap_err();
    /// assert_eq!(TextProblem::of(&err), Some(TextProblem::Nul { line: 2 }));
    /// ```
    pub fn of(err: &io::Error) -> Option<Self> {
        err.get_ref()?.downcast_ref::<Self>().copied()
    }
}

/// A reader that passes text through and fails with a [`TextProblem`]
/// (inside an [`io::ErrorKind::InvalidData`] error) at the first NUL byte
/// or line longer than [`MAX_LINE_BYTES`]; optionally also at invalid
/// UTF-8 and at a last line without line break.
///
/// ```
/// use std::io::Read;
/// use passerelle_geocode::{TextGuard, TextProblem};
///
/// let mut text = String::new();
/// TextGuard::new(&b"h;a\r\n1;2\r\n"[..]).strict().read_to_string(&mut text)?;
/// assert_eq!(text, "h;a\r\n1;2\r\n");
///
/// let err = TextGuard::new(&b"h;a\n1;"[..]).strict().read_to_end(&mut Vec::new()).unwrap_err();
/// assert_eq!(TextProblem::of(&err), Some(TextProblem::Truncated { line: 2 }));
/// let err = TextGuard::new(&b"h\n\xE9t\xE9\n"[..]).strict().read_to_end(&mut Vec::new()).unwrap_err();
/// assert_eq!(err.to_string(), "line 2 is not valid UTF-8: convert the file to UTF-8");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct TextGuard<R> {
    inner: R,
    /// Current 1-based line, and bytes of it read so far.
    line: u64,
    line_len: u64,
    /// Whether any byte was read at all, and whether the last was a CR.
    started: bool,
    after_cr: bool,
    /// Also checks UTF-8; also checks the final line break.
    utf8: bool,
    final_break: bool,
    /// An unfinished UTF-8 sequence at the end of the last chunk.
    carry: [u8; 3],
    carried: usize,
    failed: Option<TextProblem>,
}

impl<R: Read> TextGuard<R> {
    /// Checks NUL bytes and line lengths.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            line: 1,
            line_len: 0,
            started: false,
            after_cr: false,
            utf8: false,
            final_break: false,
            carry: [0; 3],
            carried: 0,
            failed: None,
        }
    }

    /// Also checks that the text is UTF-8.
    pub fn utf8(mut self) -> Self {
        self.utf8 = true;
        self
    }

    /// Also checks that the file ends with a line break, as every real
    /// file does: a file cut short by a failed download does not.
    pub fn final_line_break(mut self) -> Self {
        self.final_break = true;
        self
    }

    /// Both [`TextGuard::utf8`] and [`TextGuard::final_line_break`].
    pub fn strict(self) -> Self {
        self.utf8().final_line_break()
    }

    fn fail(&mut self, problem: TextProblem) -> io::Error {
        self.failed = Some(problem);
        io::Error::new(io::ErrorKind::InvalidData, problem)
    }

    /// Checks `chunk`, which follows everything checked so far. A line ends
    /// at LF, CRLF or a lone CR, as in the csv crate.
    fn check(&mut self, chunk: &[u8]) -> Result<(), TextProblem> {
        for piece in chunk.split_inclusive(|&b| b == b'\n' || b == b'\r') {
            let last = piece.last().copied();
            // The LF of a CRLF split across two pieces ends no new line.
            if piece == b"\n" && self.after_cr {
                self.after_cr = false;
                continue;
            }
            self.after_cr = last == Some(b'\r');
            let ends_line = matches!(last, Some(b'\n' | b'\r'));
            let text = if ends_line {
                &piece[..piece.len() - 1]
            } else {
                piece
            };
            self.line_len += text.len() as u64;
            if self.line_len > MAX_LINE_BYTES {
                return Err(TextProblem::LineTooLong { line: self.line });
            }
            if text.contains(&0) {
                return Err(TextProblem::Nul { line: self.line });
            }
            if self.utf8 {
                self.check_utf8(piece)?;
            }
            if ends_line {
                self.line += 1;
                self.line_len = 0;
            }
        }
        Ok(())
    }

    fn check_utf8(&mut self, piece: &[u8]) -> Result<(), TextProblem> {
        let invalid = TextProblem::InvalidUtf8 { line: self.line };
        let mut rest = piece;
        if self.carried > 0 {
            // Complete the sequence left over from the previous chunk.
            let mut seq = self.carry[..self.carried].to_vec();
            let need = utf8_width(seq[0]).ok_or(invalid)?;
            let take = (need - seq.len()).min(rest.len());
            if !rest[..take].iter().all(|b| (0x80..=0xBF).contains(b)) {
                return Err(invalid);
            }
            seq.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if seq.len() < need {
                return self.keep(&seq, invalid);
            }
            std::str::from_utf8(&seq).map_err(|_| invalid)?;
            self.carried = 0;
        }
        match std::str::from_utf8(rest) {
            Ok(_) => Ok(()),
            Err(e) if e.error_len().is_none() => self.keep(&rest[e.valid_up_to()..], invalid),
            Err(_) => Err(invalid),
        }
    }

    /// Keeps an unfinished sequence for the next chunk.
    fn keep(&mut self, seq: &[u8], invalid: TextProblem) -> Result<(), TextProblem> {
        if seq.len() > self.carry.len() {
            return Err(invalid);
        }
        self.carry[..seq.len()].copy_from_slice(seq);
        self.carried = seq.len();
        Ok(())
    }
}

/// Length of the UTF-8 sequence that `lead` starts.
fn utf8_width(lead: u8) -> Option<usize> {
    match lead {
        0xC2..=0xDF => Some(2),
        0xE0..=0xEF => Some(3),
        0xF0..=0xF4 => Some(4),
        _ => None,
    }
}

impl<R: Read> Read for TextGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(problem) = self.failed {
            return Err(self.fail(problem));
        }
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            if self.utf8 && self.carried > 0 {
                return Err(self.fail(TextProblem::InvalidUtf8 { line: self.line }));
            }
            if self.final_break && self.started && self.line_len > 0 {
                return Err(self.fail(TextProblem::Truncated { line: self.line }));
            }
            return Ok(0);
        }
        self.started = true;
        if let Err(problem) = self.check(&buf[..n]) {
            return Err(self.fail(problem));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `data` through a guard, `chunk` bytes at a time.
    fn read(data: &[u8], chunk: usize, strict: bool) -> Result<Vec<u8>, Option<TextProblem>> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.1.min(buf.len()).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut guard = TextGuard::new(Chunks(data, chunk));
        if strict {
            guard = guard.strict();
        }
        let mut out = Vec::new();
        guard
            .read_to_end(&mut out)
            .map_err(|e| TextProblem::of(&e))?;
        Ok(out)
    }

    #[test]
    fn text_passes_whole_in_any_chunking() {
        let text = "h;é\r\n🙂;中\r\n\r\rx\r".as_bytes();
        for chunk in 1..8 {
            assert_eq!(read(text, chunk, true).unwrap(), text, "{chunk}");
        }
        assert_eq!(read(b"", 3, true).unwrap(), b"");
    }

    #[test]
    fn problems_name_their_line_in_any_chunking() {
        let cases: [(&[u8], TextProblem); 7] = [
            (b"a\nb\0c\n", TextProblem::Nul { line: 2 }),
            (b"a\r\nb\r\0\n", TextProblem::Nul { line: 3 }),
            (b"a\rb\r\n\nc\0", TextProblem::Nul { line: 4 }),
            (b"a\nb\nc", TextProblem::Truncated { line: 3 }),
            (b"a\n\xC3\xA9\xE9\n", TextProblem::InvalidUtf8 { line: 2 }),
            (b"a\n\xF0\x9F\x99", TextProblem::InvalidUtf8 { line: 2 }),
            (b"\xFF\n", TextProblem::InvalidUtf8 { line: 1 }),
        ];
        for (data, want) in cases {
            for chunk in 1..6 {
                assert_eq!(read(data, chunk, true), Err(Some(want)), "{data:?} {chunk}");
            }
        }
        // Not strict: only NUL bytes and long lines.
        assert!(read(b"a\n\xE9\nc", 2, false).is_ok());
    }

    #[test]
    fn a_long_line_stops_the_reading_early() {
        let mut data = b"header\n".to_vec();
        data.resize(data.len() + MAX_LINE_BYTES as usize + 1, b'x');
        data.extend_from_slice(b"\n");
        let mut guard = TextGuard::new(&data[..]);
        let mut buf = vec![0; 8192];
        let mut total = 0;
        let err = loop {
            match guard.read(&mut buf) {
                Ok(n) => total += n,
                Err(e) => break e,
            }
        };
        assert_eq!(err.to_string(), "line 2 is longer than 1 MiB");
        assert!(total <= MAX_LINE_BYTES as usize + 8192);
        // And it stays failed.
        assert!(guard.read(&mut buf).is_err());

        let mut exact = b"h\n".to_vec();
        exact.resize(2 + MAX_LINE_BYTES as usize, b'x');
        exact.push(b'\n');
        assert!(read(&exact, 4096, true).is_ok());
    }
}
