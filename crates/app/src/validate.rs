//! Checks of what people type in forms, each failing with a French message
//! that names the field.
use crate::error::Error;

fn invalid(message: String) -> Error {
    Error::Invalid(message)
}

/// A first name: one line of 1 to 60 characters (see [`single_line`]).
pub fn first_name(value: &str) -> Result<String, Error> {
    single_line(value, 60, "le prénom")
}

/// One line that people see elsewhere (a name, a title, a place), trimmed,
/// of 1 to `max` characters. Control characters are refused, since a line
/// break would add a line to a mail header, a CSV row or an `.ics`
/// property; so are `<` and `>`, which no name or place needs and which
/// would be markup if anything forgot to escape. `field` names the field as
/// the message says it, e.g. "le prénom" or "le titre (title)".
pub fn single_line(value: &str, max: usize, field: &str) -> Result<String, Error> {
    let value = value.trim();
    let count = value.chars().count();
    if count == 0 || count > max {
        return Err(invalid(format!(
            "{field} doit compter de 1 à {max} caractères"
        )));
    }
    if value
        .chars()
        .any(|c| c.is_control() || c == '<' || c == '>')
    {
        return Err(invalid(format!(
            "{field} tient sur une ligne, sans caractère de contrôle ni signe < ou >"
        )));
    }
    Ok(value.to_owned())
}

/// An e-mail address, the one check of every input that takes one (forms,
/// API, CLI): the syntax of RFC 5322's `addr-spec` as the `email_address`
/// crate reads it, with a domain that has a dot, no domain literal, no
/// display name and no quoted local part. Quotes and angle brackets would
/// otherwise reach mail headers and calendar invitations, which cannot
/// carry them.
pub fn email(value: &str) -> Result<String, Error> {
    let value = value.trim();
    let options = email_address::Options::default()
        .with_required_tld()
        .without_domain_literal()
        .without_display_text();
    let ok = value.len() <= 254
        && !value.contains('"')
        && email_address::EmailAddress::parse_with_options(value, options).is_ok();
    if !ok {
        return Err(invalid("l'adresse e-mail n'est pas valide".to_owned()));
    }
    Ok(value.to_owned())
}

/// A phone number: digits with spaces, dots, hyphens and a leading `+`.
pub fn phone(value: &str) -> Result<String, Error> {
    let value = value.trim();
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let ok = (6..=15).contains(&digits)
        && value
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || " .-()".contains(c) || (c == '+' && i == 0));
    if !ok {
        return Err(invalid(
            "le numéro de téléphone n'est pas valide".to_owned(),
        ));
    }
    Ok(value.to_owned())
}

/// ISO 639-1 codes such as `fr`, `ar`; at least one; French by default.
pub fn languages(values: &[String]) -> Result<Vec<String>, Error> {
    if values.is_empty() {
        return Ok(vec!["fr".to_owned()]);
    }
    let mut out = Vec::new();
    for v in values {
        let code = v.trim().to_ascii_lowercase();
        if code.len() != 2 || !code.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(invalid(format!(
                "« {v} » n'est pas un code de langue ISO 639-1 (deux lettres, comme fr ou ar)"
            )));
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    if out.len() > 10 {
        return Err(invalid("dix langues au plus".to_owned()));
    }
    Ok(out)
}

/// A UAI: seven digits and a letter.
pub fn uai(value: &str) -> Result<String, Error> {
    let value = value.trim().to_ascii_uppercase();
    let b = value.as_bytes();
    if b.len() == 8 && b[..7].iter().all(u8::is_ascii_digit) && b[7].is_ascii_uppercase() {
        Ok(value)
    } else {
        Err(invalid(format!(
            "« {value} » n'est pas un code UAI (sept chiffres et une lettre)"
        )))
    }
}

/// Free text up to `max` characters.
pub fn free_text(value: Option<&str>, max: usize, field: &str) -> Result<Option<String>, Error> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(invalid(format!("{field} : {max} caractères au plus")));
    }
    // Lines and tabs are text; other control characters are not.
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(invalid(format!("{field} : caractère de contrôle refusé")));
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
) -> Result<(), Error> {
    let latest = now + chrono::TimeDelta::days(MEETING_HORIZON_DAYS);
    if starts_at < now {
        return Err(invalid(
            "le début de la réunion (starts_at) est déjà passé : choisissez une date à venir"
                .to_owned(),
        ));
    }
    if starts_at > latest {
        return Err(invalid(format!(
            "le début de la réunion (starts_at) est à plus de deux ans : choisissez une date \
             avant le {}",
            latest.format("%d/%m/%Y")
        )));
    }
    Ok(())
}

/// Consent must be given explicitly.
pub fn consent(given: bool) -> Result<(), Error> {
    if given {
        Ok(())
    } else {
        Err(invalid(
            "le consentement au traitement des données est nécessaire".to_owned(),
        ))
    }
}

/// Refuses what is not text: a NUL byte, invalid UTF-8, a line longer than
/// 1 MiB, or a last line cut short (a truncated download); the error names
/// the line. The importers of text files call it first.
pub fn text_file(bytes: &[u8]) -> Result<(), Error> {
    let mut guard = passerelle_geocode::TextGuard::new(bytes).strict();
    std::io::copy(&mut guard, &mut std::io::sink()).map_err(|e| {
        match passerelle_geocode::TextProblem::of(&e) {
            Some(problem) => Error::Invalid(problem.to_string()),
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
        assert_eq!(single_line(" Salle 2 ", 10, "le lieu").unwrap(), "Salle 2");
        for bad in [
            "a\nb",
            "a\rb",
            "a\u{0}b",
            "<script>",
            "a > b",
            "",
            "12345678901",
        ] {
            let e = single_line(bad, 10, "le lieu").unwrap_err().to_string();
            assert!(e.starts_with("le lieu "), "{bad:?}: {e}");
        }
        assert!(first_name("Inès<b>").is_err());
        assert_eq!(
            free_text(Some("ligne 1\r\nligne 2"), 50, "description").unwrap(),
            Some("ligne 1\r\nligne 2".to_owned())
        );
        assert!(free_text(Some("a\u{7}b"), 50, "description").is_err());
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
            let e = meeting_start(bad, now).unwrap_err().to_string();
            assert!(e.contains("starts_at"), "{e}");
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
