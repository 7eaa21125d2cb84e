//! Min-cost max-flow for one bipartite component, exploiting the small
//! referent side.
//!
//! The network is source → request (capacity 1) → referent (arc cost) →
//! sink, where a referent's capacity is a row of unit arcs whose costs are
//! non-decreasing (convex load). Successive shortest paths with potentials
//! is optimal for this network (max flow, then min cost). Instead of running
//! Dijkstra over every request node, it runs over referent nodes only:
//!
//! * source → j: the cheapest arc from a still unmatched request to j (an
//!   unmatched request's potential stays 0, and in SSP a matched request
//!   never becomes unmatched, so each column is only ever pruned);
//! * j → j': moving a request assigned to j over to j',
//!   `c(i, j') − c(i, j)`, scanned from j's current members when j is
//!   settled;
//! * j → sink: the next unit of j's capacity.
//!
//! These are exactly the two-arc paths through request nodes of the full
//! residual graph, so distances (and the reduced-cost invariant, whose
//! request terms telescope away) are those of textbook SSP. One
//! augmentation costs O(k log k + arcs of the members scanned), with k
//! referents, instead of O(arcs log n).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub(crate) const NONE: u32 = u32::MAX;
const INF: i64 = i64::MAX / 4;

/// Cost of the units of referent capacity.
#[derive(Debug, Clone)]
pub(crate) enum UnitCost {
    /// Every unit is free (plain instances).
    Free,
    /// Unit `u` (0-based, within this solve) of referent `j` costs
    /// `step × (base[j] + u)`: convex because `step ≥ 0`.
    Linear { step: i64, base: Vec<u32> },
}

impl UnitCost {
    #[inline]
    pub(crate) fn marginal(&self, j: usize, unit: u32) -> i64 {
        match self {
            UnitCost::Free => 0,
            UnitCost::Linear { step, base } => step * (i64::from(base[j]) + i64::from(unit)),
        }
    }
}

/// One component: `rows[i]` lists request `i`'s arcs as (referent, cost),
/// with no referent twice in a row and only referents of positive capacity.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub row_start: Vec<u32>,
    pub arcs: Vec<(u32, u32)>,
    pub cap: Vec<u32>,
    pub unit: UnitCost,
}

impl Problem {
    fn row(&self, i: u32) -> &[(u32, u32)] {
        let i = i as usize;
        &self.arcs[self.row_start[i] as usize..self.row_start[i + 1] as usize]
    }

    fn requests(&self) -> usize {
        self.row_start.len() - 1
    }
}

/// Above this many referents the k × k exchange matrix is not kept, and
/// Dijkstra uses a heap and scans members' arcs instead.
const DENSE_MAX: usize = 512;

