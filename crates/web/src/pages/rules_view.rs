//! View models for the constitution pages, built from the rules engine's answers: clauses with
//! their rules in words, a version diff as two columns of marked words, an amendment's impact
//! as sentences, tables and bars, and a member's rights with the clause behind each answer.
//!
//! Pure functions of `charter_rules` values (and unit names), so they are tested without a
//! server and the templates only loop over display strings.

use std::collections::HashMap;

use charter_domain::UnitId;
use charter_rules::{ClauseChange, Constitution, Impact, RightDecision, VersionDiff, Words};

use super::view::date;

/// One clause as members read it, with what its rules mean.
pub struct ClauseView {
    pub number: String,
    /// The fragment id the clause's heading carries, e.g. `clause-4.3`.
    pub anchor: String,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub rules: Vec<String>,
}

pub fn clause_anchor(number: &str) -> String {
    format!("clause-{number}")
}

/// Text split into paragraphs at blank lines, with the authored line breaks joined.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

pub fn clauses(c: &Constitution) -> Vec<ClauseView> {
    c.clauses()
        .iter()
        .map(|cl| ClauseView {
            number: cl.number.to_string(),
            anchor: clause_anchor(cl.number.as_str()),
            title: cl.title.clone(),
            paragraphs: paragraphs(&cl.text),
            rules: cl.rules_in_words(),
        })
        .collect()
}

// ---------------------------------------------------------------- diff

/// A run of words on one side of a diff: unchanged, inserted or deleted.
pub struct Seg {
    /// `same`, `ins` or `del`.
    pub kind: &'static str,
    pub text: String,
}

/// One clause's change, as the two columns "before" and "after".
pub struct DiffClauseView {
    pub number: String,
    /// `added`, `removed` or `changed`, as shown in the clause's label.
    pub kind: &'static str,
    pub title_before: String,
    pub title_after: String,
    pub title_changed: bool,
    /// The old text with deletions marked; empty when the text did not change or the clause
    /// was added.
    pub before: Vec<Seg>,
    /// The new text with insertions marked.
    pub after: Vec<Seg>,
    pub text_changed: bool,
    pub rules_removed: Vec<String>,
    pub rules_added: Vec<String>,
}

