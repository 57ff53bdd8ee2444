//! The `charter` command.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use charter_app::founding::{Founding, FoundingError};
use charter_app::{App, AppError, FixedClock, Settings, SystemClock};
use charter_cli::backend::{DEFAULT_DATABASE_URL, open_store};
use charter_cli::constitution_text::{
    check_summary, diff_text, parse_day, rights_text, show, versions_table,
};
use charter_cli::export_file::write_private;
use charter_cli::import::{Files as ImportFiles, Options as ImportOptions};
use charter_cli::members_csv::{BranchLookup, write_members};
use charter_cli::password::{PASSWORD_ENV, founding_password};
use charter_cli::progress::progress_bar;
use charter_cli::roll_text::{check_text, roll_summary, rolls_table};
use charter_cli::serve::serve;
use charter_domain::MemberId;
use charter_model::{BallotId, ConstitutionVersionId, RollId};
use charter_store::Store;
use charter_web::{AppState, WebConfig};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
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
        /// Relay for meeting notices: smtp://host:port?from=…, smtp+starttls://user:pass@host:587?from=…
        /// or smtps://…; without it notices wait in the outbox
        #[arg(long, env = "CHARTER_SMTP_URL", hide_env_values = true)]
        smtp: Option<String>,
        /// The address members reach this site at, to begin the voting links sent by email
        /// (default: http:// and --addr)
        #[arg(long, env = "CHARTER_PUBLIC_URL")]
        public_url: Option<String>,
        /// Proxies whose X-Forwarded-For names the client (addresses or CIDR ranges,
        /// comma-separated); from any other peer the header is ignored
        #[arg(
            long = "trusted-proxy",
            env = "CHARTER_TRUSTED_PROXIES",
            value_name = "CIDR",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<String>,
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
    /// Found a new organisation on an empty database: its national unit, founding
    /// constitution and national secretary. The secretary's password comes from
    /// CHARTER_INIT_PASSWORD or is asked for on the terminal
    Init(InitArgs),
    /// Regions and branches: list them; create, rename, merge or close one acting as a
    /// national officer (--as EMAIL, the password from CHARTER_PASSWORD or the terminal)
    Unit {
        #[command(subcommand)]
        what: UnitCommand,
    },
    /// Read the constitution: its versions, the text in force, a member's rights
    Constitution {
        #[command(subcommand)]
        what: ConstitutionCommand,
    },
    /// Frozen rolls: list them, show one's counts, re-check its hashes, export its
    /// canonical text (whose SHA-256 is the published hash)
    Roll {
        #[command(subcommand)]
        what: RollCommand,
    },
    /// Ballots: list them, export a counted ballot's published ballots (BLT or JSON, as
    /// `charter count` reads them), recount one from its box
    Ballot {
        #[command(subcommand)]
        what: BallotCommand,
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
    /// Verify a ballot's bulletin board, from a file or the address that serves it
    /// (`/api/v1/ballots/{id}/board`), against every numbered step of
    /// docs/verifiable-ballots.md: exit 0 when all pass, 1 naming the first that fails
    Verify {
        #[command(subcommand)]
        what: VerifyWhat,
    },
    /// Invite members to choose a password, acting as an officer who may edit them: a letter
    /// each with a single-use link, sent by `charter serve`'s sender. The officer's password
    /// comes from CHARTER_PASSWORD or the terminal
    Invite(InviteArgs),
    /// A trustee's part of an election, on their own machine and over files: make a key,
    /// deal shares, finish the key, shuffle and decrypt. The key file's passphrase comes from
    /// CHARTER_TRUSTEE_PASSPHRASE or the terminal, never the command line
    Trustee {
        #[command(subcommand)]
        what: TrusteeCommand,
    },
    /// The credential authority's (the scrutineer's) tools: voters' signing credentials
    /// are made here, never by the server
    Credentials {
        #[command(subcommand)]
        what: CredentialsCommand,
    },
}

#[derive(clap::Args)]
#[group(id = "whom", required = true, multiple = false)]
struct InviteArgs {
    /// Every member the officer's offices cover who has no password and may sign in
    #[arg(long, group = "whom")]
    all_without_password: bool,
    /// One member, by id
    #[arg(long, value_name = "ID", group = "whom")]
    member: Option<i64>,
    /// The officer acting, by the email they sign in with
    #[arg(long = "as", value_name = "EMAIL")]
    officer: String,
    /// The address members reach the site at, for the sign-in address in the letter
    #[arg(long, env = "CHARTER_PUBLIC_URL")]
    public_url: Option<String>,
    #[command(flatten)]
    db: DatabaseArg,
}

#[derive(clap::Args)]
struct InitArgs {
    /// The organisation's name, given to its national unit
    #[arg(long)]
    name: String,
    /// The founding constitution (`charter constitution check` tries a file without a
    /// database); without it, the example that ships with Charter (`charter constitution
    /// example`), made out with the organisation's name and today's date
    #[arg(long, value_name = "FILE.toml")]
    constitution: Option<PathBuf>,
    /// The national secretary's email, their sign-in name
    #[arg(long, value_name = "EMAIL")]
    secretary_email: String,
    /// The national secretary's name: first name, then last name
    #[arg(long, value_name = "NAME")]
    secretary_name: String,
    /// The national secretary's postcode (the register requires one for every member)
    #[arg(long, value_name = "POSTCODE")]
    secretary_postcode: String,
    #[command(flatten)]
    db: DatabaseArg,
}

/// The national officer a structure change is made as.
#[derive(clap::Args)]
struct Officer {
    /// The email the national officer signs in with; their password comes from
    /// CHARTER_PASSWORD or is asked on the terminal
    #[arg(long = "as", value_name = "EMAIL")]
    email: String,
}

