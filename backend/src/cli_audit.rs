//! `silkbridge audit verify` and `silkbridge audit checkpoint`: the hash chain walked entry by
//! entry, then held against signed checkpoints — the newest in the database and any kept
//! outside it — so a truncated or rewritten chain is named by entry number.

use crate::audit_checkpoints::{self, Checkpoint, Finding};
use crate::cli::{AuditCommand, describe, open_database};
use crate::config::Config;
use crate::identity::tokens::TokenKeys;
use crate::key_ledger::{PlatformKey, checked};

/// The platform's signing key, as the ledger knows it (never a new one).
pub(crate) fn platform_key(
    db: &silkbridge_schema::Database,
    config: &Config,
) -> anyhow::Result<TokenKeys> {
    checked(
        db,
        config,
        PlatformKey::TokenSigning,
        || TokenKeys::load_or_create(&config.signing_key_file(), &config.public_url),
        |keys| (keys.kid().to_owned(), Vec::new()),
    )
}

fn read_checkpoint(path: &std::path::Path) -> anyhow::Result<Checkpoint> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    if let Ok(checkpoint) = serde_json::from_str(&text) {
        return Ok(checkpoint);
    }
    // A receipt carries the newest checkpoint of its day: holding the trail against it is
    // what keeping receipts is for.
    match serde_json::from_str::<crate::documents::receipts::Receipt>(&text) {
        Ok(receipt) => receipt
            .checkpoint
            .ok_or_else(|| anyhow::anyhow!("the receipt {} carries no checkpoint", path.display())),
        Err(e) => Err(anyhow::anyhow!(
            "{} is neither a checkpoint nor a receipt: {e}",
            path.display()
        )),
    }
}

pub(crate) fn run(config: &Config, command: AuditCommand) -> anyhow::Result<()> {
    let db = open_database(config)?;
    let keys = platform_key(&db, config)?;
    let mut conn = db.connection()?;
    match command {
        AuditCommand::Checkpoint { out } => {
            let checkpoint = audit_checkpoints::take(&mut conn, &keys)
                .map_err(describe)?
                .ok_or_else(|| anyhow::anyhow!("the audit trail is empty: nothing to sign"))?;
            let text = serde_json::to_string_pretty(&checkpoint)?;
            std::fs::write(&out, format!("{text}\n"))
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            println!(
                "checkpoint of entry {} written to {}",
                checkpoint.length,
                out.display()
            );
            Ok(())
        }
        AuditCommand::Verify { checkpoints } => {
            let entries = match crate::audit::verify(&mut conn).map_err(describe)? {
                crate::audit::ChainCheck::Intact { entries } => entries,
                crate::audit::ChainCheck::Broken { seq, reason } => {
                    anyhow::bail!("audit chain broken at entry {seq}: {reason}")
                }
            };
            let mut held = Vec::new();
            if let Some(stored) = audit_checkpoints::latest(&mut conn).map_err(describe)? {
                held.push(("the database's newest checkpoint".to_owned(), stored));
            }
            for path in &checkpoints {
                held.push((path.display().to_string(), read_checkpoint(path)?));
            }
            let mut problems = Vec::new();
            for (source, checkpoint) in &held {
                match audit_checkpoints::check(&mut conn, &keys, checkpoint).map_err(describe)? {
                    Finding::Holds => {}
                    finding => problems.push(format!(
                        "{source} (entry {}, signed {}): {}",
                        checkpoint.length,
                        checkpoint.signed_at,
                        finding.describe()
                    )),
                }
            }
            if let Some(first) = problems.first() {
                for problem in &problems {
                    eprintln!("{problem}");
                }
                anyhow::bail!("audit chain does not match its checkpoints: {first}");
            }
            println!(
                "audit chain intact: {entries} entries, {} checkpoints hold",
                held.len()
            );
            Ok(())
        }
    }
}
