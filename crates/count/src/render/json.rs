//! The machine-readable record of a count.
//!
//! Values are JSON numbers written with their exact digits and scale (`1300.00000`), so a
//! checker can compare them to the published precision. serde_json would round them through
//! `f64` unless its `arbitrary_precision` feature were on, and that feature is workspace-wide
//! (it changes how every other crate's numbers parse), so this module writes JSON itself and
//! uses serde_json only to escape strings. Readers that need exact values should parse numbers
//! as decimals (e.g. Python's `json.loads(s, parse_float=decimal.Decimal)`).
//!
//! ```json
//! {"method": "scottish-stv", "title": "…", "seats": 3, "quota": 1300.00000,
//!  "candidates": ["…"], "elected": ["names in order of election"],
//!  "rounds": [{"number": 1, "totals": {"name": 1300.00000}, "transfers": {"name": 0},
//!              "exhausted": 0, "residual": null, "quota": 1300.00000,
//!              "action": "elected", "candidates": ["…"], "reason": "…"}],
//!  "tie_breaks": [{"round": 3, "tied": ["…"], "chosen": "…", "rule": "…"}],
//!  "notes": ["…"]}
//! ```
//!
//! `action` is one of `first-preferences`, `elected`, `surplus-transferred`, `excluded`,
//! `finished`, `decided`. Keys of `totals` and `transfers` are candidate names, in the order of
//! `candidates`.
//!
//! [`read`] turns a record back into the [`Report`] it was written from, its numbers read from
//! their digits, so a stored count can be shown (its [fates](Report::fates) too) without
//! counting again.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::CandidateId;
use crate::report::{Action, Decimal, DecimalError, Report, Round, TieBreak};