#[derive(Subcommand)]
enum VerifyWhat {
    /// A ballot's bulletin board: its FILE, or the URL that serves it
    Ballot {
        /// A board file (JSON) or an http(s):// address serving one
        #[arg(value_name = "FILE|URL")]
        source: String,
    },
}

#[derive(Subcommand)]
enum UnitCommand {
    /// Every unit, open and closed: id, kind, slug, parent, members, state, name
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Establish a region or branch, with the bodies and offices the constitution in force
    /// gives its level; its slug comes from its name
    Create {
        /// region or branch
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name: String,
        /// The parent unit's id or slug: the national unit for a region, a region for a
        /// branch (the national unit while there are no regions); may be left out then
        #[arg(long, value_name = "UNIT")]
        parent: Option<String>,
        #[command(flatten)]
        officer: Officer,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Rename a region or branch; its slug stays
    Rename {
        #[arg(value_name = "UNIT")]
        unit: String,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        officer: Officer,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Merge a region or branch into another of its kind: its members move, each move kept
    /// in their history, and it closes, marked as merged
    Merge {
        #[arg(value_name = "UNIT")]
        unit: String,
        #[arg(long, value_name = "UNIT")]
        into: String,
        #[command(flatten)]
        officer: Officer,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Close a region or branch with no members and no open units under it
    Close {
        #[arg(value_name = "UNIT")]
        unit: String,
        #[command(flatten)]
        officer: Officer,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Subcommand)]
enum ConstitutionCommand {
    /// List the adopted versions, oldest first
    Versions {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Print the version in force on a date, clause by clause, with its rules in words
    Show {
        /// The day asked about (default: today)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
        on: Option<NaiveDate>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Write a version's file exactly as adopted ("-" for standard output)
    Export {
        file: PathBuf,
        /// The version's id, as `versions` lists it (default: the version in force today)
        #[arg(long = "version", value_name = "ID")]
        version_id: Option<i64>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Print the example founding constitution that ships with Charter (what `charter init`
    /// installs when given no --constitution): a starting point to change and check
    Example,
    /// Check that a constitution file reads, without touching any database
    Check {
        #[arg(value_name = "FILE.toml")]
        file: PathBuf,
    },
    /// What changed between two versions, clause by clause
    Diff {
        #[arg(value_name = "FROM_ID")]
        from: i64,
        #[arg(value_name = "TO_ID")]
        to: i64,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// A member's rights with the clauses that decide them; logged in the member's access log
    Rights {
        #[arg(value_name = "MEMBER_ID")]
        member: i64,
        /// The day asked about (default: today)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
        on: Option<NaiveDate>,
        /// Why the rights are read; recorded in the member's access log
        #[arg(long, default_value = "command-line rights check")]
        reason: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Subcommand)]
enum RollCommand {
    /// Every roll, newest first
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// One roll: what it is of, counts per branch, hashes
    Show {
        #[arg(value_name = "ROLL_ID")]
        id: i64,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Recompute the roll's hashes from the stored list; exits 1 if either differs
    Verify {
        #[arg(value_name = "ROLL_ID")]
        id: i64,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Write the roll's canonical text as frozen ("-" for standard output); every member
    /// listed is logged
    Export {
        #[arg(value_name = "ROLL_ID")]
        id: i64,
        file: PathBuf,
        /// Why the roll is exported; recorded in each listed member's access log
        #[arg(long, default_value = "command-line roll export")]
        reason: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Subcommand)]
enum BallotCommand {
    /// Every ballot, newest first, with its state and outcome
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Write a closed ballot's published ballots ("-" for standard output); they carry
    /// trackers and choices, never voters
    Export {
        #[arg(value_name = "BALLOT_ID")]
        id: i64,
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = BallotFormat::Json)]
        format: BallotFormat,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Count a closed ballot again from its box by its own rule and print the rounds; exits 1
    /// if the recount differs from the result recorded at close
    Recount {
        #[arg(value_name = "BALLOT_ID")]
        id: i64,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum BallotFormat {
    /// The published JSON: each ballot with its tracker and its choices by name
    Json,
    /// The BLT format most counting programs read (no trackers)
    Blt,
}

#[derive(Subcommand)]
enum ImportWhat {
    /// Bring a whole organisation in: regions and branches, members with their status and
    /// payment histories, and past office holders (see docs/import.md). All or nothing:
    /// every problem is reported with its file, line and column, and nothing is written
    /// unless there is none
    Organisation {
        /// A folder holding any of units.csv, members.csv, statuses.csv, payments.csv and
        /// offices.csv (the options below name files one by one instead)
        #[arg(value_name = "FOLDER")]
        folder: Option<PathBuf>,
        /// Regions and branches
        #[arg(long, value_name = "FILE.csv")]
        units: Option<PathBuf>,
        /// Members
        #[arg(long, value_name = "FILE.csv")]
        members: Option<PathBuf>,
        /// Members' status histories
        #[arg(long, value_name = "FILE.csv")]
        statuses: Option<PathBuf>,
        /// Members' dues payments
        #[arg(long, value_name = "FILE.csv")]
        payments: Option<PathBuf>,
        /// Past holders of offices
        #[arg(long, value_name = "FILE.csv")]
        offices: Option<PathBuf>,
        #[command(flatten)]
        opts: ImportOpts,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Members only, from one CSV file (see docs/import.md for the columns); all or nothing
    Members {
        file: PathBuf,
        #[command(flatten)]
        opts: ImportOpts,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(clap::Args)]
struct ImportOpts {
    /// Check every row and report what the import would do, writing nothing
    #[arg(long)]
    dry_run: bool,
    /// Let rows update members already in the register (matched by email or member number):
    /// names, phone, postcode, dues plan, branch (a recorded move), status (by allowed steps,
    /// with history), history and payments
    #[arg(long)]
    update: bool,
    /// Branch of new members when members.csv has no branch column (name, slug or id)
    #[arg(long)]
    branch: Option<String>,
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
            smtp,
            public_url,
            trusted_proxies,
        } => {
            let trusted_proxies =
                charter_web::session::parse_trusted_proxies(&trusted_proxies.join(","))
                    .map_err(anyhow::Error::msg)
                    .context("--trusted-proxy")?;
            let public_url = public_url.unwrap_or_else(|| format!("http://{addr}"));
            // Letters (links, welcomes, applications to decide) point at this address.
            let app = open_app_at(&db.database, &public_url).await?;
            tokio::spawn(app.clone().run_ballot_timetable());
            tokio::spawn(app.clone().run_requisition_timetable());
            match smtp {
                Some(url) => {
                    // The URL may hold a password: errors name the part, never echo the URL.
                    let config = charter_mail::SmtpConfig::from_url(&url)
                        .context("the --smtp relay URL does not read")?;
                    let mailer = charter_mail::Mailer::new(&config)
                        .context("could not set up the SMTP relay")?;
                    let concurrency = config.pool_size() as usize;
                    eprintln!("sending notices through {config}");
                    tokio::spawn(app.clone().run_sender(mailer, concurrency));
                }
                None => eprintln!("no --smtp relay: meeting notices are queued but not sent"),
            }
            let listener = TcpListener::bind(addr)
                .await
                .with_context(|| format!("could not listen on {addr}"))?;
            eprintln!("Charter serving on http://{}", listener.local_addr()?);
            let config = WebConfig {
                secure_cookies,
                trusted_proxies,
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
        Command::Init(args) => return init(args).await,
        Command::Unit { what } => return unit(what).await,
        Command::Constitution { what } => return constitution(what).await,
        Command::Roll { what } => return roll(what).await,
        Command::Ballot { what } => return ballot(what).await,
        Command::Import { what } => return import(what).await,
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
        Command::Invite(args) => return invite(args).await,
        Command::Verify {
            what: VerifyWhat::Ballot { source },
        } => return Ok(verify_ballot(&source)),
        Command::Trustee { what } => return trustee(what),
        Command::Credentials { what } => return credentials(what),
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

/// The app with links sent by email beginning with `public_url`.
async fn open_app_at(url: &str, public_url: &str) -> Result<App> {
    let store = open_store(url).await?;
    store.migrate().await.context("migration failed")?;
    let settings = Settings {
        public_url: public_url.trim_end_matches('/').to_string(),
        ..Settings::default()
    };
    Ok(App::new(store, Arc::new(SystemClock), settings))
}

/// The actor for an officer acting from the command line as themselves: their password
/// from `CHARTER_PASSWORD` or the terminal, and a current code when they sign in with a
/// second factor. `Ok(Err(why))` is a refusal to tell the operator.
async fn act_as(app: &App, email: &str) -> Result<Result<charter_domain::Actor, String>> {
    use charter_cli::officer::{CODE_ENV, PASSWORD_ENV, secret};
    let ask = &mut |q: &str| rpassword::prompt_password(q);
    let password = match secret(
        PASSWORD_ENV,
        std::env::var_os(PASSWORD_ENV),
        ask,
        &format!("Password for {email}: "),
    ) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let mut actor = app.authenticate(email, &password, None).await;
    if matches!(&actor, Err(AppError::Invalid(f)) if f.0.contains_key("code")) {
        let code = match secret(
            CODE_ENV,
            std::env::var_os(CODE_ENV),
            ask,
            "Code from your authenticator app: ",
        ) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e.to_string())),
        };
        actor = app
            .authenticate(
                email,
                &password,
                Some(secrecy::ExposeSecret::expose_secret(&code)),
            )
            .await;
    }
    match actor {
        Ok(a) => Ok(Ok(a)),
        Err(e @ (AppError::BadCredentials | AppError::Forbidden(_) | AppError::Invalid(_))) => {
            Ok(Err(format!("--as {email}: {e}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// `charter verify ballot`: 0 when every step passes, 1 naming the first that fails, 2 when
/// the board cannot be read at all.
fn verify_ballot(source: &str) -> std::process::ExitCode {
    use charter_ballot_crypto::tally::Outcome;
    use charter_cli::verify::{Verdict, read_board, verify_bytes};
    let bytes = match read_board(source) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match verify_bytes(&bytes) {
        Verdict::Verified(v) => {
            println!(
                "ok: every step of docs/verifiable-ballots.md passes: {} ballots on the board, {} counted",
                v.ballots, v.counted
            );
            match v.outcome {
                None => println!("voting is open: no result on the board yet"),
                Some(Outcome::Totals { ballots, totals }) => println!(
                    "result: {ballots} ballots; totals by option: {}",
                    totals
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Some(Outcome::Rankings {
                    ballots,
                    rankings,
                    spoilt,
                }) => println!(
                    "result: {ballots} ballots decrypted after the shuffles: {} valid rankings, {spoilt} spoilt",
                    rankings.len()
                ),
            }
            std::process::ExitCode::SUCCESS
        }
        Verdict::Failed(f) => {
            println!("{f}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn invite(args: InviteArgs) -> Result<std::process::ExitCode> {
    let public_url = args
        .public_url
        .unwrap_or_else(|| Settings::default().public_url);
    let app = open_app_at(&args.db.database, &public_url).await?;
    let actor = match act_as(&app, &args.officer).await? {
        Ok(a) => a,
        Err(why) => return Ok(refuse(why)),
    };
    if let Some(id) = args.member {
        return match app.invite_member(&actor, MemberId(id)).await {
            Ok(()) => {
                println!(
                    "invited member {id}: a letter with a link to choose a password is queued"
                );
                Ok(std::process::ExitCode::SUCCESS)
            }
            Err(AppError::NotFound(_)) => {
                Ok(refuse(format!("--member {id}: there is no such member")))
            }
            Err(e @ (AppError::Forbidden(_) | AppError::Conflict { .. })) => {
                Ok(refuse(format!("--member {id}: {e}")))
            }
            Err(e) => Err(e.into()),
        };
    }
    let bar = progress_bar(0, "inviting");
    let run = app
        .invite_all_without_password(&actor, &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await;
    bar.finish_and_clear();
    let run = match run {
        Ok(r) => r,
        Err(e @ AppError::Forbidden(_)) => {
            return Ok(refuse(format!("--as {}: {e}", args.officer)));
        }
        Err(e) => return Err(e.into()),
    };
    println!(
        "invited {} of {} members without a password; the letters go out from `charter serve --smtp …`",
        run.invited, run.found
    );
    Ok(std::process::ExitCode::SUCCESS)
}

/// Logs each phase of loading the demo with its own and the running time, so a slow start
/// says where its time went (`cargo bench -p charter-cli --bench demo_start` prints these).
fn phase_timer(started: Instant) -> impl Fn(&str) {
    let last = std::cell::Cell::new(started);
    move |what: &str| {
        let now = Instant::now();
        tracing::info!(
            "demo phase {what}: {:.2} s (total {:.2} s)",
            (now - last.get()).as_secs_f64(),
            (now - started).as_secs_f64()
        );
        last.set(now);
    }
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
    let phase = phase_timer(started);
    // The demo database is recreated on every start, so it need not wait for the disk.
    let store = charter_store_sqlite::SqliteStore::connect_throwaway(&format!(
        "sqlite://{}",
        db_path.display()
    ))
    .await?;
    store.migrate().await.context("migration failed")?;
    phase("database");
    let store: Arc<dyn Store> = Arc::new(store);
    // The demo is loaded under one instant, taken once: its story is dated relative to "now",
    // and a constitution's minimum periods (a fortnight's nominations, say) are measured from
    // the moment each step is taken, so a clock that moves while loading makes a step dated
    // "now + 14 days" fall short of the minimum by the seconds loading took.
    let loading = App::new(
        store.clone(),
        Arc::new(FixedClock(chrono::Utc::now())),
        Settings::default(),
    );
    let mut opts = charter_demo::DemoOptions::new(loading.today());
    opts.members = members;
    let org = charter_demo::generate(opts);
    phase("generate");
    let bar = progress_bar(0, "loading demo");
    let sign_ins = charter_demo::load(store.as_ref(), &org, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .context("could not load the demo organisation")?;
    phase("register");
    charter_demo::load_constitution_sealed(&loading, opts.today)
        .await
        .context("could not load the demo constitution")?;
    phase("constitution and rolls");
    charter_demo::load_meetings(&loading, opts.today)
        .await
        .context("could not load the demo meetings")?;
    phase("meetings");
    let ballots = charter_demo::load_ballots(&loading, &sign_ins)
        .await
        .context("could not load the demo ballots")?;
    phase("ballots and elections");
    // The open sealed ballot's simulated secrets, beside the database: every voter's private
    // credential and the trustees' sealed key files, for a newcomer to vote and decrypt with.
    let secrets = dir.join(charter_demo::SECRETS_DIR);
    let readme = match &ballots.open {
        Some(open) => Some(
            open.write_secrets(&secrets)
                .with_context(|| format!("could not write {}", secrets.display()))?,
        ),
        None => None,
    };
    phase("sealed ballot's secrets");
    bar.finish_and_clear();
    eprintln!(
        "demo organisation loaded: {members} members in {:.1} s, database {}",
        started.elapsed().as_secs_f64(),
        db_path.display()
    );
    let mut banner: Vec<String> = sign_ins.iter().map(|s| s.to_string()).collect();
    if let (Some(open), Some(readme)) = (&ballots.open, &readme) {
        if let Some(c) = sign_ins
            .by_role("member")
            .and_then(|m| open.credential_of(m.member))
        {
            banner.push(format!(
                "Your voting credential for \"{}\" (sign in as the member): {}",
                open.title,
                c.hex()
            ));
        }
        banner.push(format!(
            "Trustee key files for \"{}\" (passphrase {}): {} (see {})",
            open.title,
            charter_demo::TRUSTEE_PASSPHRASE,
            secrets.join("trustees").display(),
            readme.display()
        ));
    }
    let Some(listener) = listener else {
        for line in &banner {
            println!("{line}");
        }
        return Ok(());
    };
    let url = format!("http://{}", listener.local_addr()?);
    // Served under the real clock: ballots open and close on their timetable from here on,
    // and overdue requisitions are written about on theirs.
    let settings = Settings {
        public_url: url.clone(),
        ..Settings::default()
    };
    let app = App::new(store, Arc::new(SystemClock), settings);
    tokio::spawn(app.clone().run_ballot_timetable());
    tokio::spawn(app.clone().run_requisition_timetable());
    println!("Charter demo: {url}");
    for line in &banner {
        println!("{line}");
    }
    for id in &ballots.counted {
        println!(
            "Verify a counted sealed ballot: charter verify ballot {url}/api/v1/ballots/{id}/board"
        );
    }
    std::io::stdout().flush()?;
    serve(AppState::new(app, WebConfig::default()), listener).await?;
    Ok(())
}

async fn import(what: ImportWhat) -> Result<std::process::ExitCode> {
    use charter_app::import::ImportFile;
    let (files, opts, db) = match what {
        ImportWhat::Organisation {
            folder,
            units,
            members,
            statuses,
            payments,
            offices,
            opts,
            db,
        } => {
            let files = match &folder {
                Some(dir) if !dir.is_dir() => {
                    return Ok(refuse(format!("{} is not a folder", dir.display())));
                }
                Some(dir) => ImportFiles::in_folder(dir),
                None => ImportFiles::default(),
            };
            let files = files
                .with(ImportFile::Units, units)
                .with(ImportFile::Members, members)
                .with(ImportFile::Statuses, statuses)
                .with(ImportFile::Payments, payments)
                .with(ImportFile::Offices, offices);
            if files.is_empty() {
                return Ok(refuse(match folder {
                    Some(dir) => format!(
                        "{} holds none of units.csv, members.csv, statuses.csv, payments.csv, offices.csv",
                        dir.display()
                    ),
                    None => "give a folder, or at least one of --units, --members, --statuses, --payments, --offices".into(),
                }));
            }
            (files, opts, db)
        }
        ImportWhat::Members { file, opts, db } => (
            ImportFiles::default().with(ImportFile::Members, Some(file)),
            opts,
            db,
        ),
    };
    let app = open_app(&db.database).await?;
    let options = ImportOptions {
        dry_run: opts.dry_run,
        update: opts.update,
        default_branch: opts.branch,
    };
    let ok = charter_cli::import::run(
        &app,
        &files,
        &options,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )
    .await?;
    // Status 2: the input was refused and nothing was written (1 is a failure to run).
    Ok(if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(2)
    })
}

/// A refusal: the input was not acceptable and nothing was written. Exit status 2 tells
/// scripts apart from failures to run at all (status 1).
async fn unit(what: UnitCommand) -> Result<std::process::ExitCode> {
    use charter_cli::units::{Change, Refused};
    let (db, officer, change) = match what {
        UnitCommand::List { db } => {
            let app = open_app(&db.database).await?;
            print!("{}", charter_cli::units::list(&app).await?);
            return Ok(std::process::ExitCode::SUCCESS);
        }
        UnitCommand::Create {
            kind,
            name,
            parent,
            officer,
            db,
        } => (db, officer, Change::Create { kind, name, parent }),
        UnitCommand::Rename {
            unit,
            name,
            officer,
            db,
        } => (db, officer, Change::Rename { unit, name }),
        UnitCommand::Merge {
            unit,
            into,
            officer,
            db,
        } => (db, officer, Change::Merge { unit, into }),
        UnitCommand::Close { unit, officer, db } => (db, officer, Change::Close { unit }),
    };
    let app = open_app(&db.database).await?;
    let actor = match act_as(&app, &officer.email).await? {
        Ok(a) => a,
        Err(why) => return Ok(refuse(why)),
    };
    match charter_cli::units::change(&app, &actor, change).await {
        Ok(done) => {
            println!("{done}");
            Ok(std::process::ExitCode::SUCCESS)
        }
        Err(Refused::Refusal(why)) => Ok(refuse(why)),
        Err(Refused::Failure(e)) => Err(e.into()),
    }
}

fn refuse(message: impl std::fmt::Display) -> std::process::ExitCode {
    eprintln!("error: {message}");
    std::process::ExitCode::from(2)
}

async fn init(args: InitArgs) -> Result<std::process::ExitCode> {
    let (file, toml) = match &args.constitution {
        Some(path) => {
            let file = path.display().to_string();
            let toml =
                std::fs::read_to_string(path).with_context(|| format!("could not read {file}"))?;
            (file, toml)
        }
        None => (
            "the example constitution".to_string(),
            charter_rules::example_constitution_for(&args.name, chrono::Utc::now().date_naive()),
        ),
    };
    // Everything given is checked before the database is opened, so a typo creates nothing.
    let founding = match Founding::parse(
        &args.name,
        &toml,
        &args.secretary_name,
        &args.secretary_email,
        &args.secretary_postcode,
    ) {
        Ok(f) => f,
        Err(FoundingError::Constitution(e)) => return Ok(refuse(format!("{file}: {e}"))),
        Err(FoundingError::Invalid(fields)) => {
            // Each problem named by the option that gave it.
            let problems: Vec<String> = fields
                .0
                .iter()
                .map(|(k, v)| format!("--{k}: {v}"))
                .collect();
            return Ok(refuse(problems.join("; ")));
        }
        Err(e) => return Ok(refuse(e)),
    };
    let app = open_app(&args.db.database).await?;
    // Checked before the password is asked for, so nobody types one for nothing.
    match app.ensure_unfounded().await {
        Ok(()) => {}
        Err(e) if e.is_refusal() => return Ok(refuse(e)),
        Err(e) => return Err(e.into()),
    }
    let password = match founding_password(
        std::env::var_os(PASSWORD_ENV),
        &mut |prompt| rpassword::prompt_password(prompt),
        &mut std::io::stderr(),
    ) {
        Ok(p) => p,
        Err(e) if e.is_refusal() => return Ok(refuse(e)),
        Err(e) => return Err(e.into()),
    };
    let founded = match app.found_organisation(&founding, &password).await {
        Ok(f) => f,
        Err(e) if e.is_refusal() => return Ok(refuse(e)),
        Err(e) => return Err(e.into()),
    };
    let c = founding.constitution();
    let s = founding.secretary();
    println!(
        "national unit: {} (unit {})",
        founding.organisation(),
        founded.national
    );
    println!(
        "constitution: '{}', effective {} (version {})",
        c.version(),
        c.effective(),
        founded.constitution_version
    );
    if c.effective() > founded.on {
        println!(
            "note: no constitution is in force until {}, when this one takes effect",
            c.effective()
        );
    }
    println!(
        "national secretary: {} {} <{}> (member {}), from {}",
        s.first_name, s.last_name, s.email, founded.secretary, founded.on
    );
    println!(
        "charter: founded {}; sign in as {}",
        founding.organisation(),
        s.email
    );
    Ok(std::process::ExitCode::SUCCESS)
}

/// The constitution in force on `on`, or an error that says there is none that day.
async fn in_force(
    app: &App,
    on: NaiveDate,
) -> Result<(
    charter_app::constitution::VersionInfo,
    charter_rules::Constitution,
)> {
    match app.constitution_in_force(on).await {
        Err(AppError::NotFound("constitution")) => {
            bail!("no version of the constitution is in force on {on}")
        }
        other => Ok(other?),
    }
}

async fn constitution(what: ConstitutionCommand) -> Result<std::process::ExitCode> {
    let text = match what {
        ConstitutionCommand::Versions { db } => {
            let app = open_app(&db.database).await?;
            versions_table(&app.constitution_versions().await?)
        }
        ConstitutionCommand::Show { on, db } => {
            let app = open_app(&db.database).await?;
            let on = on.unwrap_or_else(|| app.today());
            let (info, c) = in_force(&app, on).await?;
            show(&info, &c, on)
        }
        ConstitutionCommand::Export {
            file,
            version_id,
            db,
        } => {
            let app = open_app(&db.database).await?;
            let id = match version_id {
                Some(id) => id,
                None => (in_force(&app, app.today()).await?.0.id).0,
            };
            let (info, toml) = match app.constitution_text(ConstitutionVersionId(id)).await {
                Err(AppError::NotFound(_)) => bail!("there is no constitution version {id}"),
                other => other?,
            };
            if file.as_os_str() == "-" {
                toml
            } else {
                write_private(&file, |w| w.write_all(toml.as_bytes()))
                    .with_context(|| format!("could not write {}", file.display()))?;
                eprintln!(
                    "exported '{}' (version {}) to {}",
                    info.version,
                    info.id,
                    file.display()
                );
                String::new()
            }
        }
        ConstitutionCommand::Example => charter_rules::EXAMPLE_CONSTITUTION.to_string(),
        ConstitutionCommand::Check { file } => {
            let name = file.display().to_string();
            let toml =
                std::fs::read_to_string(&file).with_context(|| format!("could not read {name}"))?;
            match charter_rules::Constitution::from_toml(&toml) {
                Ok(c) => format!("{}\n", check_summary(&c)),
                Err(e) => {
                    eprintln!("error: {name}: {e}");
                    return Ok(std::process::ExitCode::FAILURE);
                }
            }
        }
        ConstitutionCommand::Diff { from, to, db } => {
            let app = open_app(&db.database).await?;
            let (from, to) = (ConstitutionVersionId(from), ConstitutionVersionId(to));
            let known: Vec<ConstitutionVersionId> = app
                .constitution_versions()
                .await?
                .iter()
                .map(|v| v.id)
                .collect();
            if let Some(missing) = [from, to].into_iter().find(|id| !known.contains(id)) {
                bail!("there is no constitution version {missing}");
            }
            diff_text(&app.constitution_diff(from, to).await?)
        }
        ConstitutionCommand::Rights {
            member,
            on,
            reason,
            db,
        } => {
            let app = open_app(&db.database).await?;
            let on = on.unwrap_or_else(|| app.today());
            let member = MemberId(member);
            let (info, decisions) = match app.operator_member_rights(member, on, &reason).await {
                Err(AppError::NotFound("constitution")) => {
                    bail!("no version of the constitution is in force on {on}")
                }
                Err(AppError::NotFound("member")) => bail!("there is no member {member}"),
                other => other?,
            };
            rights_text(member, on, &info, &decisions)
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}

async fn ballot(what: BallotCommand) -> Result<std::process::ExitCode> {
    let missing = |id: i64| {
        move |e: AppError| match e {
            AppError::NotFound("ballot") => anyhow::anyhow!("there is no ballot {id}"),
            AppError::Conflict { message, .. } => anyhow::anyhow!("ballot {id}: {message}"),
            other => other.into(),
        }
    };
    let mut out = std::io::stdout().lock();
    let ok = match what {
        BallotCommand::List { db } => {
            let app = open_app(&db.database).await?;
            out.write_all(ballots_table(&app.ballots().await?).as_bytes())?;
            true
        }
        BallotCommand::Export {
            id,
            file,
            format,
            db,
        } => {
            let app = open_app(&db.database).await?;
            let text = match format {
                BallotFormat::Json => {
                    let published = app.published_box(BallotId(id)).await.map_err(missing(id))?;
                    serde_json::to_string_pretty(&published)? + "\n"
                }
                BallotFormat::Blt => {
                    let election = app
                        .ballot_election(BallotId(id))
                        .await
                        .map_err(missing(id))?;
                    charter_count::blt::to_blt(&election)
                        .context("the ballots do not write as BLT")?
                }
            };
            if file.as_os_str() == "-" {
                out.write_all(text.as_bytes())?;
            } else {
                write_private(&file, |w| w.write_all(text.as_bytes()))
                    .with_context(|| format!("could not write {}", file.display()))?;
                eprintln!("exported ballot {id} to {}", file.display());
            }
            true
        }
        BallotCommand::Recount { id, db } => {
            let app = open_app(&db.database).await?;
            let recount = app
                .recount_ballot(BallotId(id))
                .await
                .map_err(missing(id))?;
            charter_count::render::render(
                &recount.report,
                charter_count::render::Format::Text,
                &mut out,
            )?;
            match recount.matches_recorded {
                Some(true) => {
                    writeln!(out, "the recount matches the result recorded at close")?;
                    true
                }
                Some(false) => {
                    writeln!(out, "the recount DIFFERS from the result recorded at close")?;
                    false
                }
                None => {
                    writeln!(out, "no result has been recorded yet to compare with")?;
                    true
                }
            }
        }
    };
    out.flush()?;
    Ok(if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}

/// One line per ballot: id, state, closing time, title and outcome.
fn ballots_table(ballots: &[charter_store::BallotRecord]) -> String {
    let mut text = format!(
        "{:>4}  {:<9}  {:<16}  {}\n",
        "ID", "STATE", "CLOSES (UTC)", "TITLE"
    );
    for b in ballots {
        text.push_str(&format!(
            "{:>4}  {:<9}  {:<16}  {}{}\n",
            b.id,
            b.state,
            b.closes_at.format("%Y-%m-%d %H:%M"),
            b.title,
            b.outcome
                .as_deref()
                .map(|o| format!(" ({o})"))
                .unwrap_or_default()
        ));
    }
    if ballots.is_empty() {
        text.push_str("no ballots yet\n");
    }
    text
}

async fn roll(what: RollCommand) -> Result<std::process::ExitCode> {
    let missing = |id: i64| {
        move |e: AppError| match e {
            AppError::NotFound("roll") => anyhow::anyhow!("there is no roll {id}"),
            other => other.into(),
        }
    };
    let (text, ok) = match what {
        RollCommand::List { db } => {
            let app = open_app(&db.database).await?;
            (rolls_table(&app.rolls().await?), true)
        }
        RollCommand::Show { id, db } => {
            let app = open_app(&db.database).await?;
            // The operator has no member record; an actor with no offices sees the counts,
            // hashes and challenges no one in particular may see: none.
            let nobody = charter_domain::Actor {
                member: MemberId(0),
                home_branch: charter_domain::UnitId(0),
                offices: Vec::new(),
            };
            let view = app
                .roll_view(&nobody, RollId(id))
                .await
                .map_err(missing(id))?;
            (roll_summary(&view), true)
        }
        RollCommand::Verify { id, db } => {
            let app = open_app(&db.database).await?;
            let check = app.check_roll(RollId(id)).await.map_err(missing(id))?;
            let ok = check.frozen_hash_matches && check.current_hash_matches;
            (check_text(id, &check), ok)
        }
        RollCommand::Export {
            id,
            file,
            reason,
            db,
        } => {
            let app = open_app(&db.database).await?;
            let text = app
                .operator_roll_text(RollId(id), &reason)
                .await
                .map_err(missing(id))?;
            if file.as_os_str() == "-" {
                (text, true)
            } else {
                write_private(&file, |w| w.write_all(text.as_bytes()))
                    .with_context(|| format!("could not write {}", file.display()))?;
                eprintln!("exported roll {id} to {}", file.display());
                (String::new(), true)
            }
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}

async fn export_members(file: &Path, url: &str, branch: Option<&str>, reason: &str) -> Result<()> {
    let app = open_app(url).await?;
    let lookup = BranchLookup::new(&app.store_units().await?);
    let branch = find_branch(&lookup, branch)?;
    let members = app.operator_export(branch, reason).await?;
    if file.as_os_str() == "-" {
        write_members(std::io::stdout().lock(), &members)?;
    } else {
        write_private(file, |w| {
            write_members(w, &members).map_err(std::io::Error::other)
        })
        .with_context(|| format!("could not write {}", file.display()))?;
        eprintln!("exported {} members to {}", members.len(), file.display());
    }
    Ok(())
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

#[derive(Subcommand)]
enum TrusteeCommand {
    /// Make this trustee's identity key for an election: the secret is sealed with a new
    /// passphrase (at least 12 characters) into a new key file; the public identity, with a
    /// proof, is written for upload
    New {
        /// The election's published setup (parameters and setup fingerprint)
        #[arg(long, value_name = "SETUP.json")]
        setup: PathBuf,
        /// This trustee's number, from 1 to the number of trustees
        #[arg(long, value_name = "J")]
        index: u32,
        /// The key file to create (never overwritten); keep it off the server
        #[arg(long, value_name = "KEY.json")]
        key_file: PathBuf,
        /// Where to write the public identity to upload
        #[arg(long, value_name = "IDENTITY.json")]
        out: PathBuf,
    },
    /// Deal a share of a new random key to every trustee, after checking every trustee's
    /// identity proof; the dealing (encrypted shares and commitments) is written for upload
    Deal {
        /// The election's setup as the server publishes it: its parameters and setup fingerprint
        #[arg(long, value_name = "SETUP.json")]
        setup: PathBuf,
        /// This trustee's key file, opened with their passphrase
        #[arg(long, value_name = "KEY.json")]
        key_file: PathBuf,
        /// Every trustee's public identity (a JSON list)
        #[arg(long, value_name = "IDENTITIES.json")]
        identities: PathBuf,
        /// Where to write the dealing to upload
        #[arg(long, value_name = "DEALING.json")]
        out: PathBuf,
    },
    /// Open and check the shares dealt to this trustee. All good: the final key share is
    /// sealed into the key file and the keys computed are written for upload and comparison.
    /// A bad share: a complaint naming the dealer is written instead, and the exit status is 1
    Finish {
        /// The election's setup as the server publishes it: its parameters and setup fingerprint
        #[arg(long, value_name = "SETUP.json")]
        setup: PathBuf,
        /// This trustee's key file, opened with their passphrase
        #[arg(long, value_name = "KEY.json")]
        key_file: PathBuf,
        /// Every trustee's public identity, as the server publishes them (a JSON list)
        #[arg(long, value_name = "IDENTITIES.json")]
        identities: PathBuf,
        /// The qualified dealings (a JSON list)
        #[arg(long, value_name = "DEALINGS.json")]
        dealings: PathBuf,
        /// Where to write the key report, or the complaints
        #[arg(long, value_name = "RESULT.json")]
        out: PathBuf,
    },
    /// Ranked elections, once voting is over: verify the board and the shuffles on it, then
    /// shuffle the ballots in turn and write the shuffle for upload
    Shuffle {
        /// This trustee's key file, opened with their passphrase
        #[arg(long, value_name = "KEY.json")]
        key_file: PathBuf,
        /// The bulletin board as the server serves it
        #[arg(long, value_name = "BOARD.json")]
        board: PathBuf,
        /// Where to write the shuffle to upload
        #[arg(long, value_name = "SHUFFLE.json")]
        out: PathBuf,
    },
    /// Verify the whole board (ballots and shuffles), then write this trustee's share of the
    /// decryption of the tally, with proofs. Refuses a board that does not verify, and ranked
    /// ballots not yet shuffled by enough trustees
    Decrypt {
        /// This trustee's key file, opened with their passphrase
        #[arg(long, value_name = "KEY.json")]
        key_file: PathBuf,
        /// The ballot's bulletin board, as the server serves it
        #[arg(long, value_name = "BOARD.json")]
        board: PathBuf,
        /// Where to write the decryption share to upload
        #[arg(long, value_name = "SHARE.json")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum CredentialsCommand {
    /// Make one signing credential per voter of a roll (CSV: member_id,name,email): the
    /// public list, sorted, for the server to freeze; one private file per voter and
    /// letters.csv (member_id,name,email,credential) in a new private directory, for the
    /// authority to send each voter their own
    Generate {
        /// The election's setup as the server publishes it: its parameters and setup fingerprint
        #[arg(long, value_name = "SETUP.json")]
        setup: PathBuf,
        /// The roll: CSV with the header member_id,name,email, one voter a line
        #[arg(long, value_name = "ROLL.csv")]
        voters: PathBuf,
        /// Where to write the public list of credentials
        #[arg(long, value_name = "CREDENTIALS.json")]
        out_public: PathBuf,
        /// A new (or empty) directory for the private credentials
        #[arg(long, value_name = "DIR")]
        out_private: PathBuf,
    },
}

fn trustee_passphrase(creating: bool) -> Result<secrecy::SecretString> {
    use charter_cli::trustee::{PASSPHRASE_ENV, passphrase};
    Ok(passphrase(
        std::env::var_os(PASSPHRASE_ENV),
        &mut |q| rpassword::prompt_password(q),
        creating,
    )?)
}

fn trustee(what: TrusteeCommand) -> Result<std::process::ExitCode> {
    use charter_ballot_crypto::documents::Finished;
    use charter_cli::trustee as t;
    match what {
        TrusteeCommand::New {
            setup,
            index,
            key_file,
            out,
        } => {
            let pass = trustee_passphrase(true)?;
            t::new_trustee(&setup, index, &key_file, &out, &pass)?;
            println!(
                "trustee {index}: key sealed in {}; identity written to {} for upload",
                key_file.display(),
                out.display()
            );
        }
        TrusteeCommand::Deal {
            setup,
            key_file,
            identities,
            out,
        } => {
            let pass = trustee_passphrase(false)?;
            let d = t::deal_shares(&setup, &key_file, &identities, &out, &pass)?;
            println!(
                "trustee {}: dealing written to {} for upload",
                d.dealer,
                out.display()
            );
        }
        TrusteeCommand::Finish {
            setup,
            key_file,
            identities,
            dealings,
            out,
        } => {
            let pass = trustee_passphrase(false)?;
            let report = t::finish(&setup, &key_file, &identities, &dealings, &out, &pass)?;
            if let Finished::Key(k) = &report.document {
                println!(
                    "trustee {}: key share sealed in {}; election key {}; report written to {}",
                    k.trustee,
                    key_file.display(),
                    hex_point(&k.election_key),
                    out.display()
                );
            } else {
                for (dealer, why) in &report.problems {
                    eprintln!("complaint against trustee {dealer}: {why}");
                }
                eprintln!(
                    "the complaints are in {}: upload them; the key file is unchanged",
                    out.display()
                );
                return Ok(std::process::ExitCode::FAILURE);
            }
        }
        TrusteeCommand::Shuffle {
            key_file,
            board,
            out,
        } => {
            let pass = trustee_passphrase(false)?;
            let s = t::shuffle(&key_file, &board, &out, &pass)?;
            println!(
                "trustee {}: the board verifies; shuffle of {} ballots written to {}",
                s.trustee,
                s.ciphertexts.len(),
                out.display()
            );
        }
        TrusteeCommand::Decrypt {
            key_file,
            board,
            out,
        } => {
            let pass = trustee_passphrase(false)?;
            let s = t::decrypt(&key_file, &board, &out, &pass)?;
            println!(
                "trustee {}: the board verifies; decryption share written to {}",
                s.trustee,
                out.display()
            );
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

fn hex_point(p: &charter_ballot_crypto::PointBytes) -> String {
    hex::encode(p.0)
}

fn credentials(what: CredentialsCommand) -> Result<std::process::ExitCode> {
    let CredentialsCommand::Generate {
        setup,
        voters,
        out_public,
        out_private,
    } = what;
    let made =
        charter_cli::credentials::generate(&setup, &voters, &out_public, &out_private, true)?;
    println!(
        "{} credentials: public list in {}; private credentials and {} in {} (send each voter \
         their own; never give them to the server)",
        made.voters,
        out_public.display(),
        charter_cli::credentials::LETTERS_FILE,
        out_private.display()
    );
    Ok(std::process::ExitCode::SUCCESS)
}
