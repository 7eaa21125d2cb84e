//! The test harness: a database of its own for every test, on SQLite or
//! PostgreSQL, the router called in process, and the real binary.
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use passerelle_app::AppState;
use passerelle_app::config::Config;
use passerelle_store::Store;
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tower::ServiceExt;

/// Runs each named scenario once on SQLite and once on PostgreSQL. Without
/// `PASSERELLE_TEST_POSTGRES_URL` at build time the PostgreSQL runs are
/// reported as ignored (`scripts/test` sets PostgreSQL up and names it).
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(crate::common::TestDb::sqlite()).await;
            }
            #[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set PASSERELLE_TEST_POSTGRES_URL or run scripts/test")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(crate::common::TestDb::postgres().await).await;
            }
        }
    )*};
}
pub(crate) use both_backends;

/// The real data shipped beside the repository.
pub fn shared_data(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(relative);
    assert!(
        path.exists(),
        "missing real data file {} (tests read ../shared/data beside the repository)",
        path.display()
    );
    path
}

/// A database that lives as long as the test.
pub struct TestDb {
    pub url: String,
    /// For PostgreSQL: the server URL and the database to drop afterwards.
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A fresh SQLite file in a temporary folder.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Self {
            url,
            postgres: None,
            _dir: dir,
        }
    }

    /// A fresh database on the PostgreSQL server of `PASSERELLE_TEST_POSTGRES_URL`.
    pub async fn postgres() -> Self {
        let server = std::env::var("PASSERELLE_TEST_POSTGRES_URL").expect(
            "PASSERELLE_TEST_POSTGRES_URL names no PostgreSQL server: run scripts/test, \
             which sets one up, or set it to a server where the role may create databases",
        );
        let name = format!(
            "passerelle_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let admin = Database::connect(server.as_str())
            .await
            .expect("PASSERELLE_TEST_POSTGRES_URL does not answer");
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
            .await
            .expect("drop old test database");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        admin.close().await.ok();
        let (base, _) = server.rsplit_once('/').expect("URL with a database name");
        Self {
            url: format!("{base}/{name}"),
            postgres: Some((server, name)),
            _dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A scratch folder for files the test writes.
    pub fn dir(&self) -> &Path {
        self._dir.path()
    }

    /// The settings of a service on this database (no demo town), with
    /// `vars` as extra environment.
    pub fn config(&self, vars: &[(&str, &str)]) -> Config {
        let defaults = [
            ("PASSERELLE_DEMO", "off"),
            // Tests fire many requests from one address; the rate limit
            // tests turn it back on.
            ("PASSERELLE_RATE_LIMIT", "off"),
            // Forms are sent at once by tests; the spam test sets it.
            ("PASSERELLE_FORM_MIN_SECONDS", "0"),
        ];
        let mut all = vec![("PASSERELLE_DATABASE_URL", self.url.as_str())];
        all.extend(
            defaults
                .into_iter()
                .filter(|(name, _)| !vars.iter().any(|(k, _)| k == name)),
        );
        all.extend(
            vars.iter()
                .copied()
                .filter(|(name, _)| *name != "PASSERELLE_DATABASE_URL"),
        );
        passerelle::config::from_vars(&all).expect("test config")
    }

    /// A migrated store on this database.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url).await.expect("connect");
        store.migrate().await.expect("migrate");
        store
    }

    /// The application state, as `passerelle serve` builds it.
    pub async fn state(&self) -> AppState {
        self.state_with(&[]).await
    }

    /// The application state with extra settings.
    pub async fn state_with(&self, vars: &[(&str, &str)]) -> AppState {
        AppState::open(self.config(vars)).await.expect("open state")
    }

    /// Runs the real `passerelle` binary on this database.
    pub fn cli(&self, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_passerelle"))
            .args(args)
            .env("PASSERELLE_DATABASE_URL", &self.url)
            .env("PASSERELLE_DEMO", "off")
            .env_remove("PASSERELLE_LOG_FORMAT")
            .output()
            .expect("run passerelle")
    }

    /// Runs the real binary with `input` on its standard input.
    pub fn cli_input(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_passerelle"))
            .args(args)
            .env("PASSERELLE_DATABASE_URL", &self.url)
            .env("PASSERELLE_DEMO", "off")
            .env_remove("PASSERELLE_PASSWORD")
            .env_remove("PASSERELLE_LOG_FORMAT")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run passerelle");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("passerelle output")
    }

    /// Runs the binary and expects success; returns stdout.
    pub fn cli_ok(&self, args: &[&str]) -> String {
        let output = self.cli(args);
        assert!(
            output.status.success(),
            "passerelle {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8 stdout")
    }

    /// Runs the binary and expects failure with one line on stderr; returns it.
    pub fn cli_err(&self, args: &[&str]) -> String {
        let output = self.cli(args);
        assert!(!output.status.success(), "passerelle {args:?} should fail");
        let stderr = String::from_utf8(output.stderr).expect("utf-8 stderr");
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "expected one line on stderr, got: {stderr}");
        lines[0].to_owned()
    }

    /// Imports the Roquette subset of the Paris map (2024-2025) with the CLI.
    pub fn import_subset(&self) {
        let subset = shared_data("fixtures/paris-75111-secteurs-subset.geojson");
        self.cli_ok(&[
            "import",
            "sectors",
            subset.to_str().unwrap(),
            "--territory",
            "paris",
            "--year",
            "2024-2025",
        ]);
    }

    /// Imports the real Paris map, collège list and IPS with the CLI.
    pub fn import_paris(&self) {
        let map = shared_data("paris/secteurs-colleges-2024-2025.geojson");
        self.cli_ok(&[
            "import",
            "sectors",
            map.to_str().unwrap(),
            "--territory",
            "paris",
            "--year",
            "2024-2025",
        ]);
        let schools = shared_data("national/colleges-geolocalisation.csv");
        self.cli_ok(&["import", "schools", schools.to_str().unwrap()]);
        let ips = shared_data("national/ips-colleges-2022.csv");
        self.cli_ok(&["import", "ips", ips.to_str().unwrap()]);
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = self.postgres.take() {
            // Best effort, on a thread of its own: Drop cannot be async.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(async {
                    if let Ok(admin) = Database::connect(server.as_str()).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts a problem+json answer with `status`; returns its detail.
    pub fn problem(&self, status: StatusCode) -> String {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.content_type, "application/problem+json");
        let json = self.json();
        assert_eq!(json["status"], status.as_u16());
        json["detail"].as_str().expect("a detail").to_owned()
    }
}

/// Sends one request through the router, as the crates.io tests do.
pub async fn oneshot(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let content_type = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        content_type,
        body,
    }
}