/// A JSON value whose numbers are already-formatted exact text and whose objects keep order.
enum J {
    Null,
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(&'static str, J)>),
    /// An object keyed by names (not static keys).
    Map(Vec<(String, J)>),
}

fn num(d: Decimal) -> J {
    J::Num(d.to_string())
}

fn opt(d: Option<Decimal>) -> J {
    d.map_or(J::Null, num)
}

fn s(v: &str) -> J {
    J::Str(v.to_string())
}

pub fn render(report: &Report) -> String {
    let name = |id: CandidateId| s(super::name(report, id));
    let names = |ids: &[CandidateId]| J::Arr(ids.iter().map(|&id| name(id)).collect());
    let per_candidate = |values: &[Decimal]| {
        J::Map(
            report
                .candidate_names
                .iter()
                .zip(values)
                .map(|(n, &d)| (n.clone(), num(d)))
                .collect(),
        )
    };
    let rounds = report
        .rounds
        .iter()
        .map(|r| {
            let (kind, who) = match &r.action {
                Action::FirstPreferences => ("first-preferences", Vec::new()),
                Action::Elected(ids) => ("elected", ids.clone()),
                Action::SurplusTransferred(id) => ("surplus-transferred", vec![*id]),
                Action::Excluded(ids) => ("excluded", ids.clone()),
                Action::Finished => ("finished", Vec::new()),
                Action::Decided => ("decided", Vec::new()),
            };
            J::Obj(vec![
                ("number", J::Num(r.number.to_string())),
                ("totals", per_candidate(&r.totals)),
                ("transfers", per_candidate(&r.transfers)),
                ("exhausted", num(r.exhausted)),
                ("residual", opt(r.residual)),
                ("quota", opt(r.quota)),
                ("action", s(kind)),
                ("candidates", names(&who)),
                ("reason", s(&r.reason)),
            ])
        })
        .collect();
    let ties = report
        .tie_breaks
        .iter()
        .map(|t| {
            J::Obj(vec![
                ("round", J::Num(t.round.to_string())),
                ("tied", names(&t.tied)),
                ("chosen", name(t.chosen)),
                ("rule", s(&t.rule)),
            ])
        })
        .collect();
    let doc = J::Obj(vec![
        ("method", s(&report.method)),
        ("title", s(&report.title)),
        ("seats", J::Num(report.seats.to_string())),
        ("quota", opt(report.quota)),
        (
            "candidates",
            J::Arr(report.candidate_names.iter().map(|n| s(n)).collect()),
        ),
        ("elected", names(&report.elected)),
        ("rounds", J::Arr(rounds)),
        ("tie_breaks", J::Arr(ties)),
        ("notes", J::Arr(report.notes.iter().map(|n| s(n)).collect())),
    ]);
    let mut out = String::new();
    write(&doc, 0, &mut out);
    out.push('\n');
    out
}

fn string(v: &str, out: &mut String) {
    // Serialising a &str cannot fail.
    out.push_str(&serde_json::to_string(v).unwrap_or_else(|_| "\"\"".into()));
}

/// Pretty-prints with two-space indents, but keeps the per-candidate maps of a round on one
/// line each so a long count stays readable and diffs line up by round.
fn write(v: &J, depth: usize, out: &mut String) {
    let pad = |d: usize| "  ".repeat(d);
    match v {
        J::Null => out.push_str("null"),
        J::Num(n) => out.push_str(n),
        J::Str(t) => string(t, out),
        J::Arr(items) if items.is_empty() => out.push_str("[]"),
        J::Arr(items) if items.iter().all(|i| matches!(i, J::Str(_) | J::Num(_))) => {
            out.push('[');
            for (k, i) in items.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                write(i, depth, out);
            }
            out.push(']');
        }
        J::Arr(items) => {
            out.push_str("[\n");
            for (k, i) in items.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                write(i, depth + 1, out);
                out.push_str(if k + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push(']');
        }
        J::Map(entries) => {
            out.push('{');
            for (k, (key, val)) in entries.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                string(key, out);
                out.push_str(": ");
                write(val, depth, out);
            }
            out.push('}');
        }
        J::Obj(entries) => {
            out.push_str("{\n");
            for (k, (key, val)) in entries.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                string(key, out);
                out.push_str(": ");
                write(val, depth + 1, out);
                out.push_str(if k + 1 < entries.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push('}');
        }
    }
}

/// Why a text is not a count's record.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the record is not a count's JSON")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Number(#[from] DecimalError),
    #[error("{0:?} is named twice among the candidates")]
    NameTwice(String),
    #[error("{0:?} is not one of the candidates")]
    NotACandidate(String),
    #[error("round {round} has no {what} for {name:?}")]
    Missing {
        round: u32,
        what: &'static str,
        name: String,
    },
    #[error("round {round}: no count writes the action {action:?} with {who} candidate(s)")]
    Action {
        round: u32,
        action: String,
        who: usize,
    },
}

