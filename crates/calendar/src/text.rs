//! RFC 5545 text escaping, RFC 6868 parameter encoding and line folding.
//!
//! The writer escapes and folds in one pass (see `LineWriter`); the
//! functions here are the same rules on whole strings, for importers and
//! for tests that read our output back.
//!
//! ```
//! use passerelle_calendar::text::{escape_text, unescape_text};
//!
//! let s = "Réunion, salle 2; entrée B";
//! assert_eq!(unescape_text(&escape_text(s)), s);
//! ```

/// Longest physical line, in octets, without the CRLF (RFC 5545 §3.1).
pub(crate) const MAX_LINE_OCTETS: usize = 75;

/// Escapes a TEXT value (RFC 5545 §3.3.11): `\` `;` `,` and newlines.
///
/// CRLF and lone CR become `\n`; other control characters, which TEXT
/// cannot carry, are dropped.
///
/// ```
/// use passerelle_calendar::text::escape_text;
///
/// assert_eq!(escape_text("Salle 2; bât. A, 1er\nétage"), r"Salle 2\; bât. A\, 1er\nétage");
/// ```
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for_each_text_atom(value, |atom| out.push_str(atom));
    out
}

/// Reverses [`escape_text`]; `\N` is read as a newline too, and an unknown
/// escape keeps its character (lenient, for imports).
///
/// ```
/// use passerelle_calendar::text::unescape_text;
///
/// assert_eq!(unescape_text(r"a\, b\; c\\d\ne"), "a, b; c\\d\ne");
/// ```
pub fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Encodes a parameter value (RFC 6868 caret encoding, then RFC 5545
/// quoting when it holds `:` `;` or `,`).
///
/// ```
/// use passerelle_calendar::text::encode_param_value;
///
/// assert_eq!(encode_param_value("Marie"), "Marie");
/// assert_eq!(encode_param_value(r#"Dupont, "Mimi" Marie"#), r#""Dupont, ^'Mimi^' Marie""#);
/// ```
pub fn encode_param_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    for_each_param_atom(value, |atom| out.push_str(atom));
    out
}

/// Reverses [`encode_param_value`]: strips the quotes and decodes `^^`,
/// `^n` and `^'` (RFC 6868); any other caret is kept as is.
///
/// ```
/// use passerelle_calendar::text::decode_param_value;
///
/// assert_eq!(decode_param_value(r#""Dupont, ^'Mimi^' Marie""#), r#"Dupont, "Mimi" Marie"#);
/// ```
pub fn decode_param_value(value: &str) -> String {
    let inner = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '^' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('^') => out.push('^'),
            Some('n') => out.push('\n'),
            Some('\'') => out.push('"'),
            _ => {
                out.push('^');
                continue;
            }
        }
        chars.next();
    }
    out
}

/// Removes line folding: a line break followed by one space or tab.
///
/// ```
/// use passerelle_calendar::text::unfold;
///
/// assert_eq!(unfold("SUMMARY:Réu\r\n nion\r\n"), "SUMMARY:Réunion\r\n");
/// ```
pub fn unfold(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    let mut rest = folded;
    while let Some(pos) = rest.find('\n') {
        let (line, tail) = rest.split_at(pos);
        let after = &tail[1..];
        if after.starts_with([' ', '\t']) {
            out.push_str(line.strip_suffix('\r').unwrap_or(line));
            rest = &after[1..];
        } else {
            out.push_str(line);
            out.push('\n');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Calls `f` with each unsplittable piece of an escaped TEXT value.
fn for_each_text_atom(value: &str, mut f: impl FnMut(&str)) {
    let mut chars = value.char_indices().peekable();
    let mut buf = [0u8; 4];
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' => f("\\\\"),
            ';' => f("\\;"),
            ',' => f("\\,"),
            '\n' => f("\\n"),
            '\r' => {
                // CRLF is one newline, not two.
                if chars.peek().is_some_and(|&(_, n)| n == '\n') {
                    chars.next();
                }
                f("\\n");
            }
            c if is_forbidden_control(c) => {}
            c => f(c.encode_utf8(&mut buf)),
        }
    }
}

/// Calls `f` with each unsplittable piece of an encoded parameter value.
fn for_each_param_atom(value: &str, mut f: impl FnMut(&str)) {
    let quote = value.contains([':', ';', ',']);
    if quote {
        f("\"");
    }
    let mut chars = value.chars().peekable();
    let mut buf = [0u8; 4];
    while let Some(c) = chars.next() {
        match c {
            '^' => f("^^"),
            '"' => f("^'"),
            '\n' => f("^n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                f("^n");
            }
            c if is_forbidden_control(c) => {}
            c => f(c.encode_utf8(&mut buf)),
        }
    }
    if quote {
        f("\"");
    }
}

/// Bytes that end a plain run in TEXT: escapes, controls, and 0xC2 (the
/// lead byte of C1 controls, checked further).
static TEXT_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b != 0x09;
        b += 1;
    }
    table[0x7F] = true;
    table[b'\\' as usize] = true;
    table[b';' as usize] = true;
    table[b',' as usize] = true;
    table[0xC2] = true;
    table
};

