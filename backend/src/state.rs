//! What every handler and resolver reaches: the database, the index, the object store and the
//! metrics, built once from the configuration.

use std::sync::Arc;
use std::time::Duration;

use object_store::ObjectStore;
use silkbridge_schema::{Database, PoolOptions};
use silkbridge_search_index::SearchIndex;
use tokio::sync::Notify;

use crate::config::Config;
use crate::http::metrics::Metrics;
use crate::{search, storage};

/// Shared application state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Database,
    pub index: Arc<SearchIndex>,
    pub objects: Arc<dyn ObjectStore>,
    pub metrics: Metrics,
    /// Wakes the indexer after a write, so search follows within milliseconds rather than at
    /// the next poll.
    pub index_wakeup: Arc<Notify>,
    /// Identity providers, token keys and partner rate limits.
    pub identity: Arc<crate::identity::IdentityRuntime>,
    /// The IMEI status cache and read audit.
    pub imei: Arc<crate::imei::service::ImeiRuntime>,
    /// Template keys and the decrypted 1:N gallery.
    pub biometrics: Arc<crate::biometrics::service::BiometricsRuntime>,
    /// The key sealing organisations' signing keys and webhook secrets.
    pub documents: Arc<crate::documents::keys::DocumentKeys>,
    /// Whose `X-Forwarded-For` names the client.
    pub trusted_proxies: crate::http::client::TrustedProxies,
    /// The operations that need credentials (read from the OpenAPI document).
    pub protected_routes: Arc<crate::identity::authenticate::ProtectedRoutes>,
    /// Signed links to the files origin, when `files_public_url` is set.
    pub file_links: Option<Arc<crate::http::file_links::FileLinks>>,
    /// This node's id (kept in its index folder): how it records its index position.
    pub node_id: Arc<str>,
}

impl AppState {
    /// Opens everything the configuration names; each failure is one clear error.
    pub fn open(config: Config) -> anyhow::Result<Self> {
        ensure_writable_folder(&config.data_dir)?;
        let db = Database::open(
            &config.database_url(),
            &PoolOptions {
                max_connections: config.database.max_connections,
                connect_timeout: Duration::from_secs(config.database.connect_timeout_secs),
            },
        )?;
        let index = search::open_index(&config)?;
        let node_id = search::retention::node_id(&config.index_dir()).map_err(|e| {
            anyhow::anyhow!(
                "cannot keep the node id in {}: {e}",
                config.index_dir().display()
            )
        })?;
        let objects = storage::open_with(&config.object_store_url(), &config.object_store_options)?;
        use crate::key_ledger::{PlatformKey, checked, sealing_ids};
        let identity = checked(
            &db,
            &config,
            PlatformKey::TokenSigning,
            || crate::identity::IdentityRuntime::new(&config),
            |runtime| (runtime.keys.kid().to_owned(), Vec::new()),
        )?;
        let imei = crate::imei::service::ImeiRuntime::open(&db, &config)?;
        let biometrics = crate::biometrics::service::BiometricsRuntime::open(&db, &config)?;
        let documents = checked(
            &db,
            &config,
            PlatformKey::DocumentSealing,
            || {
                Ok(Arc::new(crate::documents::keys::DocumentKeys::load(
                    &config,
                )?))
            },
            |keys| sealing_ids(keys),
        )?;
        let trusted_proxies = crate::http::client::TrustedProxies::parse(&config.trusted_proxies)?;
        let contract: serde_json::Value = serde_json::from_str(crate::app::openapi_json())?;
        let protected_routes =
            Arc::new(crate::identity::authenticate::ProtectedRoutes::from_openapi(&contract));
        if protected_routes.is_empty() {
            anyhow::bail!("the OpenAPI document marks no operation as needing credentials");
        }
        let file_links = match &config.files_public_url {
            Some(url) => Some(Arc::new(crate::http::file_links::FileLinks::new(
                url,
                identity.keys.derived_secret(),
                objects.clone(),
            )?)),
            None => None,
        };
        Ok(Self {
            node_id: node_id.into(),
            file_links,
            trusted_proxies,
            protected_routes,
            documents,
            identity,
            imei,
            biometrics,
            config: Arc::new(config),
            db,
            index: Arc::new(index),
            objects,
            metrics: Metrics::new()?,
            index_wakeup: Arc::new(Notify::new()),
        })
    }

    /// Tells the indexer that the change log has grown.
    pub fn changed(&self) {
        self.index_wakeup.notify_one();
    }

    /// Runs a read on a pooled connection on the blocking pool. Services read only through
    /// this (and write only through `write`), so an adapter never picks either itself.
    pub async fn read<T, F>(&self, work: F) -> crate::error::ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut silkbridge_schema::DbConnection) -> crate::error::ApiResult<T>
            + Send
            + 'static,
    {
        crate::db::run(&self.db, work).await
    }

    /// Runs a write transaction, then wakes the indexer, so whatever the transaction put in
    /// the change log reaches search within milliseconds. Services write only through this.
    pub async fn write<T, F>(&self, work: F) -> crate::error::ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut silkbridge_schema::DbConnection) -> crate::error::ApiResult<T>
            + Send
            + 'static,
    {
        // A request learns where its write reached in the change log (`http::consistency`).
        let wants_position = crate::http::consistency::wants_position();
        let result = crate::db::transaction(&self.db, move |conn| {
            let value = work(conn)?;
            let position = if wants_position {
                Some(silkbridge_schema::change_log::newest(conn)?)
            } else {
                None
            };
            Ok((value, position))
        })
        .await;
        let (value, position) = result?;
        self.changed();
        if let Some(position) = position {
            crate::http::consistency::wrote(position);
        }
        Ok(value)
    }
}

/// Creates the data folder and proves it can be written, so a read-only or mistyped folder
/// fails at start with its name rather than later with a confusing database error.
fn ensure_writable_folder(dir: &std::path::Path) -> anyhow::Result<()> {
    let shown = dir.display();
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("data folder {shown} cannot be created: {e}"))?;
    let probe = dir.join(".silkbridge-write-probe");
    std::fs::write(&probe, b"ok")
        .map_err(|e| anyhow::anyhow!("data folder {shown} is not writable: {e}"))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}
