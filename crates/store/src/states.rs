//! The states of the rows that move through a life cycle, stored as the
//! lowercase English words they have always been stored as.
use sea_orm::entity::prelude::*;

/// Where a proposal stands: one referent talks with one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum ProposalState {
    /// Waiting for the referent's answer.
    Proposed,
    /// The referent agreed: both sides see each other's contact details.
    Accepted,
    /// The referent said no; the family is matched again.
    Declined,
    /// Left unanswered past its deadline; the family is matched again.
    Expired,
    /// Replaced by a later matching before it was answered.
    Superseded,
    /// The family withdrew, or erased its request.
    Withdrawn,
    /// The family said how the conversation went.
    Completed,
}

impl ProposalState {
    /// The states that use a referent's monthly capacity.
    pub const COUNTED: [ProposalState; 3] = [
        ProposalState::Proposed,
        ProposalState::Accepted,
        ProposalState::Completed,
    ];

    /// The stored word, as the API shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalState::Proposed => "proposed",
            ProposalState::Accepted => "accepted",
            ProposalState::Declined => "declined",
            ProposalState::Expired => "expired",
            ProposalState::Superseded => "superseded",
            ProposalState::Withdrawn => "withdrawn",
            ProposalState::Completed => "completed",
        }
    }
}

/// Where a family's contact request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    /// Waiting for a referent (no proposal, or one not answered yet).
    Open,
    /// A referent accepted.
    Matched,
    /// The family withdrew it.
    Withdrawn,
    /// The family said how the conversation went.
    Completed,
}

impl RequestStatus {
    /// The stored word, as the API shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Matched => "matched",
            RequestStatus::Withdrawn => "withdrawn",
            RequestStatus::Completed => "completed",
        }
    }
}

/// Whether a meeting takes place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum MeetingStatus {
    Scheduled,
    Cancelled,
}

impl MeetingStatus {
    /// The stored word, as the API shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingStatus::Scheduled => "scheduled",
            MeetingStatus::Cancelled => "cancelled",
        }
    }
}

/// Where a registration for a meeting stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum RegistrationStatus {
    /// A place is kept.
    Confirmed,
    /// On the waitlist, in order of registration.
    Waitlisted,
    /// Cancelled by the person, or with the meeting.
    Cancelled,
}

impl RegistrationStatus {
    /// The stored word, as the API shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationStatus::Confirmed => "confirmed",
            RegistrationStatus::Waitlisted => "waitlisted",
            RegistrationStatus::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for MeetingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for RegistrationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for ProposalState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use super::*;

    /// The words stay those of the rows already stored.
    #[test]
    fn the_stored_words_are_the_api_words() {
        for s in ProposalState::iter() {
            assert_eq!(s.to_value(), s.as_str());
        }
        for s in RequestStatus::iter() {
            assert_eq!(s.to_value(), s.as_str());
        }
        for s in MeetingStatus::iter() {
            assert_eq!(s.to_value(), s.as_str());
        }
        for s in RegistrationStatus::iter() {
            assert_eq!(s.to_value(), s.as_str());
        }
        assert_eq!(ProposalState::Superseded.to_value(), "superseded");
        assert_eq!(RequestStatus::Open.to_value(), "open");
    }
}
