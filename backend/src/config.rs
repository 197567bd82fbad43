//! Configuration: defaults, then a TOML file, then `SILKBRIDGE_…` environment variables, then
//! command-line flags, each overriding the one before. Every key is documented in
//! `docs/configuration.md`; the defaults put all state under `./data`.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Environment variables with the prefix that are not configuration keys: the file's name,
/// the log filter, and everything under `SILKBRIDGE_TEST_`, which belongs to the test suite.
fn is_config_variable(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    // SILKBRIDGE_TOKEN is the access token of the API-client commands (`documents
    // sign-step`), not the server's configuration.
    key != "config" && key != "log" && key != "token" && !key.starts_with("test_")
}

/// The whole configuration, passed into the app (never read from a global).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub bind: String,
    /// Folder for everything the embedded setup keeps: SQLite file, index, objects.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://…`; default `sqlite://{data_dir}/silkbridge.db`.
    pub database_url: Option<String>,
    /// `file:///PATH`, a plain path, `s3://bucket/prefix` or `memory://`;
    /// default `{data_dir}/objects`.
    pub object_store_url: Option<String>,
    /// Extra settings of the S3 store, by object_store's key names (`aws_endpoint`,
    /// `aws_region`, `aws_allow_http`, …); credentials are better left to `AWS_*` variables.
    pub object_store_options: std::collections::BTreeMap<String, String>,
    /// Tantivy index folder; default `{data_dir}/index`.
    pub index_dir: Option<PathBuf>,
    /// The URL clients reach this server at, for links in responses.
    pub public_url: String,
    /// Reverse proxies and load balancers (addresses or networks, `10.0.0.0/8`) whose
    /// `X-Forwarded-For` names the client; empty: the TCP peer is the client.
    pub trusted_proxies: Vec<String>,
    /// A separate origin for downloads of uploaded files (`https://files.example.org`,
    /// pointing at the same servers); unset: files are served on `public_url`, as sandboxed
    /// attachments.
    pub files_public_url: Option<String>,
    /// `text` or `json` log lines.
    pub log_format: LogFormat,
    /// Seed demo data when the database is empty at start.
    pub demo: bool,
    /// Offer sign-in as the demo people without a provider. Set only by the `serve --demo`
    /// flag itself: never read from a file or the environment, so no configuration can turn
    /// it on in production.
    #[serde(skip)]
    pub demo_sign_in: bool,
    pub limits: Limits,
    pub database: DatabaseConfig,
    pub search: SearchConfig,
    pub identity: crate::identity::config::IdentityConfig,
    pub marketplace: MarketplaceConfig,
    pub research: ResearchConfig,
    pub datasets: DatasetsConfig,
    pub documents: DocumentsConfig,
    pub imei: ImeiConfig,
    pub biometrics: BiometricsConfig,
    pub hub: HubConfig,
}

/// `[hub]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HubConfig {
    /// Largest file a startup attaches to an application (a pitch deck, financials), in bytes.
    pub file_max_bytes: u64,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            file_max_bytes: 50 * 1024 * 1024,
        }
    }
}

/// `[research]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ResearchConfig {
    /// Largest file attached to a publication, in bytes.
    pub file_max_bytes: u64,
    /// The OAI-PMH `repositoryName`.
    pub oai_repository_name: String,
    /// The namespace of OAI identifiers (`oai:{this}:{id}`): a domain name the operator controls.
    pub oai_repository_identifier: String,
    /// The OAI-PMH `adminEmail`.
    pub oai_admin_email: String,
    /// Records per OAI-PMH list response before a resumption token.
    pub oai_page_size: u32,
}

impl Default for ResearchConfig {
    fn default() -> Self {
        Self {
            file_max_bytes: 2 * 1024 * 1024 * 1024,
            oai_repository_name: "silkbridge research repository".into(),
            oai_repository_identifier: "silkbridge.local".into(),
            oai_admin_email: "repository@silkbridge.local".into(),
            oai_page_size: 100,
        }
    }
}

/// `[datasets]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatasetsConfig {
    /// Largest uploaded resource file, in bytes.
    pub resource_max_bytes: u64,
    /// Datasets per page of the DCAT-AP catalogue.
    pub catalog_page_size: u32,
    /// The catalogue's title (`dct:title` of the `dcat:Catalog`, CKAN's `site_title`).
    pub catalog_title: String,
}

impl Default for DatasetsConfig {
    fn default() -> Self {
        Self {
            resource_max_bytes: 1024 * 1024 * 1024,
            catalog_page_size: 100,
            catalog_title: "silkbridge open data".into(),
        }
    }
}

