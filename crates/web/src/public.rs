//! The hesitant parent's pages: finding the sector, its collèges and
//! meetings, asking for a contact, following the request, registering.
mod contact;
mod home;
mod meetings;
mod sector;

pub use contact::{contact, request_sent, request_status, withdraw};
pub use home::{home, search, suggestions};
pub use meetings::{MeetingCard, cancel_registration, meeting, register, registration};
pub use sector::{sector_by_id, sector_by_point};
