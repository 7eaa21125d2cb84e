//! An address-range carte scolaire file, gzip-compressed.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "carte_files")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub school_year: String,
    pub departments: String,
    pub row_count: i64,
    #[sea_orm(column_type = "Blob")]
    pub data: Vec<u8>,
    pub imported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
