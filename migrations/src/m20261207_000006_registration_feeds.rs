//! A registration's feed of all its person's meetings gets a secret of its
//! own, sent by mail only: the links a registration answers with must not
//! open the list of someone's other meetings.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// The trait's signature elides the manager's lifetime; ours must match it.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("registrations")
                    .add_column(string_null("feed_hash"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("registrations_feed_hash")
                    .table("registrations")
                    .col("feed_hash")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("registrations_feed_hash")
                    .table("registrations")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("registrations")
                    .drop_column("feed_hash")
                    .to_owned(),
            )
            .await
    }
}
