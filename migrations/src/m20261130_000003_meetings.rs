//! Neighbourhood meetings, registrations, the outbox of messages, and
//! school holidays.
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
                    .table("meetings")
                    .col(big_pk_auto("id"))
                    .col(string("title"))
                    .col(text("description"))
                    .col(string_null("venue_name"))
                    .col(string_null("venue_address"))
                    .col(double_null("venue_lat"))
                    .col(double_null("venue_lon"))
                    .col(string_null("online_url"))
                    // UTC instants, with the zone the organiser meant them in.
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(string("time_zone"))
                    .col(integer("capacity"))
                    .col(timestamp_with_time_zone("registration_deadline"))
                    // scheduled or cancelled
                    .col(string("status"))
                    // iCalendar SEQUENCE: bumped by every reschedule and the cancellation.
                    .col(integer("sequence"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("meeting_sectors")
                    .col(big_integer("meeting_id"))
                    // The sector's collèges joined with `+`, stable across map imports.
                    .col(string("sector_key"))
                    .col(string("sector_name"))
                    .primary_key(Index::create().col("meeting_id").col("sector_key"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("meeting_sectors", "meeting_id")
                            .to("meetings", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("registrations")
                    .col(big_pk_auto("id"))
                    .col(big_integer("meeting_id"))
                    .col(string("name"))
                    .col(string("email"))
                    .col(integer("guests"))
                    // confirmed, waitlisted or cancelled
                    .col(string("status"))
                    .col(string_uniq("link_hash"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("cancelled_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("registrations", "meeting_id")
                            .to("meetings", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("registrations_meeting")
                    .table("registrations")
                    .col("meeting_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("outbox")
                    .col(big_pk_auto("id"))
                    // invitation, update, cancellation, promotion, reminder, confirmation
                    .col(string("kind"))
                    // Makes enqueueing idempotent: the same message is never queued twice.
                    .col(string_uniq("dedupe_key"))
                    .col(string("recipient_email"))
                    .col(string_null("recipient_name"))
                    .col(string("subject"))
                    .col(text("body"))
                    .col(text_null("ics"))
                    .col(string_null("ics_method"))
                    .col(big_integer_null("meeting_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(integer("attempts"))
                    .col(text_null("last_error"))
                    // Delivery: the next try after a failure, a claim so that two
                    // senders never send the same message at once, and the end
                    // of retries.
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("locked_until"))
                    .col(timestamp_with_time_zone_null("failed_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("school_holidays")
                    .col(big_pk_auto("id"))
                    .col(string("zone"))
                    .col(date("start_date"))
                    .col(date("end_date"))
                    .col(string("description"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "school_holidays",
            "outbox",
            "registrations",
            "meeting_sectors",
            "meetings",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
