//! The command line: `serve` (the default), `migrate`, `seed`, `reindex`, `admin`, `audit`,
//! `documents`, `verify-receipt`, `imei` and `biometrics`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use silkbridge_schema::{Database, PoolOptions, migrations};

pub use crate::cli_admin::AdminCommand;
use crate::config::{Config, Overrides};
use crate::{logging, search, seed, server};

#[derive(Debug, Parser)]
#[command(
    name = "silkbridge",
    version,
    about = "silkbridge platform server and tools"
)]
pub struct Cli {
    /// TOML configuration file (default: $SILKBRIDGE_CONFIG, else ./silkbridge.toml if present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder for the SQLite file, index and objects (default ./data; $SILKBRIDGE_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite://PATH or postgres://… ($SILKBRIDGE_DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the platform over HTTP (the default command).
    Serve(ServeArgs),
    /// Apply pending database migrations (they also run at every start).
    Migrate {
        /// Only list pending migrations.
        #[arg(long)]
        status: bool,
    },
    /// Load data into the database.
    Seed {
        /// The multilingual demo data set.
        #[arg(long, required = true)]
        demo: bool,
    },
    /// Rebuild the search index from the database (resumes an interrupted rebuild).
    Reindex {
        /// Start over even if an earlier rebuild was interrupted.
        #[arg(long)]
        restart: bool,
    },
    /// Bootstrap and administer organisations and administrators.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The tamper-evident audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The IMEI device registry.
    #[command(subcommand)]
    Imei(ImeiCommand),
    /// Biometric templates.
    #[command(subcommand)]
    Biometrics(BiometricsCommand),
    /// Exchanged documents.
    #[command(subcommand)]
    Documents(DocumentsCommand),
    /// The platform's keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Check a document receipt offline: its signatures, its chain back to the send, and
    /// optionally that given files are the ones it covers. Needs no server or database.
    VerifyReceipt {
        /// The receipt (JSON, as downloaded from `/api/v1/documents/{id}/receipts/{seq}`).
        file: PathBuf,
        /// Trust only these keys: the platform-signed key list (`silkbridge keys export`,
        /// `GET /api/v1/signing-keys`), or plain JSON lists as
        /// `/api/v1/organisations/{slug}/signing-keys` returns; default: the keys the receipt
        /// carries (integrity, not who signed).
        #[arg(long = "keys", value_name = "FILE")]
        keys: Vec<PathBuf>,
        /// The platform key id the key list must be signed by (as in `/.well-known/jwks.json`).
        #[arg(long = "platform-key", value_name = "KID")]
        platform_key: Option<String>,
        /// A file that must be among those the receipt covers (by SHA-256); repeatable.
        #[arg(long = "file", value_name = "PATH")]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DocumentsCommand {
    /// Check every document (or one): signed history, keys, manifest, and each stored file's
    /// bytes against its SHA-256. Names the first problem of each document.
    Verify {
        /// Only this document.
        #[arg(long)]
        document: Option<String>,
    },
    /// Sign a step with a key the organisation holds (an Ed25519 PKCS#8 PEM file) and take it:
    /// asks the server to prepare the step, checks what it is asked to sign, signs it here
    /// (the key never leaves this machine) and sends the detached JWS. The access token is
    /// read from SILKBRIDGE_TOKEN.
    SignStep(crate::cli_signing::SignStepArgs),
    /// Register a key the organisation holds (an Ed25519 PKCS#8 PEM file) as its signing key:
    /// signs the registration statement here and sends it (an administrator's token in
    /// SILKBRIDGE_TOKEN).
    RegisterKey(crate::cli_signing::RegisterKeyArgs),
}

#[derive(Debug, Subcommand)]
pub enum BiometricsCommand {
    /// Score a labelled set of templates (JSON Lines of {"subjectId", "template"}): genuine and
    /// impostor distributions, FAR/FRR by threshold, the EER and the threshold for a target FAR.
    Evaluate {
        file: PathBuf,
        /// The false-accept rate the suggested threshold must not exceed.
        #[arg(long, default_value_t = 0.001)]
        target_far: f64,
    },
    /// Re-encrypt every stored template with the current key (after adding a new key and
    /// listing the old one under `biometrics.previous_key_files`). Resumable.
    ReEncrypt,
}

#[derive(Debug, Subcommand)]
pub enum ImeiCommand {
    /// Import type allocation codes from CSV (columns tac, brand or manufacturer, model or
    /// marketing_name, device_type). Checked whole first; resumes an interrupted import.
    ImportTacs {
        file: PathBuf,
        /// Apply the file again from its first row even if it was imported before.
        #[arg(long)]
        restart: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List every key: its file, whether it is there, its fingerprint and the one the data
    /// depends on, and what it protects. Creates nothing; fails if a key is missing or wrong.
    Status,
    /// Write the platform-signed list of every organisation's document-signing keys and the
    /// platform key, for verifiers (`silkbridge verify-receipt --keys FILE`).
    Export {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain and name the first altered entry, then check it against the newest
    /// signed checkpoint in the database and every checkpoint file given: a truncated or
    /// rewritten chain is named by entry number.
    Verify {
        /// A checkpoint kept outside the database (from `audit checkpoint --out` or
        /// `GET /api/v1/audit/checkpoints/latest`), or a receipt carrying one; repeatable.
        #[arg(long = "checkpoint", value_name = "FILE")]
        checkpoints: Vec<PathBuf>,
    },
    /// Sign a checkpoint of the chain as it stands and write it to a file, to keep elsewhere.
    Checkpoint {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Debug, Default, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080; $SILKBRIDGE_BIND).
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// Seed the demo data on the first start of an empty database.
    #[arg(long)]
    pub demo: bool,
}

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let serve_args = match &cli.command {
        Some(Command::Serve(args)) => Some(args),
        None => None,
        Some(_) => None,
    };
    let overrides = Overrides {
        bind: serve_args.and_then(|a| a.bind.clone()),
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
        demo: serve_args.is_some_and(|a| a.demo),
    };
    let mut config = Config::load(cli.config.as_deref(), &overrides)?;
    config.demo_sign_in = serve_args.is_some_and(|a| a.demo);
    logging::init(config.log_format);
    match cli.command {
        None | Some(Command::Serve(_)) => {
            actix_web::rt::System::new().block_on(server::serve(config))
        }
        Some(Command::Migrate { status }) => migrate(&config, status),
        Some(Command::Seed { .. }) => {
            let db = open_database(&config)?;
            let summary = seed::demo(&db).map_err(|e| anyhow::anyhow!("{e}"))?;
            let objects = crate::storage::open_with(
                &config.object_store_url(),
                &config.object_store_options,
            )?;
            let keys = crate::key_ledger::checked(
                &db,
                &config,
                crate::key_ledger::PlatformKey::DocumentSealing,
                || {
                    Ok(std::sync::Arc::new(
                        crate::documents::keys::DocumentKeys::load(&config)?,
                    ))
                },
                |keys| crate::key_ledger::sealing_ids(keys),
            )?;
            let platform = std::sync::Arc::new(crate::cli_audit::platform_key(&db, &config)?);
            let (datasets, documents) = actix_web::rt::System::new()
                .block_on(async {
                    let datasets = crate::datasets::demo::seed(&db, objects.clone()).await?;
                    let documents =
                        crate::documents::demo::seed(&db, objects, keys, platform).await?;
                    Ok::<_, crate::error::ApiError>((datasets, documents))
                })
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "demo data: {} organisations, {} users, {} listings, {} publications, {} datasets, {} documents, {} devices and {} programmes added (run `silkbridge reindex` or start the server to index them)",
                summary.organisations,
                summary.users,
                summary.listings,
                summary.publications,
                datasets,
                documents,
                summary.devices,
                summary.programmes
            );
            Ok(())
        }
        Some(Command::Reindex { restart }) => reindex(&config, restart),
        Some(Command::Admin(command)) => crate::cli_admin::admin(&config, command),
        Some(Command::Imei(ImeiCommand::ImportTacs { file, restart })) => {
            import_tacs(&config, &file, restart)
        }
        Some(Command::Biometrics(BiometricsCommand::Evaluate { file, target_far })) => {
            let samples = crate::biometrics::evaluate::read(&file, &config.biometrics)?;
            let evaluation = crate::biometrics::evaluate::evaluate(&samples, target_far);
            print!(
                "{}",
                crate::biometrics::evaluate::render(&evaluation, target_far)
            );
            Ok(())
        }
        Some(Command::Biometrics(BiometricsCommand::ReEncrypt)) => {
            let db = open_database(&config)?;
            let keys = crate::key_ledger::checked(
                &db,
                &config,
                crate::key_ledger::PlatformKey::BiometricTemplates,
                || crate::biometrics::crypto::TemplateKeys::load(&config),
                |keys| crate::key_ledger::sealing_ids(keys),
            )?;
            let mut conn = db.connection()?;
            let bar = ProgressBar::new_spinner();
            let moved = crate::biometrics::service::re_encrypt(&mut conn, &keys, &mut |n| {
                bar.set_message(format!("{n} templates re-encrypted"))
            })
            .map_err(describe)?;
            bar.finish_and_clear();
            println!(
                "{moved} templates re-encrypted with key {}",
                keys.current_id()
            );
            Ok(())
        }
        Some(Command::VerifyReceipt {
            file,
            keys,
            files,
            platform_key,
        }) => crate::cli_signing::verify_receipt(&file, &keys, &files, platform_key.as_deref()),
        Some(Command::Documents(DocumentsCommand::SignStep(args))) => {
            crate::cli_signing::sign_step(&args)
        }
        Some(Command::Documents(DocumentsCommand::RegisterKey(args))) => {
            crate::cli_signing::register_key(&args)
        }
        Some(Command::Keys(KeysCommand::Export { out })) => {
            crate::cli_signing::export_keys(&config, &out)
        }
        Some(Command::Documents(DocumentsCommand::Verify { document })) => {
            let db = open_database(&config)?;
            let objects = crate::storage::open_with(
                &config.object_store_url(),
                &config.object_store_options,
            )?;
            let platform = crate::documents::key_list::PlatformKey::of(
                &crate::cli_audit::platform_key(&db, &config)?,
            );
            let bar = ProgressBar::new(0);
            let report = actix_web::rt::System::new()
                .block_on(crate::documents::verify::verify(
                    &db,
                    &objects,
                    &platform,
                    document,
                    &mut |done, total| {
                        bar.set_length(total as u64);
                        bar.set_position(done as u64);
                    },
                ))
                .map_err(describe)?;
            bar.finish_and_clear();
            for problem in &report.problems {
                eprintln!("document {}: {}", problem.document_id, problem.reason);
            }
            if report.problems.is_empty() {
                println!(
                    "documents intact: {} documents, {} signed steps, {} files",
                    report.documents, report.steps, report.files
                );
                Ok(())
            } else {
                anyhow::bail!(
                    "{} of {} documents do not verify",
                    report.problems.len(),
                    report.documents
                )
            }
        }
        Some(Command::Keys(KeysCommand::Status)) => {
            let db = open_database(&config)?;
            let keys = crate::key_ledger::status(&db, &config)?;
            print!("{}", crate::key_ledger::render(&keys));
            let broken = keys.iter().filter(|k| !k.healthy()).count();
            if broken > 0 {
                anyhow::bail!(
                    "{broken} of {} keys are missing or not the data's",
                    keys.len()
                );
            }
            Ok(())
        }
        Some(Command::Audit(command)) => crate::cli_audit::run(&config, command),
    }
}

fn import_tacs(config: &Config, file: &std::path::Path, restart: bool) -> anyhow::Result<()> {
    let total = crate::imei::tacs::validate(file)?;
    let db = open_database(config)?;
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    bar.set_message("TACs");
    let summary = crate::imei::tacs::import(&db, file, restart, &mut |done| {
        bar.set_position(done);
        std::ops::ControlFlow::Continue(())
    })?;
    bar.finish_and_clear();
    if summary.already_complete {
        println!(
            "{}: already imported ({} TACs); use --restart to apply it again",
            file.display(),
            summary.records
        );
    } else if summary.resumed_from > 0 {
        println!(
            "{} TACs imported (resumed after {})",
            summary.records, summary.resumed_from
        );
    } else {
        println!("{} TACs imported", summary.records);
    }
    Ok(())
}

pub(crate) fn open_database(config: &Config) -> anyhow::Result<Database> {
    Ok(Database::open(
        &config.database_url(),
        &PoolOptions::default(),
    )?)
}

fn migrate(config: &Config, status: bool) -> anyhow::Result<()> {
    let db = Database::open_without_migrating(&config.database_url(), &PoolOptions::default())?;
    let mut conn = db.connection()?;
    let pending = migrations::pending(&mut conn)?;
    if status {
        if pending.is_empty() {
            println!("no pending migrations");
        }
        for name in pending {
            println!("pending: {name}");
        }
        return Ok(());
    }
    let applied = migrations::run_pending(&mut conn)?;
    println!("{applied} migrations applied ({})", db.backend().as_str());
    Ok(())
}

fn reindex(config: &Config, restart: bool) -> anyhow::Result<()> {
    let db = open_database(config)?;
    let index = search::open_index(config)?;
    if restart {
        search::abandon_rebuild(&index)?;
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .progress_chars("=> "),
    );
    bar.set_message("reindexing");
    let outcome = search::rebuild(&db, &index, search::REBUILD_BATCH, &mut |progress| {
        if progress.resumed {
            bar.set_message("reindexing (resumed)");
        }
        bar.set_length(progress.total);
        bar.set_position(progress.done);
        std::ops::ControlFlow::Continue(())
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish_and_clear();
    let search::RebuildOutcome::Complete { written } = outcome else {
        anyhow::bail!("reindex interrupted; run it again to resume");
    };
    let mut conn = db.connection()?;
    let caught_up = search::apply_pending(&mut conn, &index).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "search index rebuilt: {written} documents written, {caught_up} later changes applied, {} searchable",
        index.num_docs()
    );
    Ok(())
}

/// An API error as one line for the terminal, with every field error.
pub(crate) fn describe(error: crate::error::ApiError) -> anyhow::Error {
    let mut line = error.detail.clone();
    for field in &error.errors {
        line.push_str(&format!("; {}: {}", field.field, field.message));
    }
    anyhow::anyhow!(line)
}
