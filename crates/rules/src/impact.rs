//! Impact preview: what a proposed version would change for the members, before anyone
//! votes on it. "9,812 members (46%) would lose the right to vote in branch meetings."

use std::collections::BTreeMap;

use charter_domain::UnitId;
use chrono::NaiveDate;

use crate::constitution::{Body, Constitution, join_words};
use crate::facts::MemberFacts;
use crate::words::{Context, Forum, Right, thousands};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub members: u32,
    /// Members with the right under the old version.
    pub before: u32,
    /// Members with the right under the new version.
    pub after: u32,
    pub lose: u32,
    pub gain: u32,
}

/// One right in one context, over all members and per home branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightImpact {
    pub context: Context,
    pub right: Right,
    pub total: Counts,
    pub by_branch: BTreeMap<UnitId, Counts>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impact {
    pub from: String,
    pub to: String,
    pub on: NaiveDate,
    pub members: u32,
    /// Every context and right either version speaks of, in a stable order.
    pub rights: Vec<RightImpact>,
    pub bodies_dissolved: Vec<Body>,
    pub bodies_created: Vec<Body>,
    /// Bodies kept under the same key whose seats, filling or term change: (old, new).
    pub bodies_changed: Vec<(Body, Body)>,
}

/// Compares what each member may do under `from` and under `to`, both applied on `on`,
/// each context at the member's own unit. One pass over the members, so it streams.
pub fn impact_preview<'a>(
    from: &Constitution,
    to: &Constitution,
    members: impl IntoIterator<Item = &'a MemberFacts>,
    on: NaiveDate,
) -> Impact {
    let mut contexts = from.contexts();
    for c in to.contexts() {
        if !contexts.contains(&c) {
            contexts.push(c);
        }
    }
    let pairs: Vec<(Context, Right)> = contexts
        .iter()
        .flat_map(|c| Right::ALL.into_iter().map(move |r| (c.clone(), r)))
        .collect();
    let mut totals = vec![Counts::default(); pairs.len()];
    let mut branches: BTreeMap<UnitId, Vec<Counts>> = BTreeMap::new();
    let mut n = 0u32;
    for m in members {
        n += 1;
        let per_branch = branches
            .entry(m.home_branch)
            .or_insert_with(|| vec![Counts::default(); pairs.len()]);
        let mut forum_for: Option<(usize, Forum)> = None;
        for (i, (c, r)) in pairs.iter().enumerate() {
            let ci = i / Right::ALL.len();
            if forum_for.as_ref().is_none_or(|(k, _)| *k != ci) {
                forum_for = Some((
                    ci,
                    Forum::new(c.clone(), c.home_unit(m.home_branch, m.home_region)),
                ));
            }
            let Some((_, forum)) = forum_for.as_ref() else {
                continue;
            };
            let a = from.allows(m, *r, forum, on);
            let b = to.allows(m, *r, forum, on);
            for counts in [&mut totals[i], &mut per_branch[i]] {
                counts.members += 1;
                counts.before += u32::from(a);
                counts.after += u32::from(b);
                counts.lose += u32::from(a && !b);
                counts.gain += u32::from(b && !a);
            }
        }
    }
    let rights = pairs
        .into_iter()
        .enumerate()
        .map(|(i, (context, right))| RightImpact {
            context,
            right,
            total: totals[i],
            by_branch: branches.iter().map(|(u, v)| (*u, v[i])).collect(),
        })
        .collect();
    let mut bodies_dissolved = Vec::new();
    let mut bodies_changed = Vec::new();
    for (_, b) in from.bodies() {
        match to.body(&b.key) {
            None => bodies_dissolved.push(b.clone()),
            Some((_, nb)) if nb != b => bodies_changed.push((b.clone(), nb.clone())),
            Some(_) => {}
        }
    }
    let bodies_created = to
        .bodies()
        .filter(|(_, b)| from.body(&b.key).is_none())
        .map(|(_, b)| b.clone())
        .collect();
    Impact {
        from: from.version().to_string(),
        to: to.version().to_string(),
        on,
        members: n,
        rights,
        bodies_dissolved,
        bodies_created,
        bodies_changed,
    }
}

fn percent(part: u32, whole: u32) -> u64 {
    if whole == 0 {
        0
    } else {
        (u64::from(part) * 100 + u64::from(whole) / 2) / u64::from(whole)
    }
}

impl Impact {
    /// The preview in sentences, largest losses first.
    pub fn summary(&self) -> Vec<String> {
        let mut lines: Vec<(u32, String)> = Vec::new();
        for r in &self.rights {
            let what = format!("the right to {}", r.right.phrase(&r.context));
            for (k, verb) in [(r.total.lose, "lose"), (r.total.gain, "gain")] {
                if k > 0 {
                    lines.push((
                        k,
                        format!(
                            "{} member{} ({}) would {verb} {what}",
                            thousands(u64::from(k)),
                            if k == 1 { "" } else { "s" },
                            match percent(k, self.members) {
                                0 => "under 1%".to_string(),
                                p => format!("{p}%"),
                            }
                        ),
                    ));
                }
            }
        }
        lines.sort_by(|a, b| b.0.cmp(&a.0));
        let mut out: Vec<String> = lines.into_iter().map(|(_, s)| s).collect();
        let names = |bs: &[Body]| -> String {
            join_words(
                &bs.iter()
                    .map(|b| format!("the {}", b.name))
                    .collect::<Vec<_>>(),
                "and",
            )
        };
        let plural = |n: usize| if n == 1 { "body" } else { "bodies" };
        if !self.bodies_dissolved.is_empty() {
            let n = self.bodies_dissolved.len();
            out.push(format!(
                "{n} {} would be dissolved: {}",
                plural(n),
                names(&self.bodies_dissolved)
            ));
        }
        if !self.bodies_created.is_empty() {
            let n = self.bodies_created.len();
            out.push(format!(
                "{n} {} would be created: {}",
                plural(n),
                names(&self.bodies_created)
            ));
        }
        for (a, b) in &self.bodies_changed {
            out.push(format!("the {} would change: {}", a.name, b.describe()));
        }
        if out.is_empty() {
            out.push("no member's rights and no body would change".into());
        }
        out
    }
}
