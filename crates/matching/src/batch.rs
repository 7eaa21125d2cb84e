//! Matching requests to referents: a whole batch, or one request at once.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::flow::{self, NONE, Problem, UnitCost};
use crate::model::{Proposal, Referent, Request, Weights, explain, is_eligible};

/// Families already given to each referent this month, by referent id
/// (missing means 0). Drives the load term.
///
/// ```
/// use passerelle_matching::Loads;
/// let loads: Loads = [(3, 2)].into_iter().collect();
/// assert_eq!(loads.get(&3), Some(&2));
/// ```
pub type Loads = HashMap<u64, u32>;

/// The outcome of [`match_batch`].
///
/// ```
/// use passerelle_matching::Batch;
/// let b = Batch::default();
/// assert!(b.proposals.is_empty() && b.unmatched.is_empty() && b.total_cost == 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Batch {
    /// One proposal per matched request, by increasing request id.
    pub proposals: Vec<Proposal>,
    /// Ids of requests left without a referent, in input order.
    pub unmatched: Vec<u64>,
    /// Sum of the proposals' costs.
    pub total_cost: u64,
}

/// The best referent for one new request, given the current loads: the
/// eligible referent of least total cost (ties: lowest id), or `None`.
///
/// This is the instant answer when a family signs up; [`match_batch`]
/// may later find a better overall assignment.
///
/// ```
/// use passerelle_matching::{best_referent, Grade, Loads, Referent, Request, Weights};
///
/// let request = Request { id: 1, sector: 9, school_of_concern: Some("A".into()), grade: Grade::Cm2,
///     languages: vec![], location: None, excluded_referents: vec![] };
/// let referent = |id, school: &str| Referent { id, sector: 9, school: school.into(),
///     child_grade: Grade::Sixieme, languages: vec![], location: None, capacity_left: 1, paused: false };
/// let referents = [referent(1, "A"), referent(2, "A"), referent(3, "B")];
/// let loads: Loads = [(1, 1)].into_iter().collect();
///
/// let p = best_referent(&request, &referents, &loads, &Weights::default()).unwrap();
/// assert_eq!(p.referent, 2); // same collège, and referent 1 already has a family
/// assert_eq!(p.cost, p.explanation.total());
/// ```
pub fn best_referent(
    request: &Request,
    referents: &[Referent],
    loads: &Loads,
    weights: &Weights,
) -> Option<Proposal> {
    let mut best: Option<Proposal> = None;
    for referent in referents {
        if !is_eligible(request, referent) {
            continue;
        }
        let load = loads.get(&referent.id).copied().unwrap_or(0);
        let explanation = explain(request, referent, weights, load);
        let cost = explanation.total();
        let better = match &best {
            None => true,
            Some(b) => (cost, referent.id) < (b.cost, b.referent),
        };
        if better {
            best = Some(Proposal {
                request: request.id,
                referent: referent.id,
                cost,
                explanation,
            });
        }
    }
    best
}

/// Matches a batch of requests optimally: in each sector, as many families
/// as possible, then the least total cost, the load term included (the
/// n-th family of a referent this month adds `weights.load × (n − 1)`).
/// Sectors are solved in parallel.
///
/// Each referent's load terms are handed out to its proposals by
/// increasing request id, so explanations add up to `total_cost`.
///
/// ```
/// use passerelle_matching::{match_batch, Grade, Loads, Referent, Request, Weights};
///
/// let request = |id| Request { id, sector: 9, school_of_concern: None, grade: Grade::Cm2,
///     languages: vec![], location: None, excluded_referents: vec![] };
/// let referent = |id| Referent { id, sector: 9, school: "A".into(), child_grade: Grade::Sixieme,
///     languages: vec![], location: None, capacity_left: 2, paused: false };
///
/// let batch = match_batch(&[request(1), request(2)], &[referent(10), referent(11)],
///     &Loads::new(), &Weights::default());
/// // The load term sends the two families to different referents.
/// assert_eq!(batch.proposals.len(), 2);
/// assert_ne!(batch.proposals[0].referent, batch.proposals[1].referent);
/// assert_eq!(batch.total_cost, batch.proposals.iter().map(|p| p.explanation.total()).sum::<u64>());
/// ```
pub fn match_batch(
    requests: &[Request],
    referents: &[Referent],
    loads: &Loads,
    weights: &Weights,
) -> Batch {
    let mut sectors: HashMap<u64, (Vec<usize>, Vec<usize>)> = HashMap::new();
    for (i, r) in requests.iter().enumerate() {
        sectors.entry(r.sector).or_default().0.push(i);
    }
    for (j, r) in referents.iter().enumerate() {
        if r.capacity_left > 0
            && !r.paused
            && let Some(s) = sectors.get_mut(&r.sector)
        {
            s.1.push(j);
        }
    }
    let sectors: Vec<_> = sectors.into_values().collect();
    let matched: Vec<Vec<(usize, usize, u64)>> = sectors
        .par_iter()
        .map(|(reqs, refs)| solve_sector(requests, referents, reqs, refs, loads, weights))
        .collect();

    let mut pairs: Vec<(usize, usize, u64)> = matched.into_iter().flatten().collect();
    // Hand out load ranks by request id within each referent.
    pairs.sort_unstable_by_key(|&(i, j, _)| (j, requests[i].id));
    let mut batch = Batch::default();
    let mut is_matched = vec![false; requests.len()];
    let mut rank = 0u32;
    for (n, &(i, j, pair_cost)) in pairs.iter().enumerate() {
        rank = if n > 0 && pairs[n - 1].1 == j {
            rank + 1
        } else {
            0
        };
        let current = loads.get(&referents[j].id).copied().unwrap_or(0);
        let explanation = explain(
            &requests[i],
            &referents[j],
            weights,
            current.saturating_add(rank),
        );
        debug_assert_eq!(explanation.pair_cost().min(u64::from(u32::MAX)), pair_cost);
        is_matched[i] = true;
        batch.total_cost += explanation.total();
        batch.proposals.push(Proposal {
            request: requests[i].id,
            referent: referents[j].id,
            cost: explanation.total(),
            explanation,
        });
    }
    batch.proposals.sort_by_key(|p| (p.request, p.referent));
    batch.unmatched = requests
        .iter()
        .zip(&is_matched)
        .filter(|(_, m)| !**m)
        .map(|(r, _)| r.id)
        .collect();
    batch
}

