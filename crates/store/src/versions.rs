//! Data-set versions: each import bumps its counter in the same transaction,
//! and servers poll the counter to reload what they keep in memory.
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ConnectionTrait, EntityTrait, Set};

use crate::entities::data_versions;
use crate::{Store, StoreError};

/// The data set behind the in-memory sector catalog: maps and collège facts.
pub const CATALOG: &str = "catalog";

/// The data set behind the in-memory address index: BAN files and cartes scolaires.
pub const ADDRESSES: &str = "addresses";

/// Adds one to the version of `name`, inside the caller's transaction.
pub(crate) async fn bump(db: &impl ConnectionTrait, name: &str) -> Result<(), StoreError> {
    data_versions::Entity::insert(data_versions::ActiveModel {
        name: Set(name.to_owned()),
        version: Set(1),
    })
    .on_conflict(
        OnConflict::column(data_versions::Column::Name)
            .value(
                data_versions::Column::Version,
                Expr::col((data_versions::Entity, data_versions::Column::Version)).add(1),
            )
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

impl Store {
    /// The version of data set `name`; 0 before its first import.
    pub async fn data_version(&self, name: &str) -> Result<i64, StoreError> {
        Ok(data_versions::Entity::find_by_id(name.to_owned())
            .one(&self.db)
            .await?
            .map_or(0, |v| v.version))
    }
}
