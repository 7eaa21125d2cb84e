//! Our iCalendar (RFC 5545) / iTIP (RFC 5546) writer.
//!
//! Plain structs in, a `String` out. We write rather than use the `ical`
//! crate's generator, which leaves values unescaped, folds by characters
//! instead of octets and escapes parameters with backslashes.
//!
//! Modules, each using only those before it: `event` (the model),
//! `writer` (components and properties), `messages` (the feed, the
//! invitation and the cancellation).

mod event;
mod messages;
mod writer;

pub use event::{Attendee, CalAddress, Event, EventStatus, Geo, Method, PartStat, Role};
pub use messages::{Calendar, cancellation, invite, meeting_uid, publish_feed};
pub use writer::PRODID;