/// Control characters that no iCalendar value may hold (HTAB is allowed).
fn is_forbidden_control(c: char) -> bool {
    (c.is_ascii_control() && c != '\t') || ('\u{80}'..='\u{9f}').contains(&c)
}

/// Writes content lines, folding at 75 octets as it goes.
///
/// Callers push "atoms" that must stay on one physical line: one UTF-8
/// character, or one escape sequence (`\,`, `^'`). A fold never leaves a
/// physical line ending in white space when it can avoid it, because some
/// parsers (the `ical` crate among them) trim line ends and would lose it.
#[derive(Debug)]
pub(crate) struct LineWriter {
    buf: String,
    /// Byte index where the current physical line starts.
    line_start: usize,
    /// Whether the current physical line is a continuation (starts with the fold space).
    continuation: bool,
}

impl LineWriter {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            buf: String::with_capacity(capacity),
            line_start: 0,
            continuation: false,
        }
    }

    pub(crate) fn finish(self) -> String {
        self.buf
    }

    /// Pushes one unsplittable atom.
    #[inline]
    pub(crate) fn atom(&mut self, atom: &str) {
        if self.buf.len() - self.line_start + atom.len() > MAX_LINE_OCTETS {
            self.fold(atom.len());
        }
        self.buf.push_str(atom);
    }

    /// Pushes ASCII that may be split anywhere (names, dates, numbers).
    pub(crate) fn ascii(&mut self, s: &str) {
        debug_assert!(s.is_ascii());
        let room = MAX_LINE_OCTETS - (self.buf.len() - self.line_start);
        if s.len() <= room {
            self.buf.push_str(s);
            return;
        }
        for i in 0..s.len() {
            self.atom(&s[i..=i]);
        }
    }

    /// Pushes an escaped TEXT value: same output as [`escape_text`], but
    /// plain runs go in whole (this is the hot path of big feeds).
    pub(crate) fn text(&mut self, value: &str) {
        let bytes = value.as_bytes();
        let (mut start, mut i) = (0, 0);
        while i < bytes.len() {
            let b = bytes[i];
            if !TEXT_SPECIAL[usize::from(b)] {
                i += 1;
                continue;
            }
            // C1 controls are U+0080..U+009F, i.e. 0xC2 0x80..=0x9F.
            let c1 = b == 0xC2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n));
            if b == 0xC2 && !c1 {
                i += 1;
                continue;
            }
            self.run(&value[start..i]);
            match b {
                b'\\' => self.atom("\\\\"),
                b';' => self.atom("\\;"),
                b',' => self.atom("\\,"),
                b'\n' => self.atom("\\n"),
                b'\r' => {
                    // CRLF is one newline, not two.
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    self.atom("\\n");
                }
                // Other controls are dropped; a C1 control takes two bytes.
                _ if c1 => i += 1,
                _ => {}
            }
            i += 1;
            start = i;
        }
        self.run(&value[start..]);
    }

    /// Pushes characters that need no escaping; folds may fall between any two.
    fn run(&mut self, mut s: &str) {
        while !s.is_empty() {
            let room = MAX_LINE_OCTETS - (self.buf.len() - self.line_start);
            if s.len() <= room {
                self.buf.push_str(s);
                return;
            }
            let mut split = room;
            while !s.is_char_boundary(split) {
                split -= 1;
            }
            self.buf.push_str(&s[..split]);
            s = &s[split..];
            self.fold(s.chars().next().map_or(1, char::len_utf8));
        }
    }

    /// Pushes an encoded (and quoted if needed) parameter value.
    pub(crate) fn param_value(&mut self, value: &str) {
        let needs_encoding = value
            .chars()
            .any(|c| matches!(c, '^' | '"' | '\n' | '\r') || is_forbidden_control(c));
        if needs_encoding {
            for_each_param_atom(value, |atom| self.atom(atom));
        } else if value.contains([':', ';', ',']) {
            self.atom("\"");
            self.run(value);
            self.atom("\"");
        } else {
            self.run(value);
        }
    }

    /// Pushes a value that needs no escaping but may hold any character (URIs).
    pub(crate) fn raw(&mut self, value: &str) {
        self.run(value);
    }

    /// Ends the content line.
    pub(crate) fn end_line(&mut self) {
        self.buf.push_str("\r\n");
        self.line_start = self.buf.len();
        self.continuation = false;
    }

    /// A whole short ASCII line, e.g. `END:VEVENT`.
    pub(crate) fn line(&mut self, s: &str) {
        self.ascii(s);
        self.end_line();
    }

    /// Starts a continuation line before an atom of `next_len` octets.
    fn fold(&mut self, next_len: usize) {
        let content_start = self.line_start + usize::from(self.continuation);
        let line = &self.buf.as_bytes()[content_start..];
        let trailing = line
            .iter()
            .rev()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        // Move trailing blanks to the next line when they fit there and
        // something else stays on this one.
        if trailing > 0 && trailing < line.len() && 1 + trailing + next_len <= MAX_LINE_OCTETS {
            let cut = self.buf.len() - trailing;
            let blanks: String = self.buf[cut..].to_owned();
            self.buf.truncate(cut);
            self.buf.push_str("\r\n ");
            self.line_start = self.buf.len() - 1;
            self.buf.push_str(&blanks);
        } else {
            self.buf.push_str("\r\n ");
            self.line_start = self.buf.len() - 1;
        }
        self.continuation = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_round_trip_of_specials() {
        let s = "a\\b;c,d\ne\r\nf\rg\u{7}h\tï";
        assert_eq!(escape_text(s), r"a\\b\;c\,d\ne\nf\ngh".to_owned() + "\tï");
        assert_eq!(unescape_text(&escape_text(s)), "a\\b;c,d\ne\nf\ngh\tï");
    }

    #[test]
    fn param_encoding_round_trip() {
        for s in [
            "plain", "a:b", "a;b", "a,b", "^", "x^ny", "q\"q", "l1\nl2", "é ^' \"",
        ] {
            let enc = encode_param_value(s);
            assert!(!enc.trim_matches('"').contains('"'), "{enc}");
            assert_eq!(decode_param_value(&enc), s, "{enc}");
        }
    }

    #[test]
    fn fast_text_path_matches_escape_text() {
        let samples = [
            "plain",
            "a\\b;c,d\ne\r\nf\rg\u{7}h\u{85}i\u{a0}j«k»\tl\u{7f}m",
            &"é;🏫,".repeat(40),
            &format!("{} {}", "x".repeat(70), "y".repeat(70)),
        ];
        for s in samples {
            let mut w = LineWriter::with_capacity(64);
            w.ascii("X:");
            w.text(s);
            w.end_line();
            let out = w.finish();
            assert!(
                out.split("\r\n").all(|l| l.len() <= MAX_LINE_OCTETS),
                "{out:?}"
            );
            assert_eq!(unfold(&out), format!("X:{}\r\n", escape_text(s)), "{s:?}");
        }
    }

    #[test]
    fn fold_keeps_escape_sequences_and_moves_blanks() {
        let mut w = LineWriter::with_capacity(256);
        w.ascii("SUMMARY:");
        w.text(&"x".repeat(66));
        w.text(",,");
        w.end_line();
        let out = w.finish();
        // 8 + 66 = 74 octets: `\,` would need 76, so it moves whole.
        let first = out.split("\r\n").next().unwrap();
        assert_eq!(first.len(), 74);
        assert!(out.contains("\r\n \\,\\,"), "{out:?}");

        let mut w = LineWriter::with_capacity(256);
        w.ascii("SUMMARY:");
        w.text(&format!("{} b", "a".repeat(66)));
        w.text(&"c".repeat(10));
        w.end_line();
        let out = w.finish();
        for line in out.split("\r\n") {
            assert!(!line.ends_with(' '), "{out:?}");
        }
        assert!(out.contains("\r\n  b"), "{out:?}");
        assert_eq!(
            unfold(&out),
            format!("SUMMARY:{} b{}\r\n", "a".repeat(66), "c".repeat(10))
        );
    }
}
