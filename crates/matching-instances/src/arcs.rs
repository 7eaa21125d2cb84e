//! The arc section, parsed in parallel: the file is cut into chunks at
//! line ends, each chunk learns its first line number from a parallel
//! line count, and the common `i j cost` line takes a one-pass fast path.

use passerelle_matching::Edge;
use rayon::prelude::*;

use crate::tokens::{ParseError, number, parse_err};

/// Parses the arc section (starting at line 4) in parallel chunks split at
/// line ends; each chunk knows its first line from a parallel line count.
pub(crate) fn parse_arcs(
    bytes: &[u8],
    m: usize,
    requests: u32,
    k: u32,
) -> Result<Vec<Edge>, ParseError> {
    const FIRST_LINE: usize = 4;
    let target = (bytes.len() / (rayon::current_num_threads() * 8)).max(1 << 16);
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let mut end = (start + target).min(bytes.len());
        while end < bytes.len() && bytes[end - 1] != b'\n' {
            end += 1;
        }
        chunks.push(&bytes[start..end]);
        start = end;
    }
    let line_counts: Vec<usize> = chunks
        .par_iter()
        .map(|c| c.iter().filter(|&&b| b == b'\n').count() + usize::from(c.last() != Some(&b'\n')))
        .collect();
    let total_lines: usize = line_counts.iter().sum();
    if total_lines < m {
        return Err(parse_err(
            FIRST_LINE + total_lines,
            format!("expected {m} arcs, found {total_lines}"),
        ));
    }
    // Partitions the output by the chunks' arc lines.
    let mut edges = vec![Edge::default(); m];
    let mut jobs = Vec::with_capacity(chunks.len());
    let mut rest: &mut [Edge] = &mut edges;
    let mut first = 0;
    for (chunk, &lines) in chunks.iter().zip(&line_counts) {
        let arcs_here = lines.min(m.saturating_sub(first));
        let (mine, tail) = rest.split_at_mut(arcs_here);
        rest = tail;
        jobs.push((first, *chunk, mine));
        first += lines;
    }
    jobs.into_par_iter()
        .try_for_each(|(first, chunk, out)| parse_chunk(chunk, first, out, requests, k))
        .map_err(|(line, problem)| parse_err(FIRST_LINE + line, problem))?;
    Ok(edges)
}

/// Fills `out` from the first lines of `chunk`; lines past the arcs must
/// be blank. Errors carry the 0-based line index within the arc section.
fn parse_chunk(
    chunk: &[u8],
    first: usize,
    out: &mut [Edge],
    requests: u32,
    k: u32,
) -> Result<(), (usize, String)> {
    let mut pos = 0;
    let mut idx = 0;
    while pos < chunk.len() {
        if idx < out.len()
            && let Some((edge, next)) = fast_arc(chunk, pos, requests, k)
        {
            out[idx] = edge;
            pos = next;
            idx += 1;
            continue;
        }
        let end = chunk[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(chunk.len(), |e| pos + e);
        let line = &chunk[pos..end];
        pos = end + 1;
        if idx < out.len() {
            out[idx] = parse_arc(line, requests, k).map_err(|p| (first + idx, p))?;
        } else if !line.iter().all(u8::is_ascii_whitespace) {
            return Err((first + idx, "unexpected content after the M arcs".into()));
        }
        idx += 1;
    }
    Ok(())
}

/// The common case `i j cost\n` (single spaces, short numbers, in range)
/// in one pass; `None` sends the line to [`parse_arc`], which also words
/// the errors.
#[inline]
fn fast_arc(bytes: &[u8], pos: usize, requests: u32, k: u32) -> Option<(Edge, usize)> {
    #[inline]
    fn digits(bytes: &[u8], mut pos: usize) -> Option<(u64, usize)> {
        let start = pos;
        let mut v = 0u64;
        while let Some(&b) = bytes.get(pos) {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            v = v * 10 + u64::from(d);
            pos += 1;
        }
        // Up to 19 digits cannot overflow.
        (pos > start && pos - start <= 19).then_some((v, pos))
    }
    let (i, pos) = digits(bytes, pos)?;
    if bytes.get(pos) != Some(&b' ') {
        return None;
    }
    let (j, pos) = digits(bytes, pos + 1)?;
    if bytes.get(pos) != Some(&b' ') {
        return None;
    }
    let (c, mut pos) = digits(bytes, pos + 1)?;
    if bytes.get(pos) == Some(&b'\r') {
        pos += 1;
    }
    match bytes.get(pos) {
        Some(b'\n') => pos += 1,
        None => {}
        Some(_) => return None,
    }
    if i >= u64::from(requests) || j >= u64::from(k) || c > u64::from(u32::MAX) {
        return None;
    }
    Some((
        Edge {
            request: i as u32,
            referent: j as u32,
            cost: c as u32,
        },
        pos,
    ))
}

fn parse_arc(line: &[u8], requests: u32, k: u32) -> Result<Edge, String> {
    let mut v = [0u64; 3];
    let mut n = 0;
    for token in line.split(|b| b.is_ascii_whitespace()) {
        if token.is_empty() {
            continue;
        }
        if n == 3 {
            return Err("expected `i j cost`, found more".into());
        }
        v[n] = number(token).ok_or_else(|| {
            let shown: String = String::from_utf8_lossy(token).chars().take(20).collect();
            format!("`{shown}` is not a non-negative integer below 2^64")
        })?;
        n += 1;
    }
    if n < 3 {
        return Err("expected `i j cost`".into());
    }
    if v[0] >= u64::from(requests) {
        return Err(format!("request {} out of range (R = {requests})", v[0]));
    }
    if v[1] >= u64::from(k) {
        return Err(format!("referent {} out of range (K = {k})", v[1]));
    }
    let cost = u32::try_from(v[2]).map_err(|_| format!("cost {} above 4294967295", v[2]))?;
    Ok(Edge {
        request: v[0] as u32,
        referent: v[1] as u32,
        cost,
    })
}
