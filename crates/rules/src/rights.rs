//! Who may do what: a member's rights in a forum on a date, each with the clauses that
//! decided it and a reason in words.
//!
//! The rule: a right exists only where a grant gives it and its condition holds; a
//! restriction whose condition the member does not meet takes it away whatever the grants
//! say; with no grant at all the answer is "no clause gives this right".

use chrono::NaiveDate;

use crate::constitution::{Constitution, Effect, RightRule, join_words};
use crate::facts::{Env, MemberFacts};
use crate::words::{ClauseRef, Context, Forum, Right};

/// One answer to "may this member do this here?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightDecision {
    pub context: Context,
    pub right: Right,
    pub allowed: bool,
    /// The clauses that decided, in clause order: the grants that gave the right, or the
    /// restrictions or unmet grants that withheld it. Empty when no clause speaks of it.
    pub clauses: Vec<ClauseRef>,
    pub reason: String,
}

impl Constitution {
    /// Whether the member may exercise `right` in `forum` on `on`, and why.
    ///
    /// The caller picks the version in force on `on` (see [`crate::History::in_force`]); this
    /// answers for this version whatever its date, which the impact preview relies on.
    pub fn decide(
        &self,
        facts: &MemberFacts,
        right: Right,
        forum: &Forum,
        on: NaiveDate,
    ) -> RightDecision {
        self.decide_explained(facts, right, forum, on, true)
    }

    /// The same decision with the clauses' words only, leaving out the member's particulars
    /// ("you joined on …"), so members refused for the same reason share one text: what a
    /// roll keeps for each exclusion.
    pub fn decide_general(
        &self,
        facts: &MemberFacts,
        right: Right,
        forum: &Forum,
        on: NaiveDate,
    ) -> RightDecision {
        self.decide_explained(facts, right, forum, on, false)
    }

    /// Which rules withhold the right, without building any words: `None` when the member
    /// has it, else the indices (in [`Constitution::right_rules`] order) of the restrictions
    /// they fail and whether any grant holds. Members with the same answer share the same
    /// [`Constitution::decide_general`] reason.
    pub fn withheld_by(
        &self,
        facts: &MemberFacts,
        right: Right,
        forum: &Forum,
        on: NaiveDate,
    ) -> Option<(Vec<usize>, bool)> {
        let env = Env {
            on,
            grace_days: self.grace_days(),
            forum,
        };
        let mut failed = Vec::new();
        let mut granted = false;
        for (i, (_, r)) in self.right_rules().enumerate() {
            if !r.applies_to(right, &forum.context) {
                continue;
            }
            let holds = r.condition.holds(facts, &env);
            match r.effect {
                Effect::Grant => granted |= holds,
                Effect::Restrict if !holds => failed.push(i),
                Effect::Restrict => {}
            }
        }
        if granted && failed.is_empty() {
            None
        } else {
            Some((failed, granted))
        }
    }

