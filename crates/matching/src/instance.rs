//! The explicit instance format (documented on [`Instance`]) and its solver.

use std::borrow::Cow;
use std::fmt;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::MatchingError;
use crate::flow::{self, NONE, Problem, UnitCost};

/// One arc of an [`Instance`]: request → referent at a cost.
///
/// ```
/// use passerelle_matching::Edge;
/// let e = Edge { request: 0, referent: 2, cost: 15 };
/// assert_eq!(e.cost, 15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Edge {
    /// 0-based request index.
    pub request: u32,
    /// 0-based referent index.
    pub referent: u32,
    /// Non-negative cost.
    pub cost: u32,
}

/// A matching problem in explicit form, for checking and benchmarking:
///
/// ```text
/// R K                 requests, referents
/// c_0 c_1 … c_{K-1}   referent capacities (an empty line when K = 0)
/// M                   number of arcs
/// i j cost            M lines: 0-based request i, referent j, cost in 0..=u32::MAX
/// ```
///
/// Solving means: match as many requests as possible (each at most once,
/// each referent at most its capacity), then at least total cost. Blank
/// lines may follow the arcs; a pair listed twice counts with its cheaper
/// cost (a request is matched at most once, so that is the same flow
/// problem).
///
/// ```
/// use passerelle_matching::{solve_instance, Instance};
///
/// let instance = Instance::parse("2 1\n1\n2\n0 0 5\n1 0 3\n")?;
/// assert_eq!((instance.requests(), instance.capacities(), instance.edges().len()), (2, &[1][..], 2));
/// assert_eq!(solve_instance(&instance).cost, 3);
/// # Ok::<(), passerelle_matching::MatchingError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    requests: u32,
    capacities: Vec<u32>,
    edges: Vec<Edge>,
}

impl Instance {
    /// Builds an instance, checking every index.
    ///
    /// ```
    /// use passerelle_matching::{Edge, Instance};
    ///
    /// let ok = Instance::new(1, vec![2], vec![Edge { request: 0, referent: 0, cost: 1 }]);
    /// assert!(ok.is_ok());
    /// let bad = Instance::new(1, vec![2], vec![Edge { request: 1, referent: 0, cost: 1 }]);
    /// assert!(bad.is_err());
    /// ```
    pub fn new(
        requests: u32,
        capacities: Vec<u32>,
        edges: Vec<Edge>,
    ) -> Result<Instance, MatchingError> {
        if requests == u32::MAX || capacities.len() >= u32::MAX as usize {
            return Err(MatchingError::Invalid(
                "too many requests or referents".into(),
            ));
        }
        let k = capacities.len() as u32;
        if let Some(e) = edges
            .par_iter()
            .find_any(|e| e.request >= requests || e.referent >= k)
        {
            return Err(MatchingError::Invalid(format!(
                "edge {} {} out of range (R = {requests}, K = {k})",
                e.request, e.referent
            )));
        }
        Ok(Instance {
            requests,
            capacities,
            edges,
        })
    }

    /// Number of requests (R).
    ///
    /// ```
    /// let i = passerelle_matching::Instance::parse("3 0\n\n0\n")?;
    /// assert_eq!(i.requests(), 3);
    /// # Ok::<(), passerelle_matching::MatchingError>(())
    /// ```
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// Referent capacities; their count is K.
    ///
    /// ```
    /// let i = passerelle_matching::Instance::parse("0 2\n4 0\n0\n")?;
    /// assert_eq!(i.capacities(), &[4, 0]);
    /// # Ok::<(), passerelle_matching::MatchingError>(())
    /// ```
    pub fn capacities(&self) -> &[u32] {
        &self.capacities
    }

