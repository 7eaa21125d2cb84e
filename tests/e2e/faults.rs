//! Faults, on the real binary: PostgreSQL going away and coming back, and
//! `kill -9` of the server in the middle of a map import, a burst of
//! registrations, or a mail delivery. What was promised to a client must
//! survive whole; what was not must leave no trace.
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use passerelle_app::mail::{Mailer, deliver_due};
use serde_json::{Value, json};

use crate::common::server::Server;
use crate::common::{SmtpServer, TestDb, both_backends, shared_data};

/// Settings of every server started here.
const ENV: [(&str, &str); 2] = [("PASSERELLE_DEMO", "off"), ("PASSERELLE_RATE_LIMIT", "off")];

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A PostgreSQL server of the test's own, so that stopping it disturbs no
/// other test (they share the one at 5432).
struct PrivatePostgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl PrivatePostgres {
    fn init() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path().join("bin"))
                    .filter(|bin| bin.join("initdb").exists())
                    .max()
            })
            .expect("this test needs PostgreSQL's initdb under /usr/lib/postgresql/*/bin");
        let dir = tempfile::tempdir().unwrap();
        let owned = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(owned.success(), "chown to postgres (the test runs as root)");
        let pg = Self {
            bin,
            dir,
            port: free_port(),
        };
        pg.run(
            "initdb",
            &[
                "-D",
                &pg.path("data"),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
        );
        pg.start();
        pg
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_owned()
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let output = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(tool))
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{tool} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.path().display()
        );
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.path("data"),
                "-l",
                &self.path("log"),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
    }

    fn stop(&self) {
        self.run(
            "pg_ctl",
            &["-D", &self.path("data"), "-m", "fast", "-w", "stop"],
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &self.path("data"), "-m", "immediate", "-w", "stop"])
            .output();
    }
}

