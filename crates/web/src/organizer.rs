//! The organizers' pages, behind a session opened with an e-mail and a
//! password. An organizer limited to some sectors sees and acts on those
//! only; the other sectors' meetings do not exist for them.
mod coverage;
mod dashboard;
mod meeting;
mod meetings;
mod signin;

pub use coverage::coverage;
pub use dashboard::{dashboard, run_matching};
pub use meeting::{cancel_meeting, meeting, registrations_csv, update_meeting};
pub use meetings::{create_meeting, meetings_list, new_meeting};
pub use signin::{signin, signin_form};
