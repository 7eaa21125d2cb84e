//! A hesitant parent's request to talk with a referent of their sector.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub first_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub sector_id: i64,
    pub sector_name: String,
    /// The key of the sector the home lies in.
    pub sector_uais: passerelle_sectors::SectorKey,
    pub school_year: String,
    /// The collège(s) the family asks about.
    #[sea_orm(column_type = "JsonBinary")]
    pub concern_uais: crate::TextList,
    pub child_grade: String,
    /// Language codes, as a JSON array.
    #[sea_orm(column_type = "JsonBinary")]
    pub languages: crate::TextList,
    pub preferred_contact: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub concerns: Option<String>,
    pub consent_at: DateTimeUtc,
    pub consent_version: String,
    pub status: crate::states::RequestStatus,
    #[sea_orm(unique)]
    pub link_hash: String,
    pub link_expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
