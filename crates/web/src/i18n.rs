//! Every string of the web pages, French first and English beside it, so
//! that a translation is one line away from its original.
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, Datelike, Timelike, Weekday};
use chrono_tz::Tz;
use http::{HeaderMap, Uri};
use passerelle_app::records::ProposalState;

pub use passerelle_words::Lang;

/// The cookie that remembers an explicit language choice.
pub const LANG_COOKIE: &str = "passerelle_lang";

/// What the pages need of a language: where it is asked for, and its strings.
pub trait PageLang {
    /// `?lang=` first, then the cookie, then French.
    fn of(uri: &Uri, headers: &HeaderMap) -> Self;
    /// The strings of the pages in this language.
    fn tr(self) -> &'static Tr;
}

impl PageLang for Lang {
    fn of(uri: &Uri, headers: &HeaderMap) -> Self {
        query_lang(uri)
            .or_else(|| {
                CookieJar::from_headers(headers)
                    .get(LANG_COOKIE)
                    .and_then(|c| Lang::parse(c.value()))
            })
            .unwrap_or(Lang::Fr)
    }

    fn tr(self) -> &'static Tr {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }
}

/// The `lang` query parameter, when it names a language we have.
pub fn query_lang(uri: &Uri) -> Option<Lang> {
    form_urlencoded::parse(uri.query()?.as_bytes())
        .filter(|(name, _)| name == "lang")
        .find_map(|(_, value)| Lang::parse(&value))
}

