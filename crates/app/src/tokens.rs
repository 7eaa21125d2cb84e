//! API tokens for scripts: a random secret shown once, stored as its SHA-256.
use crate::access::{Caller, Role, Scope};
use crate::error::Error;
use crate::secrets::{self, hash};
use crate::state::AppState;

/// Creates a token and returns its secret, which is never shown again.
/// `sectors` limits an organizer's token to those sector keys.
pub async fn create(
    state: &AppState,
    name: &str,
    role: Role,
    sectors: Option<Vec<String>>,
) -> Result<String, Error> {
    if name.trim().is_empty() || name.len() > 100 {
        return Err(Error::BadRequest(
            "a token needs a name of 1 to 100 characters".into(),
        ));
    }
    let sectors = sectors
        .as_deref()
        .map(crate::accounts::sector_keys)
        .transpose()?;
    let secret = secrets::generate("pas_");
    state
        .store
        .create_token(name, &role.to_string(), &hash(&secret), sectors)
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

/// The caller of a bearer secret, whatever its role; `Unauthorized` for a
/// secret that is unknown or revoked.
pub async fn authenticate(state: &AppState, secret: &str) -> Result<Caller, Error> {
    let token = state
        .store
        .find_token(&hash(secret))
        .await?
        .ok_or(Error::Unauthorized)?;
    Ok(Caller {
        role: token.role.parse()?,
        name: token.name,
        scope: Scope::from_keys(token.sectors),
    })
}

/// Checks a bearer secret and that its role covers `needed`.
pub async fn authorize(state: &AppState, secret: &str, needed: Role) -> Result<Caller, Error> {
    let caller = authenticate(state, secret).await?;
    caller.require(needed)?;
    Ok(caller)
}
