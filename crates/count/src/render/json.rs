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

use crate::model::CandidateId;
use crate::report::{Action, Decimal, Report};

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
}