    /// The arcs, in input order.
    ///
    /// ```
    /// let i = passerelle_matching::Instance::parse("1 1\n1\n1\n0 0 9\n")?;
    /// assert_eq!(i.edges()[0].cost, 9);
    /// # Ok::<(), passerelle_matching::MatchingError>(())
    /// ```
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Parses the text format; errors name the 1-based line.
    ///
    /// ```
    /// use passerelle_matching::Instance;
    ///
    /// assert!(Instance::parse("1 1\n1\n1\n0 0 2\n").is_ok());
    /// let err = Instance::parse("1 2\n1\n0\n").unwrap_err();
    /// assert_eq!(err.to_string(), "line 2: expected 2 capacities, found 1");
    /// ```
    pub fn parse(text: &str) -> Result<Instance, MatchingError> {
        Instance::parse_bytes(text.as_bytes())
    }

    /// Same as [`Instance::parse`] on raw bytes (no UTF-8 check), e.g. a
    /// whole file read at once. The arc lines are parsed in parallel.
    ///
    /// ```
    /// use passerelle_matching::Instance;
    ///
    /// let i = Instance::parse_bytes(b"1 1\r\n3\r\n1\r\n0 0 7\r\n\r\n")?;
    /// assert_eq!(i.edges().len(), 1);
    /// # Ok::<(), passerelle_matching::MatchingError>(())
    /// ```
    pub fn parse_bytes(bytes: &[u8]) -> Result<Instance, MatchingError> {
        let mut cur = Cursor { bytes, pos: 0 };
        let header = cur.line(1, "`R K`")?;
        let [r, k] = numbers::<2>(header, 1, "`R K`")?;
        let (requests, k) = match (u32::try_from(r), u32::try_from(k)) {
            (Ok(r), Ok(k)) if r < u32::MAX && k < u32::MAX => (r, k),
            _ => return Err(parse_err(1, "R and K must be below 4294967295")),
        };
        let caps_line = cur.line(2, "the capacities")?;
        let mut capacities = Vec::with_capacity(k as usize);
        for token in caps_line.split(|b| b.is_ascii_whitespace()) {
            if token.is_empty() {
                continue;
            }
            let v = number(token).ok_or_else(|| bad_token(2, token))?;
            capacities.push(u32::try_from(v).map_err(|_| parse_err(2, "capacity too large"))?);
        }
        if capacities.len() != k as usize {
            return Err(parse_err(
                2,
                format!("expected {k} capacities, found {}", capacities.len()),
            ));
        }
        let m_line = cur.line(3, "`M`")?;
        let [m] = numbers::<1>(m_line, 3, "`M`")?;
        let m = usize::try_from(m).map_err(|_| parse_err(3, "M too large"))?;
        let edges = parse_arcs(&bytes[cur.pos..], m, requests, k)?;
        Ok(Instance {
            requests,
            capacities,
            edges,
        })
    }
}

impl fmt::Display for Instance {
    /// Writes the text format, which [`Instance::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.requests, self.capacities.len())?;
        let mut sep = "";
        for c in &self.capacities {
            write!(f, "{sep}{c}")?;
            sep = " ";
        }
        writeln!(f)?;
        writeln!(f, "{}", self.edges.len())?;
        for e in &self.edges {
            writeln!(f, "{} {} {}", e.request, e.referent, e.cost)?;
        }
        Ok(())
    }
}

fn parse_err(line: usize, problem: impl Into<String>) -> MatchingError {
    MatchingError::Parse {
        line,
        problem: problem.into(),
    }
}

fn bad_token(line: usize, token: &[u8]) -> MatchingError {
    let shown: String = String::from_utf8_lossy(token).chars().take(20).collect();
    parse_err(
        line,
        format!("`{shown}` is not a non-negative integer below 2^64"),
    )
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn line(&mut self, line: usize, what: &str) -> Result<&'a [u8], MatchingError> {
        if self.pos >= self.bytes.len() {
            return Err(parse_err(
                line,
                format!("expected {what}, found end of input"),
            ));
        }
        let rest = &self.bytes[self.pos..];
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        self.pos += (end + 1).min(rest.len());
        Ok(&rest[..end])
    }
}

