//! Random but reproducible test populations and instances.

use rayon::prelude::*;

use crate::MatchingError;
use crate::instance::{Edge, Instance};
use crate::model::{Grade, LatLon, Referent, Request, Weights, explain};

/// Size and seed of a generated population.
///
/// ```
/// use passerelle_matching::GeneratorParams;
/// let paris = GeneratorParams { sectors: 100, requests_per_sector: 200, referents_per_sector: 20, seed: 1 };
/// assert_eq!(paris.sectors * paris.requests_per_sector, 20_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratorParams {
    /// Number of sectors (S).
    pub sectors: u32,
    /// Requests in each sector (R).
    pub requests_per_sector: u32,
    /// Referents in each sector (K).
    pub referents_per_sector: u32,
    /// Same seed, same output, on every machine.
    pub seed: u64,
}

/// Generated requests and referents; sector `s` has id `s`, and ids count
/// from 0 in sector order.
///
/// ```
/// use passerelle_matching::{generate_population, GeneratorParams};
/// let p = generate_population(&GeneratorParams { sectors: 2, requests_per_sector: 3, referents_per_sector: 1, seed: 7 })?;
/// assert_eq!((p.requests.len(), p.referents.len()), (6, 2));
/// # Ok::<(), passerelle_matching::MatchingError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// S × R requests.
    pub requests: Vec<Request>,
    /// S × K referents, capacities 1–10, none paused.
    pub referents: Vec<Referent>,
}

/// Generates a Paris-like population: sectors of about 1 km around random
/// centres, a fifth of them with two collèges, mostly French speakers,
/// some homes not geocoded.
///
/// ```
/// use passerelle_matching::{generate_population, GeneratorParams};
/// let params = GeneratorParams { sectors: 3, requests_per_sector: 5, referents_per_sector: 2, seed: 42 };
/// let a = generate_population(&params)?;
/// assert_eq!(a, generate_population(&params)?);
/// assert!(a.referents.iter().all(|r| (1..=10).contains(&r.capacity_left)));
/// # Ok::<(), passerelle_matching::MatchingError>(())
/// ```
pub fn generate_population(params: &GeneratorParams) -> Result<Population, MatchingError> {
    let s = u64::from(params.sectors);
    if s * u64::from(params.requests_per_sector) >= u64::from(u32::MAX)
        || s * u64::from(params.referents_per_sector) >= u64::from(u32::MAX)
    {
        return Err(MatchingError::Invalid(
            "S × R and S × K must stay below 4294967295".into(),
        ));
    }
    let per_sector: Vec<(Vec<Request>, Vec<Referent>)> = (0..params.sectors)
        .into_par_iter()
        .map(|sector| sector_population(params, sector))
        .collect();
    let mut population = Population {
        requests: Vec::with_capacity((s * u64::from(params.requests_per_sector)) as usize),
        referents: Vec::with_capacity((s * u64::from(params.referents_per_sector)) as usize),
    };
    for (requests, referents) in per_sector {
        population.requests.extend(requests);
        population.referents.extend(referents);
    }
    Ok(population)
}

/// Generates an instance: S sectors × R requests × K referents, every
/// request linked to every referent of its sector at the cost of
/// [`explain`] with default [`Weights`] (load term excluded: the format has
/// none), capacities 1–10. Request and referent indices follow sector order.
///
/// ```
/// use passerelle_matching::{generate, solve_instance, GeneratorParams};
/// let i = generate(&GeneratorParams { sectors: 2, requests_per_sector: 3, referents_per_sector: 2, seed: 1 })?;
/// assert_eq!((i.requests(), i.capacities().len(), i.edges().len()), (6, 4, 12));
/// assert!(solve_instance(&i).matched <= 6);
/// # Ok::<(), passerelle_matching::MatchingError>(())
/// ```
pub fn generate(params: &GeneratorParams) -> Result<Instance, MatchingError> {
    let population = generate_population(params)?;
    let weights = Weights::default();
    let r = params.requests_per_sector as usize;
    let k = params.referents_per_sector as usize;
    let edges: Vec<Edge> = (0..population.requests.len())
        .into_par_iter()
        .flat_map_iter(|i| {
            let request = &population.requests[i];
            let first = i / r.max(1) * k;
            let population = &population;
            (first..first + k).map(move |j| Edge {
                request: i as u32,
                referent: j as u32,
                cost: u32::try_from(
                    explain(request, &population.referents[j], &weights, 0).pair_cost(),
                )
                .unwrap_or(u32::MAX),
            })
        })
        .collect();
    let capacities = population
        .referents
        .iter()
        .map(|r| r.capacity_left)
        .collect();
    Instance::new(population.requests.len() as u32, capacities, edges)
}

