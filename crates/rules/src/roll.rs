//! Rolls: who may exercise a right in a forum, decided for every member in scope on a cut-off
//! date by one version of the constitution, in a canonical text whose SHA-256 anyone holding
//! the list can recompute.
//!
//! The canonical text (version 1) is, line by line, each ending in `\n`:
//!
//! ```text
//! charter-roll-v1
//! constitution <version>
//! context <context>          e.g. conference, branch-meeting, committee:steering-committee
//! unit <unit id or ->        the branch or region whose meeting it is; - when organisation-wide
//! right <right>              e.g. vote
//! cutoff <YYYY-MM-DD>
//! <member id> <branch id> <Y|N>   one line per member in scope, in ascending member id
//! ```
//!
//! A decision on a challenge after freezing extends the hash as a chain (see [`chain_hash`]),
//! so the frozen list stays checkable and every later change is accountable.

use std::collections::HashMap;
use std::fmt::Write as _;

use charter_domain::{MemberId, MemberStatus, UnitId};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::constitution::Constitution;
use crate::facts::MemberFacts;
use crate::words::{Forum, Right};

/// What a roll is of: a right in a forum on a cut-off date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollSpec {
    pub forum: Forum,
    pub right: Right,
    pub cutoff: NaiveDate,
}

impl RollSpec {
    /// Whether a member belongs on the list at all (eligible or not). Former members are
    /// not; an expelled or suspended member is, so the roll says why they may not vote and
    /// they can challenge it. A branch or regional meeting's roll is of that unit's members.
    pub fn in_scope(&self, facts: &MemberFacts) -> bool {
        if facts.status == MemberStatus::Resigned {
            return false;
        }
        match self.forum.unit {
            None => true,
            Some(unit) => {
                self.forum
                    .context
                    .home_unit(facts.home_branch, facts.home_region)
                    == Some(unit)
            }
        }
    }
}

/// One member on the roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollLine {
    pub member: MemberId,
    pub branch: UnitId,
    pub eligible: bool,
    /// For an excluded member, the index of the reason in [`Roll::reasons`].
    pub why: Option<usize>,
}

/// Why someone is off the roll: the clauses that decided and the rule in words (without the
/// member's particulars, which their own "why not?" page gives).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Exclusion {
    pub clauses: Vec<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roll {
    /// Every member in scope, in ascending member id.
    pub lines: Vec<RollLine>,
    /// The distinct reasons for exclusion; many members share a few.
    pub reasons: Vec<Exclusion>,
    /// Lowercase hex SHA-256 of the canonical text.
    pub hash: String,
}

impl Roll {
    pub fn eligible(&self) -> usize {
        self.lines.iter().filter(|l| l.eligible).count()
    }
}

/// Decides the roll over `members` (any order) by `constitution`, which the caller picks as
/// the version in force on the cut-off date.
pub fn build_roll(constitution: &Constitution, spec: &RollSpec, members: &[MemberFacts]) -> Roll {
    let mut lines = Vec::with_capacity(members.len());
    let mut reasons: Vec<Exclusion> = Vec::new();
    // Members withheld by the same rules share one reason, worded once.
    let mut reason_index: HashMap<(Vec<usize>, bool), usize> = HashMap::new();
    for m in members.iter().filter(|m| spec.in_scope(m)) {
        let withheld = constitution.withheld_by(m, spec.right, &spec.forum, spec.cutoff);
        let eligible = withheld.is_none();
        let why = withheld.map(|key| {
            *reason_index.entry(key).or_insert_with(|| {
                let d = constitution.decide_general(m, spec.right, &spec.forum, spec.cutoff);
                reasons.push(Exclusion {
                    clauses: d.clauses.iter().map(|c| c.as_str().to_string()).collect(),
                    reason: d.reason,
                });
                reasons.len() - 1
            })
        });
        lines.push(RollLine {
            member: m.member,
            branch: m.home_branch,
            eligible,
            why,
        });
    }
    lines.sort_by_key(|l| l.member);
    let hash = roll_hash(
        constitution.version(),
        spec,
        lines.iter().map(|l| (l.member, l.branch, l.eligible)),
    );
    Roll {
        lines,
        reasons,
        hash,
    }
}

/// The header of the canonical text.
pub fn roll_header(constitution_version: &str, spec: &RollSpec) -> String {
    let unit = spec
        .forum
        .unit
        .map_or_else(|| "-".to_string(), |u| u.0.to_string());
    format!(
        "charter-roll-v1\nconstitution {constitution_version}\ncontext {}\nunit {unit}\nright {}\ncutoff {}\n",
        spec.forum.context,
        spec.right.as_str(),
        spec.cutoff
    )
}

/// SHA-256 of the canonical text; `lines` must come in ascending member id.
pub fn roll_hash(
    constitution_version: &str,
    spec: &RollSpec,
    lines: impl Iterator<Item = (MemberId, UnitId, bool)>,
) -> String {
    let mut h = Sha256::new();
    h.update(roll_header(constitution_version, spec).as_bytes());
    let mut buf = String::with_capacity(32);
    for (member, branch, eligible) in lines {
        buf.clear();
        let _ = writeln!(
            buf,
            "{} {} {}",
            member.0,
            branch.0,
            if eligible { 'Y' } else { 'N' }
        );
        h.update(buf.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The roll's hash after a challenge is decided: SHA-256 of the previous hash and the line
/// `challenge <id> <upheld|rejected> <member>`, so the decisions form a chain over the frozen
/// list that no one can reorder or drop unnoticed.
pub fn chain_hash(previous: &str, challenge: i64, member: MemberId, upheld: bool) -> String {
    let mut h = Sha256::new();
    h.update(previous.as_bytes());
    h.update(
        format!(
            "\nchallenge {challenge} {} {}\n",
            if upheld { "upheld" } else { "rejected" },
            member.0
        )
        .as_bytes(),
    );
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::Context;

    fn spec() -> RollSpec {
        RollSpec {
            forum: Forum::national(Context::Conference),
            right: Right::Vote,
            cutoff: NaiveDate::from_ymd_opt(2017, 7, 1).unwrap(),
        }
    }

    #[test]
    fn the_hash_is_sha256_of_the_canonical_text() {
        let text = format!("{}7 3 Y\n9 3 N\n", roll_header("1", &spec()));
        let expected = hex::encode(Sha256::digest(text.as_bytes()));
        let got = roll_hash(
            "1",
            &spec(),
            [
                (MemberId(7), UnitId(3), true),
                (MemberId(9), UnitId(3), false),
            ]
            .into_iter(),
        );
        assert_eq!(got, expected);
        assert_eq!(got.len(), 64);
    }

    #[test]
    fn a_chained_hash_depends_on_every_part_of_the_decision() {
        let base = "ab".repeat(32);
        let a = chain_hash(&base, 1, MemberId(5), true);
        assert_ne!(a, chain_hash(&base, 1, MemberId(5), false));
        assert_ne!(a, chain_hash(&base, 2, MemberId(5), true));
        assert_ne!(a, chain_hash(&base, 1, MemberId(6), true));
        assert_ne!(a, chain_hash(&"cd".repeat(32), 1, MemberId(5), true));
        assert_eq!(a, chain_hash(&base, 1, MemberId(5), true));
    }
}
