//! The application: every use case of Passerelle and every read that a page,
//! an endpoint or a command needs, each one function that takes the state
//! and decides what its caller may see and do. It owns the in-memory
//! indexes (the sector catalog, the address catalog), the rate-limit
//! policy and the composition of mails. It speaks no HTTP: the `http` and
//! `web` crates turn its answers and errors into responses and words.
#![forbid(unsafe_code)]

pub mod access;
pub mod accounts;
pub mod address_catalog;
pub mod addresses;
pub mod answers;
pub mod catalog;
pub mod config;
pub mod contact_requests;
pub mod csv_export;
pub mod demo;
pub mod error;
pub mod figures;
pub mod health;
pub mod holidays;
pub mod invalid;
pub mod limits;
pub mod mail;
pub mod matching;
pub mod meetings;
pub mod passwords;
pub mod preserialized;
pub mod privacy;
pub mod progress;
pub mod referents;
pub mod school_year;
pub mod schools;
pub mod secrets;
pub mod sectors;
pub mod state;
pub mod tokens;
pub mod validate;

pub use error::Error;
pub use passerelle_sectors::SectorKey;
pub use passerelle_store::StoreError;
pub use state::AppState;

/// The stored records that pages and endpoints read, as the store gives
/// them: the layers above name them through here, never through the store.
pub mod records {
    pub use passerelle_store::entities::{
        contact_requests::Model as ContactRequest, proposals::Model as Proposal,
        referents::Model as Referent, registrations::Model as Registration,
        sector_maps::Model as SectorMap,
    };
    pub use passerelle_store::{
        MeetingRecord, MeetingStatus, ProposalState, RegistrationOutcome, RegistrationStatus,
        RequestStatus, SchoolFacts, StoredAccount,
    };
}
