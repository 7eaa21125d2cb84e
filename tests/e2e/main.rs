//! End-to-end tests: the real router and binary on a real database, each
//! scenario on SQLite and on PostgreSQL. One module per route family.
mod common;

mod addresses;
mod auth;
mod cli;
mod mail;
mod limits;
mod matching;
mod meetings;
mod privacy;
mod sectors_import;
mod sectors_lookup;
mod service;
