//! Solves an instance file: the JSON solution on stdout, and on stderr one
//! JSON line of timings (parse and solve apart, and the solve's CPU time
//! over all threads, steadier than wall time on a shared machine) and peak
//! RSS.
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
    let (start, cpu_start) = (Instant::now(), cpu_seconds());
    let instance = match Instance::parse_bytes(&bytes) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let parse_s = start.elapsed().as_secs_f64();
    let parse_cpu_s = cpu_seconds().zip(cpu_start).map(|(b, a)| b - a);
    drop(bytes);
    let (start, cpu_start) = (Instant::now(), cpu_seconds());
    let solution = solve_instance(&instance);
    let solve_s = start.elapsed().as_secs_f64();
    let solve_cpu_s = cpu_seconds().zip(cpu_start).map(|(b, a)| b - a);

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
        "{{\"read_s\": {read_s:.4}, \"parse_s\": {parse_s:.4}, \"parse_cpu_s\": {}, \"solve_s\": {solve_s:.4}, \"solve_cpu_s\": {}, \"peak_rss_mib\": {}, \"threads\": {}}}",
        parse_cpu_s.map_or("null".to_string(), |s| format!("{s:.2}")),
        solve_cpu_s.map_or("null".to_string(), |s| format!("{s:.2}")),
        peak_rss_mib().map_or("null".to_string(), |m| format!("{m:.1}")),
        rayon::current_num_threads()
    );
    ExitCode::SUCCESS
}

/// User + system CPU time of all threads so far, from /proc (Linux only;
/// 100 ticks per second, 10 ms resolution).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are
    // the 14th and 15th fields of the line.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: f64 = fields.next()?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// VmHWM from /proc (Linux only).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
