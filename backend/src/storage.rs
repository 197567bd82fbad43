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
    open_with(url, &std::collections::BTreeMap::new())
}

/// `open` with extra S3 settings by object_store's key names (`aws_endpoint`, `aws_region`,
/// `aws_allow_http`, `aws_access_key_id`, …), applied over the `AWS_*` environment.
pub fn open_with(
    url: &str,
    s3_options: &std::collections::BTreeMap<String, String>,
) -> anyhow::Result<Arc<dyn ObjectStore>> {
    if url.starts_with("memory://") {
        return Ok(Arc::new(InMemory::new()));
    }
    if let Some(rest) = url.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            anyhow::bail!("object store URL {url} names no bucket");
        }
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        for (key, value) in s3_options {
            let key: object_store::aws::AmazonS3ConfigKey = key.parse().map_err(|e| {
                anyhow::anyhow!("object_store_options: unknown S3 setting `{key}`: {e}")
            })?;
            builder = builder.with_config(key, value);
        }
        let store = builder
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

/// Runs the content check on the held start of the file, then opens the writer with it.
async fn open_writer(
    store: &Arc<dyn ObjectStore>,
    path: &object_store::path::Path,
    held: &[u8],
    check: Option<impl FnOnce(&[u8]) -> Result<(), String>>,
) -> Result<object_store::buffered::BufWriter, StreamError> {
    use tokio::io::AsyncWriteExt;
    if let Some(check) = check {
        check(&held[..held.len().min(SNIFF_BYTES)]).map_err(StreamError::Refused)?;
    }
    // 5 MiB parts (S3's smallest), one in flight while the next fills: an upload of any size
    // holds about 10 MiB, whatever the speed of the store.
    let mut writer = object_store::buffered::BufWriter::with_capacity(
        store.clone(),
        path.clone(),
        5 * 1024 * 1024,
    )
    .with_max_concurrency(2);
    writer
        .write_all(held)
        .await
        .map_err(|e| StreamError::Body(e.to_string()))?;
    Ok(writer)
}

/// Proves the store accepts writes, for readiness checks.
pub async fn probe(store: &dyn ObjectStore) -> anyhow::Result<()> {
    use object_store::ObjectStoreExt;
    let path = object_store::path::Path::from("_silkbridge/readyz");
    store.put(&path, "ok".into()).await?;
    Ok(())
}

/// A file written by `store_stream`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub size: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
}

/// Why a streamed write failed.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("{0}")]
    Refused(String),
    /// The content is not what its type promises (a malformed CSV file, say).
    #[error("{0}")]
    Invalid(String),
    #[error("the upload was interrupted: {0}")]
    Body(String),
    #[error("the object store failed: {0}")]
    Store(#[from] object_store::Error),
}

/// How many leading bytes `store_stream` shows its content check.
pub const SNIFF_BYTES: usize = 512;

/// Something that reads a whole upload as it streams past (a CSV validator, say), and may
/// refuse it: a refusal aborts the upload before the object exists.
pub trait Inspect {
    /// The next bytes of the upload.
    fn chunk(&mut self, bytes: &[u8]) -> Result<(), String>;
    /// The upload ended; the last chance to refuse it.
    fn end(&mut self) -> Result<(), String>;
}

