//! The one rule for every password an account is given (CLI today, any
//! future form or endpoint tomorrow): taken exactly as typed, long enough,
//! not only blanks, and not one of the best-known passwords.
use crate::invalid::Problem;

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
/// typed at sign-in is the one that was set.
pub fn check(password: &str) -> Result<&str, Problem> {
    if password.chars().count() < MIN_CHARS {
        return Err(Problem::PasswordTooShort { min: MIN_CHARS });
    }
    if password.len() > MAX_BYTES {
        return Err(Problem::PasswordTooLong {
            max_bytes: MAX_BYTES,
        });
    }
    if password.chars().all(char::is_whitespace) {
        return Err(Problem::PasswordBlank);
    }
    if is_common(password) {
        return Err(Problem::PasswordCommon);
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
        let problem = |p: &str| check(p).unwrap_err();
        assert_eq!(problem("court"), Problem::PasswordTooShort { min: 12 });
        assert_eq!(
            problem("           "),
            Problem::PasswordTooShort { min: 12 },
            "eleven blanks"
        );
        assert_eq!(problem(&" ".repeat(12)), Problem::PasswordBlank);
        assert_eq!(problem(&"\t \u{a0}".repeat(5)), Problem::PasswordBlank);
        assert_eq!(
            problem(&"a".repeat(MAX_BYTES + 1)),
            Problem::PasswordTooLong {
                max_bytes: MAX_BYTES
            }
        );
        for common in [
            "motdepasse123",
            "MotDePasse123",
            "Password1234",
            " azerty123456 ",
        ] {
            assert_eq!(problem(common), Problem::PasswordCommon, "{common}");
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
