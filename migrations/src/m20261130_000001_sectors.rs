//! Sector maps, their sectors and collèges, collège facts, and API tokens.
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
                    .table("sector_maps")
                    .col(big_pk_auto("id"))
                    .col(string("territory"))
                    .col(string("school_year"))
                    .col(integer("sector_count"))
                    .col(timestamp_with_time_zone("imported_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sector_maps_territory_year")
                    .table("sector_maps")
                    .col("territory")
                    .col("school_year")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sectors")
                    .col(big_pk_auto("id"))
                    .col(big_integer("map_id"))
                    .col(integer("feature_index"))
                    .col(string_null("external_id"))
                    .col(string("name"))
                    // GeoJSON geometry, WGS84 lon/lat.
                    .col(text("geometry"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sectors", "map_id")
                            .to("sector_maps", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sectors_map_id")
                    .table("sectors")
                    .col("map_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sector_schools")
                    .col(big_integer("sector_id"))
                    .col(string_len("uai", 8))
                    .col(integer("position"))
                    .primary_key(Index::create().col("sector_id").col("uai"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sector_schools", "sector_id")
                            .to("sectors", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("schools")
                    .col(string_len("uai", 8).primary_key())
                    .col(string("name"))
                    .col(string_null("address"))
                    .col(string_null("postcode"))
                    .col(string_null("city"))
                    .col(string_null("department_code"))
                    .col(string_null("academy"))
                    .col(double_null("lat"))
                    .col(double_null("lon"))
                    .col(boolean("public"))
                    .col(timestamp_with_time_zone("imported_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("school_ips")
                    .col(string_len("uai", 8))
                    // The rentrée the index describes, e.g. "2022-2023".
                    .col(string("school_year"))
                    .col(string_null("department_code"))
                    .col(integer_null("pupils"))
                    .col(double_null("ips"))
                    .col(double_null("ips_std_dev"))
                    .primary_key(Index::create().col("uai").col("school_year"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("data_versions")
                    // A counter per data set, bumped by each import in its own
                    // transaction: other processes poll it to know when to reload.
                    .col(string("name").primary_key())
                    .col(big_integer("version"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("api_tokens")
                    .col(big_pk_auto("id"))
                    .col(string_uniq("name"))
                    .col(string("role"))
                    // SHA-256 of the token, hex: the token itself is shown once and never stored.
                    .col(string_uniq("token_hash"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "api_tokens",
            "data_versions",
            "school_ips",
            "schools",
            "sector_schools",
            "sectors",
            "sector_maps",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
