//! The link that opens a referent's space.
use crate::{Mail, mail};

/// A one-time sign-in link, to the referent who asked for it.
#[derive(Clone, Debug)]
pub struct SignInLink {
    pub first_name: String,
    pub link: String,
}

mail!(
    SignInLink,
    text = "sign_in_link.txt",
    html = "sign_in_link.html",
    subject = |_m| "Votre lien de connexion à Passerelle".to_owned()
);
