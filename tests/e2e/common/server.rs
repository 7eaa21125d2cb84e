//! The real `passerelle serve` on a free port, stopped when dropped.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::TestDb;

/// A real `passerelle serve` process with JSON logs; its log lines are
/// collected as they come.
pub(crate) struct Server {
    pub(crate) child: std::process::Child,
    pub(crate) base: String,
    logs: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    pub(crate) fn start(db: &TestDb, env: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_passerelle"));
        command
            .arg("serve")
            .env("PASSERELLE_DATABASE_URL", &db.url)
            .env("PASSERELLE_BIND", format!("127.0.0.1:{port}"))
            .env("PASSERELLE_LOG_FORMAT", "json")
            .env("PASSERELLE_LOG", "debug")
            .env("PASSERELLE_RELOAD_INTERVAL_MS", "200")
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = logs.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("\"listening\"") {
                    let _ = tx.send(());
                }
                sink.lock().unwrap().push(line);
            }
        });
        rx.recv_timeout(Duration::from_secs(60))
            .expect("server did not start");
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            logs,
        }
    }

    /// Sends SIGTERM and waits; returns the exit status.
    pub(crate) fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = self.child.wait().unwrap();
        std::thread::sleep(Duration::from_millis(200));
        status
    }

    pub(crate) fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