/// Parses a decimal `u64`; `None` if empty, not digits, or too large.
fn number(token: &[u8]) -> Option<u64> {
    if token.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &b in token {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(v)
}

fn numbers<const N: usize>(
    line: &[u8],
    line_no: usize,
    what: &str,
) -> Result<[u64; N], MatchingError> {
    let mut out = [0u64; N];
    let mut n = 0;
    for token in line.split(|b| b.is_ascii_whitespace()) {
        if token.is_empty() {
            continue;
        }
        if n == N {
            return Err(parse_err(line_no, format!("expected {what}, found more")));
        }
        out[n] = number(token).ok_or_else(|| bad_token(line_no, token))?;
        n += 1;
    }
    if n < N {
        return Err(parse_err(line_no, format!("expected {what}")));
    }
    Ok(out)
}

/// Parses the arc section (starting at line 4) in parallel chunks split at
/// line ends; each chunk knows its first line from a parallel line count.
fn parse_arcs(bytes: &[u8], m: usize, requests: u32, k: u32) -> Result<Vec<Edge>, MatchingError> {
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

/// An optimal solution: as many matches as possible, then least cost.
/// Serialises as `{"matched": n, "cost": total, "assignments": [[i, j], ...]}`
/// with assignments sorted by request.
///
/// ```
/// use passerelle_matching::{solve_instance, Instance};
///
/// let s = solve_instance(&Instance::parse("2 1\n1\n2\n0 0 5\n1 0 3\n")?);
/// assert_eq!(serde_json::to_string(&s).unwrap(), r#"{"matched":1,"cost":3,"assignments":[[1,0]]}"#);
/// # Ok::<(), passerelle_matching::MatchingError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Solution {
    /// Number of matched requests.
    pub matched: u64,
    /// Total cost of the assignments.
    pub cost: u64,
    /// `[request, referent]` pairs, by increasing request.
    pub assignments: Vec<[u32; 2]>,
}

/// Solves an instance exactly: maximum cardinality, then minimum cost.
///
/// The arcs are split into connected components (one per sector in
/// generated instances), and components are solved in parallel.
///
/// ```
/// use passerelle_matching::{solve_instance, Instance};
///
/// // Request 0 prefers referent 0, but only request 0 can use referent 1.
/// let i = Instance::parse("2 2\n1 1\n3\n0 0 1\n0 1 5\n1 0 1\n")?;
/// let s = solve_instance(&i);
/// assert_eq!((s.matched, s.cost), (2, 6));
/// assert_eq!(s.assignments, vec![[0, 1], [1, 0]]);
/// # Ok::<(), passerelle_matching::MatchingError>(())
/// ```
pub fn solve_instance(instance: &Instance) -> Solution {
    let nr = instance.requests as usize;
    let nk = instance.capacities.len();
    let caps = &instance.capacities;

    // Rows by request; generated files are already in that order.
    let sorted = instance
        .edges
        .par_windows(2)
        .all(|w| w[0].request <= w[1].request);
    let edges: Cow<'_, [Edge]> = if sorted {
        Cow::Borrowed(&instance.edges)
    } else {
        Cow::Owned(sort_by_request(&instance.edges, nr))
    };
    let row_start = row_starts(&edges, nr);
    let row = |i: usize| &edges[row_start[i]..row_start[i + 1]];

    // Components over referents: a request joins all its referents.
    let threads = rayon::current_num_threads().max(1);
    let span = nr.div_ceil(threads * 4).max(1);
    let forest = (0..nr.div_ceil(span))
        .into_par_iter()
        .fold(
            || Forest::new(nk),
            |mut f, c| {
                for i in c * span..((c + 1) * span).min(nr) {
                    let mut root = NONE;
                    for e in row(i) {
                        if caps[e.referent as usize] == 0 {
                            continue;
                        }
                        if root == NONE {
                            root = f.find(e.referent);
                        } else if f.parent[e.referent as usize] != root {
                            // Rows of one sector repeat the same referents:
                            // after the first, most are already under root.
                            f.union(root, e.referent);
                            root = f.find(root);
                        }
                    }
                }
                f
            },
        )
        .reduce_with(|mut a, mut b| {
            for x in 0..nk as u32 {
                let r = b.find(x);
                if r != x {
                    a.union(x, r);
                }
            }
            a
        })
        .unwrap_or_else(|| Forest::new(nk));
    let mut forest = forest;

    // Number components, then list their requests and referents.
    let mut comp_of_root = vec![NONE; nk];
    let mut comp_of_req = vec![NONE; nr];
    let mut n_comp = 0u32;
    for (i, c) in comp_of_req.iter_mut().enumerate() {
        if let Some(e) = row(i).iter().find(|e| caps[e.referent as usize] > 0) {
            let root = forest.find(e.referent) as usize;
            if comp_of_root[root] == NONE {
                comp_of_root[root] = n_comp;
                n_comp += 1;
            }
            *c = comp_of_root[root];
        }
    }
    let comp_of_ref: Vec<u32> = (0..nk as u32)
        .map(|j| comp_of_root[forest.find(j) as usize])
        .collect();
    let (req_start, req_list) = group(&comp_of_req, n_comp as usize);
    let (ref_start, ref_list) = group(&comp_of_ref, n_comp as usize);
    let mut local = vec![NONE; nk];
    for c in 0..n_comp as usize {
        for (l, &j) in ref_list[ref_start[c]..ref_start[c + 1]].iter().enumerate() {
            local[j as usize] = l as u32;
        }
    }

    let results: Vec<(Vec<[u32; 2]>, u64)> = (0..n_comp as usize)
        .into_par_iter()
        .map(|c| {
            let reqs = &req_list[req_start[c]..req_start[c + 1]];
            let refs = &ref_list[ref_start[c]..ref_start[c + 1]];
            let mut p = Problem {
                row_start: Vec::with_capacity(reqs.len() + 1),
                arcs: Vec::new(),
                cap: refs.iter().map(|&j| caps[j as usize]).collect(),
                unit: UnitCost::Free,
            };
            p.row_start.push(0);
            for &i in reqs {
                let from = p.arcs.len();
                for e in row(i as usize) {
                    if caps[e.referent as usize] > 0 {
                        p.arcs.push((local[e.referent as usize], e.cost));
                    }
                }
                dedup_row(&mut p.arcs, from);
                p.row_start.push(p.arcs.len() as u32);
            }
            let assign = flow::solve(&p);
            let mut pairs = Vec::new();
            let mut cost = 0u64;
            for (li, &lj) in assign.iter().enumerate() {
                if lj == NONE {
                    continue;
                }
                let r = &p.arcs[p.row_start[li] as usize..p.row_start[li + 1] as usize];
                let c = r.iter().find(|a| a.0 == lj).map_or(0, |a| a.1);
                cost += u64::from(c);
                pairs.push([reqs[li], refs[lj as usize]]);
            }
            (pairs, cost)
        })
        .collect();

    let mut solution = Solution::default();
    for (pairs, cost) in results {
        solution.cost += cost;
        solution.assignments.extend(pairs);
    }
    solution.matched = solution.assignments.len() as u64;
    solution.assignments.par_sort_unstable();
    solution
}

