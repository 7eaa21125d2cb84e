//! The DEPP social position index (IPS) of a collège for one rentrée.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "school_ips")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub uai: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub school_year: String,
    pub department_code: Option<String>,
    pub pupils: Option<i32>,
    pub ips: Option<f64>,
    pub ips_std_dev: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
