//! Random small instances against reference solvers (fixed seeds), and the
//! domain rules: hard constraints, explanations, load spreading.

use std::collections::HashMap;

use passerelle_matching::{
    Edge, GeneratorParams, Grade, Instance, LatLon, Loads, Referent, Request, Solution, Weights,
    best_referent, explain, fairness, generate, generate_population, is_eligible, match_batch,
    solve_instance,
};

/// SplitMix64, so that the cases never change with a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A flow problem in its plainest form: unit-supply requests, referent
/// capacities, and the u-th unit (0-based) of referent j costing
/// `step × (base[j] + u)`.
struct Plain {
    requests: usize,
    caps: Vec<u32>,
    arcs: Vec<(usize, usize, i64)>,
    step: i64,
    base: Vec<u32>,
}

impl Plain {
    fn from_instance(i: &Instance) -> Plain {
        Plain {
            requests: i.requests() as usize,
            caps: i.capacities().to_vec(),
            arcs: i
                .edges()
                .iter()
                .map(|e| (e.request as usize, e.referent as usize, i64::from(e.cost)))
                .collect(),
            step: 0,
            base: vec![0; i.capacities().len()],
        }
    }

    fn unit_cost(&self, j: usize, u: u32) -> i64 {
        self.step * i64::from(self.base[j] + u)
    }
}

