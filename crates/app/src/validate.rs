//! Checks of what people type in forms. Each returns the clean value or
//! the [`Problem`] with it; the caller names the field.
use crate::error::Error;
use crate::invalid::Problem;
use passerelle_matching::Grade;

/// A first name: one line of 1 to 60 characters (see [`single_line`]).
pub fn first_name(value: &str) -> Result<String, Problem> {
    single_line(value, 60)
}

/// One line that people see elsewhere (a name, a title, a place), trimmed,
/// of 1 to `max` characters. Control characters are refused, since a line
/// break would add a line to a mail header, a CSV row or an `.ics`
/// property; so are `<` and `>`, which no name or place needs and which
/// would be markup if anything forgot to escape.
pub fn single_line(value: &str, max: usize) -> Result<String, Problem> {
    let value = value.trim();
    let count = value.chars().count();
    if count == 0 || count > max {
        return Err(Problem::Length { max });
    }
    if value
        .chars()
        .any(|c| c.is_control() || c == '<' || c == '>')
    {
        return Err(Problem::NotOneLine);
    }
    Ok(value.to_owned())
}

/// An e-mail address, the one check of every input that takes one (forms,
/// API, CLI): the syntax of RFC 5322's `addr-spec` as the `email_address`
/// crate reads it, with a domain that has a dot, no domain literal, no
/// display name and no quoted local part. Quotes and angle brackets would
/// otherwise reach mail headers and calendar invitations, which cannot
/// carry them.
pub fn email(value: &str) -> Result<String, Problem> {
    let value = value.trim();
    let options = email_address::Options::default()
        .with_required_tld()
        .without_domain_literal()
        .without_display_text();
    let ok = value.len() <= 254
        && !value.contains('"')
        && email_address::EmailAddress::parse_with_options(value, options).is_ok();
    if !ok {
        return Err(Problem::Email);
    }
    Ok(value.to_owned())
}

/// A phone number: digits with spaces, dots, hyphens and a leading `+`.
pub fn phone(value: &str) -> Result<String, Problem> {
    let value = value.trim();
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let ok = (6..=15).contains(&digits)
        && value
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || " .-()".contains(c) || (c == '+' && i == 0));
    if !ok {
        return Err(Problem::Phone);
    }
    Ok(value.to_owned())
}

/// An optional value: blank is absent, anything else must pass `check`.
pub fn optional(
    value: Option<&str>,
    check: fn(&str) -> Result<String, Problem>,
) -> Result<Option<String>, Problem> {
    value
        .filter(|v| !v.trim().is_empty())
        .map(check)
        .transpose()
}

/// The most languages a person may list.
const MAX_LANGUAGES: usize = 10;

/// ISO 639-1 codes such as `fr`, `ar`; at least one; French by default.
pub fn languages(values: &[String]) -> Result<Vec<String>, Problem> {
    if values.is_empty() {
        return Ok(vec!["fr".to_owned()]);
    }
    let mut out = Vec::new();
    for v in values {
        let code = v.trim().to_ascii_lowercase();
        if code.len() != 2 || !code.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(Problem::LanguageCode { value: v.clone() });
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    if out.len() > MAX_LANGUAGES {
        return Err(Problem::TooManyLanguages { max: MAX_LANGUAGES });
    }
    Ok(out)
}

/// A UAI: seven digits and a letter; blank is [`Problem::Missing`].
pub fn uai(value: &str) -> Result<String, Problem> {
    let value = value.trim().to_ascii_uppercase();
    if value.is_empty() {
        return Err(Problem::Missing);
    }
    let b = value.as_bytes();
    if b.len() == 8 && b[..7].iter().all(u8::is_ascii_digit) && b[7].is_ascii_uppercase() {
        Ok(value)
    } else {
        Err(Problem::Uai { value })
    }
}

/// Free text up to `max` characters; `None` when blank.
pub fn free_text(value: Option<&str>, max: usize) -> Result<Option<String>, Problem> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(Problem::TooLong { max });
    }
    // Lines and tabs are text; other control characters are not.
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Problem::ControlCharacter);
    }
    Ok(Some(value.to_owned()))
}

/// How far ahead a meeting may be planned: two years.
pub const MEETING_HORIZON_DAYS: i64 = 730;

