//! English, for the people who chose it.
use passerelle_app::invalid::Problem;

/// How a field is named inside a sentence.
fn label(field: &str) -> String {
    match field {
        "first_name" | "name" => "the first name",
        "child_grade" => "the child's class",
        "preferred_contact" => "the way of contact",
        "uai" => "your child's collège",
        "title" => "the title",
        "description" => "the description",
        "concerns" => "your questions",
        "venue.name" => "the name of the venue",
        "venue.address" => "the address of the venue",
        "online_url" => "the video call link",
        "starts_at" => "the start",
        "ends_at" => "the end",
        "registration_deadline" => "the registration deadline",
        other => return format!("the field “{other}”"),
    }
    .to_owned()
}

pub(crate) fn field_error(field: &str, problem: &Problem) -> String {
    match problem {
        Problem::Missing => missing(field),
        Problem::Length { max } => format!("{} must have 1 to {max} characters", label(field)),
        Problem::NotOneLine => format!(
            "{} fits on one line, without control characters, < or >",
            label(field)
        ),
        Problem::TooLong { max } => format!("{}: {max} characters at most", label(field)),
        Problem::ControlCharacter => format!("{}: control characters are refused", label(field)),
        Problem::Email => "the e-mail address is not valid".to_owned(),
        Problem::Phone => "the phone number is not valid".to_owned(),
        Problem::LanguageCode { value } => {
            format!("“{value}” is not an ISO 639-1 language code (two letters, such as fr or ar)")
        }
        Problem::TooManyLanguages { max } => format!("{max} languages at most"),
        Problem::Uai { value } => {
            format!("“{value}” is not a UAI code (seven digits and a letter)")
        }
        Problem::ConsentMissing => "consent to the processing of your data is needed".to_owned(),
        Problem::EmailOrPhoneMissing => "give an e-mail address or a phone number".to_owned(),
        Problem::PrimaryGrade => "the child's class must be CM1 or CM2".to_owned(),
        Problem::CollegeGrade => "the child's class must be 6e, 5e, 4e or 3e".to_owned(),
        Problem::ContactWay { value } => {
            format!("unknown way of contact “{value}”: phone, email or meeting")
        }
        Problem::HomeMissing => "give your address, or your position (lat and lon)".to_owned(),
        Problem::SchoolNotInSector { uai } => {
            format!("collège {uai} is not a collège of this address's sector")
        }
        Problem::SchoolUnknown { uai } => format!("collège {uai} belongs to no known sector"),
        Problem::Range { min, max } => range(field, *min, *max),
        Problem::NotEnoughSeats => "the meeting has not enough seats for so many guests".to_owned(),
        Problem::PasswordTooShort { min } => {
            format!("the password must have at least {min} characters")
        }
        Problem::PasswordTooLong { max_bytes } => {
            format!("the password must have at most {max_bytes} bytes")
        }
        Problem::PasswordBlank => "the password cannot be only blanks".to_owned(),
        Problem::PasswordCommon => "this password is among the most common, so among the first \
                                    tried: choose another one"
            .to_owned(),
        Problem::WallTime { value } => {
            format!("“{value}” is not a local time: write it as 2027-03-12T18:30")
        }
        Problem::TimeZone { value } => format!("unknown time zone: “{value}”"),
        Problem::NonexistentTime { local, zone } => format!(
            "{}: {} does not exist in {zone}, the clocks skip that hour when they change",
            label(field),
            local.format("%Y-%m-%d %H:%M")
        ),
        Problem::AmbiguousTime { local, zone } => format!(
            "{}: {} is ambiguous in {zone}, that hour happens twice when the clocks change",
            label(field),
            local.format("%Y-%m-%d %H:%M")
        ),
        Problem::StartPast => "the meeting's start has passed: choose a date to come".to_owned(),
        Problem::StartTooFar { latest } => format!(
            "the meeting starts more than two years ahead: choose a date before {}",
            latest.format("%Y-%m-%d")
        ),
        Problem::EndBeforeStart => "the end must come after the start".to_owned(),
        Problem::TooLongMeeting { max_hours } => {
            format!("a meeting lasts {max_hours} hours at most")
        }
        Problem::DeadlineAfterStart => {
            "the registration deadline must come before the start".to_owned()
        }
        Problem::VenueOrLink => "give a venue or a video call link".to_owned(),
        Problem::Url => {
            "the video call link must start with https:// and contain no space".to_owned()
        }
        Problem::VenueIncomplete => "the venue needs a name and an address".to_owned(),
        Problem::NoSector => "a meeting concerns at least one sector".to_owned(),
        Problem::SectorUnknown { id } => format!("sector {id} does not exist"),
    }
}

/// A choice not made, said as each field asks it.
fn missing(field: &str) -> String {
    match field {
        "uai" => "choose a collège".to_owned(),
        "child_grade" | "preferred_contact" => "choose an answer".to_owned(),
        _ => format!("give {}", label(field)),
    }
}

/// A number out of bounds, said as each field counts.
fn range(field: &str, min: i64, max: i64) -> String {
    match field {
        "monthly_capacity" => format!("the monthly capacity must be {min} to {max} families"),
        "capacity" => format!("the capacity must be {min} to {max}"),
        "usefulness" => format!("usefulness is rated {min} to {max}"),
        "guests" => format!("{min} to {max} guests"),
        _ => format!("{} must be {min} to {max}", label(field)),
    }
}
