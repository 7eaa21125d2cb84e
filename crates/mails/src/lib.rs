//! Passerelle's mails: one struct per kind of mail, holding the values the
//! mail needs, rendered from askama templates as text
//! (`templates/<kind>.txt`) and HTML (`templates/<kind>.html`, escaped by
//! askama), with its subject. No IO: the application puts what they render
//! in the outbox.
#![forbid(unsafe_code)]

use askama::Template;

mod meetings;
mod sign_in;

pub use meetings::{
    AlreadyRegistered, Invitation, MeetingCancelled, MeetingSummary, MeetingUpdated, Place,
    PlaceFreed, RegistrationConfirmed, RegistrationLinks, Reminder, Waitlisted,
};
pub use sign_in::SignInLink;

/// A mail as it goes out: its subject, and the same words as text and HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A kind of mail.
pub trait Mail {
    /// One line, in plain text.
    fn subject(&self) -> String;
    /// The text part.
    fn text(&self) -> String;
    /// The HTML part: the same words, links as links.
    fn html(&self) -> String;

    fn render(&self) -> Rendered {
        Rendered {
            subject: self.subject(),
            text: self.text(),
            html: self.html(),
        }
    }
}

/// What a template writes. The templates write only strings, numbers and
/// dates in fixed formats, and writing those to a `String` cannot fail.
fn rendered(template: &impl Template) -> String {
    template
        .render()
        .expect("mail templates write only strings, numbers and dates")
}

/// Implements [`Mail`] for `$mail` with its two templates (paths under
/// `templates/`) and its subject. Each template is derived for a wrapper of
/// the mail that dereferences to it, so both templates read the mail's
/// fields by their names.
macro_rules! mail {
    ($mail:ident, text = $text:tt, html = $html:tt, subject = |$m:ident| $subject:expr) => {
        const _: () = {
            #[derive(askama::Template)]
            #[template(path = $text)]
            struct Text<'m>(&'m $mail);

            #[derive(askama::Template)]
            #[template(path = $html)]
            struct Html<'m>(&'m $mail);

            impl std::ops::Deref for Text<'_> {
                type Target = $mail;
                fn deref(&self) -> &$mail {
                    self.0
                }
            }

            impl std::ops::Deref for Html<'_> {
                type Target = $mail;
                fn deref(&self) -> &$mail {
                    self.0
                }
            }

            impl $crate::Mail for $mail {
                fn subject(&self) -> String {
                    let $m = self;
                    $subject
                }
                fn text(&self) -> String {
                    $crate::rendered(&Text(self))
                }
                fn html(&self) -> String {
                    $crate::rendered(&Html(self))
                }
            }
        };
    };
}
pub(crate) use mail;

#[cfg(test)]
mod tests;
