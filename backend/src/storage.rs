//! The object store for files: a local folder by default, any S3-compatible store by URL.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;

/// Opens the store named by `url`:
/// - a plain path or `file:///PATH`: a local folder (created if missing);
/// - `s3://BUCKET[/PREFIX]`: S3 or a compatible server, credentials and endpoint from the
///   standard `AWS_*` variables (`AWS_ENDPOINT` for MinIO and others);
/// - `memory://`: in memory, for tests.
pub fn open(url: &str) -> anyhow::Result<Arc<dyn ObjectStore>> {
    if url.starts_with("memory://") {
        return Ok(Arc::new(InMemory::new()));
    }
    if let Some(rest) = url.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            anyhow::bail!("object store URL {url} names no bucket");
        }
        let store = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| anyhow::anyhow!("cannot configure S3 bucket {bucket}: {e}"))?;
        let store: Arc<dyn ObjectStore> = Arc::new(store);
        return Ok(if prefix.is_empty() {
            store
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(
                store,
                prefix.trim_end_matches('/'),
            ))
        });
    }
    let path = match url.strip_prefix("file://") {
        Some(path) => path,
        None if url.contains("://") => {
            let scheme = url.split("://").next().unwrap_or_default();
            anyhow::bail!(
                "unknown object store scheme `{scheme}`: use a folder path, file://, s3:// or memory://"
            )
        }
        None => url,
    };
    std::fs::create_dir_all(path)
        .map_err(|e| anyhow::anyhow!("object store folder {path} cannot be created: {e}"))?;
    let store = LocalFileSystem::new_with_prefix(path)
        .map_err(|e| anyhow::anyhow!("object store folder {path} cannot be used: {e}"))?;
    Ok(Arc::new(store))
}

/// Proves the store accepts writes, for readiness checks.
pub async fn probe(store: &dyn ObjectStore) -> anyhow::Result<()> {
    use object_store::ObjectStoreExt;
    let path = object_store::path::Path::from("_silkbridge/readyz");
    store.put(&path, "ok".into()).await?;
    Ok(())
}
