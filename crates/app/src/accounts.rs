//! Accounts of admins and organizers (argon2 passwords), web sessions, and
//! the one-time sign-in links mailed to referents.
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{Duration, Utc};
use passerelle_mails::SignInLink;
use passerelle_sectors::{SectorKey, SectorKeyError};
use passerelle_store::entities::referents;
use passerelle_store::{NewAccount, SessionOwner};

use crate::access::{Caller, Role, Scope};
use crate::error::Error;
use crate::invalid::{Problem, at};
use crate::state::AppState;
use crate::{passwords, secrets, validate};

/// A session ends this long after sign-in, however active.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
/// A mailed sign-in link works once, within this delay.
pub const SIGN_IN_LINK_LIFETIME: Duration = Duration::minutes(30);

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(anyhow::anyhow!("password hashing failed: {e}")))
}

/// True when `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// The e-mail of an account, as the store keys it, checked like every
/// e-mail that comes in.
fn account_email(email: &str) -> Result<String, Error> {
    Ok(validate::email(email).map_err(at("email"))?.to_lowercase())
}

/// The key of an existing account, for the commands that only end access
/// (disable, revoke sessions): not checked, so that an account stored
/// before a stricter rule can still be shut.
fn existing_account_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Sector keys as typed: UAIs joined with `+`, each checked.
pub(crate) fn sector_keys(keys: &[String]) -> Result<Vec<SectorKey>, Error> {
    keys.iter()
        .map(|key| {
            key.parse::<SectorKey>().map_err(|e| {
                let problem = match e {
                    SectorKeyError::NotUai(uai) => Problem::Uai { value: uai },
                    SectorKeyError::Empty => Problem::Missing,
                };
                problem.at("sectors").into()
            })
        })
        .collect()
}

/// Creates an admin or organizer account. `sectors` limits an organizer to
/// those sector keys.
pub async fn create(
    state: &AppState,
    email: &str,
    role: Role,
    password_text: &str,
    sectors: Option<Vec<String>>,
) -> Result<(), Error> {
    if role == Role::Referent {
        return Err(Error::BadRequest(
            "referents have no password: they sign in by a link sent by mail".into(),
        ));
    }
    if role == Role::Admin && sectors.is_some() {
        return Err(Error::BadRequest(
            "an admin sees every sector: --sector is for organizers".into(),
        ));
    }
    let email = account_email(email)?;
    let sectors = sectors.as_deref().map(sector_keys).transpose()?;
    let password_hash = hash_password(passwords::check(password_text).map_err(at("password"))?)?;
    state
        .store
        .create_account(NewAccount {
            email,
            role: role.to_string(),
            password_hash,
            sectors,
        })
        .await?;
    Ok(())
}

/// Sets a new password; every session of the account ends.
pub async fn set_password(state: &AppState, email: &str, password_text: &str) -> Result<(), Error> {
    let email = account_email(email)?;
    let hash = hash_password(passwords::check(password_text).map_err(at("password"))?)?;
    state
        .store
        .set_password(&email, &hash)
        .await
        .map_err(not_found_account)
}

/// Disables an account; every session of the account ends.
pub async fn disable(state: &AppState, email: &str) -> Result<(), Error> {
    state
        .store
        .disable_account(&existing_account_email(email))
        .await
        .map_err(not_found_account)
}

/// Ends every session of an account; returns how many were live.
pub async fn revoke_sessions(state: &AppState, email: &str) -> Result<u64, Error> {
    let account = state
        .store
        .account_by_email(&existing_account_email(email))
        .await?
        .ok_or_else(|| Error::NotFound("no such account".into()))?;
    Ok(state.store.revoke_account_sessions(account.id).await?)
}

fn not_found_account(e: passerelle_store::StoreError) -> Error {
    match e {
        passerelle_store::StoreError::NotFound(_) => Error::NotFound("no such account".into()),
        other => other.into(),
    }
}

