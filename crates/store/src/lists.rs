//! The lists kept in one column: a JSON array, stored as TEXT on SQLite and
//! as `jsonb` on PostgreSQL.
use passerelle_sectors::SectorKey;
use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};

/// Words kept in one column (languages, UAIs), in their order.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, FromJsonQueryResult,
)]
#[serde(transparent)]
pub struct TextList(pub Vec<String>);

impl TextList {
    /// The words, in their order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.0.iter().map(String::as_str)
    }

    /// The words joined with `separator`, as the API has always shown them.
    pub fn joined(&self, separator: &str) -> String {
        self.0.join(separator)
    }
}

impl From<Vec<String>> for TextList {
    fn from(words: Vec<String>) -> Self {
        Self(words)
    }
}

/// The sectors an account or a token is limited to.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, FromJsonQueryResult,
)]
#[serde(transparent)]
pub struct SectorKeys(pub Vec<SectorKey>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_plain_json_arrays() {
        let list = TextList(vec!["fr".into(), "ar".into()]);
        assert_eq!(serde_json::to_string(&list).unwrap(), r#"["fr","ar"]"#);
        assert_eq!(list.joined(","), "fr,ar");
        let keys: SectorKeys = serde_json::from_str(r#"["0750001A+0750002B"]"#).unwrap();
        assert_eq!(keys.0[0].uais().count(), 2);
        assert_eq!(
            serde_json::to_string(&keys).unwrap(),
            r#"["0750001A+0750002B"]"#
        );
    }
}
