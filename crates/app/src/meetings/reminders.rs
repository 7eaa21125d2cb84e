//! Reminders of the meetings about to start.
use chrono::{DateTime, TimeDelta, Utc};
use passerelle_store::{MeetingStatus, RegistrationStatus};

use super::mails::reminder;
use crate::error::Error;
use crate::state::AppState;

/// Queues a reminder for every confirmed person of a meeting that starts
/// within 48 hours. Safe to call often: each reminder is queued once.
pub async fn queue_reminders(state: &AppState, now: DateTime<Utc>) -> Result<usize, Error> {
    let soon = state
        .store
        .meetings(None, Some(now), Some(now + TimeDelta::hours(48)))
        .await?;
    let mut messages = Vec::new();
    for record in soon
        .iter()
        .filter(|r| r.meeting.status == MeetingStatus::Scheduled && r.meeting.starts_at > now)
    {
        for r in state.store.registrations(record.meeting.id).await? {
            if r.status == RegistrationStatus::Confirmed {
                messages.push(reminder(state, record, &r));
            }
        }
    }
    let n = messages.len();
    state.store.queue_messages(messages).await?;
    Ok(n)
}