/// Successive shortest paths with Bellman-Ford on the explicit network
/// (capacity as parallel unit arcs). Returns (matched, cost).
fn bellman_ford_ssp(p: &Plain) -> (u64, i64) {
    let nr = p.requests;
    let nk = p.caps.len();
    let (s, t) = (nr + nk, nr + nk + 1);
    // (to, capacity, cost, reverse index)
    let mut graph: Vec<Vec<(usize, i64, i64, usize)>> = vec![Vec::new(); nr + nk + 2];
    let add = |g: &mut Vec<Vec<(usize, i64, i64, usize)>>, a: usize, b: usize, cost: i64| {
        let (ra, rb) = (g[b].len(), g[a].len());
        g[a].push((b, 1, cost, ra));
        g[b].push((a, 0, -cost, rb));
    };
    for i in 0..nr {
        add(&mut graph, s, i, 0);
    }
    for &(i, j, c) in &p.arcs {
        add(&mut graph, i, nr + j, c);
    }
    for j in 0..nk {
        for u in 0..p.caps[j].min(nr as u32) {
            add(&mut graph, nr + j, t, p.unit_cost(j, u));
        }
    }
    let (mut matched, mut cost) = (0u64, 0i64);
    loop {
        let mut dist = vec![i64::MAX; graph.len()];
        let mut pred: Vec<Option<(usize, usize)>> = vec![None; graph.len()];
        dist[s] = 0;
        for _ in 0..graph.len() {
            let mut changed = false;
            for a in 0..graph.len() {
                if dist[a] == i64::MAX {
                    continue;
                }
                for (k, &(b, cap, c, _)) in graph[a].iter().enumerate() {
                    if cap > 0 && dist[a] + c < dist[b] {
                        dist[b] = dist[a] + c;
                        pred[b] = Some((a, k));
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        if dist[t] == i64::MAX {
            return (matched, cost);
        }
        let mut v = t;
        while let Some((a, k)) = pred[v] {
            graph[a][k].1 -= 1;
            let (b, r) = (graph[a][k].0, graph[a][k].3);
            graph[b][r].1 += 1;
            v = a;
        }
        matched += 1;
        cost += dist[t];
    }
}

/// Tries every assignment; for a handful of requests only.
fn brute_force(p: &Plain) -> (u64, i64) {
    fn go(
        p: &Plain,
        i: usize,
        load: &mut Vec<u32>,
        matched: u64,
        cost: i64,
        best: &mut (u64, i64),
    ) {
        if i == p.requests {
            let units: i64 = (0..load.len())
                .map(|j| (0..load[j]).map(|u| p.unit_cost(j, u)).sum::<i64>())
                .sum();
            let total = cost + units;
            if matched > best.0 || (matched == best.0 && total < best.1) {
                *best = (matched, total);
            }
            return;
        }
        go(p, i + 1, load, matched, cost, best);
        for &(a, j, c) in &p.arcs {
            if a == i && load[j] < p.caps[j] {
                load[j] += 1;
                go(p, i + 1, load, matched + 1, cost + c, best);
                load[j] -= 1;
            }
        }
    }
    let mut best = (0, i64::MAX);
    go(p, 0, &mut vec![0; p.caps.len()], 0, 0, &mut best);
    best
}

fn random_instance(rng: &mut Rng, max_r: u64, max_k: u64, max_m: u64, max_cost: u64) -> Instance {
    let r = rng.below(max_r + 1) as u32;
    let k = rng.below(max_k + 1) as u32;
    let caps = (0..k).map(|_| rng.below(4) as u32).collect();
    let mut edges = Vec::new();
    if r > 0 && k > 0 {
        for _ in 0..rng.below(max_m + 1) {
            edges.push(Edge {
                request: rng.below(u64::from(r)) as u32,
                referent: rng.below(u64::from(k)) as u32,
                cost: rng.below(max_cost + 1) as u32,
            });
        }
    }
    Instance::new(r, caps, edges).expect("valid instance")
}

/// The solution is feasible and its cost is the sum of its arcs' costs
/// (the cheapest of duplicates).
/// An instance from the text format (see `passerelle-matching-instances`),
/// read loosely: these tests only feed it well-formed text.
fn from_text(text: &str) -> Instance {
    let mut lines = text.lines();
    let numbers = |line: Option<&str>| -> Vec<u32> {
        line.unwrap_or_default()
            .split_whitespace()
            .map(|t| t.parse().expect("a number"))
            .collect()
    };
    let header = numbers(lines.next());
    let capacities = numbers(lines.next());
    let m = numbers(lines.next())[0] as usize;
    let edges = (0..m)
        .map(|_| match numbers(lines.next())[..] {
            [request, referent, cost] => Edge {
                request,
                referent,
                cost,
            },
            _ => panic!("expected `i j cost`"),
        })
        .collect();
    Instance::new(header[0], capacities, edges).expect("valid instance")
}

fn check_feasible(instance: &Instance, s: &Solution) {
    let mut cheapest: HashMap<(u32, u32), u32> = HashMap::new();
    for e in instance.edges() {
        let c = cheapest.entry((e.request, e.referent)).or_insert(e.cost);
        *c = (*c).min(e.cost);
    }
    let mut load = vec![0u32; instance.capacities().len()];
    let mut cost = 0u64;
    for w in s.assignments.windows(2) {
        assert!(
            w[0][0] < w[1][0],
            "request matched twice or unsorted: {:?}",
            s.assignments
        );
    }
    for &[i, j] in &s.assignments {
        cost += u64::from(*cheapest.get(&(i, j)).expect("assignment uses an arc"));
        load[j as usize] += 1;
    }
    for (l, c) in load.iter().zip(instance.capacities()) {
        assert!(l <= c, "capacity exceeded");
    }
    assert_eq!(s.matched, s.assignments.len() as u64);
    assert_eq!(s.cost, cost);
}

#[test]
fn reference_solvers_agree_with_each_other() {
    let mut rng = Rng(1);
    for case in 0..300 {
        let instance = random_instance(&mut rng, 6, 3, 10, 9);
        let mut p = Plain::from_instance(&instance);
        if case % 2 == 1 {
            p.step = 3;
            p.base = (0..p.caps.len()).map(|_| rng.below(3) as u32).collect();
        }
        assert_eq!(
            bellman_ford_ssp(&p),
            brute_force(&p),
            "case {case}:\n{instance:?}"
        );
    }
}

#[test]
fn tiny_instances_match_brute_force() {
    let mut rng = Rng(2);
    for case in 0..1000 {
        let instance = random_instance(&mut rng, 7, 4, 14, 20);
        let s = solve_instance(&instance);
        check_feasible(&instance, &s);
        let (matched, cost) = brute_force(&Plain::from_instance(&instance));
        assert_eq!(
            (s.matched, s.cost as i64),
            (matched, cost),
            "case {case}:\n{instance:?}"
        );
    }
}

#[test]
fn small_instances_match_bellman_ford() {
    let mut rng = Rng(3);
    for case in 0..400 {
        // Few distinct costs make many ties; large costs catch overflow.
        let max_cost = [2, 50, u64::from(u32::MAX)][case % 3];
        let instance = random_instance(&mut rng, 40, 12, 150, max_cost);
        let s = solve_instance(&instance);
        check_feasible(&instance, &s);
        let (matched, cost) = bellman_ford_ssp(&Plain::from_instance(&instance));
        assert_eq!(
            (s.matched, i128::from(s.cost)),
            (matched, i128::from(cost)),
            "case {case}:\n{instance:?}"
        );
    }
}

#[test]
fn generated_sectors_match_bellman_ford() {
    let instance = generate(&GeneratorParams {
        sectors: 3,
        requests_per_sector: 30,
        referents_per_sector: 5,
        seed: 4,
    })
    .expect("generate");
    let s = solve_instance(&instance);
    check_feasible(&instance, &s);
    let (matched, cost) = bellman_ford_ssp(&Plain::from_instance(&instance));
    assert_eq!((s.matched, s.cost as i64), (matched, cost));
    assert!(s.matched > 0);
}

#[test]
fn edge_cases() {
    let solve = |text: &str| {
        let s = solve_instance(&from_text(text));
        (s.matched, s.cost)
    };
    assert_eq!(solve("0 0\n\n0\n"), (0, 0));
    assert_eq!(solve("3 2\n1 1\n0\n"), (0, 0), "no arcs");
    assert_eq!(
        solve("2 2\n0 0\n3\n0 0 1\n1 1 1\n0 1 1\n"),
        (0, 0),
        "zero capacities"
    );
    assert_eq!(
        solve("2 2\n9 9\n4\n0 0 1\n0 1 2\n1 0 3\n1 1 1\n"),
        (2, 2),
        "more capacity than requests"
    );
    assert_eq!(solve("1 1\n1\n1\n0 0 4294967295\n"), (1, 4_294_967_295));
}

fn random_population(rng: &mut Rng) -> (Vec<Request>, Vec<Referent>, Loads) {
    let schools = ["A", "B", "C"];
    let languages = ["fr", "ar", "EN"];
    let point = |rng: &mut Rng| {
        (rng.below(4) != 0).then(|| LatLon {
            lat: 48.85 + rng.below(100) as f64 * 1e-4,
            lon: 2.35 + rng.below(100) as f64 * 1e-4,
        })
    };
    let langs = |rng: &mut Rng| {
        (0..rng.below(3))
            .map(|_| languages[rng.below(3) as usize].to_string())
            .collect::<Vec<_>>()
    };
    let nk = rng.below(6);
    let referents: Vec<Referent> = (0..nk)
        .map(|id| Referent {
            id: 100 + id,
            sector: rng.below(2),
            school: schools[rng.below(3) as usize].into(),
            child_grade: [Grade::Sixieme, Grade::Cinquieme, Grade::Troisieme]
                [rng.below(3) as usize],
            languages: langs(rng),
            location: point(rng),
            capacity_left: rng.below(3) as u32,
            paused: rng.below(6) == 0,
        })
        .collect();
    let nr = rng.below(7);
    let requests: Vec<Request> = (0..nr)
        .map(|id| Request {
            id: 1000 - id,
            sector: rng.below(2),
            school_of_concern: (rng.below(3) != 0).then(|| schools[rng.below(3) as usize].into()),
            grade: if rng.below(2) == 0 {
                Grade::Cm1
            } else {
                Grade::Cm2
            },
            languages: langs(rng),
            location: point(rng),
            excluded_referents: (0..rng.below(3)).map(|_| 100 + rng.below(6)).collect(),
        })
        .collect();
    let mut loads = Loads::new();
    for r in &referents {
        if rng.below(2) == 0 {
            loads.insert(r.id, rng.below(4) as u32);
        }
    }
    (requests, referents, loads)
}

#[test]
fn batch_is_optimal_explained_and_respects_hard_constraints() {
    let mut rng = Rng(5);
    let weights = Weights::default();
    for case in 0..500 {
        let (requests, referents, loads) = random_population(&mut rng);
        let batch = match_batch(&requests, &referents, &loads, &weights);

        let by_id = |id: u64| {
            referents
                .iter()
                .find(|r| r.id == id)
                .expect("known referent")
        };
        let mut given: HashMap<u64, u32> = HashMap::new();
        for p in &batch.proposals {
            let request = requests
                .iter()
                .find(|r| r.id == p.request)
                .expect("known request");
            let referent = by_id(p.referent);
            assert!(is_eligible(request, referent), "case {case}: {p:?}");
            assert_eq!(p.cost, p.explanation.total());
            let pair = explain(request, referent, &weights, 0);
            assert_eq!(p.explanation.pair_cost(), pair.pair_cost());
            *given.entry(p.referent).or_default() += 1;
        }
        for (&id, &n) in &given {
            assert!(
                n <= by_id(id).capacity_left,
                "case {case}: capacity exceeded"
            );
        }
        // Load terms are 0, 1, 2… steps above the month's current load.
        for (&id, &n) in &given {
            let mut terms: Vec<u32> = batch
                .proposals
                .iter()
                .filter(|p| p.referent == id)
                .map(|p| p.explanation.load)
                .collect();
            terms.sort_unstable();
            let current = loads.get(&id).copied().unwrap_or(0);
            let expected: Vec<u32> = (0..n).map(|u| weights.load * (current + u)).collect();
            assert_eq!(terms, expected, "case {case}");
        }
        assert_eq!(
            batch.total_cost,
            batch
                .proposals
                .iter()
                .map(|p| p.explanation.total())
                .sum::<u64>()
        );
        assert_eq!(
            batch.proposals.len() + batch.unmatched.len(),
            requests.len()
        );

        // The same problem, spelt out for the reference solver.
        let plain = Plain {
            requests: requests.len(),
            caps: referents
                .iter()
                .map(|r| if r.paused { 0 } else { r.capacity_left })
                .collect(),
            arcs: requests
                .iter()
                .enumerate()
                .flat_map(|(i, q)| {
                    referents
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| is_eligible(q, r))
                        .map(move |(j, r)| {
                            (
                                i,
                                j,
                                explain(q, r, &Weights::default(), 0).pair_cost() as i64,
                            )
                        })
                })
                .collect(),
            step: i64::from(weights.load),
            base: referents
                .iter()
                .map(|r| loads.get(&r.id).copied().unwrap_or(0))
                .collect(),
        };
        let (matched, cost) = bellman_ford_ssp(&plain);
        assert_eq!(
            (batch.proposals.len() as u64, batch.total_cost as i64),
            (matched, cost),
            "case {case}"
        );
    }
}

#[test]
fn best_referent_is_the_cheapest_eligible_one() {
    let mut rng = Rng(6);
    let weights = Weights::default();
    let mut found = 0;
    for case in 0..500 {
        let (requests, referents, loads) = random_population(&mut rng);
        for request in &requests {
            let pick = best_referent(request, &referents, &loads, &weights);
            let expected = referents
                .iter()
                .filter(|r| is_eligible(request, r))
                .map(|r| {
                    let load = loads.get(&r.id).copied().unwrap_or(0);
                    (explain(request, r, &weights, load).total(), r.id)
                })
                .min();
            assert_eq!(
                pick.as_ref().map(|p| (p.cost, p.referent)),
                expected,
                "case {case}"
            );
            if let Some(p) = pick {
                assert_eq!(p.request, request.id);
                assert_eq!(p.cost, p.explanation.total());
                found += 1;
            }
        }
    }
    assert!(found > 100, "the random cases should often have a pick");
}

#[test]
fn load_term_spreads_families() {
    // Capacity (about 5.5 per referent) well above demand.
    let population = generate_population(&GeneratorParams {
        sectors: 20,
        requests_per_sector: 25,
        referents_per_sector: 10,
        seed: 7,
    })
    .expect("generate");
    let run = |load| {
        let weights = Weights {
            load,
            ..Weights::default()
        };
        let batch = match_batch(
            &population.requests,
            &population.referents,
            &Loads::new(),
            &weights,
        );
        assert!(batch.unmatched.is_empty());
        fairness(&population.referents, &batch.proposals)
    };
    let (spread, piled) = (run(20), run(0));
    assert!(spread.gini < 0.8 * piled.gini, "{spread:?} vs {piled:?}");
    assert!(
        spread.idle_share < piled.idle_share,
        "{spread:?} vs {piled:?}"
    );
}
