//! Source arcs: for each referent, the cheapest arc from a still
//! unmatched request, kept up to date as requests are matched.

use super::problem::{NONE, Problem};

/// Source arcs: for each referent, the cheapest arc from an unmatched
/// request, packed as `cost << 32 | request` so that it is an integer
/// minimum.
pub(super) struct Columns {
    /// Arcs by referent; entries of `start[j]..start[j] + len[j]` may
    /// still be unmatched, and `head[j]..sorted_end[j]` is sorted and
    /// holds the smallest of them.
    col: Vec<u64>,
    start: Vec<usize>,
    len: Vec<usize>,
    head: Vec<usize>,
    sorted_end: Vec<usize>,
    /// Current minimum per referent, `u64::MAX` if none.
    pub(super) best: Vec<u64>,
}

/// How many of a column's smallest entries a rebuild sorts, so that
/// successive invalidations of one column rarely rescan it.
const PREFIX: usize = 32;

impl Columns {
    pub(super) fn new(p: &Problem) -> Columns {
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

    /// Number of arcs into referent `j`.
    pub(super) fn degree(&self, j: usize) -> usize {
        self.len[j]
    }

    /// Request `i` was just matched: update `best[j]` if it was `i`.
    pub(super) fn matched(&mut self, j: usize, i: u32, assign: &[u32]) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_skip_matched_requests() {
        let rows: Vec<(u32, u32)> = (0..40).map(|i| (0, 100 - i)).collect();
        let rows: Vec<&[(u32, u32)]> = rows.iter().map(std::slice::from_ref).collect();
        let p = Problem::from_rows(&rows, &[40]);
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
}
