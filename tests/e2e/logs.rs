//! What the real server prints holds no personal data: `passerelle serve`
//! at `PASSERELLE_LOG=debug`, in text and in JSON, through a whole run with
//! distinctive names, e-mails and phone numbers (sign-ups, a contact
//! request, a meeting with registrations, sign-ins, refused input and a
//! server-side failure), then everything it wrote on stdout and stderr is
//! searched for them.
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::header::COOKIE;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::TestDb;

const REFERENT: (&str, &str, &str) = (
    "Hildegarde",
    "hildegarde.vasquez@parents-logscan.example",
    "06 47 19 28 53",
);
const FAMILY: (&str, &str, &str) = (
    "Anatole",
    "anatole.brzezinski@famille-logscan.example",
    "07 31 62 84 95",
);
const REGISTRANT: (&str, &str) = ("Philibert", "philibert.okonkwo@reunion-logscan.example");
const PAGE_REGISTRANT: (&str, &str) = ("Ermengarde", "ermengarde.xu@reunion-logscan.example");
const TAMPERED: (&str, &str) = ("Séraphin", "seraphin.lo@reunion-logscan.example");
const ACCOUNT: &str = "wilhelmina.orga@asso-logscan.example";
const PASSWORD: &str = "Wilhelmina garde son mot de passe";
/// Refused input, personal all the same.
const REFUSED_EMAILS: [&str; 3] = [
    "<quirinus.bad@refus-logscan.example>",
    "\"quirinus\"@refus-logscan.example",
    "quirinus.bad@refus-logscan",
];
const REFUSED_NAME: &str = "Quirinus";
const REFUSED_PHONE: &str = "06 52 83 17 46 99 99 99";
/// A registration address that the syntax check would refuse, written
/// into the database behind its back: the invitation then fails (500).
const STORED_BAD_EMAIL: &str = "\"seraphin\"<seraphin.lo@reunion-logscan.example>";
/// Rue de la Roquette, in the sector of collège 0750607C.
const HOME: (f64, f64) = (48.856095, 2.376293);