/// Start of each request's arcs in `edges` (sorted by request), found in
/// parallel from the places where the request changes.
fn row_starts(edges: &[Edge], nr: usize) -> Vec<usize> {
    let chunk = (edges.len() / (rayon::current_num_threads() * 4)).max(1 << 14);
    let firsts: Vec<Vec<(u32, usize)>> = edges
        .par_chunks(chunk)
        .enumerate()
        .map(|(c, part)| {
            let base = c * chunk;
            let mut out = Vec::new();
            let mut prev = if base == 0 {
                NONE
            } else {
                edges[base - 1].request
            };
            for (k, e) in part.iter().enumerate() {
                if e.request != prev {
                    out.push((e.request, base + k));
                    prev = e.request;
                }
            }
            out
        })
        .collect();
    let mut start = vec![usize::MAX; nr + 1];
    start[nr] = edges.len();
    for (r, at) in firsts.into_iter().flatten() {
        start[r as usize] = at;
    }
    // Requests without arcs start where the next one does.
    for i in (0..nr).rev() {
        if start[i] == usize::MAX {
            start[i] = start[i + 1];
        }
    }
    start
}

/// Counting sort of arcs by request (stable).
fn sort_by_request(edges: &[Edge], nr: usize) -> Vec<Edge> {
    let mut start = vec![0usize; nr + 1];
    for e in edges {
        start[e.request as usize + 1] += 1;
    }
    for i in 0..nr {
        start[i + 1] += start[i];
    }
    let mut out = vec![Edge::default(); edges.len()];
    for e in edges {
        let s = &mut start[e.request as usize];
        out[*s] = *e;
        *s += 1;
    }
    out
}

