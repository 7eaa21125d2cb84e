//! One catchment sector of a map, with its GeoJSON geometry.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sectors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub map_id: i64,
    pub feature_index: i32,
    pub external_id: Option<String>,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub geometry: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
