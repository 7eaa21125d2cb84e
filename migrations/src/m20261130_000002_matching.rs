//! Referents, contact requests and the proposals that pair them.
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
                    .table("referents")
                    .col(big_pk_auto("id"))
                    .col(string("first_name"))
                    .col(string("email"))
                    .col(string_null("phone"))
                    // The child's collège; the sector follows from the map.
                    .col(string_len("uai", 8))
                    .col(string_len("child_grade", 3))
                    // ISO 639-1 codes, comma-separated.
                    .col(string("languages"))
                    .col(integer("monthly_capacity"))
                    .col(boolean("weekday_evenings"))
                    .col(boolean("wednesday_afternoons"))
                    .col(boolean("weekends"))
                    .col(boolean("paused"))
                    .col(timestamp_with_time_zone("consent_at"))
                    .col(string("consent_version"))
                    // SHA-256 of the capability link's secret.
                    .col(string_uniq("link_hash"))
                    .col(timestamp_with_time_zone("link_expires_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("referents_uai")
                    .table("referents")
                    .col("uai")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("contact_requests")
                    .col(big_pk_auto("id"))
                    .col(string("first_name"))
                    .col(string_null("email"))
                    .col(string_null("phone"))
                    .col(double("lat"))
                    .col(double("lon"))
                    // The sector resolved at request time, kept even if the map changes.
                    .col(big_integer("sector_id"))
                    .col(string("sector_name"))
                    .col(string("sector_uais"))
                    .col(string("school_year"))
                    .col(string("concern_uais"))
                    .col(string_len("child_grade", 3))
                    .col(string("languages"))
                    .col(string("preferred_contact"))
                    .col(text_null("concerns"))
                    .col(timestamp_with_time_zone("consent_at"))
                    .col(string("consent_version"))
                    // open, matched, withdrawn, completed
                    .col(string("status"))
                    .col(string_uniq("link_hash"))
                    .col(timestamp_with_time_zone("link_expires_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("contact_requests_sector_uais")
                    .table("contact_requests")
                    .col("sector_uais")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("proposals")
                    .col(big_pk_auto("id"))
                    .col(big_integer("request_id"))
                    .col(big_integer("referent_id"))
                    // proposed, accepted, declined, expired, superseded, withdrawn, completed
                    .col(string("state"))
                    .col(big_integer("cost"))
                    // The cost terms that chose this referent, as JSON.
                    .col(text("explanation"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("responded_at"))
                    .col(boolean_null("feedback_met"))
                    .col(integer_null("feedback_usefulness"))
                    .col(timestamp_with_time_zone_null("completed_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("proposals", "request_id")
                            .to("contact_requests", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("proposals", "referent_id")
                            .to("referents", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("proposals_referent")
                    .table("proposals")
                    .col("referent_id")
                    .to_owned(),
            )
            .await?;
        // At most one live proposal per request: a request can never hold two
        // accepted proposals, whatever the races. Partial indexes work on both
        // SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX proposals_one_live_per_request ON proposals (request_id) \
                 WHERE state IN ('proposed', 'accepted', 'completed')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["proposals", "contact_requests", "referents"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
