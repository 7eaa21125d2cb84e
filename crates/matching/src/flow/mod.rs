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

mod columns;
mod exchange;
mod problem;

use columns::Columns;
use exchange::Exchange;
use problem::INF;
pub(crate) use problem::{NONE, Problem, UnitCost};

/// Marks a referent settled in the dense search's `open` list.
const SETTLED: i64 = i64::MIN;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(rows: &[&[(u32, u32)]], cap: &[u32]) -> Problem {
        Problem::from_rows(rows, cap)
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
