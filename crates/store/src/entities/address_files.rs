//! The BAN file of one département, gzip-compressed.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "address_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub department: String,
    pub row_count: i64,
    #[sea_orm(column_type = "Blob")]
    pub data: Vec<u8>,
    pub imported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