/// `[documents]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DocumentsConfig {
    /// The key that seals organisations' signing keys and webhook secrets (32 bytes,
    /// base64), e.g. from `SILKBRIDGE_DOCUMENTS__KEY`; when set, `key_file` is not read.
    pub key: Option<crate::identity::config::Secret>,
    /// File holding that key; created (owner-only) when missing.
    /// Default `{data_dir}/keys/document-signing.key`.
    pub key_file: Option<PathBuf>,
    /// Earlier sealing keys, still accepted for opening.
    pub previous_key_files: Vec<PathBuf>,
    /// Largest file of a document, in bytes.
    pub file_max_bytes: u64,
    /// Files one document may carry.
    pub max_files: u32,
    /// Webhook URLs must be https (turn off only for tests and closed networks).
    pub webhook_https_only: bool,
    /// Webhooks may reach loopback, private, link-local and other non-public addresses (turn
    /// on only for tests and closed networks: otherwise a webhook could probe the platform's
    /// own network).
    pub webhook_private_addresses: bool,
    /// First retry delay of a failed webhook delivery; doubles per attempt.
    pub webhook_retry_base_ms: u64,
    /// Longest delay between retries.
    pub webhook_retry_max_secs: u64,
    /// How long one delivery may take.
    pub webhook_timeout_secs: u64,
    /// How often the dispatcher looks for due events.
    pub webhook_poll_ms: u64,
    /// Attempts after which an event is given up (dead-lettered, redeliverable).
    pub webhook_max_attempts: u32,
    /// Age after which an undelivered event is given up.
    pub webhook_max_age_hours: u64,
    /// Organisations whose webhooks a node delivers to at once (one delivery in flight per
    /// organisation, so each receives its events in order).
    pub webhook_concurrency: usize,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        Self {
            key: None,
            key_file: None,
            previous_key_files: Vec::new(),
            file_max_bytes: 4 * 1024 * 1024 * 1024,
            max_files: 100,
            webhook_https_only: true,
            webhook_private_addresses: false,
            webhook_retry_base_ms: 1_000,
            webhook_retry_max_secs: 3_600,
            webhook_timeout_secs: 10,
            webhook_poll_ms: 500,
            webhook_max_attempts: 25,
            webhook_max_age_hours: 72,
            webhook_concurrency: 16,
        }
    }
}

/// `[biometrics]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BiometricsConfig {
    /// The current template key itself (32 bytes, base64), e.g. from the environment
    /// (`SILKBRIDGE_BIOMETRICS__KEY`); when set, `key_file` is not read.
    pub key: Option<crate::identity::config::Secret>,
    /// File holding the current template key (32 random bytes, base64). Created, readable by
    /// the owner only, when missing (the embedded default); name your own in production.
    pub key_file: Option<PathBuf>,
    /// Files of earlier keys, still accepted for decryption until `silkbridge biometrics
    /// re-encrypt` has moved every template to the current key.
    pub previous_key_files: Vec<PathBuf>,
    /// Dimension of float feature vectors (cosine similarity).
    pub float_dimension: u32,
    /// Length in bits of binary codes (normalised Hamming distance).
    pub binary_bits: u32,
    /// Templates and probes below this quality (0–100) are refused.
    pub quality_floor: u32,
    /// Decision thresholds for partners that have none of their own.
    pub default_float_threshold: f64,
    pub default_binary_threshold: f64,
}

impl Default for BiometricsConfig {
    fn default() -> Self {
        Self {
            key: None,
            key_file: None,
            previous_key_files: Vec::new(),
            float_dimension: 512,
            binary_bits: 2048,
            quality_floor: 40,
            default_float_threshold: 0.80,
            default_binary_threshold: 0.70,
        }
    }
}

