//! The running `passerelle serve` (the real binary) sends the outbox on its
//! own: to an SMTP server on loopback, and over implicit TLS (`smtps://`) to
//! a server whose certificate is trusted only through
//! `PASSERELLE_SMTP_CA_FILE`.
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use passerelle::app;

use crate::common::meetings::{register, soon_meeting};
use crate::common::server::Server;
use crate::common::{SmtpServer, TestDb, both_backends, python_with};

/// Settings of every server started here.
const ENV: [(&str, &str); 2] = [("PASSERELLE_DEMO", "off"), ("PASSERELLE_RATE_LIMIT", "off")];

fn start(db: &TestDb, smtp: &[(&str, &str)]) -> Server {
    let mut env = ENV.to_vec();
    env.extend_from_slice(smtp);
    tokio::task::block_in_place(|| Server::start(db, &env))
}

/// The raw messages of a Maildir.
fn maildir_messages(maildir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for folder in ["new", "cur"] {
        if let Ok(entries) = std::fs::read_dir(maildir.join(folder)) {
            for e in entries.flatten() {
                out.push(std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

/// Waits until `maildir` holds `n` messages (the server sends every ten
/// seconds); returns them.
async fn wait_for_mail(maildir: &Path, n: usize) -> Vec<Vec<u8>> {
    let started = Instant::now();
    loop {
        let messages = maildir_messages(maildir);
        if messages.len() >= n {
            return messages;
        }
        assert!(
            started.elapsed() < Duration::from_secs(45),
            "the server sent {} of {n} message(s) in 45 s",
            messages.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn header(message: &[u8], name: &str) -> String {
    let mail = mailparse::parse_mail(message).unwrap();
    mail.headers
        .iter()
        .find(|h| h.get_key().eq_ignore_ascii_case(name))
        .map(|h| h.get_value())
        .unwrap_or_default()
}

/// Queues a confirmation to `email` (a meeting and a registration, written
/// by the router in this process into the database the server reads).
async fn queue_confirmation(db: &TestDb, token: &str, email: &str) {
    let app = app(db.state().await);
    let sector = crate::common::meetings::sector_id(&app, "0750607C").await;
    let (meeting, _) = soon_meeting(&app, token, sector, 5).await;
    let reply = register(&app, meeting, "Léa", email).await;
    assert_eq!(reply["status"], "confirmed");
}

/// A certificate authority and a certificate it signed for 127.0.0.1, made
/// with the `openssl` command; returns (CA, certificate, key) paths.
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let path = |name: &str| dir.join(name);
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let s = |p: &PathBuf| p.to_str().unwrap().to_owned();
    let (ca, ca_key) = (path("ca.pem"), path("ca.key"));
    let (cert, key, csr) = (path("cert.pem"), path("cert.key"), path("cert.csr"));
    let ext = path("ext.cnf");
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Passerelle test CA",
        "-keyout",
        &s(&ca_key),
        "-out",
        &s(&ca),
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        &s(&key),
        "-out",
        &s(&csr),
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        &s(&csr),
        "-CA",
        &s(&ca),
        "-CAkey",
        &s(&ca_key),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        &s(&ext),
        "-out",
        &s(&cert),
    ]);
    (ca, cert, key)
}

/// aiosmtpd speaking TLS from the first byte (SMTPS), storing what it
/// accepts in a Maildir.
struct SmtpsServer {
    port: u16,
    child: Child,
}

const SMTPS: &str = r#"
import ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
cert, key, port, maildir = sys.argv[1:5]
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=int(port), ssl_context=context)
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"#;

impl SmtpsServer {
    fn start(cert: &Path, key: &Path, maildir: &Path) -> Self {
        let python = python_with(&["aiosmtpd"]);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(python)
            .args(["-c", SMTPS])
            .arg(cert)
            .arg(key)
            .arg(port.to_string())
            .arg(maildir)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start aiosmtpd with TLS");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "aiosmtpd with TLS did not start");
        Self { port, child }
    }
}

impl Drop for SmtpsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Plain SMTP on loopback: the server delivers a confirmation by itself.
async fn the_server_delivers_over_smtp(db: TestDb) {
    let token = crate::common::api::setup(&db);
    let maildir = db.dir().join("maildir");
    let smtp = tokio::task::block_in_place(|| SmtpServer::start(&maildir, None));
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let server = start(&db, &[("PASSERELLE_SMTP_URL", url.as_str())]);
    queue_confirmation(&db, &token, "lea@example.org").await;
    let messages = wait_for_mail(&maildir, 1).await;
    assert_eq!(messages.len(), 1);
    assert!(header(&messages[0], "To").contains("lea@example.org"));
    assert!(header(&messages[0], "Subject").starts_with("Inscription confirmée"));
    let outbox = db.store().await.outbox().await.unwrap();
    assert!(outbox[0].sent_at.is_some(), "recorded as sent");
    assert!(server.stop().success());
}

/// SMTPS: trusted through PASSERELLE_SMTP_CA_FILE the message goes out
/// encrypted; without it the unknown certificate is refused and the
/// message waits.
async fn the_server_delivers_over_smtps_to_a_trusted_server(db: TestDb) {
    let token = crate::common::api::setup(&db);
    let (ca, cert, key) = certificates(db.dir());
    let maildir = db.dir().join("maildir");
    let smtps = SmtpsServer::start(&cert, &key, &maildir);
    let url = format!("smtps://127.0.0.1:{}", smtps.port);
    let ca_file = ca.to_str().unwrap();

    let server = start(
        &db,
        &[
            ("PASSERELLE_SMTP_URL", url.as_str()),
            ("PASSERELLE_SMTP_CA_FILE", ca_file),
        ],
    );
    queue_confirmation(&db, &token, "lea@example.org").await;
    let messages = wait_for_mail(&maildir, 1).await;
    assert!(header(&messages[0], "To").contains("lea@example.org"));
    assert!(server.stop().success());

    // The same server without the authority: refused, kept for a retry.
    let server = start(&db, &[("PASSERELLE_SMTP_URL", url.as_str())]);
    queue_confirmation(&db, &token, "tom@example.org").await;
    let store = db.store().await;
    let started = Instant::now();
    let row = loop {
        let rows = store.outbox().await.unwrap();
        let row = rows
            .into_iter()
            .find(|m| m.recipient_email == "tom@example.org")
            .unwrap();
        if row.attempts > 0 {
            break row;
        }
        assert!(
            started.elapsed() < Duration::from_secs(45),
            "the server never tried"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(row.sent_at.is_none(), "an untrusted server gets nothing");
    let error = row.last_error.unwrap_or_default();
    assert!(error.to_lowercase().contains("certificate"), "{error}");
    assert_eq!(maildir_messages(&maildir).len(), 1);
    assert!(server.stop().success());

    // A CA file that is not one stops the server at start, in one line.
    let bogus = db.dir().join("bogus.pem");
    std::fs::write(&bogus, "not a certificate\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_passerelle"))
        .arg("serve")
        .env("PASSERELLE_DATABASE_URL", &db.url)
        .env("PASSERELLE_BIND", "127.0.0.1:0")
        .env("PASSERELLE_SMTP_URL", &url)
        .env("PASSERELLE_SMTP_CA_FILE", &bogus)
        .envs(ENV)
        .env_remove("PASSERELLE_LOG_FORMAT")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the server started with a bogus PASSERELLE_SMTP_CA_FILE");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(!status.success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("PASSERELLE_SMTP_CA_FILE"), "{stderr}");
}

both_backends!(
    the_server_delivers_over_smtp,
    the_server_delivers_over_smtps_to_a_trusted_server,
);
