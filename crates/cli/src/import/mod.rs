//! `charter import`: reads the files, maps their columns, hands the rows to the app to check
//! against the register, reports every problem with its file, line and column, and only when
//! there is none (and it is not a dry run) has the whole import written in one transaction.

pub mod columns;
pub mod generated;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;

use crate::progress::progress_bar;
use charter_app::import::{ImportFile, ImportReport, RawImport};
use charter_app::{App, AppError};

use crate::csv_in;
use columns::{Mapped, add_rows, map_header, spec};

/// The files of one import; any may be left out.
#[derive(Debug, Clone, Default)]
pub struct Files(pub BTreeMap<ImportFile, PathBuf>);

impl Files {
    /// The files a folder holds under their usual names (units.csv, members.csv, …).
    pub fn in_folder(dir: &Path) -> Files {
        Files(
            ImportFile::ALL
                .iter()
                .map(|f| (*f, dir.join(f.file_name())))
                .filter(|(_, p)| p.is_file())
                .collect(),
        )
    }

    pub fn with(mut self, file: ImportFile, path: Option<PathBuf>) -> Files {
        if let Some(p) = path {
            self.0.insert(file, p);
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Check and report everything, write nothing.
    pub dry_run: bool,
    /// Let rows change members already in the register.
    pub update: bool,
    /// The branch of new members when members.csv has no branch column.
    pub default_branch: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("could not read {0}: {1}")]
    Read(String, std::io::Error),
    #[error(transparent)]
    App(#[from] AppError),
    #[error("could not write the report: {0}")]
    Report(#[from] std::io::Error),
}

/// Problems shown per file; the count covers them all.
const SHOWN_PER_FILE: usize = 200;

/// A problem as the operator reads it.
struct Shown {
    file: ImportFile,
    line: u64,
    text: String,
}

/// Runs an import: the report goes to `out`, problems to `err`. Returns whether it went
/// through (or, in a dry run, would go through).
pub async fn run(
    app: &App,
    files: &Files,
    opts: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<bool, ImportError> {
    let started = Instant::now();
    let mut raw = RawImport {
        default_branch: opts.default_branch.clone(),
        update: opts.update,
        ..RawImport::default()
    };
    let mut mapped: BTreeMap<ImportFile, Mapped> = BTreeMap::new();
    let mut shown: Vec<Shown> = Vec::new();
    let display = |f: ImportFile| files.0[&f].display().to_string();
    for (file, path) in &files.0 {
        let bytes =
            std::fs::read(path).map_err(|e| ImportError::Read(path.display().to_string(), e))?;
        let name = path.file_name().map_or_else(
            || file.file_name().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        raw.names.insert(*file, name);
        let table = match csv_in::read(&bytes) {
            Ok(t) => t,
            Err(problems) => {
                for p in problems {
                    let column = match (&p.column_name, p.column) {
                        (Some(n), Some(c)) if !n.is_empty() => format!(", column {n} ({})", c + 1),
                        (_, Some(c)) => format!(", column {}", c + 1),
                        _ => String::new(),
                    };
                    shown.push(Shown {
                        file: *file,
                        line: p.line,
                        text: format!("{}: line {}{column}: {}", display(*file), p.line, p.message),
                    });
                }
                continue;
            }
        };
        // New members need a branch; with --update the rows may all be members already in
        // the register, and a new one without a branch is reported on its own line.
        let also: &[&'static str] =
            if *file == ImportFile::Members && opts.default_branch.is_none() && !opts.update {
                &["branch"]
            } else {
                &[]
            };
        match map_header(spec(*file), &table.header, also) {
            Ok(m) => {
                for (i, h) in &m.unread {
                    writeln!(
                        err,
                        "note: {}: column {h} ({}) is not read by an import",
                        display(*file),
                        i + 1
                    )?;
                }
                add_rows(&mut raw, *file, &m, table);
                mapped.insert(*file, m);
            }
            Err(problems) => shown.extend(problems.into_iter().map(|p| Shown {
                file: *file,
                line: 1,
                text: format!("{}: line 1: {p}", display(*file)),
            })),
        }
    }
    if !shown.is_empty() {
        // A file that cannot be read would make every row naming its members look wrong:
        // these come first.
        report_problems(err, &shown)?;
        return Ok(false);
    }

    let spinner = spinner("checking");
    let plan = match app.plan_import(&raw).await {
        Ok(p) => p,
        Err(AppError::Invalid(fields)) => {
            spinner.finish_and_clear();
            for (option, message) in &fields.0 {
                writeln!(err, "error: --{option}: {message}; nothing was written")?;
            }
            return Ok(false);
        }
        Err(e) => return Err(e.into()),
    };
    spinner.finish_and_clear();
    for p in &plan.problems {
        let column = p
            .field
            .map(|f| format!(", {}", mapped[&p.file].column(f)))
            .unwrap_or_default();
        shown.push(Shown {
            file: p.file,
            line: p.line,
            text: format!(
                "{}: line {}{column}: {}",
                display(p.file),
                p.line,
                p.message
            ),
        });
    }
    if !shown.is_empty() {
        report_problems(err, &shown)?;
        return Ok(false);
    }
    write_report(out, &plan.report, &files.0, &display)?;
    if opts.dry_run {
        writeln!(out, "dry run: every row checks out; nothing was written")?;
        return Ok(true);
    }
    let bar = progress_bar(plan.batch.rows(), "importing");
    let written = app.run_import(&plan, &|n| bar.set_position(n)).await;
    bar.finish_and_clear();
    match written {
        Ok(_) => {
            writeln!(out, "imported in {:.1} s", started.elapsed().as_secs_f64())?;
            Ok(true)
        }
        // The register changed between the check and the write (someone took an email or a
        // slug, or changed a status): the transaction was rolled back whole.
        Err(e @ (AppError::Conflict { .. } | AppError::NotFound(_))) => {
            writeln!(err, "error: {e}; nothing was written: run the import again")?;
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

fn report_problems(err: &mut dyn Write, shown: &[Shown]) -> std::io::Result<()> {
    let mut sorted: Vec<&Shown> = shown.iter().collect();
    sorted.sort_by_key(|s| (s.file, s.line));
    let mut per_file: BTreeMap<ImportFile, usize> = BTreeMap::new();
    for s in &sorted {
        let n = per_file.entry(s.file).or_default();
        *n += 1;
        if *n <= SHOWN_PER_FILE {
            writeln!(err, "{}", s.text)?;
        }
    }
    for (file, n) in &per_file {
        if *n > SHOWN_PER_FILE {
            writeln!(
                err,
                "… and {} more problems in {}",
                n - SHOWN_PER_FILE,
                file.file_name()
            )?;
        }
    }
    let files = per_file.len();
    writeln!(
        err,
        "error: {} {} in {files} {}; nothing was written",
        shown.len(),
        if shown.len() == 1 {
            "problem"
        } else {
            "problems"
        },
        if files == 1 { "file" } else { "files" }
    )
}

fn write_report(
    out: &mut dyn Write,
    r: &ImportReport,
    files: &BTreeMap<ImportFile, PathBuf>,
    display: &dyn Fn(ImportFile) -> String,
) -> std::io::Result<()> {
    if files.contains_key(&ImportFile::Units) {
        write!(out, "units: {} created", r.units_created.len())?;
        // Named when they fit on a line: a whole organisation's are counted.
        if !r.units_created.is_empty() && r.units_created.len() <= 12 {
            write!(out, " ({})", r.units_created.join(", "))?;
        }
        writeln!(out, ", {} already in the register", r.units_already_there)?;
    }
    writeln!(
        out,
        "members: {} created ({} keep their member numbers), {} updated, {} unchanged",
        r.members_created,
        r.numbers_kept,
        r.updated.len(),
        r.unchanged
    )?;
    writeln!(
        out,
        "history: {}, {}",
        plural(r.status_changes, "status change"),
        plural(r.payments, "payment")
    )?;
    if files.contains_key(&ImportFile::Offices) {
        writeln!(
            out,
            "offices: {} created, {} recorded",
            r.offices_created,
            plural(r.holdings, "past holding")
        )?;
    }
    for u in &r.updated {
        writeln!(
            out,
            "updated: {}: line {}: member {}: {}",
            display(u.file),
            u.line,
            u.member,
            u.changes.join(", ")
        )?;
    }
    Ok(())
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn spinner(what: &str) -> ProgressBar {
    let s = ProgressBar::new_spinner();
    s.set_message(what.to_string());
    s.enable_steady_tick(Duration::from_millis(120));
    s
}