macro_rules! strings {
    ($($name:ident: $fr:expr, $en:expr;)*) => {
        /// The strings of one language.
        pub struct Tr { $(pub $name: &'static str,)* }
        pub static FR: Tr = Tr { $($name: $fr,)* };
        pub static EN: Tr = Tr { $($name: $en,)* };
    };
}

strings! {
    // Layout
    skip_to_content: "Aller au contenu", "Skip to content";
    nav_label: "Navigation principale", "Main navigation";
    nav_find: "Trouver mon collège", "Find my collège";
    nav_volunteer: "Devenir parent référent", "Become a referent parent";
    nav_organizers: "Organisation", "Organisers";
    switch_label: "English", "Français";
    footer_text: "Passerelle, une association de parents pour la mixité sociale dans les collèges publics. Aucune donnée n'est transmise à des tiers.", "Passerelle, a parents' association for social mixing in public collèges. No data is shared with third parties.";
    sign_out: "Se déconnecter", "Sign out";
    // Home
    home_title: "Trouver mon collège de secteur", "Find my catchment collège";
    home_lead: "Le collège de secteur dépend de l'adresse de votre domicile. Voyez lequel, avec des informations simples, et parlez avec des parents dont l'enfant y est déjà.", "Your catchment collège depends on your home address. See which one it is, with plain facts, and talk with parents whose child already goes there.";
    home_by_address: "Par l'adresse", "By address";
    address_label: "Adresse de votre domicile", "Your home address";
    address_hint: "Par exemple : 86 rue de la Roquette, Paris", "For example: 86 rue de la Roquette, Paris";
    address_suggestions: "Adresses proposées", "Suggested addresses";
    suggestions_found: "adresse(s) proposée(s) sous le champ ; flèche bas pour les parcourir", "address(es) suggested below the field; down arrow to browse them";
    address_required: "Indiquez une adresse.", "Enter an address.";
    address_none_found: "Aucune adresse trouvée : vérifiez l'orthographe, ou indiquez votre domicile sur la carte.", "No address found: check the spelling, or point at your home on the map.";
    address_results: "Choisissez votre adresse", "Choose your address";
    search: "Chercher", "Search";
    home_by_map: "Sur la carte", "On the map";
    home_by_map_hint: "Cliquez sur l'emplacement de votre domicile.", "Click where your home is.";
    no_map_yet: "Aucune carte des secteurs n'est encore disponible.", "No sector map is available yet.";
    territory: "Territoire", "Area";
    overview_title: "Carte des secteurs des collèges", "Map of the collège sectors";
    overview_desc: "Chaque zone est un secteur ; le choisir ouvre sa page.", "Each area is a sector; choosing it opens its page.";
    home_by_coords: "Par les coordonnées GPS", "By GPS coordinates";
    home_by_coords_hint: "En degrés décimaux, par exemple 48.8561 et 2.3763.", "In decimal degrees, for example 48.8561 and 2.3763.";
    latitude: "Latitude", "Latitude";
    longitude: "Longitude", "Longitude";
    coordinate_invalid: "Indiquez un nombre en degrés décimaux, par exemple 48.8561.", "Enter a number in decimal degrees, for example 48.8561.";
    see_my_sector: "Voir mon secteur", "See my sector";
    // Sector page
    sector_eyebrow: "Secteur de collège", "Collège sector";
    your_address: "Votre adresse", "Your address";
    sector_without_home: "Vous avez choisi ce secteur sur la carte. Pour être sûr de votre secteur, indiquez votre adresse.", "You picked this sector on the map. To be sure of your sector, enter your address.";
    nearest_note: "Votre domicile est dans une rue entre deux secteurs : voici le secteur le plus proche, à", "Your home is on a street between sectors: here is the nearest sector, at";
    school_of_sector: "Le collège du secteur", "The sector's collège";
    schools_of_sector: "Les collèges du secteur", "The sector's collèges";
    two_schools_note: "Ce secteur a deux collèges : votre enfant est affecté à l'un des deux.", "This sector has two collèges: your child is assigned to one of them.";
    fact_kind: "Statut", "Status";
    public_school: "Public", "Public";
    private_school: "Privé", "Private";
    unknown: "Non connu", "Unknown";
    fact_pupils: "Élèves", "Pupils";
    fact_ips: "IPS", "IPS";
    dept_average: "moyenne du département", "département average";
    school_year_of: "rentrée", "school year";
    ips_explained: "IPS : indice de position sociale, environ 100 en moyenne nationale ; plus il est élevé, plus les familles sont favorisées. Ce n'est pas une note du collège.", "IPS: social position index, about 100 on national average; the higher it is, the more advantaged the families. It is not a grade of the collège.";
    sector_map: "Carte du secteur", "Sector map";
    map_home: "Votre domicile", "Your home";
    map_schools: "Collège(s) du secteur", "The sector's collège(s)";
    contact_title: "Parler avec un parent du collège", "Talk with a parent of the collège";
    contact_lead: "Un parent membre de l'association, dont l'enfant est au collège, vous contacte pour répondre à vos questions.", "A member parent of the association, whose child is at the collège, gets in touch to answer your questions.";
    first_name: "Votre prénom", "Your first name";
    how_to_reach: "Comment vous joindre", "How to reach you";
    email_or_phone_hint: "Indiquez au moins l'un des deux.", "Give at least one of them.";
    email: "Adresse e-mail", "E-mail address";
    phone: "Téléphone", "Phone";
    optional: "facultatif", "optional";
    child_grade_now: "Votre enfant est en", "Your child is in";
    concern_legend: "Le collège qui vous pose question", "The collège you have questions about";
    languages_legend: "Langues que vous parlez", "Languages you speak";
    preferred_legend: "Vous préférez", "You prefer";
    contact_phone: "un appel", "a phone call";
    contact_email: "un e-mail", "an e-mail";
    contact_meeting: "une rencontre", "meeting in person";
    concerns_label: "Vos questions", "Your questions";
    consent_contact: "J'accepte que l'association conserve ces informations pour me mettre en relation avec un parent du secteur.", "I agree that the association keeps this information to put me in touch with a parent of the sector.";
    contact_submit: "Envoyer ma demande", "Send my request";
    form_has_errors: "Le formulaire contient des erreurs :", "The form has errors:";
    meetings_title: "Réunions de quartier", "Neighbourhood meetings";
    no_meetings: "Aucune réunion n'est prévue pour le moment dans ce secteur.", "No meeting is planned in this sector for now.";
    meeting_cancelled: "Réunion annulée", "Meeting cancelled";
    add_to_calendar: "Ajouter à mon agenda (.ics)", "Add to my calendar (.ics)";
    your_name: "Votre nom", "Your name";
    guests: "Personnes qui vous accompagnent", "People coming with you";
    register: "M'inscrire", "Register";
    registration_closed: "Les inscriptions sont closes.", "Registration is closed.";
    online: "En ligne", "Online";
    // Contact request
    request_sent_title: "Votre demande est envoyée", "Your request is sent";
    request_sent_lead: "Merci. Un parent du collège va recevoir votre demande ; vous verrez ses coordonnées dès qu'il l'aura acceptée.", "Thank you. A parent of the collège will receive your request; you will see their contact details as soon as they accept it.";
    keep_link: "Gardez ce lien privé : c'est le seul moyen de suivre votre demande.", "Keep this private link: it is the only way to follow your request.";
    request_status_title: "Votre demande", "Your request";
    status_open: "Nous cherchons un parent disponible dans votre secteur.", "We are looking for an available parent in your sector.";
    status_proposed: "Un parent du collège a reçu votre demande et va répondre.", "A parent of the collège received your request and will answer.";
    status_accepted: "Un parent a accepté de vous parler. Voici ses coordonnées :", "A parent agreed to talk with you. Here are their contact details:";
    status_withdrawn: "Vous avez retiré votre demande.", "You withdrew your request.";
    status_completed: "Cette mise en relation est terminée. Merci !", "This contact is over. Thank you!";
    referent_child: "Enfant en", "Child in";
    withdraw: "Retirer ma demande", "Withdraw my request";
    // Meetings
    meeting_title: "Réunion de quartier", "Neighbourhood meeting";
    meeting_sectors: "Secteurs", "Sectors";
    registration_title: "Votre inscription", "Your registration";
    registration_confirmed: "Votre inscription est confirmée.", "Your registration is confirmed.";
    registration_waitlisted: "La réunion est complète : vous êtes sur la liste d'attente. Nous vous écrirons si une place se libère.", "The meeting is full: you are on the waiting list. We will write if a place frees up.";
    registration_mailed: "Un message envoyé à votre adresse e-mail contient vos liens : votre inscription, son annulation, et l'agenda de vos réunions.", "A message sent to your e-mail address holds your links: your registration, its cancellation, and the calendar of your meetings.";
    registration_cancelled: "Votre inscription est annulée.", "Your registration is cancelled.";
    invite_ics: "Invitation pour mon agenda (.ics)", "Invitation for my calendar (.ics)";
    cancel_registration: "Annuler mon inscription", "Cancel my registration";
    guests_invalid: "Indiquez un nombre de 0 à 10.", "Enter a number from 0 to 10.";
    // Referents
    volunteer_title: "Devenir parent référent", "Become a referent parent";
    volunteer_lead: "Votre enfant est au collège de votre secteur ? Parlez-en avec des familles qui hésitent. Vous choisissez combien de familles par mois, et vous pouvez faire une pause à tout moment.", "Is your child at your sector's collège? Talk about it with families who hesitate. You choose how many families a month, and you can pause at any time.";
    volunteer_school: "Le collège de votre enfant", "Your child's collège";
    choose_school: "Choisissez un collège", "Choose a collège";
    volunteer_grade: "Votre enfant est en", "Your child is in";
    capacity_label: "Familles par mois (1 à 10)", "Families a month (1 to 10)";
    capacity_invalid: "Indiquez un nombre de 1 à 10.", "Enter a number from 1 to 10.";
    availability_legend: "Vos disponibilités", "When you are available";
    weekday_evenings: "en soirée en semaine", "weekday evenings";
    wednesday_afternoons: "le mercredi après-midi", "Wednesday afternoons";
    weekends: "le week-end", "weekends";
    consent_referent: "J'accepte que l'association conserve ces informations et les transmette aux familles que j'accepte de rencontrer.", "I agree that the association keeps this information and shares it with the families I agree to meet.";
    volunteer_submit: "Devenir parent référent", "Become a referent parent";
    welcome_title: "Merci, vous êtes parent référent", "Thank you, you are a referent parent";
    welcome_lead: "Votre espace privé vous montre les familles qui demandent à vous parler.", "Your private space shows the families who ask to talk with you.";
    keep_space_link: "Gardez ce lien privé : c'est la clé de votre espace.", "Keep this private link: it is the key to your space.";
    open_space: "Ouvrir mon espace", "Open my space";
    space_title: "Mon espace de parent référent", "My referent space";
    hello: "Bonjour", "Hello";
    proposals_title: "Familles qui demandent à vous parler", "Families asking to talk with you";
    no_proposals: "Aucune demande pour le moment.", "No request for now.";
    answer_before: "Répondez avant le", "Answer before";
    accept: "Accepter", "Accept";
    decline: "Refuser", "Decline";
    family_contact: "Coordonnées de la famille", "The family's contact details";
    family_languages: "Langues", "Languages";
    family_prefers: "Préfère", "Prefers";
    history_title: "Demandes passées", "Past requests";
    settings_title: "Mes réglages", "My settings";
    pause_label: "Mettre les nouvelles demandes en pause", "Pause new requests";
    paused_note: "Vos demandes sont en pause.", "Your requests are paused.";
    save: "Enregistrer", "Save";
    saved: "C'est enregistré.", "Saved.";
    accepted_flash: "Merci ! Vous pouvez maintenant contacter la famille.", "Thank you! You can now contact the family.";
    declined_flash: "C'est noté : la famille sera proposée à un autre parent.", "Noted: the family will be offered another parent.";
    state_proposed: "en attente de votre réponse", "awaiting your answer";
    state_accepted: "acceptée", "accepted";
    state_declined: "refusée", "declined";
    state_expired: "expirée", "expired";
    state_withdrawn: "retirée par la famille", "withdrawn by the family";
    state_completed: "terminée", "completed";
    // Organizers
    signin_title: "Connexion des organisateurs", "Organisers' sign-in";
    signin_lead: "Connectez-vous avec l'adresse e-mail et le mot de passe de votre compte d'organisateur.", "Sign in with the e-mail address and password of your organiser account.";
    email_label: "Adresse e-mail", "E-mail address";
    password_label: "Mot de passe", "Password";
    signin_failed: "Adresse e-mail ou mot de passe incorrect.", "Wrong e-mail address or password.";
    admin_only: "Cette page est réservée aux administrateurs.", "This page is for administrators only.";
    accounts_title: "Comptes", "Accounts";
    accounts_lead: "Les comptes se créent avec la commande passerelle account create. Ici, mettez fin aux sessions d'un compte ou désactivez-le.", "Accounts are created with the command passerelle account create. Here, end an account's sessions or disable it.";
    all_sectors: "tous", "all";
    col_role: "Rôle", "Role";
    col_actions: "Actions", "Actions";
    revoke_sessions: "Mettre fin aux sessions", "End sessions";
    disable_account: "Désactiver", "Disable";
    disabled: "désactivé", "disabled";
    sessions_revoked: "Les sessions de ce compte sont terminées.", "This account's sessions have ended.";
    account_disabled: "Le compte est désactivé et ses sessions terminées.", "The account is disabled and its sessions ended.";
    staff_only: "Ces pages sont réservées aux organisateurs.", "These pages are for organisers only.";
    referent_signin_title: "Accéder à mon espace de parent référent", "Open my referent parent space";
    referent_signin_lead: "Indiquez l'adresse e-mail avec laquelle vous vous êtes proposé·e : nous vous envoyons un lien de connexion, valable 30 minutes et une seule fois.", "Enter the e-mail address you volunteered with: we send you a sign-in link, valid for 30 minutes and once only.";
    already_referent: "Déjà parent référent ? Recevez un lien de connexion à votre espace.", "Already a referent parent? Get a sign-in link to your space.";
    send_link: "Recevoir un lien de connexion", "Send me a sign-in link";
    link_sent: "Si cette adresse est celle d'un parent référent, un lien de connexion vient de lui être envoyé. Pensez à regarder dans les indésirables.", "If this address belongs to a referent parent, a sign-in link has just been sent to it. Do check your spam folder.";
    link_confirm_title: "Ouvrir mon espace", "Open my space";
    link_confirm_lead: "Ce lien de connexion ne sert qu'une fois. Confirmez pour ouvrir votre espace sur cet appareil.", "This sign-in link works once. Confirm to open your space on this device.";
    robot_suspected: "Votre envoi ressemble à celui d'un robot. Si vous êtes une personne, laissez vide le champ caché et envoyez à nouveau.", "Your submission looks like a robot's. If you are a person, leave the hidden field empty and send again.";
    robot_too_fast: "Ce formulaire a été envoyé trop vite. Vérifiez vos réponses puis envoyez à nouveau.", "This form was sent too quickly. Check your answers and send it again.";
    form_expired: "Ce formulaire a expiré : vérifiez vos réponses puis envoyez à nouveau.", "This form has expired: check your answers and send it again.";
    honeypot_label: "Ne remplissez pas ce champ", "Leave this field empty";
    sign_in: "Se connecter", "Sign in";
    csrf_failed: "Ce formulaire a expiré : rechargez la page et recommencez.", "This form has expired: reload the page and try again.";
    dashboard_title: "Organisation", "Organisation";
    org_meetings: "Réunions", "Meetings";
    org_coverage: "Couverture des secteurs", "Sector coverage";
    matching_title: "Appariement", "Matching";
    matching_lead: "Recalcule les propositions en attente pour mettre en relation le plus de familles possible.", "Recomputes pending proposals to put as many families as possible in touch.";
    run_matching: "Lancer l'appariement", "Run the matching";
    matching_done: "Appariement terminé", "Matching done";
    kept: "conservées", "kept";
    created: "nouvelles", "new";
    superseded: "remplacées", "replaced";
    expired: "expirées", "expired";
    imports_title: "Cartes importées", "Imported maps";
    no_imports: "Aucune carte importée.", "No map imported.";
    col_territory: "Territoire", "Area";
    col_year: "Année scolaire", "School year";
    col_sectors: "Secteurs", "Sectors";
    col_imported_at: "Importée le", "Imported on";
    meetings_list_title: "Réunions de quartier", "Neighbourhood meetings";
    new_meeting: "Nouvelle réunion", "New meeting";
    col_title: "Titre", "Title";
    col_when: "Date", "Date";
    col_status: "État", "Status";
    col_registrations: "Inscrits", "Registered";
    scheduled: "prévue", "scheduled";
    cancelled: "annulée", "cancelled";
    field_title: "Titre", "Title";
    field_description: "Description", "Description";
    field_sectors: "Secteurs invités", "Invited sectors";
    field_venue_name: "Lieu", "Venue";
    field_venue_address: "Adresse du lieu", "Venue address";
    field_online_url: "Lien de visioconférence", "Video call link";
    field_starts_at: "Début", "Start";
    field_ends_at: "Fin", "End";
    field_deadline: "Fin des inscriptions", "Registration deadline";
    field_capacity: "Places", "Places";
    datetime_hint: "Heure de Paris, par exemple 2027-03-12T18:30.", "Paris time, for example 2027-03-12T18:30.";
    capacity_places_invalid: "Indiquez un nombre de places.", "Enter a number of places.";
    create_meeting: "Créer la réunion", "Create the meeting";
    meeting_created: "La réunion est créée et les familles du secteur sont invitées.", "The meeting is created and the sector's families are invited.";
    meeting_updated: "La réunion est modifiée ; les inscrits sont prévenus.", "The meeting is updated; registered people are told.";
    meeting_cancelled_flash: "La réunion est annulée ; les inscrits sont prévenus.", "The meeting is cancelled; registered people are told.";
    edit_meeting: "Modifier la réunion", "Edit the meeting";
    save_changes: "Enregistrer les modifications", "Save changes";
    cancel_meeting: "Annuler la réunion", "Cancel the meeting";
    registrations_title: "Inscrits", "Registered";
    waitlist_title: "Liste d'attente", "Waiting list";
    nobody: "Personne pour l'instant.", "Nobody yet.";
    col_name: "Nom", "Name";
    col_email: "E-mail", "E-mail";
    col_guests: "Accompagnants", "Guests";
    col_registered_at: "Inscrit le", "Registered on";
    export_csv: "Exporter les inscriptions (CSV)", "Export registrations (CSV)";
    public_page: "Page publique de la réunion", "The meeting's public page";
    coverage_lead: "Demande non couverte : les demandes en attente au-delà des places libres des parents référents du secteur.", "Unmet demand: pending requests beyond the free places of the sector's referent parents.";
    coverage_map_title: "Demande non couverte par secteur", "Unmet demand per sector";
    legend_none: "aucune", "none";
    col_sector: "Secteur", "Sector";
    col_pending: "Demandes en attente", "Pending requests";
    col_referents: "Référents actifs", "Active referents";
    col_capacity_left: "Places libres ce mois", "Free places this month";
    col_unmet: "Non couvertes", "Unmet";
    col_median: "Délai médian d'acceptation (h)", "Median time to acceptance (h)";
    targets_title: "Où recruter des parents référents", "Where to recruit referent parents";
    no_targets: "Aucun secteur avec des demandes sans parent référent.", "No sector with requests and no referent parent.";
    // Errors
    error_title_400: "Demande incorrecte", "Bad request";
    error_title_403: "Accès refusé", "Access denied";
    error_title_404: "Page introuvable", "Page not found";
    error_title_409: "Ce n'est pas possible maintenant", "Not possible now";
    error_title_422: "Données refusées", "Data refused";
    error_title_429: "Trop de demandes", "Too many requests";
    error_title_500: "Une erreur s'est produite", "Something went wrong";
    error_unexpected: "Une erreur inattendue s'est produite ; réessayez dans un instant.", "An unexpected error occurred; try again in a moment.";
    back_home: "Retour à l'accueil", "Back to the home page";
}

impl Tr {
    /// The label of a proposal state for the referent.
    pub fn proposal_state(&self, state: ProposalState) -> &'static str {
        match state {
            ProposalState::Proposed => self.state_proposed,
            ProposalState::Accepted => self.state_accepted,
            ProposalState::Declined => self.state_declined,
            // Superseded proposals are not listed; were one shown, it lapsed.
            ProposalState::Expired | ProposalState::Superseded => self.state_expired,
            ProposalState::Withdrawn => self.state_withdrawn,
            ProposalState::Completed => self.state_completed,
        }
    }
}

/// Languages offered as checkboxes: the ones most spoken by families of
/// the territories served, as ISO 639-1 codes.
pub const LANGUAGES: [&str; 10] = ["fr", "ar", "en", "es", "pt", "tr", "zh", "ta", "bm", "ro"];

/// The name of a language, in the page's language.
pub fn language_name(lang: Lang, code: &str) -> String {
    let (fr, en) = match code {
        "fr" => ("français", "French"),
        "ar" => ("arabe", "Arabic"),
        "en" => ("anglais", "English"),
        "es" => ("espagnol", "Spanish"),
        "pt" => ("portugais", "Portuguese"),
        "tr" => ("turc", "Turkish"),
        "zh" => ("chinois", "Chinese"),
        "ta" => ("tamoul", "Tamil"),
        "bm" => ("bambara", "Bambara"),
        "ro" => ("roumain", "Romanian"),
        other => return other.to_owned(),
    };
    match lang {
        Lang::Fr => fr.to_owned(),
        Lang::En => en.to_owned(),
    }
}

fn weekday(lang: Lang, day: Weekday) -> &'static str {
    let i = day.num_days_from_monday() as usize;
    match lang {
        Lang::Fr => [
            "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        ][i],
        Lang::En => [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ][i],
    }
}

fn month(lang: Lang, month: u32) -> &'static str {
    let i = (month as usize).clamp(1, 12) - 1;
    match lang {
        Lang::Fr => [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ][i],
        Lang::En => [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ][i],
    }
}

