//! Delivery of the outbox over SMTP. Each message is claimed before it is
//! sent, so that two processes never send it at once; its Message-ID is
//! derived from its id, so that a resend after a crash between sending and
//! recording is the same message to every mail client.
use chrono::{DateTime, Duration, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use passerelle_mails::Mail;
use passerelle_store::NewMessage;
use passerelle_store::entities::outbox;

use crate::error::Error;
use crate::secrets;
use crate::state::AppState;

/// Tries before a message is given up.
const MAX_ATTEMPTS: i32 = 10;

/// An SMTP connection and the sender address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The mailer of `PASSERELLE_SMTP_URL`, or `None` when it is not set
    /// (messages then wait in the outbox).
    pub fn from_config(state: &AppState) -> Result<Option<Self>, Error> {
        let Some(url) = &state.config.smtp_url else {
            return Ok(None);
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| Error::Refused(format!("PASSERELLE_SMTP_URL is not valid: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(10)));
        if let Some(path) = &state.config.smtp_ca_file {
            builder = builder.tls(tls_trusting(url, path)?);
        }
        let transport = builder.build();
        let from = format!("Passerelle <{}>", state.config.organizer_email)
            .parse()
            .map_err(|e| Error::Refused(format!("PASSERELLE_ORGANIZER_EMAIL is not valid: {e}")))?;
        Ok(Some(Self { transport, from }))
    }
}

/// The TLS of `url` (as lettre reads it: `smtps://` is TLS from the first
/// byte, `?tls=required` and `?tls=opportunistic` are STARTTLS) with the
/// authorities of the PEM file at `path` trusted besides the public ones.
fn tls_trusting(url: &str, path: &std::path::Path) -> Result<Tls, Error> {
    let bad = |what: String| Error::Refused(format!("PASSERELLE_SMTP_CA_FILE: {what}"));
    let pem = std::fs::read(path).map_err(|e| bad(format!("{}: {e}", path.display())))?;
    let no_certificate = |e: String| bad(format!("{} holds no PEM certificate{e}", path.display()));
    if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
        return Err(no_certificate(String::new()));
    }
    let authorities = Certificate::from_pem(&pem).map_err(|e| no_certificate(format!(": {e}")))?;
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::Refused(format!("PASSERELLE_SMTP_URL is not valid: {e}")))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| Error::Refused("PASSERELLE_SMTP_URL names no host".into()))?
        .trim_matches(['[', ']'])
        .to_owned();
    let parameters = TlsParameters::builder(host)
        .add_root_certificate(authorities)
        .build_rustls()
        .map_err(|e| bad(e.to_string()))?;
    let starttls = parsed
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    match (parsed.scheme(), starttls.as_deref()) {
        ("smtps", _) => Ok(Tls::Wrapper(parameters)),
        ("smtp", Some("required")) => Ok(Tls::Required(parameters)),
        ("smtp", Some("opportunistic")) => Ok(Tls::Opportunistic(parameters)),
        _ => Err(bad(
            "set, but PASSERELLE_SMTP_URL uses no TLS (smtps://, or smtp:// with ?tls=required)"
                .into(),
        )),
    }
}

/// The outbox row of `mail` to `email`: its subject, text and HTML as
/// passerelle-mails renders them; no calendar, about no meeting.
pub(crate) fn outbox_row(
    kind: &str,
    dedupe_key: String,
    email: &str,
    name: Option<&str>,
    mail: &impl Mail,
) -> NewMessage {
    let rendered = mail.render();
    NewMessage {
        kind: kind.to_owned(),
        dedupe_key,
        recipient_email: email.to_owned(),
        recipient_name: name.map(str::to_owned),
        subject: rendered.subject,
        body: rendered.text,
        html_body: Some(rendered.html),
        ics: None,
        ics_method: None,
        meeting_id: None,
    }
}

