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
//! request terms telescope away) are those of textbook SSP. Paths through
//! the sink in the middle are not needed: they are never shorter than the
//! sink itself, where the search stops.
//!
//! Small components (k ≤ 512 referents) cache the k × k exchange table and
//! select by array scan: O(k²) per augmentation. Larger ones use a heap and
//! scan members' arcs: O(k log k + arcs scanned).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub(crate) const NONE: u32 = u32::MAX;
const INF: i64 = i64::MAX / 4;
const SETTLED: i64 = i64::MIN;

/// Cost of the units of referent capacity.
#[derive(Debug, Clone)]
pub(crate) enum UnitCost {
    /// Every unit is free (plain instances).
    Free,
    /// Unit `u` (0-based, within this solve) of referent `j` costs
    /// `step × (base[j] + u)`, capped at `u32::MAX`: convex because
    /// `step ≥ 0`.
    Linear { step: i64, base: Vec<u32> },
}

impl UnitCost {
    #[inline]
    pub(crate) fn marginal(&self, j: usize, unit: u32) -> i64 {
        match self {
            UnitCost::Free => 0,
            // Saturates like `Explanation::load`, and stays non-decreasing.
            UnitCost::Linear { step, base } => step
                .saturating_mul(i64::from(base[j]) + i64::from(unit))
                .min(i64::from(u32::MAX)),
        }
    }
}

/// One component: request `i`'s arcs are `arcs[row_start[i]..row_start[i + 1]]`
/// as (referent, cost), no referent twice in a row.
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
    solve_with(p, DENSE_MAX)
}

fn solve_with(p: &Problem, dense_max: usize) -> Vec<u32> {
    let mut st = State::new(p);
    if p.cap.len() <= dense_max {
        let mut x = Exchange::new(p.cap.len());
        while let Some(last) = st.search_dense(&mut x) {
            let i = st.augment(last, Some(&mut x));
            for &(j, _) in p.row(i) {
                st.columns.matched(j as usize, i, &st.assign);
            }
        }
    } else {
        let mut heap = BinaryHeap::new();
        while let Some(last) = st.search_sparse(&mut heap) {
            let i = st.augment(last, None);
            for &(j, _) in p.row(i) {
                st.columns.matched(j as usize, i, &st.assign);
            }
        }
    }
    st.assign
}

/// The assignment, potentials and last shortest-path tree.
struct State<'a> {
    p: &'a Problem,
    assign: Vec<u32>,
    columns: Columns,
    /// Members of referent j (request, arc cost) are
    /// `members[mem_start[j]..][..load[j]]`; a slot holds min(capacity,
    /// degree) entries. `slot[i]` is request i's place in its slot.
    mem_start: Vec<usize>,
    members: Vec<(u32, u32)>,
    load: Vec<u32>,
    slot: Vec<u32>,
    /// Potentials of referents and sink (source and unmatched requests
    /// stay at 0).
    pot: Vec<i64>,
    pot_t: i64,
    /// Last search: reduced distance (`open` while the dense search runs),
    /// and how each referent was reached: request `pred_req` moved in (arc
    /// cost `pred_cost`) from referent `pred_ref`, or from the source (its
    /// best free request) when that is `NONE`.
    dist: Vec<i64>,
    open: Vec<i64>,
    pred_ref: Vec<u32>,
    pred_req: Vec<u32>,
    pred_cost: Vec<u32>,
    /// Sparse search: `settled[j] == epoch` when j is settled in it.
    settled: Vec<u32>,
    epoch: u32,
}