pub struct DiffView {
    pub from: String,
    pub to: String,
    pub header: Vec<String>,
    pub clauses: Vec<DiffClauseView>,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

pub fn diff_view(d: &VersionDiff) -> DiffView {
    let mut out = DiffView {
        from: d.from.clone(),
        to: d.to.clone(),
        header: d.header.clone(),
        clauses: Vec::new(),
        added: 0,
        removed: 0,
        changed: 0,
    };
    for ch in &d.clauses {
        let v = match ch {
            ClauseChange::Added {
                number,
                title,
                rules,
            } => {
                out.added += 1;
                DiffClauseView {
                    number: number.to_string(),
                    kind: "added",
                    title_before: String::new(),
                    title_after: title.clone(),
                    title_changed: false,
                    before: Vec::new(),
                    after: Vec::new(),
                    text_changed: false,
                    rules_removed: Vec::new(),
                    rules_added: rules.clone(),
                }
            }
            ClauseChange::Removed {
                number,
                title,
                rules,
            } => {
                out.removed += 1;
                DiffClauseView {
                    number: number.to_string(),
                    kind: "removed",
                    title_before: title.clone(),
                    title_after: String::new(),
                    title_changed: false,
                    before: Vec::new(),
                    after: Vec::new(),
                    text_changed: false,
                    rules_removed: rules.clone(),
                    rules_added: Vec::new(),
                }
            }
            ClauseChange::Changed {
                number,
                title,
                text,
                rules_removed,
                rules_added,
            } => {
                out.changed += 1;
                let (before, after) = match text {
                    Some(w) => sides(&w.0),
                    None => (Vec::new(), Vec::new()),
                };
                let (tb, ta) = title.clone().unwrap_or_default();
                DiffClauseView {
                    number: number.to_string(),
                    kind: "changed",
                    title_changed: title.is_some(),
                    title_before: tb,
                    title_after: ta,
                    text_changed: text.is_some(),
                    before,
                    after,
                    rules_removed: rules_removed.clone(),
                    rules_added: rules_added.clone(),
                }
            }
        };
        out.clauses.push(v);
    }
    out
}

/// Splits a word diff into the old side (unchanged and deleted) and the new side
/// (unchanged and inserted).
fn sides(words: &[Words]) -> (Vec<Seg>, Vec<Seg>) {
    let mut before = Vec::new();
    let mut after = Vec::new();
    for w in words {
        match w {
            Words::Same(s) => {
                before.push(Seg {
                    kind: "same",
                    text: s.clone(),
                });
                after.push(Seg {
                    kind: "same",
                    text: s.clone(),
                });
            }
            Words::Removed(s) => before.push(Seg {
                kind: "del",
                text: s.clone(),
            }),
            Words::Added(s) => after.push(Seg {
                kind: "ins",
                text: s.clone(),
            }),
        }
    }
    (before, after)
}

// ---------------------------------------------------------------- impact

/// One right in one context over all members, with the shares for the bars.
pub struct ImpactRow {
    pub what: String,
    pub before: u32,
    pub after: u32,
    pub lose: u32,
    pub gain: u32,
    pub before_percent: u32,
    pub after_percent: u32,
    pub changes: bool,
}

/// A right that changes for someone, broken down by home branch.
pub struct BranchBreakdown {
    pub what: String,
    pub anchor: String,
    pub rows: Vec<BranchRow>,
}

pub struct BranchRow {
    pub branch: String,
    pub members: u32,
    pub before: u32,
    pub after: u32,
    pub lose: u32,
    pub gain: u32,
    pub lose_percent: u32,
}

pub struct ImpactView {
    pub from: String,
    pub to: String,
    pub on: String,
    pub members: u32,
    pub summary: Vec<String>,
    pub rows: Vec<ImpactRow>,
    pub breakdowns: Vec<BranchBreakdown>,
    pub bodies_dissolved: Vec<String>,
    pub bodies_created: Vec<String>,
}

pub fn percent(part: u32, whole: u32) -> u32 {
    if whole == 0 {
        0
    } else {
        let p = (u64::from(part) * 100 + u64::from(whole) / 2) / u64::from(whole);
        u32::try_from(p.min(100)).unwrap_or(100)
    }
}

/// The preview for the page; `branch_names` names the branches in the breakdown (an unknown
/// id reads as "branch N").
pub fn impact_view(i: &Impact, branch_names: &HashMap<UnitId, String>) -> ImpactView {
    let name = |id: &UnitId| {
        branch_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("branch {}", id.0))
    };
    let rows: Vec<ImpactRow> = i
        .rights
        .iter()
        .map(|r| ImpactRow {
            what: r.right.phrase(&r.context),
            before: r.total.before,
            after: r.total.after,
            lose: r.total.lose,
            gain: r.total.gain,
            before_percent: percent(r.total.before, i.members),
            after_percent: percent(r.total.after, i.members),
            changes: r.total.lose > 0 || r.total.gain > 0,
        })
        .collect();
    let breakdowns = i
        .rights
        .iter()
        .filter(|r| r.total.lose > 0 || r.total.gain > 0)
        .map(|r| {
            let mut rows: Vec<BranchRow> = r
                .by_branch
                .iter()
                .map(|(id, c)| BranchRow {
                    branch: name(id),
                    members: c.members,
                    before: c.before,
                    after: c.after,
                    lose: c.lose,
                    gain: c.gain,
                    lose_percent: percent(c.lose, c.members),
                })
                .collect();
            rows.sort_by(|a, b| b.lose.cmp(&a.lose).then_with(|| a.branch.cmp(&b.branch)));
            BranchBreakdown {
                what: r.right.phrase(&r.context),
                anchor: format!("by-branch-{}-{}", r.context, r.right.as_str()).replace(':', "-"),
                rows,
            }
        })
        .collect();
    ImpactView {
        from: i.from.clone(),
        to: i.to.clone(),
        on: date(i.on),
        members: i.members,
        summary: i.summary(),
        rows,
        breakdowns,
        bodies_dissolved: i.bodies_dissolved.iter().map(|b| b.name.clone()).collect(),
        bodies_created: i.bodies_created.iter().map(|b| b.name.clone()).collect(),
    }
}

