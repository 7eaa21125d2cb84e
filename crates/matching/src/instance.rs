//! A matching problem in explicit form (requests, capacities, arcs) and
//! its exact solver. The text format of such instances, for checking
//! against other solvers, is the `passerelle-matching-instances` crate.

use std::borrow::Cow;

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
/// R requests, K referents with their capacities, and M arcs
/// (request, referent, cost).
///
/// Solving means: match as many requests as possible (each at most once,
/// each referent at most its capacity), then at least total cost. A pair
/// listed twice counts with its cheaper cost (a request is matched at most
/// once, so that is the same flow problem).
///
/// ```
/// use passerelle_matching::{solve_instance, Edge, Instance};
///
/// let arc = |request, referent, cost| Edge { request, referent, cost };
/// let instance = Instance::new(2, vec![1], vec![arc(0, 0, 5), arc(1, 0, 3)])?;
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
    /// let i = passerelle_matching::Instance::new(3, vec![], vec![])?;
    /// assert_eq!(i.requests(), 3);
    /// # Ok::<(), passerelle_matching::MatchingError>(())
    /// ```
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// Referent capacities; their count is K.
    ///
    /// ```
    /// let i = passerelle_matching::Instance::new(0, vec![4, 0], vec![])?;
    /// assert_eq!(i.capacities(), &[4, 0]);
    /// # Ok::<(), passerelle_matching::MatchingError>(())
    /// ```
    pub fn capacities(&self) -> &[u32] {
        &self.capacities
    }

    /// The arcs, in input order.
    ///
    /// ```
    /// use passerelle_matching::{Edge, Instance};
    ///
    /// let i = Instance::new(1, vec![1], vec![Edge { request: 0, referent: 0, cost: 9 }])?;
    /// assert_eq!(i.edges()[0].cost, 9);
    /// # Ok::<(), passerelle_matching::MatchingError>(())
    /// ```
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }
}

/// An optimal solution: as many matches as possible, then least cost.
/// Serialises as `{"matched": n, "cost": total, "assignments": [[i, j], ...]}`
/// with assignments sorted by request.
///
/// ```
/// use passerelle_matching::{solve_instance, Edge, Instance};
///
/// let arc = |request, referent, cost| Edge { request, referent, cost };
/// let s = solve_instance(&Instance::new(2, vec![1], vec![arc(0, 0, 5), arc(1, 0, 3)])?);
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
/// use passerelle_matching::{solve_instance, Edge, Instance};
///
/// // Request 0 prefers referent 0, but only request 0 can use referent 1.
/// let arc = |request, referent, cost| Edge { request, referent, cost };
/// let i = Instance::new(2, vec![1, 1], vec![arc(0, 0, 1), arc(0, 1, 5), arc(1, 0, 1)])?;
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

    #[test]
    fn duplicates_unsorted_input_and_zero_capacity() {
        // Unsorted, a duplicate pair (the cheaper one counts) and a
        // zero-capacity referent that must stay unused.
        let arcs = [
            (2, 2, 0),
            (1, 0, 9),
            (0, 0, 5),
            (1, 0, 2),
            (1, 1, 4),
            (2, 1, 1),
        ];
        let edges = arcs
            .iter()
            .map(|&(request, referent, cost)| Edge {
                request,
                referent,
                cost,
            })
            .collect();
        let i = Instance::new(3, vec![1, 1, 0], edges).unwrap();
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
