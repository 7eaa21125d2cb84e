//! The lists kept in one column become JSON arrays: a request's and a
//! referent's languages (`fr,ar` → `["fr","ar"]`) and a request's collèges of
//! concern (`0750001A+0750002B` → `["0750001A","0750002B"]`). SQLite keeps
//! them as TEXT; PostgreSQL types them `jsonb`, as it does the sector lists
//! of accounts and tokens, which were JSON text already. Every row is
//! rewritten in the migration's one transaction.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns that held a list joined with a separator: (table, column).
const JOINED: [(&str, &str); 3] = [
    ("contact_requests", "languages"),
    ("contact_requests", "concern_uais"),
    ("referents", "languages"),
];

/// The columns that held JSON as text already: (table, column).
const JSON_TEXT: [(&str, &str); 2] = [("accounts", "sectors"), ("api_tokens", "sectors")];

/// A joined list as a JSON array: the words between `+` and `,`, trimmed,
/// empty ones dropped, in their order. A text that is a JSON array of
/// strings already is kept as it is, so that a second run changes nothing.
///
/// ```
/// use passerelle_migrations::joined_to_json;
/// assert_eq!(joined_to_json("fr,ar"), r#"["fr","ar"]"#);
/// assert_eq!(joined_to_json("0750001A+0750002B"), r#"["0750001A","0750002B"]"#);
/// assert_eq!(joined_to_json(r#"["fr"]"#), r#"["fr"]"#);
/// assert_eq!(joined_to_json(""), "[]");
/// ```
pub fn joined_to_json(text: &str) -> String {
    if let Ok(words) = serde_json::from_str::<Vec<String>>(text) {
        return serde_json::to_string(&words).expect("strings serialise");
    }
    let words: Vec<&str> = text
        .split(['+', ','])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    serde_json::to_string(&words).expect("strings serialise")
}

/// The reverse of [`joined_to_json`], joining with `separator`; a text that
/// is not a JSON array is kept as it is.
fn json_to_joined(text: &str, separator: &str) -> String {
    serde_json::from_str::<Vec<String>>(text)
        .map(|words| words.join(separator))
        .unwrap_or_else(|_| text.to_owned())
}

fn separator(column: &str) -> &'static str {
    if column == "concern_uais" { "+" } else { "," }
}

/// Rewrites every value of `table.column` with `convert`, row by row.
async fn rewrite<C: ConnectionTrait>(
    db: &C,
    table: &str,
    column: &str,
    convert: impl Fn(&str) -> String,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    // PostgreSQL hands jsonb back as text only when asked to.
    let read = match backend {
        DbBackend::Postgres => format!("SELECT id, {column}::text AS v FROM {table}"),
        _ => format!("SELECT id, {column} AS v FROM {table}"),
    };
    let update = match backend {
        DbBackend::Postgres => format!("UPDATE {table} SET {column} = $1 WHERE id = $2"),
        _ => format!("UPDATE {table} SET {column} = ? WHERE id = ?"),
    };
    for row in db
        .query_all_raw(Statement::from_string(backend, read))
        .await?
    {
        let id: i64 = row.try_get_by("id")?;
        let text: String = row.try_get_by("v")?;
        let new = convert(&text);
        if new != text {
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                update.clone(),
                [new.into(), id.into()],
            ))
            .await?;
        }
    }
    Ok(())
}

// The trait's signature elides the manager's lifetime; ours must match it.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too: no row is left half converted.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, column) in JOINED {
            rewrite(db, table, column, joined_to_json).await?;
        }
        if db.get_database_backend() == DbBackend::Postgres {
            for (table, column) in JOINED.into_iter().chain(JSON_TEXT) {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ALTER COLUMN {column} TYPE jsonb USING {column}::jsonb"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            for (table, column) in JOINED {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar USING {column}::text"
                ))
                .await?;
            }
            for (table, column) in JSON_TEXT {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ALTER COLUMN {column} TYPE text USING {column}::text"
                ))
                .await?;
            }
        }
        for (table, column) in JOINED {
            let separator = separator(column);
            rewrite(db, table, column, |text| json_to_joined(text, separator)).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_lists_become_json_arrays() {
        assert_eq!(joined_to_json("fr"), r#"["fr"]"#);
        assert_eq!(joined_to_json("fr,ar,en"), r#"["fr","ar","en"]"#);
        assert_eq!(joined_to_json("0750001A"), r#"["0750001A"]"#);
        assert_eq!(
            joined_to_json("0752538B+0750465Y"),
            r#"["0752538B","0750465Y"]"#
        );
        assert_eq!(joined_to_json(" fr , ,ar,"), r#"["fr","ar"]"#);
        // jsonb's own text, with spaces, reads as an array too.
        assert_eq!(joined_to_json(r#"["fr", "ar"]"#), r#"["fr","ar"]"#);
    }

    #[test]
    fn down_joins_them_back() {
        assert_eq!(json_to_joined(r#"["fr","ar"]"#, ","), "fr,ar");
        assert_eq!(
            json_to_joined(r#"["0750001A", "0750002B"]"#, "+"),
            "0750001A+0750002B"
        );
        assert_eq!(separator("concern_uais"), "+");
        assert_eq!(separator("languages"), ",");
    }
}
