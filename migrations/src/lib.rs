//! Database migrations of Passerelle, one file per change. A migration is never
//! edited after it has landed: a change of schema is a new file.
#![forbid(unsafe_code)]

pub use sea_orm_migration::prelude::*;

mod m20261130_000001_sectors;
mod m20261130_000002_matching;
mod m20261130_000003_meetings;
mod m20261130_000004_addresses;
mod m20261130_000005_accounts;
mod m20261207_000006_registration_feeds;
mod m20261207_000007_outbox_html;
mod m20261207_000008_json_lists;

pub use m20261207_000008_json_lists::joined_to_json;

/// Every migration of the project, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261130_000001_sectors::Migration),
            Box::new(m20261130_000002_matching::Migration),
            Box::new(m20261130_000003_meetings::Migration),
            Box::new(m20261130_000004_addresses::Migration),
            Box::new(m20261130_000005_accounts::Migration),
            Box::new(m20261207_000006_registration_feeds::Migration),
            Box::new(m20261207_000007_outbox_html::Migration),
            Box::new(m20261207_000008_json_lists::Migration),
        ]
    }
}
