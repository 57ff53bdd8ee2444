//! units.csv: the regions and branches an organisation brings, and finding a unit by the
//! name, slug or number the other files give.

use std::collections::{HashMap, HashSet};

use charter_domain::UnitKind;
use charter_store::{ImportUnit, UnitRecord, UnitRef};

use super::{ImportFile, Problems, RawUnit, text};

const FILE: ImportFile = ImportFile::Units;

/// How people write a unit's name: case and runs of spaces do not matter.
fn key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A short name for addresses: lower-case ASCII letters and digits joined by dashes.
pub(super) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "unit".into() } else { out }
}

/// Units by name, slug and (for those already in the register) number.
#[derive(Debug, Default)]
pub(super) struct UnitLookup {
    by_key: HashMap<String, Vec<(UnitRef, UnitKind, String)>>,
}

impl UnitLookup {
    fn add(&mut self, r: UnitRef, kind: UnitKind, name: &str, slug: &str, id: Option<i64>) {
        let mut keys = vec![key(name), slug.to_lowercase()];
        keys.extend(id.map(|i| i.to_string()));
        keys.dedup();
        for k in keys {
            let entry = self.by_key.entry(k).or_default();
            if !entry.iter().any(|(x, _, _)| *x == r) {
                entry.push((r, kind, name.to_string()));
            }
        }
    }

    /// The unit `raw` names, with its kind and name.
    pub(super) fn find(&self, raw: &str) -> Result<(UnitRef, UnitKind, String), String> {
        match self.by_key.get(&key(raw)).map(Vec::as_slice) {
            None | Some([]) => Err(format!(
                "there is no unit called '{}' in units.csv or the register",
                raw.trim()
            )),
            Some([one]) => Ok(one.clone()),
            Some(_) => Err(format!(
                "more than one unit is called '{}': give its slug instead",
                raw.trim()
            )),
        }
    }

    /// The branch `raw` names.
    pub(super) fn branch(&self, raw: &str) -> Result<UnitRef, String> {
        let wanted = key(raw);
        let branches: Vec<&(UnitRef, UnitKind, String)> = self
            .by_key
            .get(&wanted)
            .map(|v| v.iter().filter(|u| u.1 == UnitKind::Branch).collect())
            .unwrap_or_default();
        match branches.as_slice() {
            [one] => Ok(one.0),
            [] => match self.find(raw) {
                Ok((_, kind, name)) => Err(format!(
                    "'{name}' is a {}, not a branch: members belong to branches",
                    kind.as_str()
                )),
                Err(_) => Err(format!(
                    "there is no branch called '{}' in units.csv or the register",
                    raw.trim()
                )),
            },
            _ => Err(format!(
                "more than one branch is called '{}': give its slug instead",
                raw.trim()
            )),
        }
    }
}

pub(super) struct UnitsPlan {
    pub new: Vec<ImportUnit>,
    pub already_there: usize,
    pub lookup: UnitLookup,
}

