//! `charter count FILE --method M`: the command-line face of this crate, shared by the
//! workspace's `charter` binary and the standalone `charter-count`.
//!
//! The arguments are a `clap::Args` struct so the `charter` binary can embed them as a
//! subcommand without restating them; output goes to any writer so tests can capture it.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use crate::input::{self, InputFormat, LoadError};
use crate::methods;
use crate::render::{self, Format};
use crate::report::Report;
use crate::stv::{self, MeekArithmetic, StvMethod, StvOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    Plurality,
    Approval,
    Irv,
    ScottishStv,
    Meek,
    Wigm,
    Ers97,
    Schulze,
    /// The Condorcet winner and loser, with every pairwise contest.
    Condorcet,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Plurality => "plurality",
            Method::Approval => "approval",
            Method::Irv => "irv",
            Method::ScottishStv => "scottish-stv",
            Method::Meek => "meek",
            Method::Wigm => "wigm",
            Method::Ers97 => "ers97",
            Method::Schulze => "schulze",
            Method::Condorcet => "condorcet",
        }
    }

    fn stv(self) -> Option<StvMethod> {
        StvMethod::from_name(self.name())
    }
}

/// Count an election from a ballot file.
#[derive(Debug, Clone, clap::Args)]
pub struct CountArgs {
    /// Ballot file: BLT, Charter JSON ballots, Irish 2002 JSON, or PrefLib .soi/.toc
    pub file: PathBuf,
    /// Counting method
    #[arg(long, value_enum)]
    pub method: Method,
    /// Number of seats, overriding the file (irv and condorcet always fill one)
    #[arg(long)]
    pub seats: Option<u32>,
    /// Output: a transcript, a JSON record or a standalone HTML page
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Seed of the lot that breaks ties nothing else breaks; publish it with the result
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Input format, when detection by extension and content would guess wrong
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Meek only: exact rational arithmetic instead of fixed point with 9 places
    #[arg(long)]
    pub exact: bool,
    /// Meek only, text only: print the transcript in the layout of Droop and stv-rs
    #[arg(long)]
    pub meek_transcript: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CountError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("--seats must be at least 1")]
    NoSeats,
    #[error("{method} fills one seat, but --seats {seats} was given")]
    SingleSeat { method: &'static str, seats: u32 },
    #[error("--meek-transcript needs --method meek and --format text")]
    TranscriptNeedsMeek,
    #[error("{method} count of {file}: {source}")]
    Stv {
        method: &'static str,
        file: String,
        source: stv::CountError,
    },
    #[error("cannot write the result: {0}")]
    Write(#[from] std::io::Error),
}

/// Shows what the count is doing on an interactive terminal; silent otherwise, so pipes,
/// files and tests see only the result.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn start() -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress(Some(bar))
    }

    fn say(&self, msg: String) {
        if let Some(bar) = &self.0 {
            bar.set_message(msg);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

pub fn run(args: &CountArgs, out: &mut dyn Write) -> Result<(), CountError> {
    if args.seats == Some(0) {
        return Err(CountError::NoSeats);
    }
    let single = matches!(args.method, Method::Irv | Method::Condorcet);
    if single && let Some(seats) = args.seats.filter(|&s| s != 1) {
        return Err(CountError::SingleSeat {
            method: args.method.name(),
            seats,
        });
    }
    if args.meek_transcript && (args.method != Method::Meek || args.format != Format::Text) {
        return Err(CountError::TranscriptNeedsMeek);
    }
    let progress = Progress::start();
    progress.say(format!("reading {}", args.file.display()));
    let mut election = input::load(&args.file, args.input_format)?;
    if single {
        election.seats = 1;
    } else if let Some(seats) = args.seats {
        election.seats = seats;
    }
    progress.say(format!(
        "counting {} ballots ({} distinct) by {}",
        election.total_votes(),
        election.ballots.len(),
        args.method.name()
    ));
    let stv_error = |source| CountError::Stv {
        method: args.method.name(),
        file: args.file.display().to_string(),
        source,
    };
    let options = StvOptions {
        seed: args.seed,
        meek_arithmetic: if args.exact {
            MeekArithmetic::Exact
        } else {
            MeekArithmetic::Fixed9
        },
        ..StvOptions::default()
    };
    if args.meek_transcript {
        let (_, transcript) = stv::meek_transcript(&election, &options).map_err(stv_error)?;
        drop(progress);
        out.write_all(transcript.render().as_bytes())?;
        return Ok(());
    }
    let report: Report = match args.method {
        Method::Plurality => methods::plurality::count(&election, args.seed),
        Method::Approval => methods::approval::count(&election, args.seed),
        Method::Schulze => methods::schulze::count(&election, args.seed),
        Method::Condorcet => methods::condorcet::count(&election),
        m => {
            // Every remaining method is in the STV family.
            let method = m.stv().unwrap_or(StvMethod::Irv);
            stv::count(&election, method, &options).map_err(stv_error)?
        }
    };
    progress.say("writing the result".into());
    drop(progress);
    render::render(&report, args.format, out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_maps_to_its_name() {
        use clap::ValueEnum;
        for m in Method::value_variants() {
            let pv = m.to_possible_value().unwrap();
            assert_eq!(pv.get_name(), m.name());
            let is_stv = matches!(
                m,
                Method::Irv | Method::ScottishStv | Method::Meek | Method::Wigm | Method::Ers97
            );
            assert_eq!(m.stv().is_some(), is_stv, "{}", m.name());
        }
    }
}
