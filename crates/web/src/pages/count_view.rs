//! A ballot's count as its page shows it, read from the record `charter count --format json`
//! writes (kept with the ballot): a round-by-round table with each candidate's fate, and a
//! chart of totals by round drawn as inline SVG.
//!
//! Numbers stay exact: the count's reader keeps them as the decimals it wrote (`1300.00000`),
//! they are shown as that text and drawn with integer arithmetic — never through floating
//! point. Fates and the words for each round are the count library's, as in its transcripts.

use charter_count::render::{action_text, json, name, names};
use charter_count::{Decimal, Fate, Report};

/// One cell of the round table: the total, and what happened to the candidate that round.
pub struct Cell {
    pub total: String,
    /// "elected", "excluded" or empty.
    pub mark: &'static str,
}

pub struct CandidateRow {
    pub name: String,
    pub cells: Vec<Cell>,
    /// "elected 1st", "excluded in round 3", or empty while continuing.
    pub fate: String,
    pub elected: bool,
    /// The total in the last round.
    pub last: String,
    /// Bar length in percent of the largest total, for a one-round count.
    pub width: i128,
}

pub struct RoundHead {
    pub number: u32,
    /// What the round did, in words: "Elected Ann", "Excluded Cy", "First preferences".
    pub action: String,
    pub reason: String,
}

/// A line on the chart: a candidate's totals round by round.
pub struct Series {
    pub name: String,
    pub colour: &'static str,
    pub dash: &'static str,
    /// SVG polyline points, "x,y x,y …".
    pub points: String,
}

/// A gridline across the plot, labelled on the axis.
pub struct GridLine {
    pub y: i128,
    pub label_y: i128,
    pub label: String,
}

/// A round's place along the axis.
pub struct Tick {
    pub x: i128,
    pub round: u32,
}

/// Totals by round as a line chart, in a 720-wide coordinate space (scaled by CSS). Every
/// coordinate is worked out here, so the template only places them.
pub struct Chart {
    pub width: i128,
    pub height: i128,
    pub left: i128,
    pub right: i128,
    pub top: i128,
    pub bottom: i128,
    /// Where axis labels sit: left of the axis, under the ticks, and the axis title.
    pub label_x: i128,
    pub tick_label_y: i128,
    pub title_x: i128,
    pub title_y: i128,
    pub grid: Vec<GridLine>,
    pub ticks: Vec<Tick>,
    /// The quota line and its label's height, when the count has a quota.
    pub quota: Option<(i128, i128)>,
    pub series: Vec<Series>,
}

pub struct CountView {
    pub method: String,
    pub seats: u32,
    pub quota: Option<String>,
    pub elected: Vec<String>,
    pub rounds: Vec<RoundHead>,
    pub rows: Vec<CandidateRow>,
    /// Ballots with no continuing preference, by round.
    pub exhausted: Vec<String>,
    pub chart: Option<Chart>,
    pub tie_breaks: Vec<String>,
    pub notes: Vec<String>,
}

/// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), as the
/// count's own HTML page uses; past eight lines, dash patterns tell them apart.
const COLOURS: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
];
const DASHES: [&str; 4] = ["", "8 4", "2 3", "10 3 2 3"];

/// Marks the round a candidate's fate was decided in.
fn mark(fate: Fate, round: u32) -> &'static str {
    match fate {
        Fate::Elected { round: r, .. } if r == round => "elected",
        Fate::Excluded { round: r } if r == round => "excluded",
        _ => "",
    }
}

/// Reads a count's JSON record; `None` when it is not one (logged by the caller).
pub fn read(json: &str) -> Option<CountView> {
    let r = json::read(json).ok()?;
    let fates = r.fates();
    let quota = r.quota.or(r.rounds.iter().find_map(|round| round.quota));
    let scale = r
        .rounds
        .iter()
        .flat_map(|round| round.totals.iter().chain(&round.quota))
        .chain(&r.quota)
        .map(|d| d.scale)
        .max()
        .unwrap_or(0);
    let last = r.rounds.last().map(|round| &round.totals);
    let most = last
        .map(|t| t.iter().map(|d| d.at_scale(scale)).max().unwrap_or(0))
        .unwrap_or(0)
        .max(1);
    let rows = r
        .candidate_names
        .iter()
        .zip(&fates)
        .enumerate()
        .map(|(i, (name, &fate))| CandidateRow {
            name: name.clone(),
            cells: r
                .rounds
                .iter()
                .map(|round| Cell {
                    total: round.totals[i].to_string(),
                    mark: mark(fate, round.number),
                })
                .collect(),
            fate: fate.brief(r.elected.len()),
            elected: fate.is_elected(),
            last: last.map_or_else(String::new, |t| t[i].to_string()),
            width: last.map_or(0, |t| t[i].at_scale(scale).clamp(0, most) * 100 / most),
        })
        .collect();
    let chart = (r.rounds.len() > 1).then(|| chart(&r, quota, scale));
    Some(CountView {
        seats: r.seats,
        quota: r.quota.map(|q| q.to_string()),
        elected: r
            .elected
            .iter()
            .map(|&id| name(&r, id).to_string())
            .collect(),
        rounds: r
            .rounds
            .iter()
            .map(|round| RoundHead {
                number: round.number,
                action: action_text(&r, &round.action),
                reason: round.reason.clone(),
            })
            .collect(),
        rows,
        exhausted: r
            .rounds
            .iter()
            .map(|round| round.exhausted.to_string())
            .collect(),
        chart,
        tie_breaks: r
            .tie_breaks
            .iter()
            .map(|t| {
                format!(
                    "Round {}: {} were tied; {} was chosen by {}",
                    t.round,
                    names(&r, &t.tied),
                    name(&r, t.chosen),
                    t.rule
                )
            })
            .collect(),
        notes: r.notes,
        method: r.method,
    })
}

