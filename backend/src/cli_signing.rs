//! The signing side of organisation-held keys, for agencies that do not write code:
//! `silkbridge documents register-key` and `silkbridge documents sign-step` sign on the
//! agency's machine with its own key file and talk to a silkbridge server over its REST API;
//! `silkbridge keys export` writes the platform-signed key list and `silkbridge
//! verify-receipt` checks a receipt offline against it.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::DecodePrivateKey;

use crate::config::Config;
use crate::documents::key_list::{self, SignedKeyList};
use crate::documents::keys::PublicKeyView;
use crate::documents::organisation_keys::{STATEMENT_PURPOSE, thumbprint};
use crate::documents::receipts::{self, Trusted};

/// Where the server is and which key signs.
#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    /// The organisation's Ed25519 private key: a PKCS#8 PEM file (as `openssl genpkey
    /// -algorithm ed25519` or Python's `cryptography` write it).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The silkbridge server.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
    pub api: String,
}

#[derive(Debug, clap::Args)]
pub struct SignStepArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The document.
    #[arg(long)]
    pub document: String,
    /// send, recall, deliver, accept, reject or sign.
    #[arg(long)]
    pub step: String,
    /// The recipient organisation (slug) acting, when the token acts for several.
    #[arg(long)]
    pub organisation: Option<String>,
    /// Why, to reject.
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct RegisterKeyArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The organisation (slug) the key signs for.
    #[arg(long)]
    pub organisation: String,
}

fn read_key(path: &Path) -> anyhow::Result<SigningKey> {
    let pem = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the key {}: {e}", path.display()))?;
    SigningKey::from_pkcs8_pem(&pem).map_err(|e| {
        anyhow::anyhow!(
            "{} is not an Ed25519 private key in PKCS#8 PEM: {e}",
            path.display()
        )
    })
}

fn token() -> anyhow::Result<String> {
    std::env::var("SILKBRIDGE_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            anyhow::anyhow!("set SILKBRIDGE_TOKEN to an access token of the organisation")
        })
}

/// A compact JWS (`header.payload.signature`) by `key`, EdDSA, with `kid`.
fn jws(key: &SigningKey, kid: &str, payload_b64: &str) -> (String, String) {
    use ed25519_dalek::Signer;
    let header =
        URL_SAFE_NO_PAD.encode(serde_json::json!({"alg": "EdDSA", "kid": kid}).to_string());
    let signature = key.sign(format!("{header}.{payload_b64}").as_bytes());
    (header, URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// One JSON call; a problem answer becomes its detail and field errors.
async fn call(request: reqwest::RequestBuilder) -> anyhow::Result<serde_json::Value> {
    let response = request
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("the server cannot be reached: {e}"))?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if status.is_success() {
        return Ok(body);
    }
    let mut message = format!(
        "{status}: {}",
        body["detail"].as_str().unwrap_or("the server refused")
    );
    for error in body["errors"].as_array().into_iter().flatten() {
        message.push_str(&format!(
            "\n  {} ({}): {}",
            error["field"].as_str().unwrap_or_default(),
            error["code"].as_str().unwrap_or_default(),
            error["message"].as_str().unwrap_or_default()
        ));
    }
    Err(anyhow::anyhow!(message))
}

fn block_on<T>(work: impl std::future::Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    actix_web::rt::System::new().block_on(work)
}

pub fn register_key(args: &RegisterKeyArgs) -> anyhow::Result<()> {
    let key = read_key(&args.server.key)?;
    let token = token()?;
    let api = args.server.api.trim_end_matches('/');
    let x = URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes());
    let kid = thumbprint(&x);
    block_on(async {
        let client = reqwest::Client::new();
        let organisation =
            call(client.get(format!("{api}/api/v1/organisations/{}", args.organisation))).await?;
        let id = organisation["id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("the server named no organisation id"))?;
        let statement = serde_json::json!({
            "purpose": STATEMENT_PURPOSE,
            "organisation": id,
            "key": {"kty": "OKP", "crv": "Ed25519", "x": x},
            "issuedAt": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        });
        let payload = URL_SAFE_NO_PAD.encode(statement.to_string());
        let (header, signature) = jws(&key, &kid, &payload);
        let registered = call(
            client
                .post(format!(
                    "{api}/api/v1/organisations/{}/signing-keys",
                    args.organisation
                ))
                .bearer_auth(&token)
                .json(&serde_json::json!({"statement": format!("{header}.{payload}.{signature}")})),
        )
        .await?;
        println!(
            "key {} registered for {}: its steps are now signed with {}",
            registered["kid"].as_str().unwrap_or(&kid),
            args.organisation,
            args.server.key.display()
        );
        Ok(())
    })
}

pub fn sign_step(args: &SignStepArgs) -> anyhow::Result<()> {
    let key = read_key(&args.server.key)?;
    let token = token()?;
    let api = args.server.api.trim_end_matches('/');
    let kid = thumbprint(&URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes()));
    let url = format!("{api}/api/v1/documents/{}/steps", args.document);
    let step = serde_json::json!({
        "step": args.step, "organisation": args.organisation, "reason": args.reason,
    });
    block_on(async {
        let client = reqwest::Client::new();
        let prepared = call(
            client
                .post(format!("{url}/prepare"))
                .bearer_auth(&token)
                .json(&step),
        )
        .await?;
        let named = prepared["kid"].as_str().unwrap_or_default();
        if named != kid {
            anyhow::bail!(
                "the organisation's current key is {named}, but {} holds {kid}",
                args.server.key.display()
            );
        }
        // Sign only what was asked for: the bytes must be the payload shown, for this
        // document and step.
        let input = prepared["signingInput"].as_str().unwrap_or_default();
        let bytes = URL_SAFE_NO_PAD.decode(input).map_err(|_| {
            anyhow::anyhow!("the server sent a signing input that is not base64url")
        })?;
        let signed: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|_| anyhow::anyhow!("the server sent a signing input that is not JSON"))?;
        if signed != prepared["payload"]
            || signed["document"] != args.document.as_str()
            || signed["step"] != args.step.as_str()
        {
            anyhow::bail!(
                "the server asked to sign something other than this step; nothing signed"
            );
        }
        let (header, signature) = jws(&key, &kid, input);
        let mut body = step.clone();
        body["signed_at"] = prepared["signedAt"].clone();
        body["signature"] = serde_json::Value::String(format!("{header}..{signature}"));
        let document = call(client.post(&url).bearer_auth(&token).json(&body)).await?;
        println!(
            "step {} {} signed with key {kid}; the document is {}",
            signed["seq"],
            args.step,
            document["state"].as_str().unwrap_or("updated")
        );
        Ok(())
    })
}