/// Returns each request's referent (`NONE` if unmatched) in an optimal
/// max-cardinality, then min-cost, assignment.
pub(crate) fn solve(p: &Problem) -> Vec<u32> {
    let nr = p.requests();
    let nk = p.cap.len();
    let mut assign = vec![NONE; nr];
    let mut columns = Columns::new(p);

    // Members of each referent, in a slot of min(capacity, degree) entries.
    let mut mem_start = vec![0usize; nk + 1];
    for j in 0..nk {
        mem_start[j + 1] = mem_start[j] + (p.cap[j] as usize).min(columns.degree(j));
    }
    let mut members = vec![(0u32, 0u32); mem_start[nk]];
    let mut load = vec![0u32; nk];
    let mut slot = vec![0u32; nr];
    let mut exchange = (nk <= DENSE_MAX).then(|| Exchange::new(nk));

    let mut pot = vec![0i64; nk];
    let mut pot_t = 0i64;
    let mut dist = vec![INF; nk];
    let mut pred_ref = vec![NONE; nk];
    let mut pred_req = vec![NONE; nk];
    let mut pred_cost = vec![0u32; nk];
    let mut settled = vec![0u32; nk];
    let mut epoch = 0u32;
    let mut heap: BinaryHeap<Reverse<(i64, u32)>> = BinaryHeap::new();

    loop {
        epoch += 1;
        for j in 0..nk {
            let best = columns.best[j];
            if best == u64::MAX {
                dist[j] = INF;
                continue;
            }
            let d = (best >> 32) as i64 - pot[j];
            debug_assert!(d >= 0, "negative reduced cost on a source arc");
            dist[j] = d;
            pred_ref[j] = NONE;
            pred_req[j] = best as u32;
            pred_cost[j] = (best >> 32) as u32;
        }
        if exchange.is_none() {
            heap.clear();
            heap.extend((0..nk).filter(|&j| dist[j] < INF).map(|j| Reverse((dist[j], j as u32))));
        }
        let mut dist_t = INF;
        let mut last = NONE;
        loop {
            // Next referent to settle; stop once none can beat the sink.
            let next = if exchange.is_some() {
                let mut best = (dist_t, NONE);
                for j in 0..nk {
                    if dist[j] < best.0 && settled[j] != epoch {
                        best = (dist[j], j as u32);
                    }
                }
                best
            } else {
                loop {
                    match heap.pop() {
                        Some(Reverse((d, j))) if d < dist_t => {
                            if settled[j as usize] != epoch && d == dist[j as usize] {
                                break (d, j);
                            }
                        }
                        _ => break (INF, NONE),
                    }
                }
            };
            let (d, j) = next;
            if j == NONE {
                break;
            }
            let ju = j as usize;
            settled[ju] = epoch;
            let l = load[ju];
            if l < p.cap[ju] {
                let nd = d + p.unit.marginal(ju, l) + pot[ju] - pot_t;
                debug_assert!(nd >= d, "negative reduced cost on a sink arc");
                if nd < dist_t {
                    dist_t = nd;
                    last = j;
                }
            }
            let base = d + pot[ju];
            let mine = &members[mem_start[ju]..mem_start[ju] + l as usize];
            if let Some(x) = &mut exchange {
                if x.dirty[ju] {
                    x.refresh(p, ju, mine);
                }
                let row = ju * nk;
                for j2 in 0..nk {
                    let w = x.diff[row + j2];
                    if w == INF || settled[j2] == epoch {
                        continue;
                    }
                    let nd = base + w - pot[j2];
                    if nd < dist[j2] {
                        debug_assert!(nd >= d, "negative reduced cost on an exchange");
                        dist[j2] = nd;
                        pred_ref[j2] = j;
                        pred_req[j2] = x.req[row + j2];
                        pred_cost[j2] = x.cost[row + j2];
                    }
                }
            } else {
                for &(i, cij) in mine {
                    let from = base - i64::from(cij);
                    for &(j2, c2) in p.row(i) {
                        let j2u = j2 as usize;
                        if j2 == j || settled[j2u] == epoch {
                            continue;
                        }
                        let nd = from + i64::from(c2) - pot[j2u];
                        if nd < dist[j2u] {
                            debug_assert!(nd >= d, "negative reduced cost on an exchange");
                            dist[j2u] = nd;
                            pred_ref[j2u] = j;
                            pred_req[j2u] = i;
                            pred_cost[j2u] = c2;
                            heap.push(Reverse((nd, j2)));
                        }
                    }
                }
            }
        }
        if last == NONE {
            break;
        }
        // Unsettled nodes are at least as far as the sink: cap them there
        // so that reduced costs stay non-negative.
        for j in 0..nk {
            pot[j] += dist[j].min(dist_t);
        }
        pot_t += dist_t;

        // Walk back from the sink, moving each request to its new referent.
        let mut j = last as usize;
        loop {
            let i = pred_req[j];
            let from = pred_ref[j];
            if from != NONE {
                let f = from as usize;
                let s = slot[i as usize] as usize;
                let end = mem_start[f] + load[f] as usize - 1;
                let moved = members[end];
                members[mem_start[f] + s] = moved;
                slot[moved.0 as usize] = s as u32;
                load[f] -= 1;
                if let Some(x) = &mut exchange {
                    x.dirty[f] = true;
                }
            }
            members[mem_start[j] + load[j] as usize] = (i, pred_cost[j]);
            slot[i as usize] = load[j];
            load[j] += 1;
            assign[i as usize] = j as u32;
            if let Some(x) = &mut exchange {
                x.dirty[j] = true;
            }
            if from == NONE {
                // Newly matched: drop it from the columns that offered it.
                for &(j2, _) in p.row(i) {
                    columns.matched(j2 as usize, i, &assign);
                }
                break;
            }
            j = from as usize;
        }
    }
    assign
}

