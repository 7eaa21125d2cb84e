//! API tokens: only their SHA-256 is stored.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, SqlErr};

use passerelle_sectors::SectorKey;

use crate::entities::api_tokens;
use crate::lists::SectorKeys;
use crate::{Store, StoreError};

/// A token that is not revoked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredToken {
    pub id: i64,
    pub name: String,
    pub role: String,
    /// The sector keys the token is limited to; `None`: every sector.
    pub sectors: Option<Vec<SectorKey>>,
}

impl Store {
    /// Records a new token by the hash of its secret.
    pub async fn create_token(
        &self,
        name: &str,
        role: &str,
        token_hash: &str,
        sectors: Option<Vec<SectorKey>>,
    ) -> Result<StoredToken, StoreError> {
        let saved = api_tokens::ActiveModel {
            name: Set(name.to_owned()),
            role: Set(role.to_owned()),
            token_hash: Set(token_hash.to_owned()),
            sectors: Set(sectors.clone().map(SectorKeys)),
            created_at: Set(Utc::now()),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                StoreError::TokenNameTaken(name.to_owned())
            }
            _ => e.into(),
        })?;
        Ok(StoredToken {
            id: saved.id,
            name: saved.name,
            role: saved.role,
            sectors,
        })
    }

    /// The live token whose secret hashes to `token_hash`, if any.
    pub async fn find_token(&self, token_hash: &str) -> Result<Option<StoredToken>, StoreError> {
        Ok(api_tokens::Entity::find()
            .filter(api_tokens::Column::TokenHash.eq(token_hash))
            .filter(api_tokens::Column::RevokedAt.is_null())
            .one(&self.db)
            .await?
            .map(|t| StoredToken {
                sectors: t.sectors.map(|s| s.0),
                id: t.id,
                name: t.name,
                role: t.role,
            }))
    }

    /// Revokes the token called `name`; false when there is none.
    pub async fn revoke_token(&self, name: &str) -> Result<bool, StoreError> {
        let result = api_tokens::Entity::update_many()
            .col_expr(
                api_tokens::Column::RevokedAt,
                sea_orm::sea_query::Expr::value(Utc::now()),
            )
            .filter(api_tokens::Column::Name.eq(name))
            .filter(api_tokens::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected > 0)
    }
}
