//! Registrations: with a place or on the waitlist, and their cancellation.
use chrono::Utc;
use passerelle_store::entities::registrations;
use passerelle_store::{NewRegistration, Refusal, Registered, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::mails::{self, already_registered, confirmation, promotion};
use super::{not_found, registration_by_secret};
use crate::error::Error;
use crate::invalid::{Checks, Problem};
use crate::state::AppState;
use crate::{secrets, validate};

/// A registration form.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct RegistrationInput {
    pub name: String,
    pub email: String,
    /// Accompanying people, 0 to 10.
    #[serde(default)]
    pub guests: i32,
}

/// What a registration answers: no private link, only the status. It is
/// the same whether the e-mail was new to the meeting or already
/// registered, so that it tells a stranger nothing about the address; the
/// registration's links and the feed of the person's meetings go by mail
/// only, to the address.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RegistrationCreated {
    /// confirmed or waitlisted (for an e-mail already registered, what a
    /// new registration would have been)
    #[schema(value_type = String)]
    pub status: passerelle_store::RegistrationStatus,
    /// Where the links are, for the person registering.
    pub message: String,
}

/// The message of every registration's answer.
pub const REGISTRATION_MAILED: &str = "La confirmation et vos liens personnels (votre inscription, son annulation, l'agenda de vos réunions) sont envoyés à votre adresse e-mail.";

/// The most people one registration may bring along.
const MAX_GUESTS: i32 = 10;

/// Why a registration is refused, for the person registering.
fn refused(refusal: Refusal) -> Error {
    match refusal {
        Refusal::Cancelled => {
            Error::Conflict("cette réunion est annulée : inscription impossible".into())
        }
        Refusal::DeadlinePassed => {
            Error::Conflict("les inscriptions à cette réunion sont closes".into())
        }
        Refusal::TooManyGuests => Problem::NotEnoughSeats.at("guests").into(),
    }
}

/// Registers someone for a meeting. An e-mail already registered for it
/// gets the same answer as a new one, its registration stays as it was,
/// and the address gets a message saying it is already registered.
pub async fn register(
    state: &AppState,
    meeting_id: i64,
    input: RegistrationInput,
) -> Result<RegistrationCreated, Error> {
    let mut checks = Checks::new();
    let name = checks.take("name", validate::first_name(&input.name));
    let email = checks.take("email", validate::email(&input.email));
    if !(0..=MAX_GUESTS).contains(&input.guests) {
        let max = MAX_GUESTS.into();
        checks.add("guests", Problem::Range { min: 0, max });
    }
    checks.done()?;
    state.limits.check_email(&email)?;
    let secret = secrets::generate("ins_");
    let feed_secret = secrets::generate("fil_");
    let links = mails::links(state, &secret, &feed_secret);
    let registered = state
        .store
        .register(
            meeting_id,
            NewRegistration {
                name: &name,
                email: &email,
                guests: input.guests,
                link_hash: &secrets::hash(&secret),
                feed_hash: &secrets::hash(&feed_secret),
            },
            Utc::now(),
            |done| match done {
                Registered::New(o) => vec![confirmation(state, o, &links)],
                Registered::Again { outcome, .. } => vec![already_registered(state, outcome)],
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => not_found(meeting_id),
            e => e.into(),
        })?
        .map_err(refused)?;
    // Nothing of the registration itself: the answer is the same for an
    // address already registered.
    Ok(RegistrationCreated {
        status: registered.status(),
        message: REGISTRATION_MAILED.to_owned(),
    })
}

/// Cancels a registration; the first person on the waitlist takes the place.
pub async fn cancel_registration(
    state: &AppState,
    secret: &str,
) -> Result<registrations::Model, Error> {
    let found = registration_by_secret(state, secret).await?;
    state
        .store
        .cancel_registration(found.registration.id, Utc::now(), |record, promoted| {
            promoted
                .iter()
                .map(|r| promotion(state, record, r))
                .collect()
        })
        .await
        .map_err(|e| match e {
            StoreError::WrongState(_) => {
                Error::Conflict("cette inscription est déjà annulée".into())
            }
            e => e.into(),
        })
}