/// Source arcs: for each referent, the cheapest arc from an unmatched
/// request, packed as `cost << 32 | request` so that it is an integer
/// minimum.
struct Columns {
    /// Arcs by referent; entries of `start[j]..start[j] + len[j]` may
    /// still be unmatched, and `head[j]..sorted_end[j]` is sorted and
    /// holds the smallest of them.
    col: Vec<u64>,
    start: Vec<usize>,
    len: Vec<usize>,
    head: Vec<usize>,
    sorted_end: Vec<usize>,
    /// Current minimum per referent, `u64::MAX` if none.
    best: Vec<u64>,
}

/// How many of a column's smallest entries a rebuild sorts, so that
/// successive invalidations of one column rarely rescan it.
const PREFIX: usize = 16;

impl Columns {
    fn new(p: &Problem) -> Columns {
        let nk = p.cap.len();
        let mut start = vec![0usize; nk + 1];
        for &(j, _) in &p.arcs {
            start[j as usize + 1] += 1;
        }
        for j in 0..nk {
            start[j + 1] += start[j];
        }
        let len: Vec<usize> = (0..nk).map(|j| start[j + 1] - start[j]).collect();
        let mut col = vec![0u64; p.arcs.len()];
        let mut fill = start.clone();
        for i in 0..p.requests() as u32 {
            for &(j, c) in p.row(i) {
                col[fill[j as usize]] = (u64::from(c) << 32) | u64::from(i);
                fill[j as usize] += 1;
            }
        }
        let best = (0..nk)
            .map(|j| col[start[j]..start[j + 1]].iter().copied().min().unwrap_or(u64::MAX))
            .collect();
        start.pop();
        Columns {
            col,
            head: start.clone(),
            sorted_end: start.clone(),
            start,
            len,
            best,
        }
    }

    fn degree(&self, j: usize) -> usize {
        self.len[j]
    }

    /// Request `i` was just matched: update `best[j]` if it was `i`.
    fn matched(&mut self, j: usize, i: u32, assign: &[u32]) {
        if self.best[j] as u32 != i {
            return;
        }
        let is_free = |v: u64| assign[v as u32 as usize] == NONE;
        while self.head[j] < self.sorted_end[j] {
            let v = self.col[self.head[j]];
            if is_free(v) {
                self.best[j] = v;
                return;
            }
            self.head[j] += 1;
        }
        // Prefix used up: drop matched entries, then sort the smallest few.
        let s = self.start[j];
        let all = &mut self.col[s..s + self.len[j]];
        let mut kept = 0;
        for k in 0..all.len() {
            let v = all[k];
            if is_free(v) {
                all[kept] = v;
                kept += 1;
            }
        }
        self.len[j] = kept;
        let live = &mut all[..kept];
        let n = PREFIX.min(kept);
        if kept > n {
            live.select_nth_unstable(n);
        }
        live[..n].sort_unstable();
        self.head[j] = s;
        self.sorted_end[j] = s + n;
        self.best[j] = live.first().copied().unwrap_or(u64::MAX);
    }
}

/// Cached exchange arcs j → j' for small components: the cheapest move of
/// a member of j over to j', `min c(i, j') − c(i, j)`, with that member
/// and `c(i, j')`. A row is recomputed when j's members have changed.
struct Exchange {
    diff: Vec<i64>,
    req: Vec<u32>,
    cost: Vec<u32>,
    dirty: Vec<bool>,
}

