//! Who may do what: roles, the sectors an organizer is limited to, and the
//! caller that a token or a session resolves to.
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use passerelle_sectors::SectorKey;

use crate::error::Error;

/// What a token or an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Organizer,
    Referent,
}

impl Role {
    /// True when this role may do what `needed` may do.
    ///
    /// ```
    /// use passerelle_app::access::Role;
    /// assert!(Role::Admin.covers(Role::Organizer));
    /// assert!(!Role::Referent.covers(Role::Organizer));
    /// ```
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

/// The sectors a caller may see: all, or those named by their keys (the
/// UAIs of their collèges joined with `+`, stable across re-imports).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Sectors(BTreeSet<SectorKey>),
}

impl Scope {
    /// The scope of a stored list (`None`: every sector).
    pub fn from_keys(keys: Option<Vec<SectorKey>>) -> Self {
        keys.map_or(Scope::All, |k| Scope::Sectors(k.into_iter().collect()))
    }

    /// True when the sector of `key` is in scope.
    ///
    /// ```
    /// use passerelle_app::{SectorKey, access::Scope};
    /// let key = |text: &str| text.parse::<SectorKey>().unwrap();
    /// let scope = Scope::from_keys(Some(vec![key("0750001A")]));
    /// assert!(scope.allows(&key("0750001A")));
    /// assert!(!scope.allows(&key("0750002B")));
    /// assert!(Scope::All.allows(&key("0750002B")));
    /// ```
    pub fn allows(&self, key: &SectorKey) -> bool {
        match self {
            Scope::All => true,
            Scope::Sectors(keys) => keys.contains(key),
        }
    }

    /// True when one of the sector keys is in scope (a meeting may serve
    /// several sectors).
    pub fn allows_any<'a>(&self, mut keys: impl Iterator<Item = &'a SectorKey>) -> bool {
        matches!(self, Scope::All) || keys.any(|k| self.allows(k))
    }
}

/// Whoever a valid token or session belongs to.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The token's name or the account's e-mail (never logged).
    pub name: String,
    pub role: Role,
    pub scope: Scope,
}

impl Caller {
    /// Whoever runs the command line: it reaches the database directly, so
    /// it has every right already.
    pub fn console() -> Self {
        Caller {
            name: "console".into(),
            role: Role::Admin,
            scope: Scope::All,
        }
    }

    /// Refuses a caller whose role does not cover `needed`.
    pub fn require(&self, needed: Role) -> Result<(), Error> {
        if self.role.covers(needed) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "votre rôle est « {} » ; cette action demande le rôle « {needed} »",
                self.role
            )))
        }
    }

    /// Refuses an organizer limited to some sectors: the action concerns
    /// every sector (an import, a matching run over all sectors).
    pub fn require_every_sector(&self) -> Result<(), Error> {
        match self.scope {
            Scope::All => Ok(()),
            Scope::Sectors(_) => Err(Error::Forbidden(
                "cette action concerne tous les secteurs ; votre accès est limité à certains secteurs"
                    .into(),
            )),
        }
    }
}
