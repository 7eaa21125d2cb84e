//! Passerelle matching engine (pure library, no IO).
//!
//! Pairs hesitant parents ([`Request`]) with member parents ([`Referent`])
//! of the same collège sector:
//!
//! * [`explain`] and [`Weights`]: the documented cost model, term by term;
//! * [`match_batch`]: optimal per-sector min-cost max-flow (most families
//!   first, then least cost), sectors in parallel;
//! * [`best_referent`]: the instant pick for one new request;
//! * [`Instance`] and [`solve_instance`]: a problem in explicit form, used
//!   to check optimality against other solvers and to benchmark (its text
//!   format is the `passerelle-matching-instances` crate);
//! * [`generate`]: reproducible random instances.
//!
//! # Algorithm
//!
//! Each sector (each connected component of an [`Instance`]) is a
//! min-cost flow: source → request (capacity 1) → referent (pair cost) →
//! sink, a referent's capacity being unit arcs of non-decreasing cost (the
//! convex load term). Successive shortest paths with potentials give the
//! maximum number of matches, then the least cost. The shortest paths run
//! over referent nodes only (about 20 per sector, against 200 requests):
//! the source reaches a referent through its cheapest free request, and a
//! referent reaches another by moving one of its members over, at the
//! difference of their arc costs. With a cached k × k table of those moves,
//! one augmentation costs O(k²) instead of O(arcs); components above 512
//! referents use a heap and scan members' arcs instead. Components are
//! solved in parallel with rayon.
//!
//! ```
//! use passerelle_matching::{solve_instance, Edge, Instance};
//!
//! let arc = |request, referent, cost| Edge { request, referent, cost };
//! let arcs = vec![arc(0, 0, 4), arc(1, 0, 1), arc(1, 1, 3), arc(2, 1, 2)];
//! let instance = Instance::new(3, vec![1, 1], arcs)?;
//! let solution = solve_instance(&instance);
//! assert_eq!((solution.matched, solution.cost), (2, 3));
//! # Ok::<(), passerelle_matching::MatchingError>(())
//! ```
#![forbid(unsafe_code)]

mod batch;
mod error;
mod flow;
mod generate;
mod instance;
mod model;

pub use batch::{Batch, Fairness, Loads, best_referent, fairness, match_batch};
pub use error::MatchingError;
pub use generate::{GeneratorParams, Population, generate, generate_population};
pub use instance::{Edge, Instance, Solution, solve_instance};
pub use model::{
    Explanation, Grade, LatLon, Proposal, Referent, Request, Weights, explain, is_eligible,
};
