//! The state every handler and command shares.
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use arc_swap::{ArcSwap, Guard};
use passerelle_store::Store;
use tokio::sync::Mutex;

use crate::address_catalog::AddressCatalog;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::error::Error;

/// A database handle, the settings, and the sector catalog behind an
/// `ArcSwap`: an import swaps in a new catalog and readers never lock.
///
/// One `Arc` around everything: axum clones the state for every extractor
/// and middleware of every request, and one shared counter costs far less
/// than one per field (measured with `benches/load.sh`).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The fields of [`AppState`], reached through `Deref`. The store is the
/// application's own: the layers above read and write only through its
/// use cases.
pub struct Shared {
    pub(crate) store: Store,
    pub config: Arc<Config>,
    pub limits: crate::limits::Limits,
    /// The key that signs the time stamps of public forms, shared by every
    /// replica through the database.
    pub form_key: Arc<String>,
    catalog: Arc<ArcSwap<Catalog>>,
    addresses: Arc<ArcSwap<AddressCatalog>>,
    /// Serialises reloads, so that a slow reload cannot swap in a catalog
    /// older than the one a faster, later reload already installed.
    reload: Arc<Mutex<()>>,
    /// The data versions the loaded catalogs were read at.
    loaded_version: Arc<AtomicI64>,
    loaded_addresses: Arc<AtomicI64>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
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
        let form_key = store
            .server_key("forms", &crate::secrets::generate(""))
            .await?;
        let state = Self(Arc::new(Shared {
            form_key: Arc::new(form_key),
            store,
            limits: crate::limits::Limits::new(config.limits),
            config: Arc::new(config),
            catalog: Arc::new(ArcSwap::from_pointee(Catalog::empty())),
            addresses: Arc::new(ArcSwap::from_pointee(AddressCatalog::empty())),
            reload: Arc::new(Mutex::new(())),
            loaded_version: Arc::new(AtomicI64::new(-1)),
            loaded_addresses: Arc::new(AtomicI64::new(-1)),
        }));
        state.reload_catalog().await?;
        state.reload_addresses().await?;
        Ok(state)
    }

    /// The catalog in force now. A guard rather than a counted clone: the
    /// count is a cache line both workers would write on every lookup.
    pub fn catalog(&self) -> Guard<Arc<Catalog>> {
        self.catalog.load()
    }

    /// The address index in force now.
    pub fn addresses(&self) -> Guard<Arc<AddressCatalog>> {
        self.addresses.load()
    }

    /// Rebuilds the address index from the database and swaps it in.
    pub async fn reload_addresses(&self) -> Result<(), Error> {
        let _guard = self.reload.lock().await;
        let version = self.store.data_version(passerelle_store::ADDRESSES).await?;
        let files: Vec<Vec<u8>> = self
            .store
            .address_files()
            .await?
            .into_iter()
            .map(|f| f.data)
            .collect();
        let mut cartes = Vec::new();
        for f in self.store.carte_files().await? {
            cartes.push((f.school_year.parse().map_err(anyhow::Error::from)?, f.data));
        }
        let catalog = tokio::task::spawn_blocking(move || AddressCatalog::build(files, cartes))
            .await
            .map_err(anyhow::Error::from)??;
        self.addresses.store(Arc::new(catalog));
        self.loaded_addresses.store(version, Ordering::SeqCst);
        Ok(())
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
        let mut reloaded = false;
        let version = self.store.data_version(passerelle_store::CATALOG).await?;
        if version != self.loaded_version.load(Ordering::SeqCst) {
            self.reload_catalog().await?;
            reloaded = true;
        }
        let version = self.store.data_version(passerelle_store::ADDRESSES).await?;
        if version != self.loaded_addresses.load(Ordering::SeqCst) {
            self.reload_addresses().await?;
            reloaded = true;
        }
        Ok(reloaded)
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
