//! The national address base and address-range cartes scolaires, kept as
//! the files they came from (gzip) and indexed in memory at start-up.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// The trait's signature elides the manager's lifetime; ours must match it.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("address_files")
                    // One BAN file per département, e.g. "75", "2A", "971".
                    .col(string("department").primary_key())
                    .col(big_integer("row_count"))
                    .col(blob("data"))
                    .col(timestamp_with_time_zone("imported_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("carte_files")
                    .col(big_pk_auto("id"))
                    .col(string("school_year"))
                    // The départements the file covers, comma-separated.
                    .col(string("departments"))
                    .col(big_integer("row_count"))
                    .col(blob("data"))
                    .col(timestamp_with_time_zone("imported_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("carte_files_year_departments")
                    .table("carte_files")
                    .col("school_year")
                    .col("departments")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["carte_files", "address_files"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