// The record's shape, as `render` writes it; numbers stay raw text until read as decimals.
#[derive(Deserialize)]
struct RecordJson {
    method: String,
    title: String,
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
    transfers: HashMap<String, Box<RawValue>>,
    exhausted: Box<RawValue>,
    residual: Option<Box<RawValue>>,
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

fn decimal(raw: &RawValue) -> Result<Decimal, DecimalError> {
    raw.get().trim().parse()
}

fn optional(raw: Option<&RawValue>) -> Result<Option<Decimal>, DecimalError> {
    raw.map(decimal).transpose()
}

/// Reads a record [`render`] wrote back into its [`Report`]. Candidates are named in the
/// record, so names must be distinct to say who is who.
pub fn read(text: &str) -> Result<Report, ReadError> {
    let r: RecordJson = serde_json::from_str(text)?;
    let mut ids = HashMap::new();
    for (i, name) in r.candidates.iter().enumerate() {
        let id = CandidateId(u32::try_from(i).unwrap_or(u32::MAX));
        if ids.insert(name.as_str(), id).is_some() {
            return Err(ReadError::NameTwice(name.clone()));
        }
    }
    let id = |name: &String| {
        ids.get(name.as_str())
            .copied()
            .ok_or_else(|| ReadError::NotACandidate(name.clone()))
    };
    let ids_of = |names: &[String]| names.iter().map(id).collect::<Result<Vec<_>, _>>();
    let rounds = r
        .rounds
        .iter()
        .map(|round| {
            let per_candidate = |values: &HashMap<String, Box<RawValue>>, what| {
                r.candidates
                    .iter()
                    .map(|name| {
                        let raw = values.get(name).ok_or_else(|| ReadError::Missing {
                            round: round.number,
                            what,
                            name: name.clone(),
                        })?;
                        Ok(decimal(raw)?)
                    })
                    .collect::<Result<Vec<_>, ReadError>>()
            };
            let who = ids_of(&round.candidates)?;
            let action = match (round.action.as_str(), who.as_slice()) {
                ("first-preferences", []) => Action::FirstPreferences,
                ("elected", _) => Action::Elected(who),
                ("surplus-transferred", &[one]) => Action::SurplusTransferred(one),
                ("excluded", _) => Action::Excluded(who),
                ("finished", []) => Action::Finished,
                ("decided", []) => Action::Decided,
                (other, _) => {
                    return Err(ReadError::Action {
                        round: round.number,
                        action: other.to_string(),
                        who: who.len(),
                    });
                }
            };
            Ok(Round {
                number: round.number,
                totals: per_candidate(&round.totals, "total")?,
                transfers: per_candidate(&round.transfers, "transfer")?,
                exhausted: decimal(&round.exhausted)?,
                residual: optional(round.residual.as_deref())?,
                quota: optional(round.quota.as_deref())?,
                action,
                reason: round.reason.clone(),
            })
        })
        .collect::<Result<Vec<_>, ReadError>>()?;
    let tie_breaks = r
        .tie_breaks
        .iter()
        .map(|t| {
            Ok(TieBreak {
                round: t.round,
                tied: ids_of(&t.tied)?,
                chosen: id(&t.chosen)?,
                rule: t.rule.clone(),
            })
        })
        .collect::<Result<Vec<_>, ReadError>>()?;
    Ok(Report {
        elected: ids_of(&r.elected)?,
        quota: optional(r.quota.as_deref())?,
        method: r.method,
        title: r.title,
        seats: r.seats,
        candidate_names: r.candidates,
        rounds,
        tie_breaks,
        notes: r.notes,
    })
}

#[cfg(test)]
mod tests {
    use super::super::sample;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(super::render(&sample::report()));
    }

    #[test]
    fn is_valid_json_with_exact_digits() {
        let text = super::render(&sample::report());
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["elected"][1], "Bob & Co");
        assert_eq!(v["rounds"][2]["action"], "excluded");
        assert!(text.contains("\"quota\": 4.01,"));
        assert!(text.contains("\"Bob & Co\": 3.00"));
    }

    #[test]
    fn a_record_reads_back_as_the_report_it_was_written_from() {
        let report = sample::report();
        let read = super::read(&super::render(&report)).unwrap();
        assert_eq!(read, report);
        assert_eq!(read.fates(), report.fates());
    }

    #[test]
    fn a_record_that_does_not_say_who_is_who_does_not_read() {
        let text = super::render(&sample::report());
        let err = |t: &str| super::read(t).unwrap_err().to_string();
        assert_eq!(err("{}"), "the record is not a count's JSON");
        assert!(err("not json").starts_with("the record"));
        let twice = text.replace("\"Dee\"", "\"Bob & Co\"");
        assert_eq!(
            err(&twice),
            "\"Bob & Co\" is named twice among the candidates"
        );
        let stranger = text.replacen("\"chosen\": \"Cy <Lab>\"", "\"chosen\": \"Eve\"", 1);
        assert_eq!(err(&stranger), "\"Eve\" is not one of the candidates");
        let inexact = text.replacen("\"quota\": 4.01,", "\"quota\": 4.01e0,", 1);
        assert_eq!(
            err(&inexact),
            "\"4.01e0\" is not a decimal written with plain digits"
        );
        let unknown = text.replacen("\"action\": \"excluded\"", "\"action\": \"elated\"", 1);
        assert_eq!(
            err(&unknown),
            "round 3: no count writes the action \"elated\" with 1 candidate(s)"
        );
        let missing = text.replacen(", \"Dee\": 2.00}", "}", 1);
        assert!(
            err(&missing).contains("no total for \"Dee\""),
            "{}",
            err(&missing)
        );
    }
}