/// Returns (request index, referent index, pair cost) for one sector.
fn solve_sector(
    requests: &[Request],
    referents: &[Referent],
    reqs: &[usize],
    refs: &[usize],
    loads: &Loads,
    weights: &Weights,
) -> Vec<(usize, usize, u64)> {
    let mut p = Problem {
        row_start: Vec::with_capacity(reqs.len() + 1),
        arcs: Vec::with_capacity(reqs.len() * refs.len()),
        cap: refs.iter().map(|&j| referents[j].capacity_left).collect(),
        unit: UnitCost::Linear {
            step: i64::from(weights.load),
            base: refs
                .iter()
                .map(|&j| loads.get(&referents[j].id).copied().unwrap_or(0))
                .collect(),
        },
    };
    p.row_start.push(0);
    for &i in reqs {
        for (lj, &j) in refs.iter().enumerate() {
            if is_eligible(&requests[i], &referents[j]) {
                let cost = explain(&requests[i], &referents[j], weights, 0).pair_cost();
                p.arcs
                    .push((lj as u32, u32::try_from(cost).unwrap_or(u32::MAX)));
            }
        }
        p.row_start.push(p.arcs.len() as u32);
    }
    let assign = flow::solve(&p);
    let mut out = Vec::new();
    for (li, &lj) in assign.iter().enumerate() {
        if lj != NONE {
            let row = &p.arcs[p.row_start[li] as usize..p.row_start[li + 1] as usize];
            let cost = row.iter().find(|a| a.0 == lj).map_or(0, |a| a.1);
            out.push((reqs[li], refs[lj as usize], u64::from(cost)));
        }
    }
    out
}

/// How evenly a batch spreads families over the referents who could take
/// some (not paused, capacity left): the Gini coefficient of
/// `families / capacity_left` (0 = all equally used, near 1 = all on a
/// few) and the share of them who got none.
///
/// ```
/// use passerelle_matching::{fairness, Grade, Proposal, Referent, Explanation};
///
/// let referent = |id| Referent { id, sector: 9, school: "A".into(), child_grade: Grade::Sixieme,
///     languages: vec![], location: None, capacity_left: 2, paused: false };
/// let proposal = |request, referent| Proposal { request, referent, cost: 0, explanation: Explanation::default() };
///
/// let f = fairness(&[referent(1), referent(2)], &[proposal(1, 1), proposal(2, 2)]);
/// assert_eq!((f.gini, f.idle_share), (0.0, 0.0));
/// let f = fairness(&[referent(1), referent(2)], &[proposal(1, 1), proposal(2, 1)]);
/// assert_eq!((f.gini, f.idle_share), (0.5, 0.5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Fairness {
    /// Gini coefficient of load / capacity, in [0, 1).
    pub gini: f64,
    /// Share of available referents who got no family, in [0, 1].
    pub idle_share: f64,
}

/// Computes [`Fairness`] for a set of proposals.
///
/// ```
/// use passerelle_matching::fairness;
/// assert_eq!(fairness(&[], &[]).gini, 0.0);
/// ```
pub fn fairness(referents: &[Referent], proposals: &[Proposal]) -> Fairness {
    let mut count: HashMap<u64, u32> = HashMap::new();
    for p in proposals {
        *count.entry(p.referent).or_default() += 1;
    }
    let mut ratios: Vec<f64> = referents
        .iter()
        .filter(|r| r.capacity_left > 0 && !r.paused)
        .map(|r| f64::from(count.get(&r.id).copied().unwrap_or(0)) / f64::from(r.capacity_left))
        .collect();
    let n = ratios.len();
    if n == 0 {
        return Fairness::default();
    }
    let idle = ratios.iter().filter(|&&x| x == 0.0).count();
    ratios.sort_by(f64::total_cmp);
    let sum: f64 = ratios.iter().sum();
    // Gini = Σ (2k − n − 1) x_k / (n Σ x), x sorted ascending, k from 1.
    let gini = if sum == 0.0 {
        0.0
    } else {
        let weighted: f64 = ratios
            .iter()
            .enumerate()
            .map(|(k, x)| (2.0 * (k as f64 + 1.0) - n as f64 - 1.0) * x)
            .sum();
        weighted / (n as f64 * sum)
    };
    Fairness {
        gini,
        idle_share: idle as f64 / n as f64,
    }
}