/// Keeps the cheapest arc per referent in `arcs[from..]`.
fn dedup_row(arcs: &mut Vec<(u32, u32)>, from: usize) {
    let row = &mut arcs[from..];
    if row.windows(2).all(|w| w[0].0 < w[1].0) {
        return;
    }
    row.sort_unstable();
    // Sorted by (referent, cost): the first of each referent is the cheapest.
    let mut kept = from;
    for k in from..arcs.len() {
        if kept == from || arcs[kept - 1].0 != arcs[k].0 {
            arcs[kept] = arcs[k];
            kept += 1;
        }
    }
    arcs.truncate(kept);
}

/// Groups indices `0..labels.len()` by label (`NONE` dropped), in order.
fn group(labels: &[u32], n: usize) -> (Vec<usize>, Vec<u32>) {
    let mut start = vec![0usize; n + 1];
    for &l in labels {
        if l != NONE {
            start[l as usize + 1] += 1;
        }
    }
    for c in 0..n {
        start[c + 1] += start[c];
    }
    let mut fill = start.clone();
    let mut list = vec![0u32; start[n]];
    for (x, &l) in labels.iter().enumerate() {
        if l != NONE {
            list[fill[l as usize]] = x as u32;
            fill[l as usize] += 1;
        }
    }
    (start, list)
}

/// Union-find with path halving and union by size.
struct Forest {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl Forest {
    fn new(n: usize) -> Forest {
        Forest {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let g = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = g;
            x = g;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_line(text: &str) -> (usize, String) {
        match Instance::parse(text) {
            Err(MatchingError::Parse { line, problem }) => (line, problem),
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
    fn display_round_trips() {
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
        assert_eq!(Instance::parse(&i.to_string()).unwrap(), i);
        let empty = Instance::new(0, vec![], vec![]).unwrap();
        assert_eq!(empty.to_string(), "0 0\n\n0\n");
        assert_eq!(Instance::parse(&empty.to_string()).unwrap(), empty);
    }

    #[test]
    fn duplicates_unsorted_input_and_zero_capacity() {
        // Unsorted, a duplicate pair (the cheaper one counts) and a
        // zero-capacity referent that must stay unused.
        let i =
            Instance::parse("3 3\n1 1 0\n6\n2 2 0\n1 0 9\n0 0 5\n1 0 2\n1 1 4\n2 1 1\n").unwrap();
        let s = solve_instance(&i);
        assert_eq!((s.matched, s.cost), (2, 3));
        assert_eq!(s.assignments, vec![[1, 0], [2, 1]]);
    }

    #[test]
    fn dedup_keeps_cheapest() {
        let mut arcs = vec![(9, 9), (3, 5), (1, 2), (3, 1), (1, 7)];
        dedup_row(&mut arcs, 1);
        assert_eq!(arcs, vec![(9, 9), (1, 2), (3, 1)]);
    }

    #[test]
    fn components_are_found_across_shared_referents() {
        let mut f = Forest::new(5);
        f.union(0, 1);
        f.union(3, 4);
        f.union(1, 4);
        assert_eq!(f.find(0), f.find(3));
        assert_ne!(f.find(2), f.find(0));
    }
}
