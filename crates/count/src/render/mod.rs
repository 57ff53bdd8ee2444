//! Turning a [`Report`] into something people and programs read: a returning officer's
//! transcript ([`text`]), a machine-readable record ([`json`]) and a standalone web page
//! ([`html`]). All three show the same facts, so a published count can be checked in any form.

pub mod html;
pub mod json;
pub mod text;

use crate::model::CandidateId;
use crate::report::{Action, Decimal, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    #[default]
    Text,
    Json,
    Html,
}

pub fn render(
    report: &Report,
    format: Format,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let s = match format {
        Format::Text => text::render(report),
        Format::Json => json::render(report),
        Format::Html => html::render(report),
    };
    out.write_all(s.as_bytes())
}

/// A candidate's name, as every renderer writes it.
pub fn name(report: &Report, id: CandidateId) -> &str {
    report
        .candidate_names
        .get(id.index())
        .map_or("(unknown candidate)", String::as_str)
}

/// Names in a list read aloud: "Ann", "Ann and Bob", "Ann, Bob and Cy".
pub fn names(report: &Report, ids: &[CandidateId]) -> String {
    let names: Vec<&str> = ids.iter().map(|&id| name(report, id)).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A heading for the action, in words.
pub fn action_text(report: &Report, action: &Action) -> String {
    match action {
        Action::FirstPreferences => "First preferences".into(),
        Action::Elected(ids) => format!("Elected {}", names(report, ids)),
        Action::SurplusTransferred(id) => format!("Surplus of {} transferred", name(report, *id)),
        Action::Excluded(ids) => format!("Excluded {}", names(report, ids)),
        Action::Finished => "Count finished".into(),
        Action::Decided => "Decided".into(),
    }
}

/// A transfer shown with its sign, so gains and losses read at a glance.
pub(crate) fn signed(d: Decimal) -> String {
    if d.units > 0 {
        format!("+{d}")
    } else {
        d.to_string()
    }
}

#[cfg(test)]
pub(crate) mod sample {
    use crate::model::CandidateId;
    use crate::report::{Action, Decimal, Report, Round, TieBreak};

    fn d(units: i128) -> Decimal {
        Decimal { units, scale: 2 }
    }

    /// A small hand-made two-seat count with a surplus, an exclusion and a tie, with a name
    /// that needs escaping, for the renderers' snapshots.
    pub fn report() -> Report {
        let c = CandidateId;
        Report {
            method: "scottish-stv".into(),
            title: "Branch committee <2026>".into(),
            seats: 2,
            candidate_names: vec![
                "Ann \"Nan\" O'Neill".into(),
                "Bob & Co".into(),
                "Cy <Lab>".into(),
                "Dee".into(),
            ],
            quota: Some(d(401)),
            elected: vec![c(0), c(1)],
            rounds: vec![
                Round {
                    number: 1,
                    totals: vec![d(500), d(300), d(200), d(200)],
                    transfers: vec![d(500), d(300), d(200), d(200)],
                    exhausted: d(0),
                    residual: None,
                    quota: Some(d(401)),
                    action: Action::Elected(vec![c(0)]),
                    reason: "Ann \"Nan\" O'Neill has reached the quota".into(),
                },
                Round {
                    number: 2,
                    totals: vec![d(401), d(350), d(240), d(205)],
                    transfers: vec![d(-99), d(50), d(40), d(5)],
                    exhausted: d(4),
                    residual: Some(d(0)),
                    quota: Some(d(401)),
                    action: Action::SurplusTransferred(c(0)),
                    reason: "surplus of 0.99 transferred at value 0.19800".into(),
                },
                Round {
                    number: 3,
                    totals: vec![d(401), d(420), d(0), d(205)],
                    transfers: vec![d(0), d(70), d(-240), d(0)],
                    exhausted: d(174),
                    residual: Some(d(0)),
                    quota: Some(d(401)),
                    action: Action::Excluded(vec![c(2)]),
                    reason: "lowest total after the tie with Dee was broken".into(),
                },
                Round {
                    number: 4,
                    totals: vec![d(401), d(420), d(0), d(205)],
                    transfers: vec![d(0), d(0), d(0), d(0)],
                    exhausted: d(174),
                    residual: Some(d(0)),
                    quota: Some(d(401)),
                    action: Action::Elected(vec![c(1)]),
                    reason: "Bob & Co has reached the quota".into(),
                },
            ],
            tie_breaks: vec![TieBreak {
                round: 3,
                tied: vec![c(2), c(3)],
                chosen: c(2),
                rule: "earlier round 1 totals".into(),
            }],
            notes: vec!["4 ballots, 0 invalid".into()],
        }
    }
}