/// `GET uri`.
pub async fn get(app: &Router, uri: &str) -> Reply {
    oneshot(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// Percent-encodes a form field or query value.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A Python virtualenv under target/ with `packages` installed, made once
/// per test run (PyPI is reachable here, as in CI).
pub fn python_with(packages: &[&str]) -> PathBuf {
    static VENV: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = VENV.lock().unwrap_or_else(|e| e.into_inner());
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        let status = std::process::Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 is needed for the SMTP test server");
        assert!(status.success(), "python3 -m venv failed");
    }
    let missing = packages.iter().any(|p| {
        !std::process::Command::new(&python)
            .args(["-c", &format!("import {p}")])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if missing {
        let status = std::process::Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(packages)
            .status()
            .expect("pip");
        assert!(status.success(), "pip install {packages:?} failed");
    }
    python
}

/// A real SMTP server on loopback (Python aiosmtpd) that stores every
/// message it accepts in a Maildir.
pub struct SmtpServer {
    pub port: u16,
    pub maildir: PathBuf,
    child: std::process::Child,
}

impl SmtpServer {
    pub fn start(maildir: &Path, port: Option<u16>) -> Self {
        let python = python_with(&["aiosmtpd"]);
        let port = port.unwrap_or_else(|| {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        });
        let child = std::process::Command::new(python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(maildir)
            .spawn()
            .expect("start aiosmtpd");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "aiosmtpd did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Self {
            port,
            maildir: maildir.to_owned(),
            child,
        }
    }

    /// The raw messages received so far.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for folder in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.maildir.join(folder)) {
                for e in entries.flatten() {
                    out.push(std::fs::read(e.path()).unwrap());
                }
            }
        }
        out
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub mod api;
pub mod meetings;
pub mod scrape;
pub mod server;
pub mod web;
