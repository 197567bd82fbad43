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

#[cfg(test)]
mod tests {
    use object_store::ObjectStoreExt;
    use object_store::path::Path;

    use super::*;

    #[tokio::test]
    async fn a_folder_path_is_a_local_store_that_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("objects");
        let store = open(&format!("file://{}", root.display())).unwrap();
        store
            .put(&Path::from("a/b.txt"), "hello".into())
            .await
            .unwrap();
        let bytes = store
            .get(&Path::from("a/b.txt"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(&bytes[..], b"hello");
        assert!(
            root.join("a/b.txt").is_file(),
            "stored under the configured folder"
        );
        probe(store.as_ref()).await.unwrap();
    }

    #[test]
    fn s3_urls_configure_a_bucket_without_contacting_it() {
        assert!(open("s3://silkbridge-files/prod").is_ok());
        assert!(open("s3://").is_err_and(|e| e.to_string().contains("names no bucket")));
    }

    #[test]
    fn unknown_schemes_are_refused_by_name() {
        let error = open("ftp://files.example.org/x")
            .err()
            .map(|e| e.to_string());
        assert!(error.is_some_and(|e| e.contains("unknown object store scheme `ftp`")));
    }
}