const LANGUAGES: [&str; 7] = ["ar", "en", "es", "pt", "zh", "wo", "ta"];

fn sector_population(params: &GeneratorParams, sector: u32) -> (Vec<Request>, Vec<Referent>) {
    let mut rng =
        SplitMix64::new(params.seed ^ u64::from(sector).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let centre = LatLon {
        lat: 48.815 + 0.085 * rng.unit(),
        lon: 2.255 + 0.16 * rng.unit(),
    };
    let schools: Vec<String> = if rng.below(5) == 0 {
        vec![format!("S{sector}-A"), format!("S{sector}-B")]
    } else {
        vec![format!("S{sector}-A")]
    };
    // About ±1 km in latitude and longitude.
    let near = |rng: &mut SplitMix64| {
        (rng.below(10) != 0).then(|| LatLon {
            lat: centre.lat + 0.009 * (2.0 * rng.unit() - 1.0),
            lon: centre.lon + 0.0135 * (2.0 * rng.unit() - 1.0),
        })
    };
    let languages = |rng: &mut SplitMix64| {
        let mut langs = Vec::new();
        if rng.below(20) != 0 {
            langs.push("fr".to_string());
        }
        if langs.is_empty() || rng.below(6) == 0 {
            langs.push(LANGUAGES[rng.below(LANGUAGES.len() as u64) as usize].to_string());
        }
        langs
    };
    let sector_id = u64::from(sector);
    let req_base = sector_id * u64::from(params.requests_per_sector);
    let ref_base = sector_id * u64::from(params.referents_per_sector);
    let requests = (0..u64::from(params.requests_per_sector))
        .map(|n| Request {
            id: req_base + n,
            sector: sector_id,
            school_of_concern: (rng.below(10) != 0)
                .then(|| schools[rng.below(schools.len() as u64) as usize].clone()),
            grade: if rng.below(3) == 0 {
                Grade::Cm1
            } else {
                Grade::Cm2
            },
            languages: languages(&mut rng),
            location: near(&mut rng),
            excluded_referents: Vec::new(),
        })
        .collect();
    let grades = [
        Grade::Sixieme,
        Grade::Cinquieme,
        Grade::Quatrieme,
        Grade::Troisieme,
    ];
    let referents = (0..u64::from(params.referents_per_sector))
        .map(|n| Referent {
            id: ref_base + n,
            sector: sector_id,
            school: schools[rng.below(schools.len() as u64) as usize].clone(),
            child_grade: grades[rng.below(4) as usize],
            languages: languages(&mut rng),
            location: near(&mut rng),
            capacity_left: 1 + rng.below(10) as u32,
            paused: false,
        })
        .collect();
    (requests, referents)
}

/// SplitMix64: tiny, and its output never changes with a dependency bump.
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is negligible here).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_reference_values() {
        // First outputs for seed 0 from the published reference code.
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn generated_instance_is_dense_per_sector_and_seeded() {
        let params = GeneratorParams {
            sectors: 3,
            requests_per_sector: 4,
            referents_per_sector: 2,
            seed: 9,
        };
        let a = generate(&params).unwrap();
        assert_eq!(a.edges().len(), 3 * 4 * 2);
        assert!(a.edges().iter().all(|e| e.request / 4 == e.referent / 2));
        assert_eq!(a, generate(&params).unwrap());
        let b = generate(&GeneratorParams { seed: 10, ..params }).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn oversized_params_are_refused() {
        let params = GeneratorParams {
            sectors: u32::MAX,
            requests_per_sector: 2,
            referents_per_sector: 1,
            seed: 0,
        };
        assert!(generate_population(&params).is_err());
    }
}
