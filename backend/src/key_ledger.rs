//! Keys are never silently replaced. The database records each platform key's fingerprint
//! (`platform_keys`) the first time a process starts with it; from then on a process whose key
//! file is missing refuses to start rather than create a new one, and one whose key file (or
//! configured key) holds another key refuses too — naming the key, its file and what depends
//! on it. Without this, a lost `data/keys` folder on a restore, or a mis-mounted secrets
//! volume, would start a node with fresh keys: every biometric template and sealed signing key
//! unreadable, every session ended, and a second node sealing under a key the first does not
//! have. A key moves on only by rotation: the recorded key listed among the previous keys.

use std::path::Path;

use diesel::prelude::*;
use silkbridge_schema::tables::platform_keys;
use silkbridge_schema::{Database, DbConnection};

use crate::config::Config;
use crate::sealing::SealingKeys;

/// The platform's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformKey {
    TokenSigning,
    DocumentSealing,
    BiometricTemplates,
    ImeiContacts,
}

impl PlatformKey {
    pub const ALL: [PlatformKey; 4] = [
        Self::TokenSigning,
        Self::DocumentSealing,
        Self::BiometricTemplates,
        Self::ImeiContacts,
    ];

    /// Its name in the ledger and in `silkbridge keys status`.
    pub fn name(self) -> &'static str {
        match self {
            Self::TokenSigning => "token-signing",
            Self::DocumentSealing => "document-sealing",
            Self::BiometricTemplates => "biometric-templates",
            Self::ImeiContacts => "imei-contacts",
        }
    }

    /// What depends on it: what a new key would make unreadable or invalid.
    pub fn protects(self) -> &'static str {
        match self {
            Self::TokenSigning => {
                "every access token and session, the portal's form tokens and signed file links"
            }
            Self::DocumentSealing => {
                "organisations' platform-held document signing keys and webhook secrets"
            }
            Self::BiometricTemplates => "every enrolled biometric template",
            Self::ImeiContacts => "the sealed owner contacts of IMEI cases",
        }
    }

    /// Its file, and the key itself when the configuration gives it instead (base64).
    pub fn source(self, config: &Config) -> (std::path::PathBuf, Option<&str>) {
        fn given(secret: &Option<crate::identity::config::Secret>) -> Option<&str> {
            secret.as_ref().map(|s| s.0.as_str())
        }
        match self {
            Self::TokenSigning => (config.signing_key_file(), None),
            Self::DocumentSealing => (config.document_key_file(), given(&config.documents.key)),
            Self::BiometricTemplates => {
                (config.biometric_key_file(), given(&config.biometrics.key))
            }
            Self::ImeiContacts => (
                config.imei_contact_key_file(),
                given(&config.imei.contact_key),
            ),
        }
    }
}

/// What the ledger holds for a key.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Recorded {
    pub fingerprint: String,
    pub recorded_at: chrono::NaiveDateTime,
}

/// The recorded fingerprint of `key`, if any.
fn recorded(conn: &mut DbConnection, key: PlatformKey) -> anyhow::Result<Option<Recorded>> {
    Ok(platform_keys::table
        .filter(platform_keys::name.eq(key.name()))
        .select((platform_keys::fingerprint, platform_keys::recorded_at))
        .first::<Recorded>(conn)
        .optional()?)
}

/// Refuses a missing key file once the data depends on the key it held: called before
/// anything may create the file.
pub fn guard(db: &Database, key: PlatformKey, file: &Path, configured: bool) -> anyhow::Result<()> {
    if configured || file.exists() {
        return Ok(());
    }
    // The record first, then the file again: a record is written only after its key file
    // exists, so a node racing another that is creating the key (file, then record) sees
    // either no record yet, or the file — never a missing key that is not missing.
    let known = recorded(&mut *db.connection()?, key)?;
    if file.exists() {
        return Ok(());
    }
    if let Some(known) = known {
        anyhow::bail!(
            "the {name} key is missing: {path} does not exist, but the database holds data under key {fp} (recorded {at} UTC): {protects}. \
             silkbridge does not create a new key while data depends on the recorded one: restore the file from your backup (docs/operations.md, \"Keys\"); `silkbridge keys status` lists every key",
            name = key.name(),
            path = file.display(),
            fp = known.fingerprint,
            at = known.recorded_at.format("%Y-%m-%d %H:%M"),
            protects = key.protects(),
        );
    }
    Ok(())
}