pub fn export_keys(config: &Config, out: &Path) -> anyhow::Result<()> {
    let db = crate::cli::open_database(config)?;
    let platform = crate::cli_audit::platform_key(&db, config)?;
    let mut conn = db.connection()?;
    let list = key_list::export(&mut conn, &platform).map_err(crate::cli::describe)?;
    std::fs::write(out, serde_json::to_string_pretty(&list)?)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    println!(
        "key list signed by platform key {} written to {}",
        platform.kid(),
        out.display()
    );
    Ok(())
}

/// The keys `--keys` files name: signed lists (opened, which checks them) or plain lists.
fn trusted_keys(
    paths: &[PathBuf],
    pinned: Option<&str>,
) -> anyhow::Result<(Vec<PublicKeyView>, Option<key_list::PlatformKey>)> {
    let mut keys = Vec::new();
    let mut platform = None;
    for path in paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        if let Ok(signed) = serde_json::from_str::<SignedKeyList>(&text) {
            let mut list = key_list::open(&signed, pinned)
                .map_err(|e| anyhow::anyhow!("key list {} NOT valid: {e}", path.display()))?;
            platform = Some(list.platform_key);
            keys.append(&mut list.keys);
            continue;
        }
        let mut listed: Vec<PublicKeyView> = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{} is not a key list: {e}", path.display()))?;
        keys.append(&mut listed);
    }
    if pinned.is_some() && platform.is_none() {
        anyhow::bail!("--platform-key needs a signed key list (silkbridge keys export)");
    }
    Ok((keys, platform))
}

pub fn verify_receipt(
    file: &Path,
    keys: &[PathBuf],
    files: &[PathBuf],
    pinned: Option<&str>,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let receipt: receipts::Receipt = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a receipt: {e}", file.display()))?;
    let (trusted, platform) = trusted_keys(keys, pinned)?;
    let mut hashed = Vec::new();
    for path in files {
        let sha = receipts::file_sha256(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        hashed.push((path.display().to_string(), sha));
    }
    let check = receipts::verify(
        &receipt,
        (!keys.is_empty()).then_some(Trusted {
            keys: &trusted,
            platform: platform.as_ref(),
        }),
        &hashed,
    );
    if !check.valid {
        anyhow::bail!("receipt NOT valid: {}", check.problem.unwrap_or_default());
    }
    println!(
        "receipt valid: {} of document {} by organisation {} at {} with a {}-held key{}",
        check.kind.unwrap_or_default(),
        check.document_id.unwrap_or_default(),
        check.recipient.unwrap_or_default(),
        check.signed_at.unwrap_or_default(),
        check.custody.unwrap_or_default(),
        if keys.is_empty() {
            " (signers' keys taken from the receipt: pin them with --keys)"
        } else {
            ""
        }
    );
    if let Some(received) = check.countersigned_at {
        println!("  countersigned by the platform, received {received}");
    }
    if let Some(checkpoint) = check.checkpoint {
        println!("  audit checkpoint: {checkpoint}");
    }
    for file in check.files {
        println!("  covers {file}");
    }
    Ok(())
}
