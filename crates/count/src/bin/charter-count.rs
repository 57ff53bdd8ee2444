//! `charter-count`: the counting engine alone, for returning officers and scrutineers who
//! want to check a count without installing the whole of Charter.

use std::io::Write;
use std::process::ExitCode;

use charter_count::cli::{CountArgs, run};
use clap::Parser;

#[derive(Parser)]
#[command(
    name = "charter-count",
    version,
    about = "Count an election from a ballot file"
)]
struct Cli {
    #[command(flatten)]
    args: CountArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result = run(&cli.args, &mut out).and_then(|()| out.flush().map_err(Into::into));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("charter-count: {e}");
            ExitCode::FAILURE
        }
    }
}
