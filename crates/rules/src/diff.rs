//! What changed between two versions: clause by clause, with a word-level diff of the text
//! and the machine rules that were dropped or added, in words.

use std::fmt;

use similar::{ChangeTag, TextDiff};

use crate::constitution::{Clause, Constitution};
use crate::words::ClauseRef;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Words {
    Same(String),
    Added(String),
    Removed(String),
}

/// A word-level diff of a clause's text, runs of one kind joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordDiff(pub Vec<Words>);

/// Renders `[-removed-]{+added+}` inline, the convention of word-diff tools.
impl fmt::Display for WordDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for w in &self.0 {
            match w {
                Words::Same(s) => f.write_str(s)?,
                Words::Added(s) => write!(f, "{{+{s}+}}")?,
                Words::Removed(s) => write!(f, "[-{s}-]")?,
            }
        }
        Ok(())
    }
}

/// The words of `new` against `old`: what an amendment would change, or what it did.
pub fn word_diff(old: &str, new: &str) -> WordDiff {
    let d = TextDiff::from_words(old, new);
    let mut out: Vec<Words> = Vec::new();
    for ch in d.iter_all_changes() {
        let v = ch.value();
        match (ch.tag(), out.last_mut()) {
            (ChangeTag::Equal, Some(Words::Same(s)))
            | (ChangeTag::Insert, Some(Words::Added(s)))
            | (ChangeTag::Delete, Some(Words::Removed(s))) => s.push_str(v),
            (ChangeTag::Equal, _) => out.push(Words::Same(v.to_string())),
            (ChangeTag::Insert, _) => out.push(Words::Added(v.to_string())),
            (ChangeTag::Delete, _) => out.push(Words::Removed(v.to_string())),
        }
    }
    WordDiff(out)
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClauseChange {
    Added {
        number: ClauseRef,
        title: String,
        rules: Vec<String>,
    },
    Removed {
        number: ClauseRef,
        title: String,
        rules: Vec<String>,
    },
    Changed {
        number: ClauseRef,
        /// Old and new titles, when the title changed.
        title: Option<(String, String)>,
        /// The text's word diff, when the text changed.
        text: Option<WordDiff>,
        rules_removed: Vec<String>,
        rules_added: Vec<String>,
    },
}

/// The difference between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionDiff {
    pub from: String,
    pub to: String,
    /// Changes to the name, effective date and adopting decision, in words.
    pub header: Vec<String>,
    pub clauses: Vec<ClauseChange>,
}

/// Compares two versions clause by clause, matching clauses by number.
pub fn diff(from: &Constitution, to: &Constitution) -> VersionDiff {
    let mut header = Vec::new();
    if from.name() != to.name() {
        header.push(format!(
            "the name changes from '{}' to '{}'",
            from.name(),
            to.name()
        ));
    }
    if from.effective() != to.effective() {
        header.push(format!(
            "in force from {} instead of {}",
            to.effective(),
            from.effective()
        ));
    }
    if from.adopted_by() != to.adopted_by() {
        header.push(format!("adopted by {}", to.adopted_by().text));
    }
    let mut numbers: Vec<&ClauseRef> = from
        .clauses()
        .iter()
        .chain(to.clauses())
        .map(Clause::number)
        .collect();
    numbers.sort();
    numbers.dedup();
    let mut clauses = Vec::new();
    for n in numbers {
        match (from.clause(n), to.clause(n)) {
            (Some(a), None) => clauses.push(ClauseChange::Removed {
                number: n.clone(),
                title: a.title.clone(),
                rules: a.rules_in_words(),
            }),
            (None, Some(b)) => clauses.push(ClauseChange::Added {
                number: n.clone(),
                title: b.title.clone(),
                rules: b.rules_in_words(),
            }),
            (Some(a), Some(b)) => {
                let ra = a.rules_in_words();
                let rb = b.rules_in_words();
                let rules_removed: Vec<String> =
                    ra.iter().filter(|r| !rb.contains(r)).cloned().collect();
                let rules_added: Vec<String> =
                    rb.iter().filter(|r| !ra.contains(r)).cloned().collect();
                let title = (a.title != b.title).then(|| (a.title.clone(), b.title.clone()));
                // Line breaks in the file are layout, not wording: compare the words.
                let (ta, tb) = (normalise(&a.text), normalise(&b.text));
                let text = (ta != tb).then(|| word_diff(&ta, &tb));
                if title.is_some()
                    || text.is_some()
                    || !rules_removed.is_empty()
                    || !rules_added.is_empty()
                {
                    clauses.push(ClauseChange::Changed {
                        number: n.clone(),
                        title,
                        text,
                        rules_removed,
                        rules_added,
                    });
                }
            }
            (None, None) => {}
        }
    }
    VersionDiff {
        from: from.version().to_string(),
        to: to.version().to_string(),
        header,
        clauses,
    }
}

impl fmt::Display for VersionDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "from '{}' to '{}'", self.from, self.to)?;
        for h in &self.header {
            writeln!(f, "  {h}")?;
        }
        for c in &self.clauses {
            match c {
                ClauseChange::Added {
                    number,
                    title,
                    rules,
                } => {
                    writeln!(f, "\nclause {number} added: {title}")?;
                    for r in rules {
                        writeln!(f, "  + {r}")?;
                    }
                }
                ClauseChange::Removed {
                    number,
                    title,
                    rules,
                } => {
                    writeln!(f, "\nclause {number} removed: {title}")?;
                    for r in rules {
                        writeln!(f, "  - {r}")?;
                    }
                }
                ClauseChange::Changed {
                    number,
                    title,
                    text,
                    rules_removed,
                    rules_added,
                } => {
                    writeln!(f, "\nclause {number} changed")?;
                    if let Some((a, b)) = title {
                        writeln!(f, "  title: '{a}' becomes '{b}'")?;
                    }
                    if let Some(t) = text {
                        writeln!(f, "  text: {t}")?;
                    }
                    for r in rules_removed {
                        writeln!(f, "  - {r}")?;
                    }
                    for r in rules_added {
                        writeln!(f, "  + {r}")?;
                    }
                }
            }
        }
        Ok(())
    }
}
