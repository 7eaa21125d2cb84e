//! Solves an instance file: the JSON solution on stdout, and on stderr one
//! JSON line of timings (parse and solve apart) and peak RSS.
//!
//! `cargo run --release -p passerelle-matching --example solve -- FILE`

use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use passerelle_matching::{Instance, solve_instance};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: solve FILE");
        return ExitCode::from(2);
    };
    let start = Instant::now();
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let read_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let instance = match Instance::parse_bytes(&bytes) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let parse_s = start.elapsed().as_secs_f64();
    drop(bytes);
    let start = Instant::now();
    let solution = solve_instance(&instance);
    let solve_s = start.elapsed().as_secs_f64();

    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let written = serde_json::to_writer(&mut out, &solution)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        eprintln!("write failed: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "{{\"read_s\": {read_s:.4}, \"parse_s\": {parse_s:.4}, \"solve_s\": {solve_s:.4}, \"peak_rss_mib\": {}, \"threads\": {}}}",
        peak_rss_mib().map_or("null".to_string(), |m| format!("{m:.1}")),
        rayon::current_num_threads()
    );
    ExitCode::SUCCESS
}

/// VmHWM from /proc (Linux only).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
