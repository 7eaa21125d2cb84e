//! The cached k × k exchange table of small components.

use super::problem::{INF, NONE, Problem};

/// Cached exchange arcs j → j' for small components: the cheapest move of
/// a member of j over to j', `min c(i, j') − c(i, j)`, with that member
/// and `c(i, j')`. A new member updates the row in place; a member leaving
/// makes it dirty, to be recomputed when next read.
pub(super) struct Exchange {
    pub(super) diff: Vec<i64>,
    pub(super) req: Vec<u32>,
    pub(super) cost: Vec<u32>,
    pub(super) dirty: Vec<bool>,
}

impl Exchange {
    pub(super) fn new(nk: usize) -> Exchange {
        Exchange {
            diff: vec![INF; nk * nk],
            req: vec![NONE; nk * nk],
            cost: vec![0; nk * nk],
            dirty: vec![true; nk],
        }
    }

    /// Request i (arc cost c) joined j: a new candidate for each move out
    /// of j. A dirty row is recomputed when needed anyway.
    pub(super) fn add(&mut self, p: &Problem, j: usize, i: u32, c: u32) {
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

    /// Recomputes row `j` from its current `members` (request, arc cost).
    pub(super) fn refresh(&mut self, p: &Problem, j: usize, members: &[(u32, u32)]) {
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