/// Records the key a process started with, or checks it against the record: the same key, or
/// a rotation (the recorded key among `previous`, which moves the record on). Anything else is
/// refused. Two processes racing on an empty ledger: the first record wins, the other is
/// checked against it.
pub fn confirm(
    db: &Database,
    key: PlatformKey,
    file: &Path,
    current: &str,
    previous: &[&str],
) -> anyhow::Result<()> {
    let mut conn = db.connection()?;
    let now = silkbridge_schema::ids::now();
    if recorded(&mut conn, key)?.is_none() {
        let inserted = diesel::insert_into(platform_keys::table)
            .values((
                platform_keys::name.eq(key.name()),
                platform_keys::fingerprint.eq(current),
                platform_keys::recorded_at.eq(now),
                platform_keys::updated_at.eq(now),
            ))
            .execute(&mut conn);
        match inserted {
            // Another process recorded its key first: checked against it below.
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {}
            other => {
                other?;
            }
        }
    }
    let known = recorded(&mut conn, key)?
        .ok_or_else(|| anyhow::anyhow!("the {} key's record vanished", key.name()))?;
    if known.fingerprint == current {
        return Ok(());
    }
    if previous.contains(&known.fingerprint.as_str()) {
        diesel::update(platform_keys::table.filter(platform_keys::name.eq(key.name())))
            .set((
                platform_keys::fingerprint.eq(current),
                platform_keys::updated_at.eq(now),
            ))
            .execute(&mut conn)?;
        tracing::info!(key = key.name(), from = %known.fingerprint, to = current, "the key was rotated");
        return Ok(());
    }
    anyhow::bail!(
        "the {name} key ({path}) is another key than the data's: it has fingerprint {current}, but the database holds data under {fp} (recorded {at} UTC): {protects}. \
         Restore the right key (every node shares the same keys), or, to move to a new key, keep the old one among the previous keys",
        name = key.name(),
        path = file.display(),
        fp = known.fingerprint,
        at = known.recorded_at.format("%Y-%m-%d %H:%M"),
        protects = key.protects(),
    )
}

/// Loads `key` with `load` under the ledger: refused before loading if its file is gone
/// while data depends on it (so `load` cannot create a new one), and after loading if it is
/// another key than the data's. `ids` gives the loaded key's fingerprint and its previous
/// keys' (rotation).
pub fn checked<T>(
    db: &Database,
    config: &Config,
    key: PlatformKey,
    load: impl FnOnce() -> anyhow::Result<T>,
    ids: impl FnOnce(&T) -> (String, Vec<String>),
) -> anyhow::Result<T> {
    let (file, given) = key.source(config);
    guard(db, key, &file, given.is_some())?;
    let loaded = load()?;
    let (current, previous) = ids(&loaded);
    let previous: Vec<&str> = previous.iter().map(String::as_str).collect();
    confirm(db, key, &file, &current, &previous)?;
    Ok(loaded)
}

/// The fingerprints `checked` wants of sealing keys: the current key's and the previous ones'.
pub fn sealing_ids(keys: &SealingKeys) -> (String, Vec<String>) {
    (keys.current_id().to_owned(), keys.previous_ids())
}

/// One key as `silkbridge keys status` shows it.
#[derive(Debug, Clone)]
pub struct KeyStatus {
    pub key: PlatformKey,
    /// The file, or `None` when the configuration gives the key itself.
    pub file: Option<std::path::PathBuf>,
    /// The fingerprint of what the file (or configuration) holds; `None`: missing.
    pub present: Option<String>,
    pub recorded: Option<Recorded>,
}

impl KeyStatus {
    /// Present and the data's key (or not recorded yet).
    pub fn healthy(&self) -> bool {
        match (&self.present, &self.recorded) {
            (Some(present), Some(recorded)) => *present == recorded.fingerprint,
            (Some(_), None) => true,
            (None, recorded) => recorded.is_none(),
        }
    }
}

/// Every key's state, without creating anything.
pub fn status(db: &Database, config: &Config) -> anyhow::Result<Vec<KeyStatus>> {
    let mut conn = db.connection()?;
    PlatformKey::ALL
        .into_iter()
        .map(|key| {
            let (file, given) = key.source(config);
            let present = match (key, given) {
                (PlatformKey::TokenSigning, _) => {
                    crate::identity::tokens::TokenKeys::fingerprint_of_file(&file)
                }
                (_, Some(text)) => crate::sealing::fingerprint_of_text(text),
                (_, None) => crate::sealing::fingerprint_of_file(&file),
            };
            Ok(KeyStatus {
                key,
                file: given.is_none().then_some(file),
                present,
                recorded: recorded(&mut conn, key)?,
            })
        })
        .collect()
}

/// The status as lines for people: one block per key.
pub fn render(keys: &[KeyStatus]) -> String {
    let mut out = String::new();
    for status in keys {
        let file = status
            .file
            .as_ref()
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| "(given by the configuration)".into());
        let present = status.present.as_deref().unwrap_or("MISSING");
        let recorded = status
            .recorded
            .as_ref()
            .map(|r| {
                format!(
                    "{} (since {} UTC)",
                    r.fingerprint,
                    r.recorded_at.format("%Y-%m-%d %H:%M")
                )
            })
            .unwrap_or_else(|| "none yet".into());
        let verdict = if status.healthy() { "ok" } else { "PROBLEM" };
        out.push_str(&format!(
            "{name}: {verdict}\n  file: {file}\n  present: {present}\n  the data's key: {recorded}\n  protects: {protects}\n",
            name = status.key.name(),
            protects = status.key.protects(),
        ));
    }
    out
}
