//! The text format read back and its errors, line by line.

use passerelle_matching::{Edge, Instance};
use passerelle_matching_instances::{ParseError, Text, parse};

fn err_line(text: &str) -> (usize, String) {
    match parse(text) {
        Err(ParseError { line, problem }) => (line, problem),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn parse_errors_name_line_and_problem() {
    assert_eq!(
        err_line(""),
        (1, "expected `R K`, found end of input".into())
    );
    assert_eq!(err_line("1\n"), (1, "expected `R K`".into()));
    assert_eq!(
        err_line("1 1 1\n"),
        (1, "expected `R K`, found more".into())
    );
    assert_eq!(
        err_line("1 1\n"),
        (2, "expected the capacities, found end of input".into())
    );
    assert_eq!(
        err_line("1 1\nx\n"),
        (2, "`x` is not a non-negative integer below 2^64".into())
    );
    assert_eq!(
        err_line("1 1\n1\n"),
        (3, "expected `M`, found end of input".into())
    );
    assert_eq!(
        err_line("1 1\n1\n2\n0 0 1\n"),
        (5, "expected 2 arcs, found 1".into())
    );
    assert_eq!(
        err_line("1 1\n1\n1\n0 0\n"),
        (4, "expected `i j cost`".into())
    );
    assert_eq!(
        err_line("1 1\n1\n1\n1 0 0\n"),
        (4, "request 1 out of range (R = 1)".into())
    );
    assert_eq!(
        err_line("1 1\n1\n1\n0 0 -1\n"),
        (4, "`-1` is not a non-negative integer below 2^64".into())
    );
    assert_eq!(
        err_line("1 1\n1\n1\n0 0 4294967296\n"),
        (4, "cost 4294967296 above 4294967295".into())
    );
    assert_eq!(
        err_line("1 1\n1\n1\n0 0 1\n\n0 0 1\n"),
        (6, "unexpected content after the M arcs".into())
    );
    assert_eq!(
        err_line("1 1\n99999999999999999999\n0\n"),
        (
            2,
            "`99999999999999999999` is not a non-negative integer below 2^64".into()
        )
    );
}

#[test]
fn errors_deep_in_a_large_file_name_the_right_line() {
    let m = 200_000;
    let mut text = format!("{m} 1\n1\n{m}\n");
    for i in 0..m {
        if i == 150_000 {
            text.push_str("0 7 1\n");
        } else {
            text.push_str(&format!("{i} 0 1\n"));
        }
    }
    assert_eq!(
        err_line(&text),
        (150_004, "referent 7 out of range (K = 1)".into())
    );
}

#[test]
fn text_round_trips() {
    let i = Instance::new(
        3,
        vec![2, 0],
        vec![
            Edge {
                request: 2,
                referent: 1,
                cost: 4,
            },
            Edge {
                request: 0,
                referent: 0,
                cost: 0,
            },
        ],
    )
    .unwrap();
    assert_eq!(parse(&Text(&i).to_string()).unwrap(), i);
    let empty = Instance::new(0, vec![], vec![]).unwrap();
    assert_eq!(Text(&empty).to_string(), "0 0\n\n0\n");
    assert_eq!(parse(&Text(&empty).to_string()).unwrap(), empty);
}
