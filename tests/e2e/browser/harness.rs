//! What the browser tests stand on: a recording HTTP proxy that every
//! request of Chromium goes through (and which lets only loopback ones
//! through), chromedriver driving headless Chromium with its DevTools
//! network log on, and the real `passerelle serve` on a real database.
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::common::TestDb;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long any one wait may take: generous, for a loaded CI machine.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// One browser at a time: several Chromiums on a small CI machine turn
/// waits into timeouts.
pub async fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, what: &str, child: &mut Child, log: Option<&Path>) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            let log = log
                .and_then(|p| std::fs::read_to_string(p).ok())
                .unwrap_or_default();
            panic!("{what} exited with {status} before listening:\n{log}");
        }
        assert!(started.elapsed() < TIMEOUT * 2, "{what} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One request that went through the proxy.
#[derive(Clone, Debug)]
pub struct Seen {
    pub host: String,
    pub method: String,
    /// The path and query (or `host:port` for CONNECT).
    pub target: String,
    /// Bytes of the response, headers included, as sent to the browser.
    pub bytes: u64,
}

impl Seen {
    pub fn is_loopback(&self) -> bool {
        is_loopback(&self.host)
    }
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// A forward proxy that records every request and forwards only those to
/// loopback: nothing it sees can leave the machine. Chromium runs with
/// `--proxy-server` pointing here and `--proxy-bypass-list=<-loopback>`,
/// so that loopback requests go through it too.
pub struct Recorder {
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
}

impl Recorder {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy port");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, halt) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let log = log.clone();
                std::thread::spawn(move || {
                    let _ = relay(stream, &log);
                });
            }
        });
        Self { port, seen, stop }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn clear(&self) {
        self.seen.lock().unwrap().clear();
    }

    /// The requests for anywhere but this machine (all refused).
    pub fn away(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| !s.is_loopback())
            .collect()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Reads up to the end of the request head; returns it and what followed.
fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end + 4]).into_owned();
            return Ok(Some((head, buf[end + 4..].to_vec())));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 || buf.len() > 1 << 16 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn relay(mut client: TcpStream, seen: &Mutex<Vec<Seen>>) -> std::io::Result<()> {
    client.set_read_timeout(Some(TIMEOUT))?;
    let Some((head, rest)) = read_head(&mut client)? else {
        return Ok(());
    };
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let target = first.next().unwrap_or_default().to_owned();
    let version = first.next().unwrap_or("HTTP/1.1").to_owned();
    let record = |host: &str, path: &str| {
        let mut seen = seen.lock().unwrap();
        seen.push(Seen {
            host: host.to_owned(),
            method: method.clone(),
            target: path.to_owned(),
            bytes: 0,
        });
        seen.len() - 1
    };
    if method == "CONNECT" {
        // HTTPS to anywhere: recorded and refused, never tunnelled.
        let host = target.rsplit_once(':').map_or(target.as_str(), |(h, _)| h);
        record(host, &target);
        client.write_all(
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        return Ok(());
    }
    let Some(without_scheme) = target.strip_prefix("http://") else {
        record("?", &target);
        client.write_all(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        return Ok(());
    };
    let (authority, path) = match without_scheme.find('/') {
        Some(i) => (&without_scheme[..i], &without_scheme[i..]),
        None => (without_scheme, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            (h, p.parse::<u16>().unwrap_or(80))
        }
        _ => (authority, 80),
    };
    let index = record(host, path);
    if !is_loopback(host) {
        client.write_all(
            b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        return Ok(());
    }
    let mut upstream = TcpStream::connect(("127.0.0.1", port))?;
    let mut request = format!("{method} {path} {version}\r\n");
    for line in lines.filter(|l| !l.is_empty()) {
        let name = line
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !matches!(
            name.as_str(),
            "connection" | "proxy-connection" | "keep-alive"
        ) {
            request.push_str(line);
            request.push_str("\r\n");
        }
    }
    // One request per connection, so that each one is seen and measured.
    request.push_str("Connection: close\r\n\r\n");
    upstream.write_all(request.as_bytes())?;
    upstream.write_all(&rest)?;
    let (mut from_client, mut to_upstream) = (client.try_clone()?, upstream.try_clone()?);
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_client, &mut to_upstream);
    });
    let bytes = std::io::copy(&mut upstream, &mut client)?;
    seen.lock().unwrap()[index].bytes = bytes;
    let _ = client.shutdown(Shutdown::Both);
    let _ = upstream.shutdown(Shutdown::Both);
    Ok(())
}

