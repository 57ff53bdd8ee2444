//! The `charter` command.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use charter_app::{App, Settings, SystemClock};
use charter_cli::backend::{DEFAULT_DATABASE_URL, open_store};
use charter_cli::members_csv::{BranchLookup, parse_members, write_members};
use charter_cli::serve::serve;
use charter_store::{ImportOutcome, Store};
use charter_web::{AppState, WebConfig};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::net::TcpListener;

#[derive(Parser)]
#[command(
    name = "charter",
    version,
    about = "Charter: the register, constitution, meetings and votes of a member-run organisation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DatabaseArg {
    /// Database: sqlite://PATH (embedded, the default) or postgres://…
    #[arg(long, env = "CHARTER_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    database: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and API
    Serve {
        #[command(flatten)]
        db: DatabaseArg,
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Mark cookies Secure (set this when served over HTTPS)
        #[arg(long)]
        secure_cookies: bool,
    },
    /// Serve a fresh embedded database holding the deterministic demo organisation
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// How many members to generate
        #[arg(long, default_value_t = 21_000)]
        members: u32,
        /// Folder for the demo database (default: a new temporary folder)
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Load the demo and exit without serving (for benchmarks and checks)
        #[arg(long)]
        no_serve: bool,
    },
    /// Bring the database schema up to date
    Migrate {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Import data from a file
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export data to a file
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Count an election from a ballot file (BLT, JSON, PrefLib, Irish 2002 JSON)
    Count(charter_count::cli::CountArgs),
}

#[derive(Subcommand)]
enum ImportWhat {
    /// Create or update members from CSV (matched by email); see README for the columns
    Members {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
        /// Check every row and report, writing nothing
        #[arg(long)]
        dry_run: bool,
        /// Branch for rows without a branch column (name, slug or id)
        #[arg(long)]
        branch: Option<String>,
    },
}

