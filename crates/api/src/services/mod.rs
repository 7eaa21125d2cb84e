//! Use cases, each one function that a handler and a CLI command both call.
//! No HTTP types here.
pub mod access;
pub mod accounts;
pub mod addresses;
pub mod contact_requests;
pub mod csv_export;
pub mod demo;
pub mod figures;
pub mod holidays;
pub mod mail;
pub mod matching;
pub mod meetings;
pub mod passwords;
pub mod privacy;
pub mod progress;
pub mod referents;
pub mod schools;
pub mod secrets;
pub mod sectors;
pub mod tokens;
pub mod validate;
