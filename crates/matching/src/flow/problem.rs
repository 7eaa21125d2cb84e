//! The problem one solve works on: a component's arcs by request, the
//! referents' capacities and the cost of their units.

/// No request, no referent.
pub(crate) const NONE: u32 = u32::MAX;
/// A distance no path reaches.
pub(super) const INF: i64 = i64::MAX / 4;

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
    /// Request `i`'s arcs, as (referent, cost).
    pub(super) fn row(&self, i: u32) -> &[(u32, u32)] {
        let i = i as usize;
        &self.arcs[self.row_start[i] as usize..self.row_start[i + 1] as usize]
    }

    pub(super) fn requests(&self) -> usize {
        self.row_start.len() - 1
    }
    /// A problem with free units from its rows of arcs.
    #[cfg(test)]
    pub(super) fn from_rows(rows: &[&[(u32, u32)]], cap: &[u32]) -> Problem {
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
}