/// Checks units.csv: regions first (under the national unit), then branches (under a region
/// of the file or the register), so every parent is created before its children.
pub(super) fn plan(rows: &[RawUnit], existing: &[UnitRecord], p: &mut Problems) -> UnitsPlan {
    let mut lookup = UnitLookup::default();
    for u in existing {
        lookup.add(
            UnitRef::Existing(u.id),
            u.kind,
            &u.name,
            &u.slug,
            Some(u.id.0),
        );
    }
    let national = existing.iter().find(|u| u.kind == UnitKind::National);
    let mut slugs: HashSet<String> = existing.iter().map(|u| u.slug.to_lowercase()).collect();
    let mut out = UnitsPlan {
        new: Vec::new(),
        already_there: 0,
        lookup: UnitLookup::default(),
    };
    // (parent, name key) → line, for names given twice under one parent.
    let mut seen: HashMap<(UnitRef, String), u64> = HashMap::new();
    let mut parsed: Vec<(&RawUnit, UnitKind, String)> = Vec::new();
    for r in rows {
        let name = text(&r.name)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let mut ok = true;
        if name.is_empty() {
            p.add(FILE, r.line, Some("name"), "name is required");
            ok = false;
        } else if name.chars().count() > 100 {
            p.add(
                FILE,
                r.line,
                Some("name"),
                "name is longer than 100 characters",
            );
            ok = false;
        } else if name.chars().any(char::is_control) {
            p.add(
                FILE,
                r.line,
                Some("name"),
                "name contains control characters",
            );
            ok = false;
        }
        let kind = match text(&r.kind).to_lowercase().as_str() {
            "region" => Some(UnitKind::Region),
            "branch" => Some(UnitKind::Branch),
            "national" => {
                p.add(
                    FILE,
                    r.line,
                    Some("kind"),
                    "the national unit is founded by charter init; units.csv lists regions and branches",
                );
                None
            }
            "" => {
                p.add(
                    FILE,
                    r.line,
                    Some("kind"),
                    "kind is required: region or branch",
                );
                None
            }
            other => {
                p.add(
                    FILE,
                    r.line,
                    Some("kind"),
                    format!("kind '{other}' is not region or branch"),
                );
                None
            }
        };
        if let (Some(kind), true) = (kind, ok) {
            parsed.push((r, kind, name));
        }
    }
    for pass in [UnitKind::Region, UnitKind::Branch] {
        for (r, kind, name) in parsed.iter().filter(|(_, k, _)| *k == pass) {
            let parent = match (kind, text(&r.parent)) {
                (UnitKind::Region, "") => match national {
                    Some(n) => UnitRef::Existing(n.id),
                    None => {
                        p.add(
                            FILE,
                            r.line,
                            Some("parent"),
                            "there is no national unit yet: found the organisation with charter init first",
                        );
                        continue;
                    }
                },
                (UnitKind::Branch, "") => {
                    p.add(
                        FILE,
                        r.line,
                        Some("parent"),
                        "parent is required: the region this branch belongs to",
                    );
                    continue;
                }
                (_, given) => match lookup.find(given) {
                    Ok((parent, parent_kind, parent_name)) => {
                        let wanted = if *kind == UnitKind::Region {
                            UnitKind::National
                        } else {
                            UnitKind::Region
                        };
                        if parent_kind != wanted {
                            p.add(
                                FILE,
                                r.line,
                                Some("parent"),
                                format!(
                                    "'{parent_name}' is a {}: a {}'s parent is a {}",
                                    parent_kind.as_str(),
                                    kind.as_str(),
                                    wanted.as_str()
                                ),
                            );
                            continue;
                        }
                        parent
                    }
                    Err(e) => {
                        p.add(FILE, r.line, Some("parent"), e);
                        continue;
                    }
                },
            };
            if let Some(first) = seen.insert((parent, key(name)), r.line) {
                p.add(
                    FILE,
                    r.line,
                    Some("name"),
                    format!("'{name}' is listed twice under the same parent: also on line {first}"),
                );
                p.add(
                    FILE,
                    first,
                    Some("name"),
                    format!(
                        "'{name}' is listed twice under the same parent: also on line {}",
                        r.line
                    ),
                );
                continue;
            }
            if let Some(u) = existing.iter().find(|u| {
                u.kind == *kind
                    && key(&u.name) == key(name)
                    && u.parent.map(UnitRef::Existing) == Some(parent)
            }) {
                // The same unit, already in the register: an import run again adds nothing.
                out.already_there += 1;
                if let Some(given) = r.slug.as_deref().map(str::trim).filter(|s| !s.is_empty())
                    && !given.eq_ignore_ascii_case(&u.slug)
                {
                    p.add(
                        FILE,
                        r.line,
                        Some("slug"),
                        format!(
                            "'{name}' is already in the register with the slug '{}'",
                            u.slug
                        ),
                    );
                }
                continue;
            }
            let slug = match text(&r.slug) {
                "" => {
                    let base = self::slug(name);
                    let mut candidate = base.clone();
                    let mut n = 2;
                    while slugs.contains(&candidate) {
                        candidate = format!("{base}-{n}");
                        n += 1;
                    }
                    candidate
                }
                given => {
                    let s = given.to_lowercase();
                    if s != self::slug(&s) {
                        p.add(
                            FILE,
                            r.line,
                            Some("slug"),
                            format!(
                                "slug '{given}' may only have lower-case letters, digits and single dashes, like '{}'",
                                self::slug(&s)
                            ),
                        );
                        continue;
                    }
                    if slugs.contains(&s) {
                        p.add(
                            FILE,
                            r.line,
                            Some("slug"),
                            format!("slug '{s}' is already taken by another unit"),
                        );
                        continue;
                    }
                    s
                }
            };
            slugs.insert(slug.clone());
            let r_new = UnitRef::New(out.new.len());
            lookup.add(r_new, *kind, name, &slug, None);
            out.new.push(ImportUnit {
                parent,
                kind: *kind,
                name: name.clone(),
                slug,
            });
        }
    }
    out.lookup = lookup;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_joined_by_dashes() {
        assert_eq!(slug("North East & Cumbria"), "north-east-cumbria");
        assert_eq!(slug("  St. Albans  "), "st-albans");
        assert_eq!(slug("Ynys Môn"), "ynys-m-n");
        assert_eq!(slug("???"), "unit");
    }
}
