//! The key of a sector across the service: the UAIs of its collèges joined
//! with `+`, stable across re-imports of a map.
use std::fmt;
use std::str::FromStr;

/// The key of a sector: its collèges' UAIs, each once, in the order its map
/// lists them, shown joined with `+` (`0750001A+0750002B`).
///
/// The order is the map's, not sorted: keys already stored (requests,
/// meetings, organisers' scopes) were made that way and are compared as
/// text.
///
/// ```
/// use passerelle_sectors::SectorKey;
///
/// let key: SectorKey = " 0750002b+0750001A+0750002B".parse()?;
/// assert_eq!(key.to_string(), "0750002B+0750001A");
/// assert_eq!(key.uais().collect::<Vec<_>>(), ["0750002B", "0750001A"]);
/// assert!("0750002B+nope".parse::<SectorKey>().is_err());
/// # Ok::<(), passerelle_sectors::SectorKeyError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
pub struct SectorKey(String);

/// Why a text is not a sector key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SectorKeyError {
    #[error("a sector key names at least one collège")]
    Empty,
    #[error("« {0} » is not a UAI (seven digits and a letter)")]
    NotUai(String),
}

impl SectorKey {
    /// The key of the collèges `uais`, in that order, each kept once (at its
    /// first place). Each is trimmed and upper-cased, then checked.
    ///
    /// ```
    /// use passerelle_sectors::SectorKey;
    ///
    /// let key = SectorKey::from_uais(["0750002B", "0750001A", "0750002B"])?;
    /// assert_eq!(key.as_str(), "0750002B+0750001A");
    /// # Ok::<(), passerelle_sectors::SectorKeyError>(())
    /// ```
    pub fn from_uais<I>(uais: I) -> Result<Self, SectorKeyError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut kept: Vec<String> = Vec::new();
        for uai in uais {
            let uai = uai.as_ref().trim().to_ascii_uppercase();
            if !is_uai(&uai) {
                return Err(SectorKeyError::NotUai(uai));
            }
            if !kept.contains(&uai) {
                kept.push(uai);
            }
        }
        if kept.is_empty() {
            return Err(SectorKeyError::Empty);
        }
        Ok(Self(kept.join("+")))
    }

    /// The UAIs of the key, in its order.
    pub fn uais(&self) -> impl Iterator<Item = &str> + '_ {
        self.0.split('+')
    }

    /// The `+` form, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SectorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for SectorKey {
    type Err = SectorKeyError;

    /// Reads the `+` form; the UAIs are checked as [`SectorKey::from_uais`]
    /// does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_uais(s.split('+'))
    }
}

/// A key is text: a primary key made with it (`meeting_sectors`) is never
/// an auto-increment number.
#[cfg(feature = "sea-orm")]
impl sea_orm::TryFromU64 for SectorKey {
    fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
        Err(sea_orm::DbErr::ConvertFromU64("SectorKey"))
    }
}

impl AsRef<str> for SectorKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for SectorKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for SectorKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Seven digits and an upper-case letter.
pub(crate) fn is_uai(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 8 && b[..7].iter().all(u8::is_ascii_digit) && b[7].is_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_its_text() {
        let key = SectorKey::from_uais(["0750001A", "0750002B"]).unwrap();
        assert_eq!(key.to_string(), "0750001A+0750002B");
        assert_eq!(key.to_string().parse::<SectorKey>().unwrap(), key);
        let one: SectorKey = "0750465Y".parse().unwrap();
        assert_eq!(one.uais().collect::<Vec<_>>(), ["0750465Y"]);
        assert_eq!(
            serde_json::to_string(&key).unwrap(),
            r#""0750001A+0750002B""#
        );
        let back: SectorKey = serde_json::from_str(r#""0750001A+0750002B""#).unwrap();
        assert_eq!(back, key);
        assert!(serde_json::from_str::<SectorKey>(r#""0750001A+""#).is_err());
    }

    /// The map's order is kept: stored keys were made in it.
    #[test]
    fn keeps_the_order_it_is_given() {
        let key = SectorKey::from_uais(["0752538B", "0750465Y"]).unwrap();
        assert_eq!(key.as_str(), "0752538B+0750465Y");
        assert_ne!(key, SectorKey::from_uais(["0750465Y", "0752538B"]).unwrap());
    }

    #[test]
    fn keeps_each_uai_once_and_normalises_case() {
        let key: SectorKey = "0750001a+ 0750002B +0750001A".parse().unwrap();
        assert_eq!(key.as_str(), "0750001A+0750002B");
        assert_eq!(key.uais().count(), 2);
    }

    #[test]
    fn refuses_what_is_not_a_list_of_uais() {
        assert_eq!(
            "".parse::<SectorKey>(),
            Err(SectorKeyError::NotUai(String::new()))
        );
        assert_eq!(
            SectorKey::from_uais(Vec::<String>::new()),
            Err(SectorKeyError::Empty)
        );
        assert!("0750001A+".parse::<SectorKey>().is_err());
        assert!("0750001A,0750002B".parse::<SectorKey>().is_err());
        assert!("nope".parse::<SectorKey>().is_err());
    }
}
