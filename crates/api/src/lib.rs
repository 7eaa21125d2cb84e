//! Passerelle's service: the HTTP API, the use cases behind it, and the
//! `passerelle` command line.
#![forbid(unsafe_code)]

pub mod catalog;
pub mod cli;
pub mod config;
pub mod error;
pub mod http;
pub mod limits;
pub mod metrics;
pub mod preserialized;
pub mod school_year;
pub mod serve;
pub mod services;
pub mod state;
pub mod telemetry;
pub mod web;

pub use error::Error;
pub use state::AppState;