/// No inspection.
impl Inspect for () {
    fn chunk(&mut self, _: &[u8]) -> Result<(), String> {
        Ok(())
    }
    fn end(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// Streams `body` into `path` without holding it in memory: the SHA-256 and size are
/// computed on the way, `check` sees the first bytes before anything is written (content
/// sniffing), and passing `max_bytes` aborts the upload. Nothing is left behind on failure.
pub async fn store_stream<S, E>(
    store: Arc<dyn ObjectStore>,
    path: &object_store::path::Path,
    body: S,
    max_bytes: u64,
    check: impl FnOnce(&[u8]) -> Result<(), String>,
) -> Result<StoredObject, StreamError>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    store_stream_inspected(store, path, body, max_bytes, check, &mut ()).await
}

/// `store_stream` with `inspect` reading every byte on the way (its refusal is
/// `StreamError::Invalid`).
pub async fn store_stream_inspected<S, E>(
    store: Arc<dyn ObjectStore>,
    path: &object_store::path::Path,
    mut body: S,
    max_bytes: u64,
    check: impl FnOnce(&[u8]) -> Result<(), String>,
    inspect: &mut dyn Inspect,
) -> Result<StoredObject, StreamError>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    use futures_util::StreamExt;
    use sha2::{Digest, Sha256};
    use tokio::io::AsyncWriteExt;

    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    // Bytes held back until the check has seen enough of the file's start.
    let mut held: Vec<u8> = Vec::new();
    let mut check = Some(check);
    let mut writer: Option<object_store::buffered::BufWriter> = None;
    let outcome: Result<(), StreamError> = async {
        loop {
            let Some(chunk) = body.next().await else {
                if writer.is_none() {
                    writer = Some(open_writer(&store, path, &held, check.take()).await?);
                }
                break;
            };
            let chunk = chunk.map_err(|e| StreamError::Body(e.to_string()))?;
            size += chunk.len() as u64;
            if size > max_bytes {
                return Err(StreamError::TooLarge { limit: max_bytes });
            }
            hasher.update(&chunk);
            inspect.chunk(&chunk).map_err(StreamError::Invalid)?;
            if let Some(open) = writer.as_mut() {
                open.write_all(&chunk)
                    .await
                    .map_err(|e| StreamError::Body(e.to_string()))?;
            } else {
                held.extend_from_slice(&chunk);
                if held.len() >= SNIFF_BYTES {
                    writer = Some(open_writer(&store, path, &held, check.take()).await?);
                    held = Vec::new();
                }
            }
        }
        inspect.end().map_err(StreamError::Invalid)?;
        if let Some(open) = writer.as_mut() {
            open.shutdown()
                .await
                .map_err(|e| StreamError::Body(e.to_string()))?;
        }
        Ok(())
    }
    .await;
    if let Err(error) = outcome {
        if let Some(mut open) = writer {
            let _ = open.abort().await;
        }
        return Err(error);
    }
    Ok(StoredObject {
        size,
        sha256: hex::encode(hasher.finalize()),
    })
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

    fn chunks(
        data: &[u8],
        size: usize,
    ) -> impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Unpin {
        let parts: Vec<Result<bytes::Bytes, std::io::Error>> = data
            .chunks(size)
            .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
            .collect();
        futures_util::stream::iter(parts)
    }

    #[tokio::test]
    async fn streams_hash_and_refuse_what_they_must() {
        let store = open("memory://").unwrap();
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let path = Path::from("a/b");
        let stored = store_stream(
            store.clone(),
            &path,
            chunks(&data, 4096),
            1_000_000,
            |head| {
                assert_eq!(head.len(), SNIFF_BYTES);
                Ok(())
            },
        )
        .await
        .unwrap();
        assert_eq!(stored.size, 100_000);
        use sha2::Digest;
        assert_eq!(stored.sha256, hex::encode(sha2::Sha256::digest(&data)));
        let back = store.get(&path).await.unwrap().bytes().await.unwrap();
        assert_eq!(&back[..], &data[..]);

        let too_big = store_stream(
            store.clone(),
            &Path::from("big"),
            chunks(&data, 4096),
            50_000,
            |_| Ok(()),
        )
        .await;
        assert!(matches!(
            too_big,
            Err(StreamError::TooLarge { limit: 50_000 })
        ));
        assert!(
            store.head(&Path::from("big")).await.is_err(),
            "nothing is left behind"
        );

        let refused = store_stream(
            store.clone(),
            &Path::from("no"),
            chunks(b"tiny", 2),
            100,
            |_| Err("not an image".into()),
        )
        .await;
        assert!(matches!(refused, Err(StreamError::Refused(m)) if m == "not an image"));
        assert!(store.head(&Path::from("no")).await.is_err());
    }

    #[test]
    fn unknown_schemes_are_refused_by_name() {
        let error = open("ftp://files.example.org/x")
            .err()
            .map(|e| e.to_string());
        assert!(error.is_some_and(|e| e.contains("unknown object store scheme `ftp`")));
    }
}
