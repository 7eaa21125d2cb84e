//! The crate's one integration-test binary.
mod golden;
mod real_data;
mod writer_properties;