/// `[imei]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImeiConfig {
    /// An IMEI seen with more distinct IMSIs than this within `duplicate_window_days` is
    /// flagged as a likely clone.
    pub duplicate_imsi_threshold: u32,
    pub duplicate_window_days: u32,
    /// Days a grey-listed device keeps working before it turns black.
    pub grey_grace_days: u32,
    /// How often the status cache picks up changes made by other server instances.
    pub cache_poll_ms: u64,
    /// Read-audit entries waiting to be written before checks are refused with 503 (the
    /// registry never answers a read it cannot audit).
    pub read_audit_queue: usize,
    /// IMEIs one bulk check may carry.
    pub bulk_max_imeis: usize,
    /// Citizen checks one client address may make per minute (against enumeration).
    pub public_checks_per_minute: u32,
    /// The status of an unlisted IMEI whose type allocation code is not in the TAC database
    /// (DIRBS's "not in TAC database" condition): `grey` by default, `white` to ignore it.
    pub unknown_tac_status: crate::imei::domain::ListStatus,
    /// The key that seals owners' contact details on lost and stolen cases (32 bytes,
    /// base64), e.g. from `SILKBRIDGE_IMEI__CONTACT_KEY`; when set, `contact_key_file` is not
    /// read.
    pub contact_key: Option<crate::identity::config::Secret>,
    /// File holding that key; created (owner-only) when missing.
    /// Default `{data_dir}/keys/imei-contacts.key`.
    pub contact_key_file: Option<PathBuf>,
    /// Earlier contact keys, still accepted for opening.
    pub previous_contact_key_files: Vec<PathBuf>,
    /// A device on an open case seen abroad again by the same operator within this many
    /// hours adds no new sighting to the case (the first one told the reporting agency).
    pub case_sighting_quiet_hours: u32,
    /// Days an ended case keeps the owner's contact (for the reporting organisation and the
    /// embassy to settle what is left); 0 erases it the moment the case ends.
    pub case_contact_retention_days: u32,
}

impl Default for ImeiConfig {
    fn default() -> Self {
        Self {
            duplicate_imsi_threshold: 3,
            duplicate_window_days: 30,
            grey_grace_days: 30,
            cache_poll_ms: 200,
            read_audit_queue: 200_000,
            bulk_max_imeis: 5_000_000,
            public_checks_per_minute: 30,
            unknown_tac_status: crate::imei::domain::ListStatus::Grey,
            contact_key: None,
            contact_key_file: None,
            previous_contact_key_files: Vec::new(),
            case_sighting_quiet_hours: 24,
            case_contact_retention_days: 0,
        }
    }
}

/// `[marketplace]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarketplaceConfig {
    /// Enquiries one person may send per hour (against spam).
    pub enquiries_per_hour: u32,
    /// Largest image or document attached to a listing, in bytes.
    pub media_max_bytes: u64,
}

impl Default for MarketplaceConfig {
    fn default() -> Self {
        Self {
            enquiries_per_hour: 10,
            media_max_bytes: 10 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Request limits that protect the server from oversized input.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest JSON or GraphQL request body, in bytes.
    pub json_body_bytes: usize,
    /// Seconds a client may take to send its request head.
    pub client_request_timeout_secs: u64,
    /// Seconds a streamed upload (IMEI sightings, bulk checks) may send nothing before it is
    /// given up with 408.
    pub body_idle_timeout_secs: u64,
    /// Seconds in-flight requests get to finish on shutdown.
    pub shutdown_timeout_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Pool size.
    pub max_connections: u32,
    /// Seconds to wait for a pooled connection before answering 503.
    pub connect_timeout_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// Memory the index writer may buffer, in MiB (shared by its threads).
    pub writer_memory_mib: usize,
    /// Indexing threads; default 2 (at most the number of cores).
    pub writer_threads: usize,
    /// How often the indexer polls the change log when nothing wakes it, in milliseconds.
    pub poll_interval_ms: u64,
    /// `/readyz` answers 503 while the oldest change-log entry this node's index has not
    /// applied is older than this, in seconds (its search would miss what others see).
    pub ready_max_lag_secs: u64,
    /// Change-log entries every live node has applied are deleted once older than this, in
    /// hours; 0 keeps them forever.
    pub change_log_retention_hours: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            object_store_url: None,
            object_store_options: std::collections::BTreeMap::new(),
            index_dir: None,
            public_url: "http://127.0.0.1:8080".into(),
            trusted_proxies: Vec::new(),
            files_public_url: None,
            log_format: LogFormat::Text,
            demo: false,
            demo_sign_in: false,
            limits: Limits::default(),
            database: DatabaseConfig::default(),
            search: SearchConfig::default(),
            identity: crate::identity::config::IdentityConfig::default(),
            marketplace: MarketplaceConfig::default(),
            research: ResearchConfig::default(),
            datasets: DatasetsConfig::default(),
            documents: DocumentsConfig::default(),
            imei: ImeiConfig::default(),
            biometrics: BiometricsConfig::default(),
            hub: HubConfig::default(),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            json_body_bytes: 1024 * 1024,
            client_request_timeout_secs: 10,
            body_idle_timeout_secs: 30,
            shutdown_timeout_secs: 30,
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            max_connections: 8,
            connect_timeout_secs: 5,
        }
    }
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            writer_memory_mib: 64,
            writer_threads: 2,
            poll_interval_ms: 500,
            ready_max_lag_secs: 30,
            change_log_retention_hours: 168,
        }
    }
}

