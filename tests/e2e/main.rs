//! End-to-end tests: the real router and binary on a real database, each
//! scenario on SQLite and on PostgreSQL. One module per route family.
mod common;

mod addresses;
mod auth;
mod authz;
mod browser;
mod cli;
mod config;
mod csrf;
mod delivery;
mod emails;
mod faults;
mod field_errors;
mod figures;
mod hostile;
mod limits;
mod logs;
mod mail;
mod maintenance;
mod matching;
mod meetings;
mod metrics;
mod passwords;
mod privacy;
mod sectors_import;
mod sectors_lookup;
mod service;
mod sessions;
mod stored_lists;
