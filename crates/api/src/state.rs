//! The state every handler and command shares.
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use passerelle_store::Store;
use tokio::sync::Mutex;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::error::Error;

/// A database handle, the settings, and the sector catalog behind an
/// `ArcSwap`: an import swaps in a new catalog and readers never lock.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    catalog: Arc<ArcSwap<Catalog>>,
    /// Serialises reloads, so that a slow reload cannot swap in a catalog
    /// older than the one a faster, later reload already installed.
    reload: Arc<Mutex<()>>,
    /// The catalog data version the loaded catalog was read at.
    loaded_version: Arc<AtomicI64>,
}

impl AppState {
    /// Connects, migrates, and loads the catalog.
    pub async fn open(config: Config) -> Result<Self, Error> {
        let store = Store::connect(&config.database_url).await?;
        store.migrate().await?;
        Self::with_store(store, config).await
    }

    /// Builds the state on a migrated store.
    pub async fn with_store(store: Store, config: Config) -> Result<Self, Error> {
        let state = Self {
            store,
            config: Arc::new(config),
            catalog: Arc::new(ArcSwap::from_pointee(Catalog::empty())),
            reload: Arc::new(Mutex::new(())),
            loaded_version: Arc::new(AtomicI64::new(-1)),
        };
        state.reload_catalog().await?;
        Ok(state)
    }

    /// The catalog in force now.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.load_full()
    }

    /// Rebuilds the catalog from the database and swaps it in.
    pub async fn reload_catalog(&self) -> Result<(), Error> {
        let _guard = self.reload.lock().await;
        // Read the version first: an import landing during the reload bumps
        // it again, and the next poll reloads once more.
        let version = self.store.data_version(passerelle_store::CATALOG).await?;
        let sectors = self.store.all_sectors().await?;
        let schools = self.store.school_facts().await?;
        let catalog = tokio::task::spawn_blocking(move || Catalog::build(sectors, schools))
            .await
            .map_err(anyhow::Error::from)??;
        self.catalog.store(Arc::new(catalog));
        self.loaded_version.store(version, Ordering::SeqCst);
        Ok(())
    }

    /// Reloads the catalog when another process imported data since the
    /// last load. Returns true when it reloaded.
    pub async fn reload_if_changed(&self) -> Result<bool, Error> {
        let version = self.store.data_version(passerelle_store::CATALOG).await?;
        if version == self.loaded_version.load(Ordering::SeqCst) {
            return Ok(false);
        }
        self.reload_catalog().await?;
        Ok(true)
    }

    /// Polls for imports made by other processes (the CLI, other replicas)
    /// every `interval`, for as long as the runtime lives.
    pub fn spawn_reloader(&self, interval: Duration) {
        let state = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                match state.reload_if_changed().await {
                    Ok(true) => tracing::info!("sector catalog reloaded after an import elsewhere"),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "catalog reload check failed"),
                }
            }
        });
    }
}