/// Values given on the command line; `None` leaves the lower layers' value.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
}

impl Config {
    /// Loads the layers. `file` is the `--config` flag, else `SILKBRIDGE_CONFIG`, else
    /// `silkbridge.toml` in the working folder if it exists.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        let env_file = std::env::var_os("SILKBRIDGE_CONFIG").map(PathBuf::from);
        match file.map(Path::to_path_buf).or(env_file) {
            Some(path) => {
                if !path.is_file() {
                    anyhow::bail!("configuration file {} not found", path.display());
                }
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file("silkbridge.toml")),
        }
        figment = figment
            .merge(
                Env::prefixed("SILKBRIDGE_")
                    .filter(|key| is_config_variable(key.as_str()))
                    .split("__"),
            )
            .merge(Serialized::defaults(overrides));
        let config: Config = figment
            .extract()
            .map_err(|e| anyhow::anyhow!("bad configuration: {e}"))?;
        Ok(config)
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| {
                format!("sqlite://{}", self.data_dir.join("silkbridge.db").display())
            })
    }

    pub fn object_store_url(&self) -> String {
        self.object_store_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| self.data_dir.join("objects").display().to_string())
    }

    pub fn index_dir(&self) -> PathBuf {
        self.index_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("index"))
    }

    /// Where the access-token signing key lives.
    pub fn biometric_key_file(&self) -> PathBuf {
        self.biometrics
            .key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys").join("biometric-templates.key"))
    }

    /// Where the key sealing organisations' document-signing keys lives.
    pub fn document_key_file(&self) -> PathBuf {
        self.documents
            .key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys").join("document-signing.key"))
    }

    pub fn imei_contact_key_file(&self) -> PathBuf {
        self.imei
            .contact_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys").join("imei-contacts.key"))
    }

    pub fn signing_key_file(&self) -> PathBuf {
        self.identity
            .signing_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys").join("token-signing-ed25519.pem"))
    }

    /// Whether cookies carry `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.identity
            .secure_cookies
            .unwrap_or_else(|| self.public_url.starts_with("https://"))
    }

    /// A configuration for tests: everything under `dir`, on the given database.
    pub fn for_tests(dir: &Path, database_url: &str) -> Self {
        Self {
            data_dir: dir.to_owned(),
            database_url: Some(database_url.to_owned()),
            object_store_url: Some(dir.join("objects").display().to_string()),
            index_dir: Some(dir.join("index")),
            ..Self::default()
        }
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail returns its own large error type
mod tests {
    use super::*;

    #[test]
    fn defaults_put_state_under_data() {
        let config = Config::default();
        assert_eq!(config.database_url(), "sqlite://data/silkbridge.db");
        assert_eq!(config.index_dir(), PathBuf::from("data/index"));
        assert_eq!(config.object_store_url(), "data/objects");
    }

    #[test]
    fn file_env_and_flags_layer_in_order() -> anyhow::Result<()> {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "custom.toml",
                "bind = \"0.0.0.0:1\"\ndata_dir = \"/srv/x\"\n[limits]\njson_body_bytes = 10\n",
            )?;
            jail.set_env("SILKBRIDGE_BIND", "127.0.0.1:2");
            jail.set_env("SILKBRIDGE_LIMITS__SHUTDOWN_TIMEOUT_SECS", "3");
            jail.set_env("SILKBRIDGE_TEST_ANYTHING", "ignored");
            let overrides = Overrides {
                data_dir: Some("/flag".into()),
                ..Overrides::default()
            };
            let config = Config::load(Some(Path::new("custom.toml")), &overrides)
                .map_err(|e| e.to_string())?;
            assert_eq!(config.bind, "127.0.0.1:2");
            assert_eq!(config.data_dir, PathBuf::from("/flag"));
            assert_eq!(config.limits.json_body_bytes, 10);
            assert_eq!(config.limits.shutdown_timeout_secs, 3);
            Ok(())
        });
        Ok(())
    }

    #[test]
    fn unknown_keys_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("typo.toml", "bnid = \"x\"\n")?;
            let err = Config::load(Some(Path::new("typo.toml")), &Overrides::default());
            assert!(err.is_err_and(|e| e.to_string().contains("bnid")));
            jail.set_env("SILKBRIDGE_DATBASE_URL", "sqlite://x.db");
            let err = Config::load(None, &Overrides::default());
            assert!(err.is_err_and(|e| e.to_string().contains("datbase_url")));
            Ok(())
        });
    }
}
