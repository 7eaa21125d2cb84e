//! The one rule for every password an account is given (CLI today, any
//! future form or endpoint tomorrow): taken exactly as typed, long enough,
//! not only blanks, and not one of the best-known passwords.
use crate::error::Error;

/// The shortest password an account may have, in characters.
pub const MIN_CHARS: usize = 12;
/// The longest, in bytes: argon2 hashes whatever it is given, so a huge
/// password would cost memory and time for nothing.
pub const MAX_BYTES: usize = 1024;

/// Well-known passwords of 12 characters or more, in lower case.
const COMMON: &str = include_str!("common-passwords.txt");

/// True when `password`, blanks around it aside and whatever its case, is
/// on the embedded list of common passwords.
fn is_common(password: &str) -> bool {
    let wanted = password.trim().to_lowercase();
    COMMON
        .lines()
        .filter(|line| !line.starts_with('#'))
        .any(|line| line == wanted)
}

/// Checks a new password, returned unchanged: no trimming, so that the one
/// typed at sign-in is the one that was set. The error says in French what
/// is wrong.
pub fn check(password: &str) -> Result<&str, Error> {
    let invalid = |message: String| Err(Error::Invalid(message));
    if password.chars().count() < MIN_CHARS {
        return invalid(format!(
            "le mot de passe doit compter au moins {MIN_CHARS} caractères"
        ));
    }
    if password.len() > MAX_BYTES {
        return invalid(format!(
            "le mot de passe doit compter au plus {MAX_BYTES} octets"
        ));
    }
    if password.chars().all(char::is_whitespace) {
        return invalid("le mot de passe ne peut pas être fait que d'espaces".to_owned());
    }
    if is_common(password) {
        return invalid(
            "ce mot de passe est parmi les plus courants, donc parmi les premiers essayés : \
             choisissez-en un autre"
                .to_owned(),
        );
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_taken_as_typed() {
        assert_eq!(
            check("  un mot de passe assez long ").unwrap(),
            "  un mot de passe assez long "
        );
    }

    #[test]
    fn short_blank_long_and_common_passwords_are_refused() {
        let message = |p: &str| check(p).unwrap_err().to_string();
        assert!(message("court").contains("au moins 12 caractères"));
        assert!(
            message("           ").contains("au moins 12"),
            "eleven blanks"
        );
        assert!(message(&" ".repeat(12)).contains("que d'espaces"));
        assert!(message(&"\t \u{a0}".repeat(5)).contains("que d'espaces"));
        assert!(message(&"a".repeat(MAX_BYTES + 1)).contains("au plus"));
        for common in [
            "motdepasse123",
            "MotDePasse123",
            "Password1234",
            " azerty123456 ",
        ] {
            assert!(message(common).contains("plus courants"), "{common}");
        }
    }

    #[test]
    fn the_list_is_lower_case_and_long_enough_to_matter() {
        let entries: Vec<&str> = COMMON.lines().filter(|l| !l.starts_with('#')).collect();
        assert!(entries.len() > 300, "{}", entries.len());
        for entry in entries {
            assert_eq!(entry, entry.to_lowercase());
            assert!(entry.chars().count() >= MIN_CHARS, "{entry}");
        }
    }
}
