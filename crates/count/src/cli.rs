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
use crate::stv::{self, MeekArithmetic, StvOptions};

pub use crate::method::{Method, count_by};

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
    /// yes-no only: the share of the base the yes votes must reach
    #[arg(long, value_enum, default_value = "simple")]
    pub threshold: ThresholdArg,
    /// yes-no only: what the share is taken of (every ballot in the file counts as present)
    #[arg(long, value_enum, default_value = "cast")]
    pub base: BaseArg,
    /// yes-no only: everyone entitled to vote, needed for `--base electorate`
    #[arg(long)]
    pub electorate: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThresholdArg {
    /// More yes than no
    Simple,
    /// Yes is more than half of the base
    Absolute,
    /// Yes is at least two thirds of the base
    TwoThirds,
    /// Yes is at least three quarters of the base
    ThreeQuarters,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BaseArg {
    /// Yes and no votes
    Cast,
    /// Everyone who returned a ballot, abstentions included
    Present,
    /// Everyone entitled to vote (`--electorate N`)
    Electorate,
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
    #[error("yes-no count of {file}: {reason}")]
    YesNo { file: String, reason: String },
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
    let single = matches!(args.method, Method::Irv | Method::Condorcet | Method::YesNo);
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
        Method::YesNo => yes_no(&election, args)?,
        m => count_by(&election, m, &options).map_err(stv_error)?,
    };
    progress.say("writing the result".into());
    drop(progress);
    render::render(&report, args.format, out)?;
    Ok(())
}

/// Counts first preferences for options named yes, no and abstain (for/against also
/// accepted); a ballot with no first preference counts as an abstention.
fn yes_no(election: &crate::Election, args: &CountArgs) -> Result<Report, CountError> {
    use methods::yes_no::{Base, Counts, Threshold, report};
    let fail = |reason: String| CountError::YesNo {
        file: args.file.display().to_string(),
        reason,
    };
    let find = |names: &[&str]| {
        election
            .candidates
            .iter()
            .position(|c| names.contains(&c.name.trim().to_lowercase().as_str()))
    };
    let yes =
        find(&["yes", "for"]).ok_or_else(|| fail("no option is named yes (or for)".into()))?;
    let no = find(&["no", "against"])
        .ok_or_else(|| fail("no option is named no (or against)".into()))?;
    let abstain = find(&["abstain", "abstention"]);
    if election.candidates.len() > 2 + usize::from(abstain.is_some()) {
        return Err(fail(
            "a yes-no question has only the options yes, no and abstain".into(),
        ));
    }
    let (mut y, mut n, mut a) = (0u64, 0u64, 0u64);
    for b in &election.ballots {
        let first = b.ranks.iter().find(|r| !r.is_empty());
        match first.map(|r| r.as_slice()) {
            Some([c]) if c.index() == yes => y += b.weight,
            Some([c]) if c.index() == no => n += b.weight,
            // Abstentions, blank ballots and equal first preferences are counted as abstaining.
            _ => a += b.weight,
        }
    }
    let present = y + n + a;
    let threshold = match args.threshold {
        ThresholdArg::Simple => Threshold::SimpleMajority,
        ThresholdArg::Absolute => Threshold::AbsoluteMajority,
        ThresholdArg::TwoThirds => Threshold::TwoThirds,
        ThresholdArg::ThreeQuarters => Threshold::ThreeQuarters,
    };
    let base = match args.base {
        BaseArg::Cast => Base::VotesCast,
        BaseArg::Present => Base::Present,
        BaseArg::Electorate => Base::Electorate,
    };
    let counts = Counts {
        yes: y,
        no: n,
        abstain: a,
        present: Some(present),
        electorate: args.electorate,
    };
    report(&election.title, counts, threshold, base).map_err(|e| fail(e.to_string()))
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
        assert_eq!(Method::value_variants(), Method::ALL);
    }

    fn yes_no_args(file: PathBuf, threshold: ThresholdArg, base: BaseArg) -> CountArgs {
        CountArgs {
            file,
            method: Method::YesNo,
            seats: None,
            format: Format::Json,
            seed: 0,
            input_format: None,
            exact: false,
            meek_transcript: false,
            threshold,
            base,
            electorate: None,
        }
    }

    #[test]
    fn a_yes_no_question_is_decided_by_its_threshold_and_base() {
        // 60 yes, 35 no, 5 abstain: carried by simple majority; lost at two thirds of
        // those present (67 needed) and at two thirds of the 95 votes cast (64 needed).
        let path = std::env::temp_dir().join(format!("charter-yes-no-{}.blt", std::process::id()));
        std::fs::write(
            &path,
            "3 1\n60 1 0\n35 2 0\n5 3 0\n0\n\"Yes\"\n\"No\"\n\"Abstain\"\n\"Motion 4\"\n",
        )
        .unwrap();
        let run_json = |t, b| {
            let mut out = Vec::new();
            run(&yes_no_args(path.clone(), t, b), &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let simple = run_json(ThresholdArg::Simple, BaseArg::Cast);
        assert!(
            simple.contains(r#""elected": ["Yes"]"#) || simple.contains(r#""elected":["Yes"]"#),
            "{simple}"
        );
        let present = run_json(ThresholdArg::TwoThirds, BaseArg::Present);
        assert!(
            present.contains(r#""elected": ["No"]"#) || present.contains(r#""elected":["No"]"#),
            "{present}"
        );
        let cast = run_json(ThresholdArg::TwoThirds, BaseArg::Cast);
        assert!(
            cast.contains(r#""elected": ["No"]"#) || cast.contains(r#""elected":["No"]"#),
            "{cast}"
        );
        let err = run(
            &yes_no_args(path.clone(), ThresholdArg::Simple, BaseArg::Electorate),
            &mut Vec::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("electorate"), "{err}");
        std::fs::remove_file(&path).ok();
    }
}
