//! French, the language of the association and the default.
use passerelle_app::invalid::Problem;

/// How a field is named inside a sentence; for the API, with the name it
/// has in the request when the French does not say it.
fn label(field: &str, api: bool) -> String {
    let words = words(field);
    match field {
        "title"
        | "venue.name"
        | "venue.address"
        | "online_url"
        | "starts_at"
        | "ends_at"
        | "registration_deadline"
            if api =>
        {
            format!("{words} ({field})")
        }
        _ => words,
    }
}

fn words(field: &str) -> String {
    match field {
        "first_name" | "name" => "le prénom",
        "child_grade" => "la classe de l'enfant",
        "preferred_contact" => "le mode de contact",
        "uai" => "le collège de votre enfant",
        "title" => "le titre",
        "description" => "la description",
        "concerns" => "vos questions",
        "venue.name" => "le nom du lieu",
        "venue.address" => "l'adresse du lieu",
        "online_url" => "le lien de visioconférence",
        "starts_at" => "le début de la réunion",
        "ends_at" => "la fin",
        "registration_deadline" => "la date limite d'inscription",
        other => return format!("le champ « {other} »"),
    }
    .to_owned()
}

pub(crate) fn field_error(field: &str, problem: &Problem, api: bool) -> String {
    let label = |field: &str| label(field, api);
    match problem {
        Problem::Missing => missing(field, api),
        Problem::Length { max } => format!("{} doit compter de 1 à {max} caractères", label(field)),
        Problem::NotOneLine => format!(
            "{} tient sur une ligne, sans caractère de contrôle ni signe < ou >",
            label(field)
        ),
        Problem::TooLong { max } => format!("{} : {max} caractères au plus", label(field)),
        Problem::ControlCharacter => format!("{} : caractère de contrôle refusé", label(field)),
        Problem::Email => "l'adresse e-mail n'est pas valide".to_owned(),
        Problem::Phone => "le numéro de téléphone n'est pas valide".to_owned(),
        Problem::LanguageCode { value } => format!(
            "« {value} » n'est pas un code de langue ISO 639-1 (deux lettres, comme fr ou ar)"
        ),
        Problem::TooManyLanguages { max } => format!("{max} langues au plus"),
        Problem::Uai { value } => {
            format!("« {value} » n'est pas un code UAI (sept chiffres et une lettre)")
        }
        Problem::ConsentMissing => {
            "le consentement au traitement des données est nécessaire".to_owned()
        }
        Problem::EmailOrPhoneMissing => {
            "indiquez une adresse e-mail ou un numéro de téléphone".to_owned()
        }
        Problem::PrimaryGrade => "la classe de l'enfant doit être CM1 ou CM2".to_owned(),
        Problem::CollegeGrade => "la classe de l'enfant doit être 6e, 5e, 4e ou 3e".to_owned(),
        Problem::ContactWay { value } => {
            format!("mode de contact « {value} » inconnu : phone, email ou meeting")
        }
        Problem::HomeMissing => "indiquez votre adresse, ou votre position (lat et lon)".to_owned(),
        Problem::SchoolNotInSector { uai } => {
            format!("le collège {uai} n'est pas un collège du secteur de cette adresse")
        }
        Problem::SchoolUnknown { uai } => {
            format!("le collège {uai} n'appartient à aucun secteur connu")
        }
        Problem::Range { min, max } => range(field, *min, *max, api),
        Problem::NotEnoughSeats => {
            "la réunion n'a pas assez de places pour autant d'accompagnants".to_owned()
        }
        Problem::PasswordTooShort { min } => {
            format!("le mot de passe doit compter au moins {min} caractères")
        }
        Problem::PasswordTooLong { max_bytes } => {
            format!("le mot de passe doit compter au plus {max_bytes} octets")
        }
        Problem::PasswordBlank => "le mot de passe ne peut pas être fait que d'espaces".to_owned(),
        Problem::PasswordCommon => "ce mot de passe est parmi les plus courants, donc parmi les \
                                    premiers essayés : choisissez-en un autre"
            .to_owned(),
        Problem::WallTime { value } => {
            format!("« {value} » n'est pas une heure locale : écrivez-la comme 2027-03-12T18:30")
        }
        Problem::TimeZone { value } => format!("fuseau horaire inconnu : « {value} »"),
        Problem::NonexistentTime { local, zone } => format!(
            "{} : {} n'existe pas à {zone}, les horloges sautent cette heure au changement d'heure",
            label(field),
            local.format("%d/%m/%Y %H:%M")
        ),
        Problem::AmbiguousTime { local, zone } => format!(
            "{} : {} est ambiguë à {zone}, cette heure se répète au changement d'heure",
            label(field),
            local.format("%d/%m/%Y %H:%M")
        ),
        Problem::StartPast => format!(
            "{} est déjà passé : choisissez une date à venir",
            label("starts_at")
        ),
        Problem::StartTooFar { latest } => format!(
            "{} est à plus de deux ans : choisissez une date avant le {}",
            label("starts_at"),
            latest.format("%d/%m/%Y")
        ),
        Problem::EndBeforeStart => "la fin doit venir après le début".to_owned(),
        Problem::TooLongMeeting { max_hours } => {
            format!("une réunion dure {max_hours} heures au plus")
        }
        Problem::DeadlineAfterStart => {
            "la date limite d'inscription doit précéder le début".to_owned()
        }
        Problem::VenueOrLink => "indiquez un lieu ou un lien de visioconférence".to_owned(),
        Problem::Url => format!(
            "{} doit commencer par https:// et ne pas contenir d'espace",
            label(field)
        ),
        Problem::VenueIncomplete => "le lieu a besoin d'un nom et d'une adresse".to_owned(),
        Problem::NoSector => "une réunion concerne au moins un secteur".to_owned(),
        Problem::SectorUnknown { id } => format!("le secteur {id} n'existe pas"),
    }
}

/// A choice not made, said as each field asks it.
fn missing(field: &str, api: bool) -> String {
    match field {
        "uai" => "choisissez un collège".to_owned(),
        "child_grade" | "preferred_contact" => "choisissez une réponse".to_owned(),
        _ => format!("indiquez {}", label(field, api)),
    }
}

/// A number out of bounds, said as each field counts.
fn range(field: &str, min: i64, max: i64, api: bool) -> String {
    let max = thousands(max);
    match field {
        "monthly_capacity" => {
            format!("la capacité mensuelle doit être comprise entre {min} et {max} familles")
        }
        "capacity" => format!("la capacité doit être comprise entre {min} et {max}"),
        "usefulness" => format!("l'utilité se note de {min} à {max}"),
        "guests" => format!("de {min} à {max} accompagnants"),
        _ => format!(
            "{} doit être compris entre {min} et {max}",
            label(field, api)
        ),
    }
}

/// `10000` as French writes it: `10 000`.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(10_000), "10 000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1 234 567");
    }
}
