//! The settings as the real binary reads them: `passerelle serve --help`
//! lists every variable with its default, and a bad value stops a command
//! with one line naming the variable.
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::TestDb;

fn repository_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `PASSERELLE_*` names in `text`.
fn variables(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
        .filter(|word| word.starts_with("PASSERELLE_") && word.len() > "PASSERELLE_".len())
        .map(str::to_owned)
        .collect()
}

/// The README's configuration table: variable and default, as written
/// between backquotes (`unset` and prose defaults have none).
fn readme_table() -> Vec<(String, Option<String>)> {
    let readme = repository_file("README.md");
    let section = readme
        .split("## Configuration")
        .nth(1)
        .expect("README has a configuration section");
    section
        .lines()
        .filter(|line| line.starts_with("| `PASSERELLE_"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let name = cells[1].trim_matches('`').to_owned();
            let default = cells[2]
                .strip_prefix('`')
                .and_then(|d| d.strip_suffix('`'))
                .map(str::to_owned);
            (name, default)
        })
        .collect()
}

/// The help of each option, by the variable it reads: the block of lines
/// from its `--option` line to the next one.
fn help_by_variable(help: &str) -> Vec<(String, String)> {
    let mut blocks: Vec<String> = Vec::new();
    for line in help.lines() {
        if line.trim_start().starts_with('-') {
            blocks.push(String::new());
        }
        if let Some(block) = blocks.last_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    blocks
        .into_iter()
        .filter_map(|block| {
            let start = block.find("[env: ")? + "[env: ".len();
            let name = block[start..].split(['=', ']']).next()?.to_owned();
            Some((name, block))
        })
        .collect()
}

/// Runs the binary with `vars` as extra environment and no other
/// `PASSERELLE_*` setting; gives up after 60 s, so that a command that
/// should have stopped at once cannot hang the run.
fn passerelle(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_passerelle"));
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars() {
        if name.starts_with("PASSERELLE_") {
            command.env_remove(name);
        }
    }
    command.envs(vars.iter().copied());
    let mut child = command.spawn().expect("run passerelle");
    let started = Instant::now();
    while child.try_wait().expect("wait for passerelle").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            panic!("passerelle {args:?} with {vars:?} did not stop");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("passerelle output")
}

#[test]
fn serve_help_lists_every_variable_with_its_default() {
    let output = passerelle(&["serve", "--help"], &[]);
    assert!(output.status.success(), "{output:?}");
    let help = String::from_utf8(output.stdout).expect("utf-8 help");
    let listed = help_by_variable(&help);
    let in_help: BTreeSet<String> = listed.iter().map(|(name, _)| name.clone()).collect();

    let documented = variables(&repository_file("docs/deployment.md"));
    assert!(documented.len() >= 5, "{documented:?}");
    let missing: Vec<_> = documented.difference(&in_help).collect();
    assert!(missing.is_empty(), "not in --help: {missing:?}\n{help}");

    // The README's table and the help name the same variables, each with
    // the same default.
    let table = readme_table();
    let in_table: BTreeSet<String> = table.iter().map(|(name, _)| name.clone()).collect();
    assert_eq!(in_help, in_table, "--help and the README's table differ");
    for (name, default) in &table {
        let block = &listed.iter().find(|(n, _)| n == name).expect("listed").1;
        match default {
            // A default given in words (`PASSERELLE_LOG`) is said in words.
            Some(default) if !block.contains("[default: ") => {
                assert!(block.contains(default.as_str()), "{name}: {block}");
            }
            Some(default) => assert!(
                block.contains(&format!("[default: {default}]")),
                "{name} should default to {default}: {block}"
            ),
            None => assert!(!block.contains("[default: "), "{name}: {block}"),
        }
    }
}

/// The one line of a command stopped by a bad setting.
fn refused(args: &[&str], vars: &[(&str, &str)]) -> String {
    let output = passerelle(args, vars);
    assert!(
        !output.status.success(),
        "{args:?} with {vars:?} should fail"
    );
    let stderr = String::from_utf8(output.stderr).expect("utf-8 stderr");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr, got: {stderr}");
    lines[0].to_owned()
}

#[test]
fn a_bad_value_stops_with_one_line_naming_the_variable() {
    let db = TestDb::sqlite();
    let url = db.url.as_str();
    let line = refused(
        &["serve"],
        &[
            ("PASSERELLE_DATABASE_URL", url),
            ("PASSERELLE_BIND", "nowhere"),
        ],
    );
    assert_eq!(
        line,
        "error: PASSERELLE_BIND=nowhere is not valid: an address such as 127.0.0.1:8080"
    );
    for command in [&["serve"][..], &["migrate"], &["account", "list"]] {
        let line = refused(
            command,
            &[
                ("PASSERELLE_DATABASE_URL", url),
                // Should anything start, it must not take a port in use.
                ("PASSERELLE_BIND", "127.0.0.1:0"),
                ("PASSERELLE_RATE_LIMIT", "maybe"),
            ],
        );
        assert_eq!(
            line, "error: PASSERELLE_RATE_LIMIT=maybe is not valid: on or off",
            "{command:?}"
        );
    }
    // Given as an option, the value is checked the same way.
    let line = refused(
        &["migrate", "--nearest-max-m", "-3"],
        &[("PASSERELLE_DATABASE_URL", url)],
    );
    assert!(
        line.starts_with("error: PASSERELLE_NEAREST_MAX_M=-3 is not valid"),
        "{line}"
    );
}
