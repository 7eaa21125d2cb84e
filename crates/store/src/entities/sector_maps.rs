//! One imported sector map: a territory and a school year.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sector_maps")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub territory: String,
    pub school_year: String,
    pub sector_count: i32,
    pub imported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