#[derive(Subcommand)]
enum ExportWhat {
    /// Write members to CSV ("-" for standard output); every member exported is logged
    Members {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
        /// Only this branch (name, slug or id)
        #[arg(long)]
        branch: Option<String>,
        /// Why the export is made; recorded in each member's access log
        #[arg(long, default_value = "command-line export")]
        reason: String,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CHARTER_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: could not start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<std::process::ExitCode> {
    match cli.command {
        Command::Serve {
            db,
            addr,
            secure_cookies,
        } => {
            let app = open_app(&db.database).await?;
            let listener = TcpListener::bind(addr)
                .await
                .with_context(|| format!("could not listen on {addr}"))?;
            eprintln!("Charter serving on http://{}", listener.local_addr()?);
            let config = WebConfig {
                secure_cookies,
                ..WebConfig::default()
            };
            serve(AppState::new(app, config), listener).await?;
        }
        Command::Demo {
            addr,
            members,
            data_dir,
            no_serve,
        } => {
            demo(addr, members, data_dir, no_serve).await?;
        }
        Command::Migrate { db } => {
            let store = open_store(&db.database).await?;
            store.migrate().await.context("migration failed")?;
            println!("database is up to date ({})", store.backend());
        }
        Command::Import {
            what:
                ImportWhat::Members {
                    file,
                    db,
                    dry_run,
                    branch,
                },
        } => {
            return import_members(&file, &db.database, dry_run, branch.as_deref()).await;
        }
        Command::Export {
            what:
                ExportWhat::Members {
                    file,
                    db,
                    branch,
                    reason,
                },
        } => {
            export_members(&file, &db.database, branch.as_deref(), &reason).await?;
        }
        Command::Count(args) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            charter_count::cli::run(&args, &mut out)?;
            out.flush()?;
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn open_app(url: &str) -> Result<App> {
    let store = open_store(url).await?;
    store.migrate().await.context("migration failed")?;
    Ok(App::new(store, Arc::new(SystemClock), Settings::default()))
}

fn progress_bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

async fn demo(
    addr: SocketAddr,
    members: u32,
    data_dir: Option<PathBuf>,
    no_serve: bool,
) -> Result<()> {
    if members == 0 {
        bail!("--members must be at least 1");
    }
    let dir = match data_dir {
        Some(d) => d,
        None => std::env::temp_dir().join(format!(
            "charter-demo-{}-{}",
            std::process::id(),
            chrono::Utc::now().format("%Y%m%d%H%M%S")
        )),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    let db_path = dir.join("charter-demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db_path.display()));
        if p.exists() {
            std::fs::remove_file(&p)
                .with_context(|| format!("could not remove the old {}", p.display()))?;
        }
    }
    // Bind first, so a busy port fails before seconds of loading.
    let listener =
        if no_serve {
            None
        } else {
            Some(TcpListener::bind(addr).await.with_context(|| {
                format!("could not listen on {addr}; choose another with --addr")
            })?)
        };
    let started = Instant::now();
    // The demo database is recreated on every start, so it need not wait for the disk.
    let store = charter_store_sqlite::SqliteStore::connect_throwaway(&format!(
        "sqlite://{}",
        db_path.display()
    ))
    .await?;
    store.migrate().await.context("migration failed")?;
    let app = App::new(Arc::new(store), Arc::new(SystemClock), Settings::default());
    let mut opts = charter_demo::DemoOptions::new(app.today());
    opts.members = members;
    let org = charter_demo::generate(opts);
    let bar = progress_bar(0, "loading demo");
    let sign_ins = charter_demo::load(app.store.as_ref(), &org, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .context("could not load the demo organisation")?;
    charter_demo::load_constitution(&app, opts.today)
        .await
        .context("could not load the demo constitution")?;
    bar.finish_and_clear();
    eprintln!(
        "demo organisation loaded: {members} members in {:.1} s, database {}",
        started.elapsed().as_secs_f64(),
        db_path.display()
    );
    let Some(listener) = listener else {
        for s in sign_ins.iter() {
            println!("{s}");
        }
        return Ok(());
    };
    println!("Charter demo: http://{}", listener.local_addr()?);
    for s in sign_ins.iter() {
        println!("{s}");
    }
    std::io::stdout().flush()?;
    serve(AppState::new(app, WebConfig::default()), listener).await?;
    Ok(())
}

async fn import_members(
    file: &PathBuf,
    url: &str,
    dry_run: bool,
    branch: Option<&str>,
) -> Result<std::process::ExitCode> {
    let app = open_app(url).await?;
    let units = app.store.units().await?;
    let lookup = BranchLookup::new(&units);
    let default_branch = find_branch(&lookup, branch)?;
    let name = file.display().to_string();
    let reader = std::fs::File::open(file).with_context(|| format!("could not open {name}"))?;
    let parsed = parse_members(&name, reader, &lookup, default_branch, app.today())?;
    for bad in &parsed.bad {
        eprintln!("{name}: {bad}");
    }
    let bad_lines: std::collections::BTreeSet<u64> = parsed.bad.iter().map(|b| b.line).collect();
    if dry_run {
        println!(
            "dry run: {} rows read, {} would be imported, {} rows have problems; nothing was written",
            parsed.rows,
            parsed.good.len(),
            bad_lines.len()
        );
        return Ok(exit_for(bad_lines.is_empty()));
    }
    let bar = progress_bar(parsed.good.len() as u64, "importing");
    let mut summary = Summary::default();
    for chunk in parsed.good.chunks(1_000) {
        let rows: Vec<_> = chunk.iter().map(|(_, m)| m.clone()).collect();
        let outcomes = app.import_members(&rows, &name).await?;
        for o in outcomes {
            match o {
                ImportOutcome::Created(_) => summary.created += 1,
                ImportOutcome::Updated(_) => summary.updated += 1,
                ImportOutcome::Unchanged(_) => summary.unchanged += 1,
            }
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    println!(
        "imported {name}: {} rows read, {} created, {} updated, {} unchanged, {} rows with problems (not imported)",
        parsed.rows,
        summary.created,
        summary.updated,
        summary.unchanged,
        bad_lines.len()
    );
    Ok(exit_for(bad_lines.is_empty()))
}

fn exit_for(clean: bool) -> std::process::ExitCode {
    // Partial success still exits non-zero so scripts notice the rows that need fixing.
    if clean {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(2)
    }
}

async fn export_members(
    file: &PathBuf,
    url: &str,
    branch: Option<&str>,
    reason: &str,
) -> Result<()> {
    let app = open_app(url).await?;
    let lookup = BranchLookup::new(&app.store.units().await?);
    let branch = find_branch(&lookup, branch)?;
    let members = app.operator_export(branch, reason).await?;
    if file.as_os_str() == "-" {
        write_members(std::io::stdout().lock(), &members)?;
    } else {
        let tmp = file.with_extension("csv.partial");
        let f = std::fs::File::create(&tmp)
            .with_context(|| format!("could not create {}", tmp.display()))?;
        write_members(std::io::BufWriter::new(f), &members)?;
        std::fs::rename(&tmp, file)
            .with_context(|| format!("could not write {}", file.display()))?;
        eprintln!("exported {} members to {}", members.len(), file.display());
    }
    Ok(())
}

#[derive(Default)]
struct Summary {
    created: u64,
    updated: u64,
    unchanged: u64,
}

/// The branch named on the command line (name, slug or id), if one was.
fn find_branch(
    lookup: &BranchLookup,
    name: Option<&str>,
) -> Result<Option<charter_domain::UnitId>> {
    name.map(|b| {
        lookup
            .find(b)
            .with_context(|| format!("there is no branch called '{b}'"))
    })
    .transpose()
}