/// The real `passerelle serve`, on a port of its own.
pub struct Server {
    pub base: String,
    child: Child,
}

impl Server {
    pub fn start(db: &TestDb) -> Self {
        let port = free_port();
        let log = db.dir().join("serve.log");
        let file = std::fs::File::create(&log).expect("server log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_passerelle"))
            .arg("serve")
            .env("PASSERELLE_DATABASE_URL", &db.url)
            .env("PASSERELLE_BIND", format!("127.0.0.1:{port}"))
            .env("PASSERELLE_DEMO", "off")
            .env("PASSERELLE_RELOAD_INTERVAL_MS", "200")
            // Webdriver fills forms faster than people; the spam timing
            // is tested through the router.
            .env("PASSERELLE_FORM_MIN_SECONDS", "0")
            .env_remove("PASSERELLE_SMTP_URL")
            .env_remove("PASSERELLE_LOG_FORMAT")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start passerelle serve");
        wait_for_port(port, "passerelle serve", &mut child, Some(&log));
        Self {
            base: format!("http://127.0.0.1:{port}"),
            child,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver's `performance` log: the DevTools events of the pages,
/// drained at each read.
#[derive(Debug)]
struct PerformanceLog;

impl WebDriverCompatibleCommand for PerformanceLog {
    fn endpoint(
        &self,
        base: &reqwest::Url,
        session: Option<&str>,
    ) -> Result<reqwest::Url, <reqwest::Url as std::str::FromStr>::Err> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(r#"{"type":"performance"}"#.to_owned()),
        )
    }
}

/// A URL that does not reach the network beyond this machine: loopback,
/// or a scheme without network (`chrome:`, `data:`, `about:`, `blob:`).
pub fn is_local_url(url: &str) -> bool {
    let network = ["http:", "https:", "ws:", "wss:", "ftp:"]
        .iter()
        .any(|s| url.starts_with(s));
    !network
        || ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"]
            .iter()
            .any(|p| url.starts_with(p))
}

/// axe-core, the accessibility checker, from its npm package installed once
/// under `target/axe` (never from a CDN; `scripts/test` installs it first).
/// The check is not optional: without it the browser tests fail.
pub fn axe_script() -> String {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/axe");
    let file = dir.join("node_modules/axe-core/axe.min.js");
    if !file.exists() {
        let installed = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg("axe-core@4")
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            installed,
            "axe-core could not be installed with npm: the accessibility checks cannot run \
             (run scripts/test, which installs Node.js and axe-core)"
        );
    }
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()))
}

/// Headless Chromium driven through chromedriver, every request through a
/// `Recorder`, screenshots under `target/browser-screenshots/`.
pub struct Browser {
    pub client: Client,
    pub recorder: Recorder,
    /// Every URL the pages asked for, from the DevTools log.
    page_requests: Mutex<Vec<String>>,
    axe: String,
    /// Pages axe-core checked, and what it found wrong, page by page.
    checked: std::sync::atomic::AtomicUsize,
    violations: Mutex<Vec<String>>,
    base: String,
    prefix: String,
    _driver: Driver,
    size: Mutex<(u32, u32)>,
    _profile: tempfile::TempDir,
}

pub const PHONE: (u32, u32) = (390, 844);
pub const DESKTOP: (u32, u32) = (1280, 900);

pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots")
}