/// Everything that must never be printed.
fn secrets() -> Vec<String> {
    let mut all: Vec<String> = vec![
        REFERENT.0,
        REFERENT.1,
        REFERENT.2,
        FAMILY.0,
        FAMILY.1,
        FAMILY.2,
        REGISTRANT.0,
        REGISTRANT.1,
        PAGE_REGISTRANT.0,
        PAGE_REGISTRANT.1,
        TAMPERED.0,
        TAMPERED.1,
        ACCOUNT,
        PASSWORD,
        REFUSED_NAME,
        REFUSED_PHONE,
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    all.extend(REFUSED_EMAILS.iter().map(|e| (*e).to_owned()));
    // Phones without their spaces, and the bare local parts of addresses.
    for phone in [REFERENT.2, FAMILY.2] {
        all.push(phone.replace(' ', ""));
    }
    all.extend(
        [
            "quirinus.bad",
            "seraphin.lo",
            "hildegarde.vasquez",
            "anatole.brzezinski",
        ]
        .map(String::from),
    );
    all.push(format!("{}", HOME.0));
    all
}

/// `passerelle serve` with its stdout and stderr collected.
struct Server {
    child: Child,
    base: String,
    output: Vec<std::thread::JoinHandle<String>>,
}

impl Server {
    fn start(db: &TestDb, format: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_passerelle"))
            .arg("serve")
            .env("PASSERELLE_DATABASE_URL", &db.url)
            .env("PASSERELLE_BIND", format!("127.0.0.1:{port}"))
            .env("PASSERELLE_LOG", "debug")
            .env("PASSERELLE_LOG_FORMAT", format)
            .env("PASSERELLE_DEMO", "off")
            .env("PASSERELLE_RATE_LIMIT", "on")
            .env("PASSERELLE_RATE_LIMIT_WRITES_PER_MINUTE", "200")
            .env("PASSERELLE_FORM_MIN_SECONDS", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start passerelle serve");
        let read_all = |mut stream: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = stream.read_to_end(&mut bytes);
                String::from_utf8_lossy(&bytes).into_owned()
            })
        };
        let output = vec![
            read_all(Box::new(child.stdout.take().unwrap())),
            read_all(Box::new(child.stderr.take().unwrap())),
        ];
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            output,
        }
    }

    /// Stops the server (SIGTERM) and returns all it printed.
    fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "graceful stop, got {status}");
        self.output
            .drain(..)
            .map(|reader| reader.join().unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Posts a page form with its CSRF token; returns the status.
async fn form(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::StatusCode {
    let cookie = "ef".repeat(32);
    let csrf = hex::encode(Sha256::digest(format!("{cookie}:csrf").as_bytes()));
    let mut all = fields.to_vec();
    all.push(("csrf", &csrf));
    client
        .post(format!("{base}{path}"))
        .header(COOKIE, format!("{}={cookie}", passerelle_web::CSRF_COOKIE))
        .form(&all)
        .send()
        .await
        .unwrap()
        .status()
}

/// The whole run, against a server at `base`.
async fn run(db: &TestDb, base: &str, token: &str) {
    // No redirects followed: a 303 is the answer looked for.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let post = |path: &str, body: Value, bearer: bool| {
        let mut request = client.post(format!("{base}{path}")).json(&body);
        if bearer {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let status = |r: reqwest::Response| r.status().as_u16();

    let referent = json!({"first_name": REFERENT.0, "email": REFERENT.1, "phone": REFERENT.2,
        "uai": "0750607C", "child_grade": "6e", "monthly_capacity": 2, "consent": true});
    assert_eq!(
        status(post("/api/v1/referents", referent, false).await.unwrap()),
        201
    );
    let family = json!({"first_name": FAMILY.0, "email": FAMILY.1, "phone": FAMILY.2,
        "lat": HOME.0, "lon": HOME.1, "child_grade": "CM2", "preferred_contact": "phone",
        "concerns": format!("Appelez {} au {}", FAMILY.0, FAMILY.2), "consent": true});
    assert_eq!(
        status(
            post("/api/v1/contact-requests", family, false)
                .await
                .unwrap()
        ),
        201
    );
    let lookup = client
        .get(format!(
            "{base}/api/v1/sectors/lookup?lat={}&lon={}",
            HOME.0, HOME.1
        ))
        .send()
        .await
        .unwrap();
    let sector = lookup.json::<Value>().await.unwrap()["sector"]["id"]
        .as_i64()
        .unwrap();
    let meeting: Value = post(
        "/api/v1/meetings",
        json!({"title": "Réunion de quartier", "sector_ids": [sector],
            "online_url": "https://visio.example.org/r",
            "starts_at": crate::common::meetings::on("03-12T18:30"),
            "ends_at": crate::common::meetings::on("03-12T20:00"), "capacity": 5}),
        true,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = meeting["id"].as_i64().unwrap();
    let registrations = format!("/api/v1/meetings/{id}/registrations");
    let registered = post(
        &registrations,
        json!({"name": REGISTRANT.0, "email": REGISTRANT.1, "guests": 1}),
        false,
    )
    .await
    .unwrap();
    assert_eq!(status(registered), 201);
    let mailed = crate::common::meetings::registration_links(db, id, REGISTRANT.1).await;
    let invite = client
        .get(format!("{base}{}", mailed.invite()))
        .send()
        .await
        .unwrap();
    assert_eq!(status(invite), 200);
    let page = format!("/reunions/{id}/inscription");
    let fields = [("name", PAGE_REGISTRANT.0), ("email", PAGE_REGISTRANT.1)];
    assert_eq!(form(&client, base, &page, &fields).await, 303);

    // Sign-ins: a wrong password, the right one, a referent's link.
    let signin = [("email", ACCOUNT), ("password", "pas le bon mot de passe")];
    assert_eq!(
        form(&client, base, "/organisation/connexion", &signin).await,
        401
    );
    let signin = [("email", ACCOUNT), ("password", PASSWORD)];
    assert_eq!(
        form(&client, base, "/organisation/connexion", &signin).await,
        303
    );
    let link = [("email", REFERENT.1)];
    assert_eq!(form(&client, base, "/referent/connexion", &link).await, 200);

    // Refused input, each answered with an error.
    for email in REFUSED_EMAILS {
        let family = json!({"first_name": REFUSED_NAME, "email": email, "phone": REFUSED_PHONE,
            "lat": HOME.0, "lon": HOME.1, "child_grade": "CM2", "consent": true});
        assert_eq!(
            status(
                post("/api/v1/contact-requests", family, false)
                    .await
                    .unwrap()
            ),
            422
        );
        let referent = json!({"first_name": REFUSED_NAME, "email": email,
            "uai": "0750607C", "child_grade": "6e", "consent": true});
        assert_eq!(
            status(post("/api/v1/referents", referent, false).await.unwrap()),
            422
        );
        let registration = json!({"name": REFUSED_NAME, "email": email});
        assert_eq!(
            status(post(&registrations, registration, false).await.unwrap()),
            422
        );
        let fields = [("name", REFUSED_NAME), ("email", email)];
        assert_eq!(form(&client, base, &page, &fields).await, 422);
        let signin = [("email", email), ("password", PASSWORD)];
        assert_eq!(
            form(&client, base, "/organisation/connexion", &signin).await,
            422
        );
    }
    let without_consent = json!({"first_name": REFUSED_NAME, "email": FAMILY.1,
        "lat": HOME.0, "lon": HOME.1, "child_grade": "CM2", "consent": false});
    assert_eq!(
        status(
            post("/api/v1/contact-requests", without_consent, false)
                .await
                .unwrap()
        ),
        422
    );
    let made_up_token = client
        .post(format!("{base}/api/v1/contact-requests"))
        .bearer_auth(REFERENT.1)
        .json(&json!({"first_name": REFUSED_NAME, "email": REFERENT.1}))
        .send()
        .await
        .unwrap();
    assert_eq!(status(made_up_token), 401);

    // A server-side failure: an address stored behind the syntax check's
    // back makes the invitation fail.
    let tampered = post(
        &registrations,
        json!({"name": TAMPERED.0, "email": TAMPERED.1}),
        false,
    )
    .await
    .unwrap();
    assert_eq!(status(tampered), 201);
    let tampered = crate::common::meetings::registration_links(db, id, TAMPERED.1).await;
    let conn = Database::connect(db.url.as_str()).await.unwrap();
    let backend = conn.get_database_backend();
    let changed = conn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DatabaseBackend::Postgres => {
                    "UPDATE registrations SET email = $1 WHERE email = $2"
                }
                _ => "UPDATE registrations SET email = ? WHERE email = ?",
            },
            [STORED_BAD_EMAIL.into(), TAMPERED.1.into()],
        ))
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    conn.close().await.unwrap();
    let failing = client
        .get(format!("{base}{}", tampered.invite()))
        .send()
        .await
        .unwrap();
    assert_eq!(status(failing), 500);
}

/// One run against a fresh database on the server's `format` of logs;
/// returns all the server printed.
fn printed_during_a_run(db: TestDb, format: &str) -> String {
    let token = crate::common::api::setup(&db);
    let out = db.cli_input(
        &[
            "account",
            "create",
            "--email",
            ACCOUNT,
            "--role",
            "organizer",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = Server::start(&db, format);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(run(&db, &server.base, &token));
    server.stop()
}

fn assert_nothing_personal(printed: &str) {
    // The run was logged: a line per request at debug, and the failure.
    assert!(printed.matches("response").count() >= 25, "{printed}");
    assert!(printed.contains("request failed"), "{printed}");
    let lower = printed.to_lowercase();
    for secret in secrets() {
        assert!(
            !lower.contains(&secret.to_lowercase()),
            "`{secret}` printed by the server:\n{}",
            printed
                .lines()
                .filter(|l| l.to_lowercase().contains(&secret.to_lowercase()))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn text_logs_hold_no_personal_data() {
    let printed = printed_during_a_run(TestDb::sqlite(), "text");
    assert_nothing_personal(&printed);
}

/// JSON lines, on PostgreSQL (its errors are worded differently from
/// SQLite's).
#[test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set PASSERELLE_TEST_POSTGRES_URL or run scripts/test"
)]
fn json_logs_hold_no_personal_data() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(TestDb::postgres());
    drop(runtime);
    let printed = printed_during_a_run(db, "json");
    for line in printed.lines().filter(|l| !l.is_empty()) {
        assert!(
            serde_json::from_str::<Value>(line).is_ok(),
            "not a JSON line: {line}"
        );
    }
    assert_nothing_personal(&printed);
}
