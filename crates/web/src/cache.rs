//! What the pages derive from the catalog once per catalog version: the
//! overview maps and the département IPS averages. An import swaps in a new
//! catalog, which empties this cache.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::catalog::Catalog;
use passerelle_app::sectors::year_choice;

use crate::map::Overview;

struct Derived {
    /// Held weakly: its allocation cannot be reused while we hold it, so
    /// pointer equality identifies the catalog.
    catalog: Weak<Catalog>,
    overviews: HashMap<String, Arc<Overview>>,
    departments: Option<Arc<HashMap<String, f64>>>,
}

static DERIVED: Mutex<Option<Derived>> = Mutex::new(None);

fn with<R>(catalog: &Arc<Catalog>, f: impl FnOnce(&mut Derived) -> R) -> R {
    let mut guard = DERIVED.lock().unwrap_or_else(|e| e.into_inner());
    let current = guard.as_ref().is_some_and(|d| {
        d.catalog
            .upgrade()
            .is_some_and(|c| Arc::ptr_eq(&c, catalog))
    });
    if !current {
        *guard = Some(Derived {
            catalog: Arc::downgrade(catalog),
            overviews: HashMap::new(),
            departments: None,
        });
    }
    f(guard.as_mut().expect("just set"))
}

/// The territories of the maps in force, sorted.
pub fn territories(catalog: &Catalog) -> Vec<String> {
    let mut names: Vec<String> = catalog
        .sectors(year_choice(None))
        .into_iter()
        .map(|s| s.territory().to_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The overview map of a territory's sectors in force.
pub fn overview(catalog: &Arc<Catalog>, territory: &str) -> Option<Arc<Overview>> {
    if let Some(found) = with(catalog, |d| d.overviews.get(territory).cloned()) {
        return Some(found);
    }
    let sectors: Vec<_> = catalog
        .sectors(year_choice(None))
        .into_iter()
        .filter(|s| s.territory() == territory)
        .filter_map(|s| {
            catalog
                .sector(s.id)
                .map(|(s, g)| (s.id, s.name().to_owned(), g))
        })
        .collect();
    let built = Arc::new(Overview::build(&sectors)?);
    with(catalog, |d| {
        d.overviews.insert(territory.to_owned(), built.clone())
    });
    Some(built)
}

/// The mean IPS of the collèges of each département (by code), over every
/// collège with an IPS, public and private.
pub async fn department_ips(state: &AppState) -> Result<Arc<HashMap<String, f64>>, Error> {
    let catalog = state.catalog();
    if let Some(found) = with(&catalog, |d| d.departments.clone()) {
        return Ok(found);
    }
    let facts = passerelle_app::schools::facts(state).await?;
    let mut sums: HashMap<String, (f64, usize)> = HashMap::new();
    for f in facts.values() {
        if let (Some(code), Some(ips)) = (&f.department_code, f.ips) {
            let entry = sums.entry(code.clone()).or_default();
            entry.0 += ips;
            entry.1 += 1;
        }
    }
    let means: Arc<HashMap<String, f64>> = Arc::new(
        sums.into_iter()
            .map(|(code, (sum, n))| (code, sum / n as f64))
            .collect(),
    );
    with(&catalog, |d| d.departments = Some(means.clone()));
    Ok(means)
}