/// The MIME message of an outbox row: its text, and its HTML as an
/// alternative when it has one (rows queued before mails had HTML do not).
/// An invitation or cancellation carries its calendar twice: inline as
/// `text/calendar; method=…`, the last alternative (what calendar clients
/// act on), and as an `.ics` attachment (what people can open).
pub fn build(row: &outbox::Model, from: &Mailbox, domain: &str) -> Result<Message, Error> {
    let to: Mailbox = match &row.recipient_name {
        Some(name) => Mailbox::new(
            Some(name.clone()),
            row.recipient_email.parse().map_err(invalid)?,
        ),
        None => Mailbox::new(None, row.recipient_email.parse().map_err(invalid)?),
    };
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(format!(
            "<passerelle-{}-{}@{domain}>",
            row.id,
            &secrets::hash(&row.dedupe_key)[..16]
        )));
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(row.body.clone());
    let html = row.html_body.as_ref().map(|html| {
        SinglePart::builder()
            .header(ContentType::TEXT_HTML)
            .body(html.clone())
    });
    // Text, then HTML: mail clients show the last alternative they can.
    let words = |alternative: MultiPart| match &html {
        Some(html) => alternative.singlepart(html.clone()),
        None => alternative,
    };
    let message = match (&row.ics, &row.ics_method) {
        (Some(ics), Some(method)) => {
            let inline = SinglePart::builder()
                .header(
                    ContentType::parse(&format!("text/calendar; method={method}; charset=UTF-8"))
                        .map_err(invalid)?,
                )
                .body(ics.clone());
            let file = Attachment::new("invitation.ics".to_owned()).body(
                ics.clone(),
                ContentType::parse("application/ics").map_err(invalid)?,
            );
            builder.multipart(
                MultiPart::mixed()
                    .multipart(words(MultiPart::alternative().singlepart(text)).singlepart(inline))
                    .singlepart(file),
            )
        }
        _ => match html {
            Some(_) => builder.multipart(words(MultiPart::alternative().singlepart(text))),
            None => builder.singlepart(text),
        },
    };
    message.map_err(invalid)
}

fn invalid(e: impl std::fmt::Display) -> Error {
    Error::Refused(format!("message not buildable: {e}"))
}

/// What the log says of an SMTP failure: the server's reply code only,
/// since its text often quotes the recipient's address (`550 5.1.1
/// <name@example.org>: unknown user`); connection and TLS errors whole.
fn loggable(error: &lettre::transport::smtp::Error) -> String {
    match error.status() {
        Some(code) => format!("the SMTP server answered {code}"),
        None => error.to_string(),
    }
}

/// What a delivery round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub retried: usize,
    pub given_up: usize,
}

/// Sends the messages due at `now`. A failure schedules a retry with
/// exponential backoff (1, 2, 4… minutes, at most 6 hours), and gives up
/// after ten tries.
pub async fn deliver_due(
    state: &AppState,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> Result<Delivery, Error> {
    let domain = state.config.calendar_domain();
    let mut report = Delivery::default();
    for row in state.store.due_messages(now, 100).await? {
        if !state
            .store
            .claim_message(row.id, now, Duration::minutes(5))
            .await?
        {
            continue;
        }
        let attempts = row.attempts + 1;
        // Each failure as (the whole error, kept with the message; what the
        // log may say of it).
        let outcome = match build(&row, &mailer.from, &domain) {
            Ok(message) => mailer
                .transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| (e.to_string(), loggable(&e))),
            Err(e) => Err((e.to_string(), "message not buildable".to_owned())),
        };
        match outcome {
            Ok(()) => {
                state.store.mark_sent(row.id, Utc::now()).await?;
                report.sent += 1;
            }
            Err((error, _)) if attempts >= MAX_ATTEMPTS => {
                tracing::warn!(message_id = row.id, attempts, "message given up");
                state.store.mark_failed(row.id, &error, now, None).await?;
                report.given_up += 1;
            }
            Err((error, logged)) => {
                let wait = Duration::minutes(1i64 << (attempts - 1).min(9)).min(Duration::hours(6));
                tracing::warn!(message_id = row.id, attempts, error = %logged, "message delivery failed");
                state
                    .store
                    .mark_failed(row.id, &error, now, Some(now + wait))
                    .await?;
                report.retried += 1;
            }
        }
    }
    Ok(report)
}