fn chart(r: &Report, quota: Option<Decimal>, scale: u32) -> Chart {
    const W: i128 = 720;
    const H: i128 = 320;
    const LEFT: i128 = 70;
    const RIGHT: i128 = 20;
    const TOP: i128 = 20;
    const BOTTOM: i128 = 40;
    let totals: Vec<&[Decimal]> = r.rounds.iter().map(|round| &round.totals[..]).collect();
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let max = totals
        .iter()
        .flat_map(|t| t.iter())
        .chain(&quota)
        .map(|d| d.at_scale(scale))
        .max()
        .unwrap_or(0)
        .max(1);
    let rounds = i128::try_from(totals.len()).unwrap_or(i128::MAX).max(2);
    let x = |i: usize| LEFT + i128::try_from(i).unwrap_or(0) * plot_w / (rounds - 1);
    // Divide first when values are huge, so the product cannot overflow.
    let y = |v: i128| {
        let v = v.clamp(0, max);
        let scaled = if max > i128::MAX / plot_h {
            v / (max / plot_h).max(1)
        } else {
            v * plot_h / max
        };
        TOP + plot_h - scaled.min(plot_h)
    };
    let one = 10i128.pow(scale.min(18));
    let grid = (1..=4i128)
        .map(|q| {
            let v = max * q / 4;
            // Whole numbers read best on an axis; tiny counts keep their decimals.
            let label = if max >= 4 * one {
                (v / one).to_string()
            } else {
                Decimal { units: v, scale }.to_string()
            };
            GridLine {
                y: y(v),
                label_y: y(v) + 4,
                label,
            }
        })
        .collect();
    let ticks = (0..totals.len())
        .map(|i| Tick {
            x: x(i),
            round: u32::try_from(i + 1).unwrap_or(u32::MAX),
        })
        .collect();
    let series = r
        .candidate_names
        .iter()
        .enumerate()
        .map(|(c, name)| Series {
            name: name.clone(),
            colour: COLOURS[c % COLOURS.len()],
            dash: DASHES[(c / COLOURS.len()) % DASHES.len()],
            points: totals
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{},{}", x(i), y(t[c].at_scale(scale))))
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect();
    Chart {
        width: W,
        height: H,
        left: LEFT,
        right: W - RIGHT,
        top: TOP,
        bottom: TOP + plot_h,
        label_x: LEFT - 6,
        tick_label_y: TOP + plot_h + 16,
        title_x: LEFT + plot_w / 2,
        title_y: TOP + plot_h + 34,
        grid,
        ticks,
        quota: quota.map(|q| (y(q.at_scale(scale)), y(q.at_scale(scale)) - 4)),
        series,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small STV record as `charter count --format json` writes it.
    const STV: &str = r#"{
      "method": "scottish-stv", "title": "Committee", "seats": 2, "quota": 4.01,
      "candidates": ["Ann", "Bob & Co", "Cy"],
      "elected": ["Ann", "Bob & Co"],
      "rounds": [
        {"number": 1, "totals": {"Ann": 5.00, "Bob & Co": 3.00, "Cy": 2.00}, "transfers": {"Ann": 5.00, "Bob & Co": 3.00, "Cy": 2.00},
         "exhausted": 0.00, "residual": null, "quota": 4.01, "action": "elected", "candidates": ["Ann"], "reason": "Ann has reached the quota"},
        {"number": 2, "totals": {"Ann": 4.01, "Bob & Co": 3.50, "Cy": 2.40}, "transfers": {"Ann": -0.99, "Bob & Co": 0.50, "Cy": 0.40},
         "exhausted": 0.09, "residual": 0.00, "quota": 4.01, "action": "surplus-transferred", "candidates": ["Ann"], "reason": "surplus"},
        {"number": 3, "totals": {"Ann": 4.01, "Bob & Co": 5.90, "Cy": 0.00}, "transfers": {"Ann": 0.00, "Bob & Co": 2.40, "Cy": -2.40},
         "exhausted": 0.09, "residual": 0.00, "quota": 4.01, "action": "excluded", "candidates": ["Cy"], "reason": "lowest"},
        {"number": 4, "totals": {"Ann": 4.01, "Bob & Co": 5.90, "Cy": 0.00}, "transfers": {"Ann": 0.00, "Bob & Co": 0.00, "Cy": 0.00},
         "exhausted": 0.09, "residual": 0.00, "quota": 4.01, "action": "elected", "candidates": ["Bob & Co"], "reason": "quota"}
      ],
      "tie_breaks": [{"round": 3, "tied": ["Cy", "Ann"], "chosen": "Cy", "rule": "earlier round 1 totals"}],
      "notes": ["10 ballots"]
    }"#;

    #[test]
    fn an_stv_record_reads_as_rounds_fates_and_a_chart() {
        let v = read(STV).unwrap();
        assert_eq!(v.method, "scottish-stv");
        assert_eq!(v.quota.as_deref(), Some("4.01"));
        assert_eq!(v.elected, ["Ann", "Bob & Co"]);
        assert_eq!(v.rounds.len(), 4);
        assert_eq!(v.rounds[2].action, "Excluded Cy");
        let cy = &v.rows[2];
        assert_eq!(cy.fate, "excluded in round 3");
        assert_eq!(cy.cells[1].total, "2.40", "exact digits, as written");
        assert_eq!(cy.cells[2].mark, "excluded");
        assert_eq!(v.rows[0].fate, "elected 1st");
        assert_eq!(v.rows[1].fate, "elected 2nd");
        assert_eq!(v.rows[1].cells[3].mark, "elected");
        assert_eq!(v.exhausted, ["0.00", "0.09", "0.09", "0.09"]);
        assert!(v.tie_breaks[0].contains("Cy and Ann were tied"));
        let chart = v.chart.unwrap();
        assert_eq!(chart.series.len(), 3);
        assert_eq!(chart.ticks.len(), 4);
        // Bob's last total (5.90) is the largest value: his line ends at the top.
        assert!(chart.series[1].points.ends_with(&format!(",{}", chart.top)));
        // Cy ends at zero: the bottom of the plot.
        assert!(
            chart.series[2]
                .points
                .ends_with(&format!(",{}", chart.bottom))
        );
        assert!(chart.quota.is_some());
    }

    #[test]
    fn a_candidate_elected_during_another_action_is_marked_where_they_reach_the_quota() {
        // Ann reaches the quota in round 1 (first preferences), Cy when Bob is excluded.
        let json = r#"{"method": "scottish-stv", "title": "C", "seats": 2, "quota": 4.00,
          "candidates": ["Ann", "Bob", "Cy"], "elected": ["Ann", "Cy"],
          "rounds": [
            {"number": 1, "totals": {"Ann": 5.00, "Bob": 2.00, "Cy": 3.00}, "transfers": {"Ann": 5.00, "Bob": 2.00, "Cy": 3.00},
             "exhausted": 0.00, "residual": null, "quota": 4.00, "action": "first-preferences", "candidates": [], "reason": "Ann elected"},
            {"number": 2, "totals": {"Ann": 4.00, "Bob": 0.00, "Cy": 6.00}, "transfers": {"Ann": -1.00, "Bob": -2.00, "Cy": 3.00},
             "exhausted": 0.00, "residual": null, "quota": 4.00, "action": "excluded", "candidates": ["Bob"], "reason": "Cy elected"}
          ], "tie_breaks": [], "notes": []}"#;
        let v = read(json).unwrap();
        let marks = |i: usize| v.rows[i].cells.iter().map(|c| c.mark).collect::<Vec<_>>();
        assert_eq!(marks(0), ["elected", ""]);
        assert_eq!(marks(1), ["", "excluded"]);
        assert_eq!(marks(2), ["", "elected"]);
    }

    #[test]
    fn a_question_reads_as_one_round_of_bars() {
        let json = r#"{"method": "yes-no", "title": "Q", "seats": 1, "quota": 3,
          "candidates": ["Yes", "No", "Abstain"], "elected": ["Yes"],
          "rounds": [{"number": 1, "totals": {"Yes": 6, "No": 3, "Abstain": 1}, "transfers": {"Yes": 6, "No": 3, "Abstain": 1},
            "exhausted": 0, "residual": null, "quota": 3, "action": "decided", "candidates": [], "reason": "carried"}],
          "tie_breaks": [], "notes": ["carried: 6 yes"]}"#;
        let v = read(json).unwrap();
        assert!(v.chart.is_none(), "one round: bars, not lines");
        let widths: Vec<i128> = v.rows.iter().map(|r| r.width).collect();
        assert_eq!(widths, [100, 50, 16]);
        assert!(v.rows[0].elected);
        assert_eq!(v.rows[0].fate, "elected");
    }

    #[test]
    fn anything_else_is_not_a_record() {
        assert!(read("{}").is_none());
        assert!(read("not json").is_none());
        let broken = STV.replace(
            "\"Cy\": 2.00}, \"transfers\"",
            "\"Cy\": \"two\"}, \"transfers\"",
        );
        assert!(read(&broken).is_none());
    }
}
