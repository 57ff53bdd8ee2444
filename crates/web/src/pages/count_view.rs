//! A ballot's count as its page shows it, read from the record `charter count --format json`
//! writes (kept with the ballot): a round-by-round table with each candidate's fate, and a
//! chart of totals by round drawn as inline SVG.
//!
//! Numbers stay exact: they are read as the text the count wrote (`1300.00000`), shown as
//! that text, and drawn with integer arithmetic — never through floating point.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct ReportJson {
    method: String,
    seats: u32,
    quota: Option<Box<RawValue>>,
    candidates: Vec<String>,
    elected: Vec<String>,
    rounds: Vec<RoundJson>,
    #[serde(default)]
    tie_breaks: Vec<TieJson>,
    #[serde(default)]
    notes: Vec<String>,
}

#[derive(Deserialize)]
struct RoundJson {
    number: u32,
    totals: HashMap<String, Box<RawValue>>,
    exhausted: Box<RawValue>,
    quota: Option<Box<RawValue>>,
    action: String,
    candidates: Vec<String>,
    reason: String,
}

#[derive(Deserialize)]
struct TieJson {
    round: u32,
    tied: Vec<String>,
    chosen: String,
    rule: String,
}

/// An exact decimal as the count wrote it: `units / 10^scale`, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exact {
    pub text: String,
    units: i128,
    scale: u32,
}

impl Exact {
    /// Reads a JSON number written with plain digits (`12`, `-0.99`, `1300.00000`).
    fn parse(raw: &str) -> Option<Exact> {
        let text = raw.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > 18 {
            return None;
        }
        let units: i128 = format!("{whole}{frac}").parse().ok()?;
        Some(Exact {
            text: text.to_string(),
            units: if negative { -units } else { units },
            scale: u32::try_from(frac.len()).ok()?,
        })
    }

