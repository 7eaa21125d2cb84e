//! A person registered for a meeting.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub meeting_id: i64,
    pub name: String,
    pub email: String,
    pub guests: i32,
    pub status: crate::states::RegistrationStatus,
    #[sea_orm(unique)]
    pub link_hash: String,
    pub created_at: DateTimeUtc,
    pub cancelled_at: Option<DateTimeUtc>,
    /// The hash of the secret of the feed of every meeting of this e-mail,
    /// sent by mail only.
    #[sea_orm(unique)]
    pub feed_hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
