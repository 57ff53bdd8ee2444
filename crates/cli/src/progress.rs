//! Progress bars for long work on the terminal (imports, invitations, the demo's loading).

use indicatif::{ProgressBar, ProgressStyle};

/// A bar on the terminal (hidden when standard error is not one).
pub fn progress_bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}