/// The start of a meeting: not past, and within [`MEETING_HORIZON_DAYS`]
/// of `now`, so that every meeting fits a calendar and a school year.
pub fn meeting_start(
    starts_at: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), Problem> {
    let latest = now + chrono::TimeDelta::days(MEETING_HORIZON_DAYS);
    if starts_at < now {
        return Err(Problem::StartPast);
    }
    if starts_at > latest {
        return Err(Problem::StartTooFar {
            latest: latest.date_naive(),
        });
    }
    Ok(())
}

/// A child's grade among `allowed`, as schools write it; blank is
/// [`Problem::Missing`], anything else outside `allowed` is `otherwise`.
pub fn grade(
    text: &str,
    allowed: std::ops::RangeInclusive<Grade>,
    otherwise: Problem,
) -> Result<Grade, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Problem::Missing);
    }
    Grade::parse(text)
        .filter(|g| allowed.contains(g))
        .ok_or(otherwise)
}

/// Consent must be given explicitly.
pub fn consent(given: bool) -> Result<(), Problem> {
    if given {
        Ok(())
    } else {
        Err(Problem::ConsentMissing)
    }
}

/// Refuses what is not text: a NUL byte, invalid UTF-8, a line longer than
/// 1 MiB, or a last line cut short (a truncated download); the error names
/// the line. The importers of text files call it first.
pub fn text_file(bytes: &[u8]) -> Result<(), Error> {
    let mut guard = passerelle_geocode::TextGuard::new(bytes).strict();
    std::io::copy(&mut guard, &mut std::io::sink()).map_err(|e| {
        match passerelle_geocode::TextProblem::of(&e) {
            Some(problem) => Error::Refused(problem.to_string()),
            None => Error::Internal(e.into()),
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_contact_details() {
        assert!(email("marie@example.org").is_ok());
        assert!(email(" Marie.Curie+info@sub.example.org ").is_ok());
        for bad in [
            "marie",
            "marie@",
            "@x.fr",
            "a b@x.fr",
            "a@x",
            "a@.fr",
            "\"marie\"@example.org",
            "\"ma rie\"@example.org",
            "<marie@example.org>",
            "Marie <marie@example.org>",
            "ma<rie@example.org",
            "marie>@example.org",
            "marie@[192.0.2.1]",
            "marie@example..org",
            "marie@exa\nmple.org",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert!(phone("+33 6 12 34 56 78").is_ok());
        assert!(phone("06.12.34.56.78").is_ok());
        assert!(phone("12").is_err());
        assert!(phone("06 12 34 56 78 abc").is_err());
        assert!(first_name("  Inès ").unwrap() == "Inès");
        assert!(first_name("").is_err());
    }

    #[test]
    fn single_lines_refuse_breaks_and_markup() {
        assert_eq!(single_line(" Salle 2 ", 10).unwrap(), "Salle 2");
        for bad in [
            "a\nb",
            "a\rb",
            "a\u{0}b",
            "<script>",
            "a > b",
            "",
            "12345678901",
        ] {
            assert!(single_line(bad, 10).is_err(), "{bad:?}");
        }
        assert!(first_name("Inès<b>").is_err());
        assert_eq!(
            free_text(Some("ligne 1\r\nligne 2"), 50).unwrap(),
            Some("ligne 1\r\nligne 2".to_owned())
        );
        assert!(free_text(Some("a\u{7}b"), 50).is_err());
    }

    #[test]
    fn meetings_start_within_two_years() {
        let now = chrono::Utc::now();
        assert!(meeting_start(now + chrono::TimeDelta::days(1), now).is_ok());
        assert!(meeting_start(now + chrono::TimeDelta::days(730), now).is_ok());
        for bad in [
            now - chrono::TimeDelta::minutes(1),
            now + chrono::TimeDelta::days(731),
        ] {
            assert!(meeting_start(bad, now).is_err());
        }
    }

    #[test]
    fn checks_languages_and_uai() {
        assert_eq!(languages(&[]).unwrap(), ["fr"]);
        assert_eq!(
            languages(&["FR".into(), "ar".into(), "fr".into()]).unwrap(),
            ["fr", "ar"]
        );
        assert!(languages(&["french".into()]).is_err());
        assert_eq!(uai("0752538b").unwrap(), "0752538B");
        assert!(uai("075253").is_err());
    }
}