// ---------------------------------------------------------------- rights

/// One row of "what may I do, and why not?".
pub struct RightRow {
    pub context: String,
    /// True on the first row of a context, which carries the context's name.
    pub first_of_context: bool,
    pub right: String,
    pub allowed: bool,
    pub clauses: Vec<ClauseLink>,
    pub reason: String,
}

pub struct ClauseLink {
    pub number: String,
    pub href: String,
}

/// Links to clauses of the version at `version_href` (e.g. `/constitution/versions/2`).
pub fn clause_link(version_href: &str, number: &str) -> ClauseLink {
    ClauseLink {
        number: number.to_string(),
        href: format!("{version_href}#{}", clause_anchor(number)),
    }
}

pub fn right_rows(decisions: &[RightDecision], version_href: &str) -> Vec<RightRow> {
    let mut out: Vec<RightRow> = Vec::with_capacity(decisions.len());
    let mut last: Option<String> = None;
    for d in decisions {
        let context = d.context.words();
        let first = last.as_deref() != Some(context.as_str());
        last = Some(context.clone());
        out.push(RightRow {
            first_of_context: first,
            context: capitalise(&context),
            right: d.right.verb().to_string(),
            allowed: d.allowed,
            clauses: d
                .clauses
                .iter()
                .map(|c| clause_link(version_href, c.as_str()))
                .collect(),
            reason: d.reason.clone(),
        });
    }
    out
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use charter_rules::{MemberFacts, diff, impact_preview};

    const FOUNDING: &str = include_str!("../../../rules/fixtures/founding-2016.toml");
    const AMENDMENT: &str = include_str!("../../../rules/fixtures/amendment-2017.toml");

    fn versions() -> (Constitution, Constitution) {
        (
            Constitution::from_toml(FOUNDING).expect("founding parses"),
            Constitution::from_toml(AMENDMENT).expect("amendment parses"),
        )
    }

    #[test]
    fn clauses_carry_numbers_anchors_and_rules_in_words() {
        let (_, new) = versions();
        let cs = clauses(&new);
        let c = cs.iter().find(|c| c.number == "4.3").expect("clause 4.3");
        assert_eq!(c.anchor, "clause-4.3");
        assert!(!c.paragraphs.is_empty());
        assert!(!c.rules.is_empty(), "4.3 has a restriction");
    }

    #[test]
    fn diff_sides_keep_deletions_left_and_insertions_right() {
        let (old, new) = versions();
        let v = diff_view(&diff(&old, &new));
        assert!(!v.clauses.is_empty());
        for c in &v.clauses {
            assert!(c.before.iter().all(|s| s.kind != "ins"));
            assert!(c.after.iter().all(|s| s.kind != "del"));
        }
        assert_eq!(v.added + v.removed + v.changed, v.clauses.len());
    }

    #[test]
    fn impact_rows_and_breakdowns_follow_the_engine() {
        let (old, new) = versions();
        let on = new.effective();
        let members: Vec<MemberFacts> = Vec::new();
        let i = impact_preview(&old, &new, &members, on);
        let v = impact_view(&i, &HashMap::new());
        assert_eq!(v.rows.len(), i.rights.len());
        assert!(v.breakdowns.is_empty(), "nobody to lose anything");
        assert!(!v.summary.is_empty());
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(5, 0), 0);
    }
}
