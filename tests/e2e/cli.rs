//! `passerelle lookup --csv`, the batch mode for organisers.
use crate::common::{TestDb, both_backends};

async fn lookup_csv_adds_match_distance_and_uais(db: TestDb) {
    db.import_subset();
    let input = db.dir().join("members.csv");
    std::fs::write(
        &input,
        "name;lon;lat\nA;2.376293;48.856095\nB;1.44;43.6\nC;abc;48.85\n",
    )
    .unwrap();
    let out = db.dir().join("out.csv");
    let output = db.cli(&[
        "lookup",
        "--csv",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--year",
        "2024-2025",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = String::from_utf8_lossy(&output.stderr);
    assert!(
        summary.contains("3 rows: 1 inside, 0 nearest, 0 by address range, 1 none, 1 invalid"),
        "{summary}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "name;lon;lat;match;distance_m;uais");
    assert_eq!(lines[1], "A;2.376293;48.856095;inside;0;0750607C");
    assert_eq!(lines[2], "B;1.44;43.6;none;;");
    assert_eq!(lines[3], "C;abc;48.85;invalid;;");

    let no_columns = db.dir().join("bad.csv");
    std::fs::write(&no_columns, "x,y\n1,2\n").unwrap();
    let line = db.cli_err(&["lookup", "--csv", no_columns.to_str().unwrap()]);
    assert!(line.contains("`lon` and a `lat` column"), "{line}");
}

both_backends!(lookup_csv_adds_match_distance_and_uais);
