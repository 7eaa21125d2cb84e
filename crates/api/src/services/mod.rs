//! Use cases, each one function that a handler and a CLI command both call.
//! No HTTP types here.
pub mod demo;
pub mod progress;
pub mod schools;
pub mod sectors;
pub mod tokens;
