//! A school holiday period of one zone.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "school_holidays")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone: String,
    pub start_date: Date,
    pub end_date: Date,
    pub description: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
