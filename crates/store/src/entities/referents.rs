//! A member parent who volunteers to talk with hesitant families.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub first_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub uai: String,
    pub child_grade: String,
    /// Language codes, as a JSON array.
    #[sea_orm(column_type = "JsonBinary")]
    pub languages: crate::TextList,
    pub monthly_capacity: i32,
    pub weekday_evenings: bool,
    pub wednesday_afternoons: bool,
    pub weekends: bool,
    pub paused: bool,
    pub consent_at: DateTimeUtc,
    pub consent_version: String,
    #[sea_orm(unique)]
    pub link_hash: String,
    pub link_expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