/// Checks an e-mail and password; opens a session and returns its secret.
/// A wrong e-mail and a wrong password get the same answer, in about the
/// same time. The password is compared as typed, blanks included, as it
/// was set.
pub async fn sign_in(state: &AppState, email: &str, password_text: &str) -> Result<String, Error> {
    let email = account_email(email)?;
    state.limits.check_email(&email)?;
    let account = state.store.account_by_email(&email).await?;
    let hash = account
        .as_ref()
        .filter(|a| !a.disabled)
        .map(|a| a.password_hash.clone());
    let candidate = password_text.to_owned();
    let matches = tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_password(&candidate, &hash),
        None => {
            // Spend the same effort on an unknown address.
            let _ = hash_password(&candidate);
            false
        }
    })
    .await
    .map_err(|e| Error::Internal(e.into()))?;
    match account {
        Some(account) if matches => open_session(state, Some(account.id), None).await,
        _ => Err(Error::Unauthorized),
    }
}

async fn open_session(
    state: &AppState,
    account_id: Option<i64>,
    referent_id: Option<i64>,
) -> Result<String, Error> {
    let secret = secrets::generate("ses_");
    state
        .store
        .create_session(
            &secrets::hash(&secret),
            account_id,
            referent_id,
            Utc::now() + SESSION_LIFETIME,
        )
        .await?;
    Ok(secret)
}

/// Who is behind a live session.
#[derive(Clone, Debug)]
pub enum SessionUser {
    /// An admin or organizer.
    Staff(Caller),
    Referent(referents::Model),
}

/// The user of a session cookie's secret, when the session is live.
pub async fn session(state: &AppState, secret: &str) -> Result<Option<SessionUser>, Error> {
    let live = state
        .store
        .live_session(
            &secrets::hash(secret),
            state.config.session_idle,
            Utc::now(),
        )
        .await?;
    Ok(match live.map(|s| s.owner) {
        Some(SessionOwner::Account(account)) => Some(SessionUser::Staff(Caller {
            role: account.role.parse()?,
            name: account.email,
            scope: Scope::from_keys(account.sectors),
        })),
        Some(SessionOwner::Referent(referent)) => Some(SessionUser::Referent(referent)),
        None => None,
    })
}

/// Ends a session (signing out).
pub async fn sign_out(state: &AppState, secret: &str) -> Result<(), Error> {
    Ok(state.store.revoke_session(&secrets::hash(secret)).await?)
}

/// Mails a one-time sign-in link to the referent of `email`, if there is
/// one. The answer is the same either way, so that nobody can learn who
/// volunteered.
pub async fn send_sign_in_link(state: &AppState, email: &str) -> Result<(), Error> {
    let email = validate::email(email).map_err(at("email"))?;
    state.limits.check_email(&email)?;
    let Some(referent) = state.store.referent_by_email(&email).await? else {
        return Ok(());
    };
    let secret = secrets::generate("lnk_");
    let link = format!("{}/connexion/{secret}", state.config.public_url);
    let mail = crate::mail::outbox_row(
        "sign_in_link",
        format!("sign-in:{}", secrets::hash(&secret)),
        &referent.email,
        Some(&referent.first_name),
        &SignInLink {
            first_name: referent.first_name.clone(),
            link,
        },
    );
    state
        .store
        .create_sign_in_link(
            &secrets::hash(&secret),
            referent.id,
            Utc::now() + SIGN_IN_LINK_LIFETIME,
            mail,
        )
        .await?;
    Ok(())
}

/// Spends a sign-in link and opens the referent's session.
pub async fn use_sign_in_link(state: &AppState, secret: &str) -> Result<String, Error> {
    let referent_id = state
        .store
        .use_sign_in_link(&secrets::hash(secret), Utc::now())
        .await?
        .ok_or_else(|| {
            Error::NotFound("ce lien de connexion est inconnu, déjà utilisé ou expiré".into())
        })?;
    open_session(state, None, Some(referent_id)).await
}

/// Every account, for an admin; refused to anyone else.
pub async fn list(
    state: &AppState,
    caller: &crate::access::Caller,
) -> Result<Vec<passerelle_store::StoredAccount>, Error> {
    caller.require(Role::Admin)?;
    Ok(state.store.accounts().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_salted_argon2id() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("correct horse batterY", &a));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn sector_keys_are_checked_uais() {
        assert_eq!(
            sector_keys(&["0750001a+0750002B".into()]).unwrap(),
            vec!["0750001A+0750002B".parse::<SectorKey>().unwrap()]
        );
        assert!(sector_keys(&["nope".into()]).is_err());
    }
}