impl Browser {
    /// Starts chromedriver and Chromium; `prefix` names the screenshots.
    pub async fn start(base: &str, prefix: &str) -> Self {
        for (path, what) in [(CHROMIUM, "Chromium"), (CHROMEDRIVER, "chromedriver")] {
            assert!(
                Path::new(path).exists(),
                "{what} is missing at {path}: the browser tests need Debian's chromium and \
                 chromium-driver (`apt-get update && apt-get install -y chromium chromium-driver`; \
                 .ci/run installs them)"
            );
        }
        let recorder = Recorder::start();
        let profile = tempfile::tempdir().expect("profile dir");
        let port = free_port();
        let mut driver = Driver(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                // Chromium on Linux takes its interface language from here.
                .env("LANGUAGE", "fr")
                .process_group(0)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start chromedriver"),
        );
        wait_for_port(port, "chromedriver", &mut driver.0, None);
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-quic".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            // Chromium's own calls home, which are not the pages' doing.
            "--disable-features=AutofillServerCommunication,OptimizationHints,Translate,MediaRouter,\
             PreconnectToSearch,PreconnectToSearchNonGoogle,NetworkTimeServiceQuerying"
                .to_owned(),
            "--disable-component-extensions-with-background-pages".to_owned(),
            "--disable-client-side-phishing-detection".to_owned(),
            "--disable-default-apps".to_owned(),
            "--disable-extensions".to_owned(),
            "--disable-domain-reliability".to_owned(),
            "--no-pings".to_owned(),
            // The sign-in service lists Google accounts at start-up, whatever
            // the page; this points it at a closed local port instead.
            "--gaia-url=http://127.0.0.1:9".to_owned(),
            "--lang=fr-FR".to_owned(),
            format!("--window-size={},{}", PHONE.0, PHONE.1),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--proxy-server=http://127.0.0.1:{}", recorder.port),
            "--proxy-bypass-list=<-loopback>".to_owned(),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": args,
                "perfLoggingPrefs": { "enableNetwork": true, "enablePage": false },
            },
            "goog:loggingPrefs": { "performance": "ALL" },
            "timeouts": { "pageLoad": 60_000, "script": 30_000 },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session through chromedriver");
        let browser = Self {
            client,
            recorder,
            page_requests: Mutex::new(Vec::new()),
            axe: axe_script(),
            checked: Default::default(),
            violations: Mutex::new(Vec::new()),
            base: base.to_owned(),
            prefix: prefix.to_owned(),
            _driver: driver,
            size: Mutex::new(PHONE),
            _profile: profile,
        };
        browser.resize(PHONE).await;
        browser
    }

    /// Ends the session (Chromium quits); Drop then stops chromedriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn resize(&self, (w, h): (u32, u32)) {
        self.client.set_window_size(w, h).await.expect("resize");
        *self.size.lock().unwrap() = (w, h);
    }

    pub async fn goto(&self, path: &str) {
        self.client.goto(&self.url(path)).await.expect("navigate");
    }

    /// The path and query of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits for the page's path and query to be exactly `path`.
    pub async fn wait_exact(&self, path: &str) {
        let started = Instant::now();
        loop {
            let now = self.path().await;
            if now == path {
                return;
            }
            assert!(
                started.elapsed() < TIMEOUT,
                "still on {now}, expected {path}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for the page's path to start with `prefix`.
    pub async fn wait_path(&self, prefix: &str) -> String {
        let started = Instant::now();
        loop {
            let path = self.path().await;
            if path.starts_with(prefix) {
                return path;
            }
            assert!(
                started.elapsed() < TIMEOUT,
                "still on {path}, expected {prefix}…"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(TIMEOUT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => panic!("no `{css}` on {} within 30 s: {e}", self.path().await),
        }
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.expect("clear");
        input.send_keys(text).await.expect("type");
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Sets a value the way a date picker would (typing into a
    /// datetime-local field depends on the browser's locale).
    pub async fn set_value(&self, css: &str, value: &str) {
        let input = self.find(css).await;
        self.client
            .execute(
                "arguments[0].value = arguments[1];",
                vec![serde_json::to_value(&input).unwrap(), json!(value)],
            )
            .await
            .expect("set value");
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// Waits until the text of `css` contains `needle`. The page may be
    /// changing meanwhile: a vanished element is retried, not an error.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let started = Instant::now();
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(needle) {
                return text;
            }
            assert!(
                started.elapsed() < TIMEOUT,
                "`{css}` on {} says {text:?}, not {needle:?}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn eval(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.expect("script")
    }

    /// Clicks the overview map where `lon`, `lat` is drawn: a real pointer
    /// click at that spot of the screen.
    pub async fn click_map_at(&self, lon: f64, lat: f64) {
        let svg = self.find("svg[data-locate]").await;
        let spot = self
            .eval(
                r#"const svg = arguments[0], d = svg.dataset;
                   svg.scrollIntoView({block: 'center'});
                   const p = svg.createSVGPoint();
                   p.x = Number(d.a) * arguments[1] + Number(d.b);
                   p.y = Number(d.c) * arguments[2] + Number(d.d);
                   const s = p.matrixTransform(svg.getScreenCTM());
                   return [s.x, s.y];"#,
                vec![serde_json::to_value(&svg).unwrap(), json!(lon), json!(lat)],
            )
            .await;
        let (x, y) = (spot[0].as_f64().unwrap(), spot[1].as_f64().unwrap());
        let mouse = MouseActions::new("mouse".to_owned())
            .then(PointerAction::MoveTo {
                duration: None,
                x: x.round(),
                y: y.round(),
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.client.perform_actions(mouse).await.expect("click");
    }

    /// Saves a screenshot of the whole page (the window grows to the page's
    /// height for the shot), and checks the page with axe-core.
    pub async fn shot(&self, name: &str) {
        let found = self.axe_violations(&self.axe).await;
        self.checked
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.violations
            .lock()
            .unwrap()
            .extend(found.into_iter().map(|v| format!("{name}: {v}")));
        let (w, h) = *self.size.lock().unwrap();
        let height = self
            .eval(
                "return Math.ceil(document.documentElement.scrollHeight);",
                vec![],
            )
            .await
            .as_f64()
            .unwrap_or(f64::from(h)) as u32;
        self.client
            .set_window_size(w, height.clamp(h, 8000))
            .await
            .expect("grow");
        let png = self.client.screenshot().await.expect("screenshot");
        self.client.set_window_size(w, h).await.expect("shrink");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(format!("{}-{name}.png", self.prefix)), png)
            .expect("write screenshot");
    }

    /// Every URL the pages requested so far: navigations, style sheets,
    /// scripts, images, fetches, whether they succeeded or not. Chromium's
    /// own background calls are not the pages' and are not listed (the
    /// proxy refuses them anyway).
    pub async fn page_requests(&self) -> Vec<String> {
        let log = self
            .client
            .issue_cmd(PerformanceLog)
            .await
            .expect("the performance log");
        let mut all = self.page_requests.lock().unwrap();
        for entry in log.as_array().into_iter().flatten() {
            let Some(text) = entry["message"].as_str() else {
                continue;
            };
            let Ok(event) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            if event["message"]["method"] == "Network.requestWillBeSent"
                && let Some(url) = event["message"]["params"]["request"]["url"].as_str()
            {
                all.push(url.to_owned());
            }
        }
        all.clone()
    }

    /// No page asked for anything but this machine, and they did ask (so
    /// that a broken log cannot pass for a clean one); and the proxy saw
    /// the pages' requests, so nothing went around it.
    pub async fn assert_pages_stayed_local(&self) {
        let urls: Vec<String> = self
            .page_requests()
            .await
            .into_iter()
            .filter(|u| u.starts_with("http"))
            .collect();
        assert!(urls.len() >= 3, "hardly any request logged: {urls:?}");
        let away: Vec<&String> = urls.iter().filter(|u| !is_local_url(u)).collect();
        assert!(
            away.is_empty(),
            "the pages requested other hosts: {away:#?}"
        );
        let proxied = self.recorder.seen();
        assert!(
            proxied
                .iter()
                .any(|s| s.is_loopback() && s.target == "/static/style.css"),
            "the pages' requests did not go through the proxy: {proxied:?}"
        );
    }

    /// axe-core checked pages and found no WCAG 2.1 A or AA violation on
    /// the pages shot.
    pub fn assert_accessible(&self) {
        assert!(
            self.checked.load(std::sync::atomic::Ordering::Relaxed) > 0,
            "axe-core checked no page"
        );
        let found = self.violations.lock().unwrap();
        assert!(
            found.is_empty(),
            "accessibility violations:\n{}",
            found.join("\n")
        );
    }

    /// The WCAG 2.1 A and AA violations axe-core finds on the page shown,
    /// one line each.
    async fn axe_violations(&self, axe: &str) -> Vec<String> {
        self.client
            .execute(&format!("{axe}\nreturn true;"), vec![])
            .await
            .expect("inject axe-core");
        let found = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   axe.run(document, {runOnly: {type: 'tag',
                       values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                     .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): '
                       + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
                     .catch(e => done(['axe failed: ' + e]));"#,
                vec![],
            )
            .await
            .expect("run axe-core");
        found
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    }

    /// Fetches `path` from the page, with its cookies; returns status,
    /// content type and body.
    pub async fn fetch(&self, path: &str) -> (u16, String, String) {
        let reply = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   fetch(arguments[0]).then(r => r.text().then(t =>
                     done([r.status, r.headers.get('content-type') || '', t])))
                   .catch(e => done([0, '', String(e)]));"#,
                vec![json!(path)],
            )
            .await
            .expect("fetch in the page");
        (
            reply[0].as_u64().unwrap_or(0) as u16,
            reply[1].as_str().unwrap_or_default().to_owned(),
            reply[2].as_str().unwrap_or_default().to_owned(),
        )
    }
}

/// chromedriver, in a process group of its own with the Chromium it starts:
/// dropping it ends both, even when a test fails half-way.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