/// A date as people write it: « jeudi 12 mars 2027 ».
pub fn date(lang: Lang, t: DateTime<Tz>) -> String {
    format!(
        "{} {} {} {}",
        weekday(lang, t.weekday()),
        t.day(),
        month(lang, t.month()),
        t.year()
    )
}

/// A time: « 18 h 30 » in French, « 18:30 » in English.
pub fn time(lang: Lang, t: DateTime<Tz>) -> String {
    match lang {
        Lang::Fr => format!("{} h {:02}", t.hour(), t.minute()),
        Lang::En => format!("{}:{:02}", t.hour(), t.minute()),
    }
}

/// When a meeting takes place, in its own time zone.
pub fn when(lang: Lang, start: DateTime<Tz>, end: DateTime<Tz>) -> String {
    let same_day = start.date_naive() == end.date_naive();
    match (lang, same_day) {
        (Lang::Fr, true) => format!(
            "{}, de {} à {}",
            date(lang, start),
            time(lang, start),
            time(lang, end)
        ),
        (Lang::En, true) => format!(
            "{}, {} to {}",
            date(lang, start),
            time(lang, start),
            time(lang, end)
        ),
        (Lang::Fr, false) => format!(
            "du {}, {} au {}, {}",
            date(lang, start),
            time(lang, start),
            date(lang, end),
            time(lang, end)
        ),
        (Lang::En, false) => format!(
            "from {}, {} to {}, {}",
            date(lang, start),
            time(lang, start),
            date(lang, end),
            time(lang, end)
        ),
    }
}

