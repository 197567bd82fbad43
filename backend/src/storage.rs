//! The object store for files: a local folder by default, any S3-compatible store by URL.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;

use crate::error::ApiResult;

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

/// An upload's writer that aborts the upload if it is dropped before completing: a handler
/// that panics, or a client that disconnects, drops the upload future midway, and neither a
/// local staging file nor an S3 multipart upload may be left behind.
struct AbortOnDrop(Option<object_store::buffered::BufWriter>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        let Some(mut writer) = self.0.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(error) = writer.abort().await {
                        tracing::warn!(%error, "an interrupted upload could not be aborted");
                    }
                });
            }
            Err(_) => tracing::warn!("an interrupted upload was dropped outside a runtime"),
        }
    }
}

/// The folder of a local store's URL (as `open` reads it), or `None` for S3 and memory.
pub fn local_root(url: &str) -> Option<std::path::PathBuf> {
    if url.starts_with("memory://") || url.starts_with("s3://") {
        return None;
    }
    match url.strip_prefix("file://") {
        Some(path) => Some(path.into()),
        None if url.contains("://") => None,
        None => Some(url.into()),
    }
}

/// Proves the store answers, for readiness checks: a read of a marker object, written only
/// when it is missing (the first probe of a new store). A probe that wrote on every call
/// would let anyone who can reach `/readyz` make the platform write without end.
pub async fn probe(store: &dyn ObjectStore) -> anyhow::Result<()> {
    use object_store::ObjectStoreExt;
    let path = object_store::path::Path::from("_silkbridge/readyz");
    match store.head(&path).await {
        Ok(_) => Ok(()),
        Err(object_store::Error::NotFound { .. }) => {
            store.put(&path, "ok".into()).await?;
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
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
    let mut writer = AbortOnDrop(None);
    let outcome: Result<(), StreamError> = async {
        loop {
            let Some(chunk) = body.next().await else {
                if writer.0.is_none() {
                    writer.0 = Some(open_writer(&store, path, &held, check.take()).await?);
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
            if let Some(open) = writer.0.as_mut() {
                open.write_all(&chunk)
                    .await
                    .map_err(|e| StreamError::Body(e.to_string()))?;
            } else {
                held.extend_from_slice(&chunk);
                if held.len() >= SNIFF_BYTES {
                    writer.0 = Some(open_writer(&store, path, &held, check.take()).await?);
                    held = Vec::new();
                }
            }
        }
        inspect.end().map_err(StreamError::Invalid)?;
        if let Some(open) = writer.0.as_mut() {
            open.shutdown()
                .await
                .map_err(|e| StreamError::Body(e.to_string()))?;
        }
        Ok(())
    }
    .await;
    match outcome {
        // Completed: nothing to abort.
        Ok(()) => drop(writer.0.take()),
        Err(error) => {
            if let Some(mut open) = writer.0.take()
                && let Err(abort) = open.abort().await
            {
                tracing::warn!(%abort, %path, "an aborted upload could not be cleaned up");
            }
            return Err(error);
        }
    }
    Ok(StoredObject {
        size,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// A file received by `receive`: where it is, what it is, and what the client called it.
#[derive(Debug, Clone)]
pub struct Received {
    pub object_key: String,
    pub file_name: String,
    /// The checked media type.
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// Where an upload goes and how large it may be.
#[derive(Debug, Clone)]
pub struct Destination {
    pub object_key: String,
    pub max_bytes: u64,
}

/// The whole upload flow every module shares: stream the body into `object_key` (hashed,
/// capped at `max_bytes`, its first bytes checked by `check`, which returns the media type to
/// record), then `record` it in a write transaction. If recording fails the object is deleted
/// again: the database is the source of truth, and nothing it does not know of may linger in
/// the store.
pub async fn receive<T, F, S, E>(
    state: &crate::state::AppState,
    upload: Upload<S>,
    destination: Destination,
    check: impl FnOnce(&[u8], Option<&str>) -> Result<String, String>,
    record: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
    F: FnOnce(&mut silkbridge_schema::DbConnection, Received) -> ApiResult<T> + Send + 'static,
{
    receive_inspected(
        state,
        upload,
        destination,
        check,
        (),
        move |conn, received, ()| record(conn, received),
    )
    .await
}

/// An upload's body and what its sender said of it.
pub struct Upload<S> {
    /// Already checked by `checked_file_name`.
    pub file_name: String,
    /// The declared media type, if any.
    pub declared: Option<String>,
    pub body: S,
}

/// `receive` for any body stream, with `inspector` reading every byte on the way (and
/// refusing malformed content before the object exists); `record` gets the inspector back
/// with what it learnt.
pub async fn receive_inspected<T, F, I, S, E>(
    state: &crate::state::AppState,
    upload: Upload<S>,
    destination: Destination,
    check: impl FnOnce(&[u8], Option<&str>) -> Result<String, String>,
    mut inspector: I,
    record: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    I: Inspect + Send + 'static,
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
    F: FnOnce(&mut silkbridge_schema::DbConnection, Received, I) -> ApiResult<T> + Send + 'static,
{
    use object_store::ObjectStoreExt;

    let Upload {
        file_name,
        declared,
        body: payload,
    } = upload;
    let Destination {
        object_key,
        max_bytes,
    } = destination;
    let path = object_store::path::Path::from(object_key.as_str());
    let mut content_type = String::new();
    let stored = store_stream_inspected(
        state.objects.clone(),
        &path,
        payload,
        max_bytes,
        |head| {
            content_type = check(head, declared.as_deref())?;
            Ok(())
        },
        &mut inspector,
    )
    .await?;
    let received = Received {
        object_key,
        file_name,
        content_type,
        size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
        sha256: stored.sha256,
    };
    let recorded = state
        .write(move |conn| record(conn, received, inspector))
        .await;
    if recorded.is_err()
        && let Err(error) = state.objects.delete(&path).await
    {
        tracing::warn!(object = %path, %error, "a refused upload's object stayed; the sweep will collect it");
    }
    recorded
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

    /// Every file under `root`, staging files included.
    fn files_under(root: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        let mut folders = vec![root.to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    found.push(path);
                }
            }
        }
        found
    }

    #[tokio::test]
    async fn an_upload_dropped_midway_leaves_no_staging_file() {
        use futures_util::FutureExt;
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir.path().display().to_string()).unwrap();
        // 12 MiB in 1 MiB chunks, so the multipart upload (5 MiB parts) has begun, then the
        // inspector panics as a buggy parser would.
        struct PanicsLate(usize);
        impl Inspect for PanicsLate {
            fn chunk(&mut self, _: &[u8]) -> Result<(), String> {
                self.0 += 1;
                assert!(self.0 < 12, "inspector bug");
                Ok(())
            }
            fn end(&mut self) -> Result<(), String> {
                Ok(())
            }
        }
        let data = vec![7u8; 12 * 1024 * 1024];
        let path = Path::from("a/panics");
        let mut inspector = PanicsLate(0);
        let upload = store_stream_inspected(
            store.clone(),
            &path,
            chunks(&data, 1024 * 1024),
            u64::MAX,
            |_| Ok(()),
            &mut inspector,
        );
        let outcome = std::panic::AssertUnwindSafe(upload).catch_unwind().await;
        assert!(outcome.is_err(), "the inspector panicked");
        for _ in 0..100 {
            if files_under(dir.path()).is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(files_under(dir.path()), Vec::<std::path::PathBuf>::new());
    }

    #[test]
    fn unknown_schemes_are_refused_by_name() {
        let error = open("ftp://files.example.org/x")
            .err()
            .map(|e| e.to_string());
        assert!(error.is_some_and(|e| e.contains("unknown object store scheme `ftp`")));
    }
}
