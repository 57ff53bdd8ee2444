//! A plain-text transcript a returning officer can read aloud, print, or diff against another
//! counter's output: a header, who was elected, a table of totals by round (in blocks of
//! eight rounds so it fits a page), then each round's action and reason.

use std::fmt::Write;

use super::{action_text, name, names, signed};
use crate::report::Report;

const ROUNDS_PER_BLOCK: usize = 8;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let title = if report.title.is_empty() {
        "(untitled)"
    } else {
        &report.title
    };
    let _ = writeln!(out, "Election: {title}");
    let _ = writeln!(out, "Method:   {}", report.method);
    let _ = writeln!(out, "Seats:    {}", report.seats);
    if let Some(q) = report.quota {
        let _ = writeln!(out, "Quota:    {q}");
    }
    out.push('\n');
    if report.elected.is_empty() {
        out.push_str("Elected: none\n");
    } else {
        out.push_str("Elected, in order of election:\n");
        for (i, &id) in report.elected.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", i + 1, name(report, id));
        }
    }
    table(report, &mut out);
    out.push_str("\nRounds\n");
    for round in &report.rounds {
        let _ = write!(
            out,
            "  Round {}: {}",
            round.number,
            action_text(report, &round.action)
        );
        if round.reason.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, ": {}", round.reason);
        }
        let moves: Vec<String> = round
            .transfers
            .iter()
            .enumerate()
            .filter(|(_, d)| d.units != 0)
            .map(|(i, d)| {
                format!(
                    "{} {}",
                    name(report, crate::CandidateId(i as u32)),
                    signed(*d)
                )
            })
            .collect();
        if !moves.is_empty() && round.number > 1 {
            let _ = writeln!(out, "    changes: {}", moves.join(", "));
        }
        if let Some(q) = round.quota
            && round.quota != report.quota
        {
            let _ = writeln!(out, "    quota this round: {q}");
        }
    }
    if !report.tie_breaks.is_empty() {
        out.push_str("\nTie-breaks\n");
        for t in &report.tie_breaks {
            let _ = writeln!(
                out,
                "  Round {}: {} were tied; {} chosen by {}",
                t.round,
                names(report, &t.tied),
                name(report, t.chosen),
                t.rule
            );
        }
    }
    if !report.notes.is_empty() {
        out.push_str("\nNotes\n");
        for n in &report.notes {
            let _ = writeln!(out, "  {n}");
        }
    }
    out
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn table(report: &Report, out: &mut String) {
    if report.rounds.is_empty() {
        return;
    }
    let status: Vec<String> = report.fates().iter().map(ToString::to_string).collect();
    let show_residual = report
        .rounds
        .iter()
        .any(|r| r.residual.is_some_and(|d| d.units != 0));
    let mut labels: Vec<String> = report.candidate_names.clone();
    labels.push("Non-transferable".into());
    if show_residual {
        labels.push("Rounding residual".into());
    }
    let label_w = labels
        .iter()
        .map(|l| width(l))
        .max()
        .unwrap_or(0)
        .max("Candidate".len());
    let status_w = status
        .iter()
        .map(|s| width(s))
        .max()
        .unwrap_or(0)
        .max("Status".len());
    for block in report.rounds.chunks(ROUNDS_PER_BLOCK) {
        out.push('\n');
        let mut rows: Vec<Vec<String>> = vec![Vec::new(); labels.len()];
        let mut heads = Vec::new();
        for round in block {
            heads.push(format!("Round {}", round.number));
            for (i, row) in rows
                .iter_mut()
                .enumerate()
                .take(report.candidate_names.len())
            {
                row.push(
                    round
                        .totals
                        .get(i)
                        .map_or(String::new(), ToString::to_string),
                );
            }
            let k = report.candidate_names.len();
            rows[k].push(round.exhausted.to_string());
            if show_residual {
                rows[k + 1].push(round.residual.map_or(String::new(), |d| d.to_string()));
            }
        }
        let col_w: Vec<usize> = (0..heads.len())
            .map(|c| {
                rows.iter()
                    .map(|r| width(&r[c]))
                    .chain([width(&heads[c])])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let _ = write!(out, "{:<label_w$}  {:<status_w$}", "Candidate", "Status");
        for (h, w) in heads.iter().zip(&col_w) {
            let _ = write!(out, "  {h:>w$}");
        }
        out.push('\n');
        let rule = label_w + 2 + status_w + col_w.iter().map(|w| w + 2).sum::<usize>();
        out.push_str(&"-".repeat(rule));
        out.push('\n');
        for (i, (label, row)) in labels.iter().zip(&rows).enumerate() {
            let st = status.get(i).map_or("", String::as_str);
            let _ = write!(out, "{label:<label_w$}  {st:<status_w$}");
            for (v, w) in row.iter().zip(&col_w) {
                let _ = write!(out, "  {v:>w$}");
            }
            // Trailing spaces make transcripts noisy to diff.
            while out.ends_with(' ') {
                out.pop();
            }
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot() {
        insta::assert_snapshot!(super::render(&super::super::sample::report()));
    }
}
