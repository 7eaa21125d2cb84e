//! Unguessable secrets (API tokens, capability links): 256 random bits,
//! stored only as their SHA-256.
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new secret: `prefix` then 64 hex digits (256 bits).
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// What the database keeps of a secret.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_long_random_and_hashed() {
        let (a, b) = (super::generate("x_"), super::generate("x_"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 2 + 64);
        assert_eq!(super::hash(&a).len(), 64);
        assert_ne!(super::hash(&a), super::hash(&b));
    }
}
