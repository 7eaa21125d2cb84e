//! sea-orm entities, one module per table. Relations are not declared: the
//! queries in this crate join by hand where they need to.
pub mod accounts;
pub mod address_files;
pub mod api_tokens;
pub mod carte_files;
pub mod contact_requests;
pub mod data_versions;
pub mod meeting_sectors;
pub mod meetings;
pub mod outbox;
pub mod proposals;
pub mod referents;
pub mod registrations;
pub mod school_holidays;
pub mod school_ips;
pub mod schools;
pub mod sector_maps;
pub mod sector_schools;
pub mod sectors;
pub mod server_keys;
pub mod sessions;
pub mod sign_in_links;