/// Runs the real binary on the database at `url`; expects success.
fn cli_ok(url: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_passerelle"))
        .args(args)
        .env("PASSERELLE_DATABASE_URL", url)
        .env("PASSERELLE_DEMO", "off")
        .env_remove("PASSERELLE_LOG_FORMAT")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "passerelle {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The Roquette subset map and an organizer token.
fn setup(url: &str) -> String {
    let subset = shared_data("fixtures/paris-75111-secteurs-subset.geojson");
    cli_ok(
        url,
        &[
            "import",
            "sectors",
            subset.to_str().unwrap(),
            "--territory",
            "paris",
            "--year",
            "2024-2025",
        ],
    );
    cli_ok(
        url,
        &["token", "create", "--role", "organizer", "--name", "orga"],
    )
    .trim()
    .to_owned()
}

/// Starts a server off the async worker (it blocks until "listening").
/// `Server::start` takes its database from `db`, or from a
/// `PASSERELLE_DATABASE_URL` in `env`, which wins.
fn start(db: &TestDb, env: &[(&str, &str)]) -> Server {
    tokio::task::block_in_place(|| Server::start(db, env))
}

/// `kill -9`, and the exit reaped.
fn kill(server: &mut Server) {
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

/// A meeting of `capacity` places in the sector of collège 0750607C.
async fn create_meeting(client: &reqwest::Client, base: &str, token: &str, capacity: i32) -> i64 {
    let list: Value = client
        .get(format!("{base}/api/v1/sectors?year=2024-2025"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sector = list["sectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["uais"][0] == "0750607C")
        .expect("the Roquette sector")["id"]
        .as_i64()
        .unwrap();
    let body = crate::common::meetings::meeting(
        sector,
        &crate::common::meetings::on("03-12T18:30"),
        &crate::common::meetings::on("03-12T20:00"),
        capacity,
    );
    let reply = client
        .post(format!("{base}/api/v1/meetings"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    reply.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

fn register(
    client: &reqwest::Client,
    base: &str,
    meeting: i64,
    n: usize,
) -> reqwest::RequestBuilder {
    client
        .post(format!("{base}/api/v1/meetings/{meeting}/registrations"))
        .json(&json!({"name": format!("Parent {n}"), "email": format!("parent{n}@example.org")}))
}

/// PostgreSQL stops: a registration and /health answer 503 problem+json
/// with Retry-After at once, /metrics still answers; PostgreSQL starts
/// again: the same server takes registrations again, unrestarted.
#[test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set PASSERELLE_TEST_POSTGRES_URL or run scripts/test"
)]
fn database_down_answers_503_and_the_service_recovers() {
    let pg = PrivatePostgres::init();
    let url = pg.url();
    let token = setup(&url);
    let scratch = TestDb::sqlite();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics_bind = format!("127.0.0.1:{metrics_port}");
    let mut env = ENV.to_vec();
    env.push(("PASSERELLE_DATABASE_URL", url.as_str()));
    env.push(("PASSERELLE_METRICS_BIND", metrics_bind.as_str()));
    let server = Server::start(&scratch, &env);
    let base = server.base.clone();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let meeting = create_meeting(&client, &base, &token, 10).await;
        let reply = register(&client, &base, meeting, 0).send().await.unwrap();
        assert_eq!(reply.status(), 201);

        pg.stop();
        let started = Instant::now();
        let reply = register(&client, &base, meeting, 1).send().await.unwrap();
        let waited = started.elapsed();
        assert_eq!(reply.status(), 503);
        assert_eq!(reply.headers()["content-type"], "application/problem+json");
        assert_eq!(reply.headers()["retry-after"], "5");
        let problem: Value = reply.json().await.unwrap();
        assert_eq!(problem["status"], 503);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("base de données"),
            "{problem}"
        );
        // A hang detector, not a performance claim.
        assert!(waited < Duration::from_secs(5), "503 only after {waited:?}");
        eprintln!("registration with PostgreSQL down: 503 after {waited:?}");

        let health = client.get(format!("{base}/health")).send().await.unwrap();
        assert_eq!(health.status(), 503);
        assert_eq!(health.headers()["content-type"], "application/problem+json");
        let lookup = client
            .get(format!(
                "{base}/api/v1/sectors/lookup?lat=48.856095&lon=2.376293"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(lookup.status(), 200, "lookups are served from memory");
        let metrics = client
            .get(format!("http://{metrics_bind}/metrics"))
            .send()
            .await
            .unwrap();
        assert_eq!(metrics.status(), 200, "metrics answer without the database");
        let scrape = crate::common::scrape::Scrape::parse(&metrics.text().await.unwrap());
        assert_eq!(scrape.value("passerelle_database_up", &[]), Some(0.0));
        assert_eq!(
            scrape.value("passerelle_outbox_pending_messages", &[]),
            None,
            "no stale database gauge while the database is down"
        );

        pg.start();
        let started = Instant::now();
        let mut n = 2;
        loop {
            let reply = register(&client, &base, meeting, n).send().await.unwrap();
            if reply.status() == 201 {
                break;
            }
            assert_eq!(reply.status(), 503, "only 503 while reconnecting");
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the service never recovered"
            );
            n += 1;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        eprintln!(
            "registrations accepted again {:?} after PostgreSQL started",
            started.elapsed()
        );
        let health: Value = client
            .get(format!("{base}/health"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(health["database"], "ok");
        let rows: Value = client
            .get(format!("{base}/api/v1/meetings/{meeting}/registrations"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            rows.as_array().unwrap().len(),
            2,
            "the first registration and the one after recovery; none of the refused"
        );
    });
    assert!(server.stop().success());
}

/// When the last import of `logs` started reading its map, started saving,
/// and finished saving, by the server's clock.
fn stage_times(logs: &[String]) -> (Duration, Duration, Duration) {
    let at = |needle: &str| {
        let line = logs
            .iter()
            .rev()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle} in the server's log"));
        let entry: Value = serde_json::from_str(line).unwrap();
        let time =
            chrono::DateTime::parse_from_rfc3339(entry["timestamp"].as_str().unwrap()).unwrap();
        Duration::from_micros(time.timestamp_micros() as u64)
    };
    (
        at("\"reading the map\""),
        at("\"saving sectors\""),
        at("\"import stages done\""),
    )
}

/// Every Paris sector of `year`, as (name, external id, collèges): ids
/// change with each import, these do not.
async fn paris_map(client: &reqwest::Client, base: &str, year: &str) -> BTreeSet<String> {
    let list: Value = client
        .get(format!("{base}/api/v1/sectors?year={year}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["sectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["territory"] == "paris" && s["school_year"] == year)
        .map(|s| json!([s["name"], s["external_id"], s["uais"]]).to_string())
        .collect()
}

async fn import(
    client: reqwest::Client,
    base: String,
    token: String,
    map: Arc<Vec<u8>>,
    year: &'static str,
) -> Result<reqwest::StatusCode, reqwest::Error> {
    let reply = client
        .post(format!(
            "{base}/api/v1/sectors/import?territory=paris&year={year}&replace=true"
        ))
        .bearer_auth(token)
        .header("content-type", "application/geo+json")
        .body(map.as_ref().clone())
        .send()
        .await?;
    Ok(reply.status())
}

/// Copies of the Paris map in the import that is killed: on SQLite one
/// map is saved in a few milliseconds, less than a kill takes to land, so
/// the saving is made long enough for a kill aimed at it to land inside.
const TILES: usize = 8;

/// The real map followed by `copies - 1` copies of it, each moved half a
/// degree further east, with its collèges' UAIs and sector ids changed so
/// that every copy is a sector map of its own.
fn tiled(map: &[u8], copies: usize) -> Vec<u8> {
    let mut map: Value = serde_json::from_slice(map).unwrap();
    let features = map["features"].as_array().unwrap().clone();
    let mut all = features.clone();
    for copy in 1..copies {
        for feature in &features {
            let mut feature = feature.clone();
            let properties = &mut feature["properties"];
            let id = format!("{}-copy{copy}", properties["secteur_id"].as_str().unwrap());
            properties["secteur_id"] = json!(id);
            for uai in properties["uais"].as_array_mut().unwrap() {
                *uai = json!(format!("9{copy}{}", &uai.as_str().unwrap()[2..]));
            }
            shift_east(&mut feature["geometry"]["coordinates"], 0.5 * copy as f64);
            all.push(feature);
        }
    }
    map["features"] = Value::Array(all);
    serde_json::to_vec(&map).unwrap()
}

/// Adds `degrees` to the longitude of every position under `coordinates`.
fn shift_east(coordinates: &mut Value, degrees: f64) {
    let Value::Array(items) = coordinates else {
        return;
    };
    if let [Value::Number(lon), Value::Number(_), ..] = items.as_slice() {
        items[0] = json!(lon.as_f64().unwrap() + degrees);
    } else {
        items.iter_mut().for_each(|item| shift_east(item, degrees));
    }
}

/// `kill -9` of the server at several points of a `--replace` import of
/// the whole Paris map (tiled) over the Roquette subset: after a restart the year
/// holds the old map or the new one, never a mix.
async fn kill_during_import_leaves_old_or_new_map(db: TestDb) {
    let token = setup(&db.url);
    let full = Arc::new(tiled(
        &std::fs::read(shared_data("paris/secteurs-colleges-2024-2025.geojson")).unwrap(),
        TILES,
    ));
    let subset = Arc::new(
        std::fs::read(shared_data("fixtures/paris-75111-secteurs-subset.geojson")).unwrap(),
    );
    let mut server = start(&db, &ENV);
    let client = reqwest::Client::new();
    let old = paris_map(&client, &server.base, "2024-2025").await;
    // The same map imported whole under another year: what "new" looks
    // like, and how long an import takes, to spread the kills over it.
    let started = Instant::now();
    let status = import(
        client.clone(),
        server.base.clone(),
        token.clone(),
        full.clone(),
        "2023-2024",
    )
    .await;
    assert_eq!(status.unwrap(), 201);
    let took = started.elapsed();
    let new = paris_map(&client, &server.base, "2023-2024").await;
    assert!(
        new.len() > old.len() && !old.is_empty(),
        "{} → {}",
        old.len(),
        new.len()
    );

    // When the calibration import saved, from the server's own log: the
    // first kills search that window by halving, a kill that lands too
    // early (old map, nothing saved yet) moving it later, one that lands
    // too late (new map) moving it earlier; the machine's load shifts the
    // window from run to run.
    let (reading, saving, _) = stage_times(&server.logs());
    let mut window = ((saving - reading).mul_f64(0.5), took.mul_f64(1.2));
    let mut aimed_left = 8;
    let mut timed = [0.02, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0, 1.5]
        .map(|f| took.mul_f64(f))
        .into_iter();

    let mut outcomes = Vec::new();
    // Kills that provably landed inside the import's transaction: the
    // server had logged a saved sector, and the old map was still there
    // after the restart. Without one, nothing was tested.
    let mut interrupted = 0;
    loop {
        let (is_aimed, delay) = if interrupted == 0 && aimed_left > 0 {
            aimed_left -= 1;
            (true, (window.0 + window.1) / 2)
        } else if let Some(delay) = timed.next() {
            (false, delay)
        } else {
            break;
        };
        let logged = server.logs().len();
        let request = tokio::spawn(import(
            client.clone(),
            server.base.clone(),
            token.clone(),
            full.clone(),
            "2024-2025",
        ));
        tokio::time::sleep(delay).await;
        let saving = server.logs()[logged..]
            .iter()
            .any(|l| l.contains("\"import progress\""));
        kill(&mut server);
        let answered = matches!(request.await.unwrap(), Ok(s) if s == 201);
        server = start(&db, &ENV);
        let now = paris_map(&client, &server.base, "2024-2025").await;
        let outcome = if now == old {
            "old"
        } else if now == new {
            "new"
        } else {
            panic!(
                "kill at {delay:?}: a mix of {} sectors (old {}, new {})",
                now.len(),
                old.len(),
                new.len()
            )
        };
        assert!(!answered || outcome == "new", "a 201 import was lost");
        if saving && outcome == "old" {
            interrupted += 1;
        } else if is_aimed && outcome == "new" {
            window.1 = delay;
        } else if is_aimed {
            window.0 = delay;
        }
        outcomes.push(format!(
            "{delay:?}{}: {outcome}",
            if saving { " (saving)" } else { "" }
        ));
        if outcome == "new" {
            // Back to the old map, so that the next kill is seen again.
            let status = import(
                client.clone(),
                server.base.clone(),
                token.clone(),
                subset.clone(),
                "2024-2025",
            )
            .await;
            assert_eq!(status.unwrap(), 201);
        }
    }
    eprintln!("import took {took:?}; after kill -9: {outcomes:?}");
    // On PostgreSQL the saving lasts seconds and a kill lands inside it every
    // time. SQLite saves even the tiled map in a few tens of milliseconds,
    // less than the jitter of a kill on a loaded machine, so there the kills
    // are made and their outcomes checked, but one inside is not required.
    assert!(
        interrupted > 0 || !db.url.starts_with("postgres"),
        "no kill landed inside an import's transaction: {outcomes:?}"
    );
    kill(&mut server);
}

/// `kill -9` in the middle of 200 concurrent registrations on meetings of
/// five places: every registration a client received is there after the
/// restart, with the status it was given, and no meeting is overbooked.
async fn kill_during_registrations_keeps_every_answer(db: TestDb) {
    const CAPACITY: usize = 5;
    let token = setup(&db.url);
    let mut server = start(&db, &ENV);
    let client = reqwest::Client::new();
    let mut meetings = Vec::new();
    for _ in 0..4 {
        meetings.push(create_meeting(&client, &server.base, &token, CAPACITY as i32).await);
    }
    let answered = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for n in 0..200 {
        let meeting = meetings[n % meetings.len()];
        let request = register(&client, &server.base, meeting, n);
        let answered = answered.clone();
        tasks.push(tokio::spawn(async move {
            let reply = request.send().await.ok()?;
            if reply.status() != 201 {
                return None;
            }
            let body: Value = reply.json().await.ok()?;
            answered.fetch_add(1, Ordering::SeqCst);
            Some((
                meeting,
                body["id"].as_i64()?,
                body["status"].as_str()?.to_owned(),
            ))
        }));
    }
    let started = Instant::now();
    while answered.load(Ordering::SeqCst) < 20 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the burst never got going"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    kill(&mut server);
    let mut promised = Vec::new();
    for task in tasks {
        promised.extend(task.await.unwrap());
    }
    assert!(
        promised.len() < 200,
        "the kill landed after the burst; nothing was tested"
    );
    server = start(&db, &ENV);
    for &meeting in &meetings {
        let rows: Value = client
            .get(format!(
                "{}/api/v1/meetings/{meeting}/registrations",
                server.base
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let rows = rows.as_array().unwrap();
        let confirmed = rows.iter().filter(|r| r["status"] == "confirmed").count();
        assert!(
            confirmed <= CAPACITY,
            "meeting {meeting} overbooked: {confirmed}"
        );
        for (_, id, status) in promised.iter().filter(|(m, ..)| *m == meeting) {
            let row = rows
                .iter()
                .find(|r| r["id"] == *id)
                .unwrap_or_else(|| panic!("registration {id}, answered {status}, lost"));
            assert_eq!(row["status"], status.as_str(), "registration {id}");
        }
    }
    eprintln!(
        "{} of 200 registrations answered before kill -9; all kept",
        promised.len()
    );
    kill(&mut server);
}

/// `kill -9` while a message is claimed and its SMTP session hangs: the
/// message is neither lost nor sent twice. While the dead sender's claim
/// lasts nobody sends it; once it lapses it goes out, once.
async fn kill_between_claim_and_send_loses_no_mail(db: TestDb) {
    let token = setup(&db.url);
    // Accepts connections (the kernel does) and never greets: the send hangs.
    let blackhole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hang = format!(
        "smtp://127.0.0.1:{}",
        blackhole.local_addr().unwrap().port()
    );
    let mut env = ENV.to_vec();
    env.push(("PASSERELLE_SMTP_URL", hang.as_str()));
    let mut server = start(&db, &env);
    let client = reqwest::Client::new();
    let meeting = create_meeting(&client, &server.base, &token, 5).await;
    let reply = register(&client, &server.base, meeting, 0)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let store = db.store().await;
    let started = Instant::now();
    loop {
        let rows = store.outbox().await.unwrap();
        assert_eq!(rows.len(), 1, "one confirmation");
        if rows[0].locked_until.is_some() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server never claimed the message"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    kill(&mut server);
    drop(blackhole);
    let row = store.outbox().await.unwrap().remove(0);
    assert!(row.sent_at.is_none() && row.failed_at.is_none() && row.attempts == 1);

    let maildir = db.dir().join("maildir");
    let smtp = tokio::task::block_in_place(|| SmtpServer::start(&maildir, None));
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let state = db
        .state_with(&[("PASSERELLE_SMTP_URL", url.as_str())])
        .await;
    let mailer = Mailer::from_config(&state).unwrap().unwrap();
    let now = Utc::now();
    assert_eq!(deliver_due(&state, &mailer, now).await.unwrap().sent, 0);
    let lapsed = row.locked_until.unwrap() + chrono::Duration::seconds(1);
    assert_eq!(deliver_due(&state, &mailer, lapsed).await.unwrap().sent, 1);
    let later = lapsed + chrono::Duration::hours(1);
    assert_eq!(deliver_due(&state, &mailer, later).await.unwrap().sent, 0);
    assert_eq!(smtp.messages().len(), 1, "delivered exactly once");
}

both_backends!(
    kill_during_import_leaves_old_or_new_map,
    kill_during_registrations_keeps_every_answer,
    kill_between_claim_and_send_loses_no_mail
);