impl Exchange {
    fn new(nk: usize) -> Exchange {
        Exchange {
            diff: vec![INF; nk * nk],
            req: vec![NONE; nk * nk],
            cost: vec![0; nk * nk],
            dirty: vec![true; nk],
        }
    }

    fn refresh(&mut self, p: &Problem, j: usize, members: &[(u32, u32)]) {
        let nk = p.cap.len();
        let row = j * nk;
        self.diff[row..row + nk].fill(INF);
        for &(i, cij) in members {
            for &(j2, c2) in p.row(i) {
                let w = i64::from(c2) - i64::from(cij);
                let at = row + j2 as usize;
                if w < self.diff[at] && j2 as usize != j {
                    self.diff[at] = w;
                    self.req[at] = i;
                    self.cost[at] = c2;
                }
            }
        }
        self.dirty[j] = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(rows: &[&[(u32, u32)]], cap: &[u32]) -> Problem {
        let mut row_start = vec![0];
        let mut arcs = Vec::new();
        for r in rows {
            arcs.extend_from_slice(r);
            row_start.push(arcs.len() as u32);
        }
        Problem {
            row_start,
            arcs,
            cap: cap.to_vec(),
            unit: UnitCost::Free,
        }
    }

    #[test]
    fn moves_a_request_to_free_a_scarce_referent() {
        // Greedy would give referent 0 to request 0 and leave request 1 out.
        let p = problem(&[&[(0, 1), (1, 5)], &[(0, 2)]], &[1, 1]);
        assert_eq!(solve(&p), vec![1, 0]);
    }

    #[test]
    fn cardinality_beats_cost() {
        let p = problem(&[&[(0, 0), (1, 100)], &[(0, 100)]], &[1, 1]);
        assert_eq!(solve(&p), vec![1, 0]);
    }

    #[test]
    fn convex_units_spread_load() {
        let mut p = problem(&[&[(0, 0), (1, 1)], &[(0, 0), (1, 1)]], &[2, 2]);
        assert_eq!(solve(&p), vec![0, 0]);
        p.unit = UnitCost::Linear {
            step: 5,
            base: vec![0, 0],
        };
        let a = solve(&p);
        assert_ne!(a[0], a[1]);
    }

    #[test]
    fn columns_skip_matched_requests() {
        let rows: Vec<(u32, u32)> = (0..40).map(|i| (0, 100 - i)).collect();
        let rows: Vec<&[(u32, u32)]> = rows.iter().map(std::slice::from_ref).collect();
        let p = problem(&rows, &[40]);
        let mut columns = Columns::new(&p);
        let mut assign = vec![NONE; 40];
        // Cheapest first: request 39 (cost 61), then 38, …
        for i in (0..40).rev() {
            assert_eq!(columns.best[0], (u64::from(100 - i) << 32) | u64::from(i));
            assign[i as usize] = 0;
            columns.matched(0, i, &assign);
        }
        assert_eq!(columns.best[0], u64::MAX);
    }

    #[test]
    fn large_components_use_the_sparse_path() {
        // A chain longer than DENSE_MAX where each request must shift.
        let n = DENSE_MAX as u32 + 10;
        let mut rows: Vec<Vec<(u32, u32)>> = (0..n).map(|i| vec![(i, 0), (i + 1, 1)]).collect();
        rows.push(vec![(0, 0)]);
        let rows: Vec<&[(u32, u32)]> = rows.iter().map(Vec::as_slice).collect();
        let p = problem(&rows, &vec![1; n as usize + 1]);
        let assign = solve(&p);
        assert!(assign.iter().all(|&j| j != NONE));
        let cost: u32 = assign.iter().enumerate().map(|(i, &j)| rows[i].iter().find(|a| a.0 == j).unwrap().1).sum();
        assert_eq!(cost, n);
    }
}
