//! The collège(s) of a sector, in the order the map lists them.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sector_schools")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sector_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub uai: String,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
