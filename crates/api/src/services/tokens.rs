//! API tokens for scripts: a random secret shown once, stored as its SHA-256.
use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::services::secrets::{self, hash};
use crate::state::AppState;

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Organizer,
    Referent,
}

impl Role {
    /// True when this role may do what `needed` may do.
    pub fn covers(self, needed: Role) -> bool {
        self == needed || self == Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Admin => "admin",
            Role::Organizer => "organizer",
            Role::Referent => "referent",
        })
    }
}

impl FromStr for Role {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "admin" => Ok(Role::Admin),
            "organizer" => Ok(Role::Organizer),
            "referent" => Ok(Role::Referent),
            other => Err(Error::BadRequest(format!(
                "unknown role `{other}`: use admin, organizer or referent"
            ))),
        }
    }
}

/// Whoever a valid token belongs to.
#[derive(Clone, Debug)]
pub struct Caller {
    pub token_name: String,
    pub role: Role,
}

/// Creates a token and returns its secret, which is never shown again.
pub async fn create(state: &AppState, name: &str, role: Role) -> Result<String, Error> {
    if name.trim().is_empty() || name.len() > 100 {
        return Err(Error::BadRequest(
            "a token needs a name of 1 to 100 characters".into(),
        ));
    }
    let secret = secrets::generate("pas_");
    state
        .store
        .create_token(name, &role.to_string(), &hash(&secret))
        .await?;
    Ok(secret)
}

/// Revokes the token called `name`.
pub async fn revoke(state: &AppState, name: &str) -> Result<(), Error> {
    if state.store.revoke_token(name).await? {
        Ok(())
    } else {
        Err(Error::NotFound(format!("no live token is named `{name}`")))
    }
}

/// Checks a bearer secret and that its role covers `needed`.
pub async fn authorize(state: &AppState, secret: &str, needed: Role) -> Result<Caller, Error> {
    let token = state
        .store
        .find_token(&hash(secret))
        .await?
        .ok_or(Error::Unauthorized)?;
    let role: Role = token.role.parse()?;
    if !role.covers(needed) {
        return Err(Error::Forbidden(format!(
            "ce jeton a le rôle « {role} » ; cette action demande le rôle « {needed} »"
        )));
    }
    Ok(Caller {
        token_name: token.name,
        role,
    })
}
