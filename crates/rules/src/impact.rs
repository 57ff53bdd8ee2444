//! Impact preview: what a proposed version would change for the members, before anyone
//! votes on it. "9,812 members (46%) would lose the right to vote in branch meetings."

use std::collections::BTreeMap;

use charter_domain::UnitId;
use chrono::NaiveDate;

use crate::constitution::{Body, Constitution, Effect, join_words};
use crate::expr::Expr;
use crate::facts::{Env, MemberFacts};
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
    // Which rules apply to each (context, right) does not depend on the member: pick them
    // once, so the pass over the register only evaluates conditions.
    let from_rules: Vec<Vec<(Effect, &Expr)>> =
        pairs.iter().map(|(c, r)| applicable(from, *r, c)).collect();
    let to_rules: Vec<Vec<(Effect, &Expr)>> =
        pairs.iter().map(|(c, r)| applicable(to, *r, c)).collect();
    let mut forums: Vec<Forum> = contexts
        .iter()
        .map(|c| Forum::national(c.clone()))
        .collect();
    let mut totals = vec![Counts::default(); pairs.len()];
    let mut branches: BTreeMap<UnitId, Vec<Counts>> = BTreeMap::new();
    let mut n = 0u32;
    for m in members {
        n += 1;
        for (f, c) in forums.iter_mut().zip(&contexts) {
            f.unit = c.home_unit(m.home_branch, m.home_region);
        }
        let per_branch = branches
            .entry(m.home_branch)
            .or_insert_with(|| vec![Counts::default(); pairs.len()]);
        for i in 0..pairs.len() {
            let forum = &forums[i / Right::ALL.len()];
            let a = allowed(&from_rules[i], m, on, from.grace_days(), forum);
            let b = allowed(&to_rules[i], m, on, to.grace_days(), forum);
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

fn applicable<'c>(c: &'c Constitution, right: Right, context: &Context) -> Vec<(Effect, &'c Expr)> {
    c.right_rules()
        .filter(|(_, r)| r.applies_to(right, context))
        .map(|(_, r)| (r.effect, &r.condition))
        .collect()
}

/// The same decision as [`Constitution::allows`], over rules already picked for the pair.
fn allowed(
    rules: &[(Effect, &Expr)],
    m: &MemberFacts,
    on: NaiveDate,
    grace_days: u32,
    forum: &Forum,
) -> bool {
    let env = Env {
        on,
        grace_days,
        forum,
    };
    let mut granted = false;
    for (effect, cond) in rules {
        let holds = cond.holds(m, &env);
        match effect {
            Effect::Grant => granted |= holds,
            Effect::Restrict if !holds => return false,
            Effect::Restrict => {}
        }
    }
    granted
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
            // A committee one version lacks is reported as dissolved or created below;
            // counting every member as losing its seats' rights would only repeat that.
            if let Context::Committee(k) = &r.context
                && (self.bodies_dissolved.iter().any(|b| &b.key == k)
                    || self.bodies_created.iter().any(|b| &b.key == k))
            {
                continue;
            }
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
        lines.sort_by_key(|l| std::cmp::Reverse(l.0));
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