    /// The value at `scale` decimal places (truncated), saturating: for drawing only.
    fn at(&self, scale: u32) -> i128 {
        if scale >= self.scale {
            10i128
                .checked_pow(scale - self.scale)
                .and_then(|p| self.units.checked_mul(p))
                .unwrap_or(if self.units < 0 { i128::MIN } else { i128::MAX })
        } else {
            10i128
                .checked_pow(self.scale - scale)
                .map_or(0, |p| self.units / p)
        }
    }
}

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

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn names(list: &[String]) -> String {
    match list {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn action_words(action: &str, who: &[String]) -> String {
    match action {
        "first-preferences" => "First preferences".into(),
        "elected" => format!("Elected {}", names(who)),
        "surplus-transferred" => format!("Surplus of {} transferred", names(who)),
        "excluded" => format!("Excluded {}", names(who)),
        "finished" => "Count finished".into(),
        "decided" => "Decided".into(),
        other => other.replace('-', " "),
    }
}

/// Reads a count's JSON record; `None` when it is not one (logged by the caller).
pub fn read(json: &str) -> Option<CountView> {
    let r: ReportJson = serde_json::from_str(json).ok()?;
    let exact = |raw: &RawValue| Exact::parse(raw.get());
    let totals: Vec<Vec<Exact>> = r
        .rounds
        .iter()
        .map(|round| {
            r.candidates
                .iter()
                .map(|c| round.totals.get(c).and_then(|v| exact(v)))
                .collect::<Option<Vec<_>>>()
        })
        .collect::<Option<Vec<_>>>()?;
    let quota = match &r.quota {
        Some(q) => Some(exact(q)?),
        None => None,
    };
    let round_quotas: Vec<Option<Exact>> = r
        .rounds
        .iter()
        .map(|round| round.quota.as_deref().and_then(exact))
        .collect();
    let exhausted = r
        .rounds
        .iter()
        .map(|round| exact(&round.exhausted).map(|e| e.text))
        .collect::<Option<Vec<_>>>()?;

    let scale = totals
        .iter()
        .flatten()
        .chain(quota.iter())
        .chain(round_quotas.iter().flatten())
        .map(|d| d.scale)
        .max()
        .unwrap_or(0);
    // Each candidate's fate, marked in the round it happened: excluded by that round's
    // action; elected by an "elected" round naming them or else — STV elects during other
    // actions — the first round their total reached the quota, else the last round (filled
    // as the last remaining). The count's own renderers read rounds the same way.
    let mut marks: Vec<Vec<&'static str>> = vec![vec![""; r.rounds.len()]; r.candidates.len()];
    let mut fates = vec![String::new(); r.candidates.len()];
    let position = |who: &String| r.candidates.iter().position(|c| c == who);
    for (k, round) in r.rounds.iter().enumerate() {
        if round.action == "excluded" {
            for i in round.candidates.iter().filter_map(position) {
                marks[i][k] = "excluded";
                fates[i] = format!("excluded in round {}", round.number);
            }
        }
    }
    for (order, who) in r.elected.iter().enumerate() {
        let Some(i) = position(who) else { continue };
        let reached_quota = |k: &usize| {
            let q = round_quotas[*k].as_ref().or(quota.as_ref());
            q.is_some_and(|q| totals[*k][i].at(scale) >= q.at(scale))
        };
        let round = r
            .rounds
            .iter()
            .position(|round| round.action == "elected" && round.candidates.contains(who))
            .or_else(|| (0..r.rounds.len()).find(reached_quota))
            .or(r.rounds.len().checked_sub(1));
        if let Some(k) = round {
            marks[i][k] = "elected";
        }
        fates[i] = if r.elected.len() == 1 {
            "elected".to_string()
        } else {
            format!("elected {}", ordinal(order + 1))
        };
    }
    let last = totals.last();
    let most = last
        .map(|t| t.iter().map(|d| d.at(scale)).max().unwrap_or(0))
        .unwrap_or(0)
        .max(1);
    let rows = r
        .candidates
        .iter()
        .enumerate()
        .map(|(i, name)| CandidateRow {
            name: name.clone(),
            cells: totals
                .iter()
                .zip(&marks[i])
                .map(|(t, mark)| Cell {
                    total: t[i].text.clone(),
                    mark,
                })
                .collect(),
            fate: fates[i].clone(),
            elected: r.elected.contains(name),
            last: last.map_or_else(String::new, |t| t[i].text.clone()),
            width: last.map_or(0, |t| t[i].at(scale).clamp(0, most) * 100 / most),
        })
        .collect();
    let chart = (r.rounds.len() > 1).then(|| {
        chart(
            &r.candidates,
            &totals,
            quota.as_ref().or(round_quotas.iter().flatten().next()),
            scale,
        )
    });
    Some(CountView {
        method: r.method,
        seats: r.seats,
        quota: quota.map(|q| q.text),
        elected: r.elected.clone(),
        rounds: r
            .rounds
            .iter()
            .map(|round| RoundHead {
                number: round.number,
                action: action_words(&round.action, &round.candidates),
                reason: round.reason.clone(),
            })
            .collect(),
        rows,
        exhausted,
        chart,
        tie_breaks: r
            .tie_breaks
            .iter()
            .map(|t| {
                format!(
                    "Round {}: {} were tied; {} was chosen by {}",
                    t.round,
                    names(&t.tied),
                    t.chosen,
                    t.rule
                )
            })
            .collect(),
        notes: r.notes,
    })
}

fn chart(candidates: &[String], totals: &[Vec<Exact>], quota: Option<&Exact>, scale: u32) -> Chart {
    const W: i128 = 720;
    const H: i128 = 320;
    const LEFT: i128 = 70;
    const RIGHT: i128 = 20;
    const TOP: i128 = 20;
    const BOTTOM: i128 = 40;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let max = totals
        .iter()
        .flatten()
        .chain(quota)
        .map(|d| d.at(scale))
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
                charter_count::Decimal { units: v, scale }.to_string()
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
    let series = candidates
        .iter()
        .enumerate()
        .map(|(c, name)| Series {
            name: name.clone(),
            colour: COLOURS[c % COLOURS.len()],
            dash: DASHES[(c / COLOURS.len()) % DASHES.len()],
            points: totals
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{},{}", x(i), y(t[c].at(scale))))
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
        quota: quota.map(|q| (y(q.at(scale)), y(q.at(scale)) - 4)),
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
    fn numbers_keep_their_digits() {
        let d = Exact::parse("1300.00000").unwrap();
        assert_eq!(
            (d.text.as_str(), d.units, d.scale),
            ("1300.00000", 130_000_000, 5)
        );
        assert_eq!(Exact::parse("-0.99").unwrap().units, -99);
        assert_eq!(Exact::parse("12").unwrap().at(2), 1200);
        assert_eq!(Exact::parse("4.019").unwrap().at(2), 401);
        for bad in ["", "1e5", "abc", ".5", "1.2.3", "--1"] {
            assert_eq!(Exact::parse(bad), None, "{bad}");
        }
    }

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
