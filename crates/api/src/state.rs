//! The state every handler and command shares.
use std::sync::Arc;

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
        let sectors = self.store.all_sectors().await?;
        let schools = self.store.school_facts().await?;
        let catalog = tokio::task::spawn_blocking(move || Catalog::build(sectors, schools))
            .await
            .map_err(anyhow::Error::from)??;
        self.catalog.store(Arc::new(catalog));
        Ok(())
    }
}