    fn decide_explained(
        &self,
        facts: &MemberFacts,
        right: Right,
        forum: &Forum,
        on: NaiveDate,
        particulars: bool,
    ) -> RightDecision {
        let env = Env {
            on,
            grace_days: self.grace_days(),
            forum,
        };
        let mut grants: Vec<(&ClauseRef, &RightRule)> = Vec::new();
        let mut met: Vec<&ClauseRef> = Vec::new();
        let mut restrictions: Vec<(&ClauseRef, &RightRule)> = Vec::new();
        for (c, r) in self.right_rules() {
            if !r.applies_to(right, &forum.context) {
                continue;
            }
            match r.effect {
                Effect::Grant => {
                    if r.condition.holds(facts, &env) {
                        met.push(c);
                    }
                    grants.push((c, r));
                }
                Effect::Restrict => {
                    if !r.condition.holds(facts, &env) {
                        restrictions.push((c, r));
                    }
                }
            }
        }
        let what = right.phrase(&forum.context);

        if !restrictions.is_empty() {
            let reason = restrictions
                .iter()
                .map(|(c, r)| {
                    let rule = match &r.says {
                        Some(s) => s.clone(),
                        None => {
                            format!("only members who are {} may {}", r.condition.words(), what)
                        }
                    };
                    format!("clause {c}: {rule}, from {}", self.effective())
                })
                .collect::<Vec<_>>()
                .join("; ");
            let why = if particulars {
                restrictions
                    .iter()
                    .flat_map(|(_, r)| r.condition.unmet(facts, &env))
                    .collect::<Vec<_>>()
            } else {
                Vec::new()
            };
            let mut reason = with_why(reason, &why);
            let mut clauses: Vec<&ClauseRef> = restrictions.iter().map(|(c, _)| *c).collect();
            // A member who also fails every grant should learn that too: meeting the
            // restriction alone would not give them the right.
            if met.is_empty() && !grants.is_empty() {
                reason.push_str("; and ");
                reason.push_str(&unmet_grants(&grants, facts, &env, particulars));
                clauses.extend(grants.iter().map(|(c, _)| *c));
            }
            return RightDecision {
                context: forum.context.clone(),
                right,
                allowed: false,
                clauses: sorted(clauses.into_iter()),
                reason,
            };
        }
        if grants.is_empty() {
            return RightDecision {
                context: forum.context.clone(),
                right,
                allowed: false,
                clauses: Vec::new(),
                reason: format!("no clause gives the right to {what}"),
            };
        }
        if met.is_empty() {
            return RightDecision {
                context: forum.context.clone(),
                right,
                allowed: false,
                clauses: sorted(grants.iter().map(|(c, _)| *c)),
                reason: format!(
                    "you may not {what}: {}",
                    unmet_grants(&grants, facts, &env, particulars)
                ),
            };
        }
        let by: Vec<String> = grants
            .iter()
            .filter(|(c, _)| met.contains(c))
            .map(|(c, r)| match &r.says {
                Some(s) => format!("clause {c}: {s}"),
                None => format!(
                    "clause {c} gives it to members who are {}",
                    r.condition.words()
                ),
            })
            .collect();
        RightDecision {
            context: forum.context.clone(),
            right,
            allowed: true,
            clauses: sorted(met.into_iter()),
            reason: format!("you may {what}: {}", by.join("; ")),
        }
    }

    /// Every right in one forum.
    pub fn rights_in(
        &self,
        facts: &MemberFacts,
        forum: &Forum,
        on: NaiveDate,
    ) -> Vec<RightDecision> {
        Right::ALL
            .into_iter()
            .map(|r| self.decide(facts, r, forum, on))
            .collect()
    }

    /// "What may I do, and why not?": every right in every context this version speaks of,
    /// each context at the member's own unit (their branch's meeting, their region's).
    pub fn rights_of(&self, facts: &MemberFacts, on: NaiveDate) -> Vec<RightDecision> {
        self.contexts()
            .into_iter()
            .flat_map(|c| {
                let forum =
                    Forum::new(c.clone(), c.home_unit(facts.home_branch, facts.home_region));
                self.rights_in(facts, &forum, on)
            })
            .collect()
    }

    /// Just the yes or no, without building reasons: for rolls and previews over many members.
    pub fn allows(&self, facts: &MemberFacts, right: Right, forum: &Forum, on: NaiveDate) -> bool {
        let env = Env {
            on,
            grace_days: self.grace_days(),
            forum,
        };
        let mut granted = false;
        for (_, r) in self.right_rules() {
            if !r.applies_to(right, &forum.context) {
                continue;
            }
            let holds = r.condition.holds(facts, &env);
            match r.effect {
                Effect::Grant => granted |= holds,
                Effect::Restrict if !holds => return false,
                Effect::Restrict => {}
            }
        }
        granted
    }
}

fn unmet_grants(
    grants: &[(&ClauseRef, &RightRule)],
    facts: &MemberFacts,
    env: &Env<'_>,
    particulars: bool,
) -> String {
    let cited = grants
        .iter()
        .map(|(c, r)| {
            format!(
                "clause {c} gives it only to members who are {}",
                r.condition.words()
            )
        })
        .collect::<Vec<_>>();
    if !particulars {
        return cited.join("; ");
    }
    let why = grants
        .iter()
        .flat_map(|(_, r)| r.condition.unmet(facts, env))
        .collect::<Vec<_>>();
    with_why(cited.join("; "), &why)
}

fn sorted<'a>(it: impl Iterator<Item = &'a ClauseRef>) -> Vec<ClauseRef> {
    let mut v: Vec<ClauseRef> = it.cloned().collect();
    v.sort();
    v.dedup();
    v
}

fn with_why(reason: String, why_in: &[String]) -> String {
    let mut why: Vec<String> = Vec::new();
    for w in why_in {
        if !why.contains(w) {
            why.push(w.clone());
        }
    }
    if why.is_empty() {
        reason
    } else {
        format!("{reason} ({})", join_words(&why, "and"))
    }
}