impl<'a> State<'a> {
    fn new(p: &'a Problem) -> State<'a> {
        let nk = p.cap.len();
        let columns = Columns::new(p);
        let mut mem_start = vec![0usize; nk + 1];
        for j in 0..nk {
            mem_start[j + 1] = mem_start[j] + (p.cap[j] as usize).min(columns.degree(j));
        }
        State {
            p,
            assign: vec![NONE; p.requests()],
            columns,
            members: vec![(0, 0); mem_start[nk]],
            mem_start,
            load: vec![0; nk],
            slot: vec![0; p.requests()],
            pot: vec![0; nk],
            pot_t: 0,
            dist: vec![INF; nk],
            open: vec![INF; nk],
            pred_ref: vec![NONE; nk],
            pred_req: vec![NONE; nk],
            pred_cost: vec![0; nk],
            settled: vec![0; nk],
            epoch: 0,
        }
    }

    /// Reduced length of the source arc to j, from its cheapest free request.
    #[inline]
    fn source_dist(&self, j: usize) -> i64 {
        let best = self.columns.best[j];
        if best == u64::MAX {
            return INF;
        }
        let d = (best >> 32) as i64 - self.pot[j];
        debug_assert!(d >= 0, "negative reduced cost on a source arc");
        d
    }

    /// Settles j at distance d: tries its next unit of capacity.
    #[inline]
    fn settle(&mut self, j: usize, d: i64, dist_t: &mut i64, last: &mut u32) {
        self.settled[j] = self.epoch;
        let l = self.load[j];
        if l < self.p.cap[j] {
            let nd = d + self.p.unit.marginal(j, l) + self.pot[j] - self.pot_t;
            debug_assert!(nd >= d, "negative reduced cost on a sink arc");
            if nd < *dist_t {
                *dist_t = nd;
                *last = j as u32;
            }
        }
    }

    /// Dijkstra for small components: array selection and cached exchange
    /// rows, O(k²) at worst. Returns the referent before the sink.
    fn search_dense(&mut self, x: &mut Exchange) -> Option<usize> {
        let nk = self.p.cap.len();
        // `open[j]`: tentative distance, SETTLED once settled (as u64 it
        // is larger than any distance, so the selection skips it).
        for j in 0..nk {
            self.open[j] = self.source_dist(j);
            self.pred_ref[j] = NONE;
        }
        let (mut dist_t, mut last) = (INF, NONE);
        loop {
            let (mut best, mut j) = (dist_t as u64, NONE);
            for (k, &v) in self.open.iter().enumerate() {
                if (v as u64) < best {
                    (best, j) = (v as u64, k as u32);
                }
            }
            if j == NONE {
                break;
            }
            let (j, d) = (j as usize, best as i64);
            self.open[j] = SETTLED;
            self.dist[j] = d;
            let l = self.load[j];
            if l < self.p.cap[j] {
                let nd = d + self.p.unit.marginal(j, l) + self.pot[j] - self.pot_t;
                debug_assert!(nd >= d, "negative reduced cost on a sink arc");
                if nd < dist_t {
                    (dist_t, last) = (nd, j as u32);
                }
            }
            if x.dirty[j] {
                let mine = &self.members[self.mem_start[j]..][..l as usize];
                x.refresh(self.p, j, mine);
            }
            let base = d + self.pot[j];
            let row = j * nk..(j + 1) * nk;
            let cells = x.diff[row.clone()]
                .iter()
                .zip(&x.req[row.clone()])
                .zip(&x.cost[row]);
            for (j2, (((&w, &i), &c), open)) in cells.zip(self.open.iter_mut()).enumerate() {
                if w == INF {
                    continue;
                }
                let nd = base + w - self.pot[j2];
                // A settled referent's SETTLED is below any distance.
                if nd < *open {
                    debug_assert!(nd >= d, "negative reduced cost on an exchange");
                    *open = nd;
                    self.pred_ref[j2] = j as u32;
                    self.pred_req[j2] = i;
                    self.pred_cost[j2] = c;
                }
            }
        }
        if last == NONE {
            return None;
        }
        // Unsettled referents are at least as far as the sink: capping them
        // there keeps reduced costs non-negative.
        for j in 0..nk {
            self.pot[j] += if self.open[j] == SETTLED {
                self.dist[j]
            } else {
                dist_t
            };
        }
        self.pot_t += dist_t;
        Some(last as usize)
    }

    /// Dijkstra for large components: a heap, and members' arcs scanned
    /// when their referent is settled; O(k log k + arcs scanned).
    fn search_sparse(&mut self, heap: &mut BinaryHeap<Reverse<(i64, u32)>>) -> Option<usize> {
        let nk = self.p.cap.len();
        self.epoch += 1;
        heap.clear();
        for j in 0..nk {
            let d = self.source_dist(j);
            self.dist[j] = d;
            self.pred_ref[j] = NONE;
            if d < INF {
                heap.push(Reverse((d, j as u32)));
            }
        }
        let (mut dist_t, mut last) = (INF, NONE);
        while let Some(Reverse((d, j))) = heap.pop() {
            // Nothing left in the heap can beat the sink any more.
            if d >= dist_t {
                break;
            }
            let ju = j as usize;
            if self.settled[ju] == self.epoch || d > self.dist[ju] {
                continue;
            }
            self.settle(ju, d, &mut dist_t, &mut last);
            let base = d + self.pot[ju];
            let (start, len) = (self.mem_start[ju], self.load[ju] as usize);
            for m in start..start + len {
                let (i, cij) = self.members[m];
                let from = base - i64::from(cij);
                for &(j2, c2) in self.p.row(i) {
                    let j2u = j2 as usize;
                    if j2 == j || self.settled[j2u] == self.epoch {
                        continue;
                    }
                    let nd = from + i64::from(c2) - self.pot[j2u];
                    if nd < self.dist[j2u] {
                        debug_assert!(nd >= d, "negative reduced cost on an exchange");
                        self.dist[j2u] = nd;
                        self.pred_ref[j2u] = j;
                        self.pred_req[j2u] = i;
                        self.pred_cost[j2u] = c2;
                        heap.push(Reverse((nd, j2)));
                    }
                }
            }
        }
        self.finish(dist_t, last)
    }

    /// Unsettled referents are at least as far as the sink: capping them
    /// there keeps reduced costs non-negative.
    fn finish(&mut self, dist_t: i64, last: u32) -> Option<usize> {
        if last == NONE {
            return None;
        }
        for (p, &d) in self.pot.iter_mut().zip(&self.dist) {
            *p += d.min(dist_t);
        }
        self.pot_t += dist_t;
        Some(last as usize)
    }

    /// Moves the requests along the last shortest path, from the sink
    /// back to the source; returns the newly matched request.
    fn augment(&mut self, last: usize, mut x: Option<&mut Exchange>) -> u32 {
        let mut j = last;
        loop {
            let from = self.pred_ref[j];
            let (i, c) = if from == NONE {
                // Reached from the source: its best free request, which
                // has not changed since the search.
                let best = self.columns.best[j];
                (best as u32, (best >> 32) as u32)
            } else {
                (self.pred_req[j], self.pred_cost[j])
            };
            if from != NONE {
                let f = from as usize;
                let s = self.slot[i as usize] as usize;
                let end = self.mem_start[f] + self.load[f] as usize - 1;
                let moved = self.members[end];
                self.members[self.mem_start[f] + s] = moved;
                self.slot[moved.0 as usize] = s as u32;
                self.load[f] -= 1;
                if let Some(x) = x.as_deref_mut() {
                    x.dirty[f] = true;
                }
            }
            self.members[self.mem_start[j] + self.load[j] as usize] = (i, c);
            self.slot[i as usize] = self.load[j];
            self.load[j] += 1;
            self.assign[i as usize] = j as u32;
            if let Some(x) = x.as_deref_mut() {
                x.add(self.p, j, i, c);
            }
            if from == NONE {
                return i;
            }
            j = from as usize;
        }
    }
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
const PREFIX: usize = 32;

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
            .map(|j| {
                col[start[j]..start[j + 1]]
                    .iter()
                    .copied()
                    .min()
                    .unwrap_or(u64::MAX)
            })
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
/// and `c(i, j')`. A new member updates the row in place; a member leaving
/// makes it dirty, to be recomputed when next read.
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

    /// Request i (arc cost c) joined j: a new candidate for each move out
    /// of j. A dirty row is recomputed when needed anyway.
    fn add(&mut self, p: &Problem, j: usize, i: u32, c: u32) {
        if self.dirty[j] {
            return;
        }
        let row = j * p.cap.len();
        for &(j2, c2) in p.row(i) {
            let w = i64::from(c2) - i64::from(c);
            let at = row + j2 as usize;
            if w < self.diff[at] && j2 as usize != j {
                self.diff[at] = w;
                self.req[at] = i;
                self.cost[at] = c2;
            }
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
    fn sparse_and_dense_paths_agree() {
        let mut seed = 11u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        for _ in 0..300 {
            let (nr, nk) = (1 + next(30) as u32, 1 + next(8) as u32);
            let mut row_start = vec![0];
            let mut arcs = Vec::new();
            for _ in 0..nr {
                for j in 0..nk {
                    if next(3) > 0 {
                        arcs.push((j, next(20) as u32));
                    }
                }
                row_start.push(arcs.len() as u32);
            }
            let cap: Vec<u32> = (0..nk).map(|_| 1 + next(3) as u32).collect();
            let unit = if next(2) == 0 {
                UnitCost::Free
            } else {
                UnitCost::Linear {
                    step: next(5) as i64,
                    base: (0..nk).map(|_| next(3) as u32).collect(),
                }
            };
            let p = Problem {
                row_start,
                arcs,
                cap,
                unit,
            };
            let total = |a: &[u32]| {
                let mut load = vec![0u32; p.cap.len()];
                let mut cost = 0i64;
                for (i, &j) in a.iter().enumerate() {
                    if j != NONE {
                        cost += i64::from(p.row(i as u32).iter().find(|x| x.0 == j).unwrap().1);
                        cost += p.unit.marginal(j as usize, load[j as usize]);
                        load[j as usize] += 1;
                    }
                }
                (a.iter().filter(|&&j| j != NONE).count(), cost)
            };
            assert_eq!(total(&solve_with(&p, 0)), total(&solve_with(&p, DENSE_MAX)));
        }
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
        let cost: u32 = assign
            .iter()
            .enumerate()
            .map(|(i, &j)| rows[i].iter().find(|a| a.0 == j).unwrap().1)
            .sum();
        assert_eq!(cost, n);
    }
}
