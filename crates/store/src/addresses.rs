//! Address files (BAN per département) and cartes scolaires (per school
//! year and départements), each replaced atomically.
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};

use crate::entities::{address_files, carte_files};
use crate::versions::{ADDRESSES, bump};
use crate::{Store, StoreError};

impl Store {
    /// Replaces the BAN file of `department`.
    pub async fn replace_address_file(
        &self,
        department: &str,
        row_count: u64,
        gzip: Vec<u8>,
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        address_files::Entity::delete_by_id(department.to_owned())
            .exec(&txn)
            .await?;
        address_files::Entity::insert(address_files::ActiveModel {
            department: Set(department.to_owned()),
            row_count: Set(row_count as i64),
            data: Set(gzip),
            imported_at: Set(Utc::now()),
        })
        .exec_without_returning(&txn)
        .await?;
        bump(&txn, ADDRESSES).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every BAN file, by département.
    pub async fn address_files(&self) -> Result<Vec<address_files::Model>, StoreError> {
        Ok(address_files::Entity::find()
            .order_by_asc(address_files::Column::Department)
            .all(&self.db)
            .await?)
    }

    /// Replaces the carte scolaire of `school_year` for `departments`.
    pub async fn replace_carte_file(
        &self,
        school_year: &str,
        departments: &str,
        row_count: u64,
        gzip: Vec<u8>,
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        carte_files::Entity::delete_many()
            .filter(carte_files::Column::SchoolYear.eq(school_year))
            .filter(carte_files::Column::Departments.eq(departments))
            .exec(&txn)
            .await?;
        carte_files::Entity::insert(carte_files::ActiveModel {
            school_year: Set(school_year.to_owned()),
            departments: Set(departments.to_owned()),
            row_count: Set(row_count as i64),
            data: Set(gzip),
            imported_at: Set(Utc::now()),
            ..Default::default()
        })
        .exec_without_returning(&txn)
        .await?;
        bump(&txn, ADDRESSES).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every carte scolaire file.
    pub async fn carte_files(&self) -> Result<Vec<carte_files::Model>, StoreError> {
        Ok(carte_files::Entity::find()
            .order_by_asc(carte_files::Column::SchoolYear)
            .all(&self.db)
            .await?)
    }
}
