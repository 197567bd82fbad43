//! The object store against a real S3-compatible server (PyPI `moto[server]`), as in the
//! scale setup. Without `moto_server` the test is skipped with a notice, unless
//! SILKBRIDGE_TEST_REQUIRE_S3 is set (as `.ci/run` does after installing it).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use object_store::ObjectStoreExt;
use object_store::path::Path;
use silkbridge::storage;

use crate::oidc_support::free_port;
use crate::support::TestApp;

struct S3Server {
    endpoint: String,
    child: Child,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_s3(bucket: &str) -> Option<S3Server> {
    let port = free_port();
    let child = match Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(_) => {
            assert!(
                std::env::var_os("SILKBRIDGE_TEST_REQUIRE_S3").is_none(),
                "SILKBRIDGE_TEST_REQUIRE_S3 is set but moto_server is missing (pip install 'moto[server]')"
            );
            eprintln!("skipped: no moto_server (pip install 'moto[server]')");
            return None;
        }
    };
    let server = S3Server {
        endpoint: format!("http://127.0.0.1:{port}"),
        child,
    };
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(&server.endpoint).send().await.is_ok() {
            let created = client
                .put(format!("{}/{bucket}", server.endpoint))
                .send()
                .await
                .unwrap();
            assert!(
                created.status().is_success(),
                "bucket: {}",
                created.status()
            );
            return Some(server);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto_server did not start");
}

#[actix_web::test]
async fn files_round_trip_through_an_s3_compatible_store_and_readiness_follows_it() {
    let Some(s3) = start_s3("silkbridge-test").await else {
        return;
    };
    let endpoint = s3.endpoint.clone();
    let app = TestApp::start_with(move |config, _| {
        config.object_store_url = Some("s3://silkbridge-test/platform".into());
        for (key, value) in [
            ("aws_endpoint", endpoint.as_str()),
            ("aws_allow_http", "true"),
            ("aws_region", "us-east-1"),
            ("aws_access_key_id", "test"),
            ("aws_secret_access_key", "test"),
        ] {
            config.object_store_options.insert(key.into(), value.into());
        }
    })
    .await;
    app.reindex().await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200, "{}", ready.body);

    // A streamed, hashed upload lands in the bucket under the prefix and comes back whole.
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    let parts: Vec<Result<bytes::Bytes, std::io::Error>> = data
        .chunks(64 * 1024)
        .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
        .collect();
    let path = Path::from("marketplace/test/file.bin");
    let stored = storage::store_stream(
        app.state.objects.clone(),
        &path,
        futures_util::stream::iter(parts),
        10_000_000,
        |_| Ok(()),
    )
    .await
    .unwrap();
    assert_eq!(stored.size, 3_000_000);
    let back = app
        .state
        .objects
        .get(&path)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(back[..] == data[..], "the bytes come back unchanged");
    let whole_bucket = storage::open_with(
        "s3://silkbridge-test",
        &app.state.config.object_store_options,
    )
    .unwrap();
    let raw = whole_bucket
        .head(&Path::from("platform/marketplace/test/file.bin"))
        .await
        .unwrap();
    assert_eq!(raw.size, 3_000_000, "stored under the configured prefix");

    // The store goes away: readiness says so.
    drop(s3);
    let down = app.get("/readyz").await;
    assert_eq!(down.status, 503, "{}", down.body);
    assert_eq!(down.json()["object_store"]["ok"], false);
}

#[test]
fn unknown_s3_settings_are_refused_by_name() {
    let options = [("aws_endpointt".to_owned(), "x".to_owned())]
        .into_iter()
        .collect();
    let error = storage::open_with("s3://bucket", &options)
        .err()
        .map(|e| e.to_string());
    assert!(error.is_some_and(|e| e.contains("unknown S3 setting `aws_endpointt`")));
}