/// A decimal number with one digit after the separator (a comma in French).
pub fn decimal(lang: Lang, value: f64) -> String {
    let text = format!("{value:.1}");
    match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    }
}

/// A whole number with thin grouping: « 1 234 » in French, « 1,234 » in English.
pub fn integer(lang: Lang, value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let sep = match lang {
        Lang::Fr => '\u{202f}',
        Lang::En => ',',
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if value < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Paris;
    use http::{HeaderValue, header};

    #[test]
    fn language_comes_from_query_then_cookie() {
        let mut headers = HeaderMap::new();
        let uri: Uri = "/secteur?lat=1&lang=en".parse().unwrap();
        assert_eq!(Lang::of(&uri, &headers), Lang::En);
        let plain: Uri = "/".parse().unwrap();
        assert_eq!(Lang::of(&plain, &headers), Lang::Fr);
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; passerelle_lang=en"),
        );
        assert_eq!(Lang::of(&plain, &headers), Lang::En);
        let bad: Uri = "/?lang=de".parse().unwrap();
        assert_eq!(Lang::of(&bad, &HeaderMap::new()), Lang::Fr);
    }

    #[test]
    fn dates_and_numbers_read_naturally() {
        let start = Paris.with_ymd_and_hms(2027, 3, 12, 18, 30, 0).unwrap();
        let end = Paris.with_ymd_and_hms(2027, 3, 12, 20, 0, 0).unwrap();
        assert_eq!(
            when(Lang::Fr, start, end),
            "vendredi 12 mars 2027, de 18 h 30 à 20 h 00"
        );
        assert_eq!(
            when(Lang::En, start, end),
            "Friday 12 March 2027, 18:30 to 20:00"
        );
        assert_eq!(decimal(Lang::Fr, 103.46), "103,5");
        assert_eq!(decimal(Lang::En, 103.46), "103.5");
        assert_eq!(integer(Lang::Fr, 1234), "1\u{202f}234");
        assert_eq!(integer(Lang::En, 612), "612");
        assert_eq!(integer(Lang::En, 1234567), "1,234,567");
    }
}
