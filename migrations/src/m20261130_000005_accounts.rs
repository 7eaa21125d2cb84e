//! Accounts of admins and organizers (argon2 password hashes), sessions of
//! the web pages, one-time sign-in links of referents, the server's keys,
//! and a sector scope on API tokens.
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
                    .table("accounts")
                    .col(big_pk_auto("id"))
                    .col(string("email").unique_key())
                    .col(string("role"))
                    .col(string("password_hash"))
                    // JSON array of sector keys; NULL: every sector.
                    .col(text_null("sectors"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("disabled_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .col(big_pk_auto("id"))
                    .col(string("token_hash").unique_key())
                    // Exactly one of the two is set.
                    .col(big_integer_null("account_id"))
                    .col(big_integer_null("referent_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("last_seen_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .to_owned(),
            )
            .await?;
        for column in ["account_id", "referent_id"] {
            manager
                .create_index(
                    Index::create()
                        .name(format!("sessions_{column}"))
                        .table("sessions")
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("sign_in_links")
                    .col(big_pk_auto("id"))
                    .col(string("token_hash").unique_key())
                    .col(big_integer("referent_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("server_keys")
                    .col(string("name").primary_key())
                    .col(string("value"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("api_tokens")
                    .add_column(text_null("sectors"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("api_tokens")
                    .drop_column("sectors")
                    .to_owned(),
            )
            .await?;
        for table in ["server_keys", "sign_in_links", "sessions", "accounts"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
