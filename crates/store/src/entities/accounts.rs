//! Admins and organizers, who sign in with a password (argon2 hash only).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub role: String,
    pub password_hash: String,
    /// The sector keys the account is limited to; `None`: every sector.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub sectors: Option<crate::SectorKeys>,
    pub created_at: DateTimeUtc,
    pub disabled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
