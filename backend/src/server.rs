//! Running the HTTP server: open everything, start the indexer, serve until a signal, then
//! drain requests and stop the indexer cleanly.

use std::time::Duration;

use actix_web::HttpServer;
use tokio::sync::watch;

use crate::app::app;
use crate::config::Config;
use crate::graphql::build_schema;
use crate::state::AppState;
use crate::{biometrics, imei, research, search, seed};

/// Serves until SIGINT or SIGTERM. Every start-up failure is returned as one error.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let bind = config.bind.clone();
    let demo = config.demo;
    let shutdown_timeout = config.limits.shutdown_timeout_secs;
    let request_timeout = Duration::from_secs(config.limits.client_request_timeout_secs);
    let state = tokio::task::spawn_blocking(move || AppState::open(config)).await??;
    tracing::info!(
        database = %state.db.url().redacted(),
        index = %state.index.path().display(),
        "storage opened"
    );
    if demo {
        let db = state.db.clone();
        let summary = tokio::task::spawn_blocking(move || seed::demo(&db))
            .await?
            .map_err(|e| anyhow::anyhow!("demo seeding failed: {e}"))?;
        if summary.organisations > 0 {
            tracing::info!(
                organisations = summary.organisations,
                users = summary.users,
                listings = summary.listings,
                publications = summary.publications,
                "demo data seeded"
            );
            state.changed();
        }
        let datasets = crate::datasets::demo::seed(&state.db, state.objects.clone())
            .await
            .map_err(|e| anyhow::anyhow!("demo seeding failed: {e}"))?;
        if datasets > 0 {
            tracing::info!(datasets, "demo datasets seeded");
            state.changed();
        }
        let documents = crate::documents::demo::seed(
            &state.db,
            state.objects.clone(),
            state.documents.clone(),
            state.identity.keys.clone(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo seeding failed: {e}"))?;
        if documents > 0 {
            tracing::info!(documents, "demo document exchange seeded");
            state.changed();
        }
    }

    // Built here, once: the workers serve it without each building the document.
    crate::app::openapi_json();
    let schema = build_schema(state.clone());
    let server_state = state.clone();
    let server = HttpServer::new(move || app(server_state.clone(), schema.clone()))
        .shutdown_timeout(shutdown_timeout)
        .client_request_timeout(request_timeout)
        .bind(&bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?
        .run();
    let (stop_indexer, stopped) = watch::channel(false);
    let embargoes = research::embargo::spawn_releaser(state.clone(), stopped.clone());
    let registry = imei::tasks::spawn(state.clone(), stopped.clone());
    let gallery = biometrics::tasks::spawn(state.clone(), stopped.clone());
    let webhooks = crate::outbox::spawn(state.clone(), stopped.clone());
    let sweeper = crate::sweep::spawn(state.clone(), stopped.clone());
    let checkpoints = crate::audit_checkpoints::spawn(state.clone(), stopped.clone());
    let retention = search::retention::spawn(state.clone(), stopped.clone());
    let indexer = search::spawn_indexer(state, stopped);
    tracing::info!("silkbridge listening on http://{bind}");
    let served = server.await;
    let _ = stop_indexer.send(true);
    let _ = indexer.await;
    let _ = embargoes.await;
    let _ = registry.await;
    let _ = gallery.await;
    let _ = webhooks.await;
    let _ = sweeper.await;
    let _ = checkpoints.await;
    let _ = retention.await;
    served.map_err(|e| anyhow::anyhow!("server stopped with an error: {e}"))
}
