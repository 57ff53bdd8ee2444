//! Changing the organisation's structure after the founding: national officers establish,
//! rename, merge and close regions and branches. A new unit has, from the start, the bodies
//! and (vacant) offices the constitution in force establishes at its level. A merged unit's
//! members move with it, each move kept in their branch history, and the unit is closed,
//! marked as merged, never deleted. Every change is one store transaction with its event.
//!
//! Who may: the holders today of a national office carrying [`Power::ManageStructure`] (the
//! national secretary and the national chair). The power held over a region or branch
//! grants nothing here: the structure is the whole organisation's, so it is set nationally.

use charter_domain::{Actor, HeldOffice, Power, UnitId, UnitKind};
use charter_rules::{Constitution, Filling};
use charter_store::{Merged, NewUnit, UnitBody, UnitMerge, UnitRecord};
use serde_json::json;

use crate::constitution::slug;
use crate::{App, AppError, event_actor};

/// The longest name a unit may have.
pub const MAX_UNIT_NAME: usize = 100;

/// What a unit would be set up with under the constitution in force.
#[derive(Debug, Clone)]
pub struct UnitPlan {
    pub bodies: Vec<UnitBody>,
    pub offices: Vec<charter_domain::OfficeKind>,
    /// The clauses that establish them.
    pub clauses: Vec<String>,
}

/// The bodies and offices the constitution establishes for every unit of `kind`.
pub fn unit_plan(c: &Constitution, kind: UnitKind) -> UnitPlan {
    let mut clauses: Vec<String> = Vec::new();
    let mut cite = |c: &charter_rules::ClauseRef| {
        if !clauses.iter().any(|x| x == c.as_str()) {
            clauses.push(c.as_str().to_string());
        }
    };
    let bodies = c
        .bodies_at(kind)
        .map(|(clause, b)| {
            cite(clause);
            let mut filled_by = match &b.filled {
                Filling::AllMembers => "every member of the unit may attend".to_string(),
                other => other.words(),
            };
            if let Some(t) = b.term {
                filled_by.push_str(&format!(" for {t}"));
            }
            UnitBody {
                name: b.name.clone(),
                kind: b.key.to_string(),
                seats: b.seats.unwrap_or(0),
                filled_by: format!("{filled_by} (clause {clause})"),
            }
        })
        .collect();
    let offices = c
        .offices_at(kind)
        .map(|(clause, o)| {
            cite(clause);
            o.office
        })
        .collect();
    UnitPlan {
        bodies,
        offices,
        clauses,
    }
}

/// A unit's name as given, spaces tidied; the field error when it will not do.
fn unit_name(raw: &str) -> Result<String, AppError> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(AppError::invalid("name", "give the unit a name"));
    }
    if name.chars().count() > MAX_UNIT_NAME {
        return Err(AppError::invalid(
            "name",
            format!("the name is longer than {MAX_UNIT_NAME} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            "the name has a control character",
        ));
    }
    Ok(name)
}

/// A slug for `name` that no unit (open or closed) has: "Leeds North" → `leeds-north`, then
/// `leeds-north-2`… Addresses stay stable, so a closed unit keeps its slug.
fn free_slug(name: &str, units: &[UnitRecord]) -> String {
    let base = match slug(name) {
        s if s.is_empty() => "unit".to_string(),
        s => s,
    };
    let taken = |s: &str| units.iter().any(|u| u.slug == s);
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|s| !taken(s))
        .unwrap_or(base)
}

impl App {
    /// The office through which `actor` may change the structure: a national office with
    /// `ManageStructure`. Anyone else is refused, saying who may.
    pub async fn structure_authority(&self, actor: &Actor) -> Result<HeldOffice, AppError> {
        let national = self.national_unit().await?;
        actor
            .offices
            .iter()
            .find(|o| o.unit == national.id && o.kind.powers().contains(&Power::ManageStructure))
            .cloned()
            .ok_or_else(|| {
                AppError::Forbidden(
                    "only the national secretary or the national chair may change the organisation's regions and branches".into(),
                )
            })
    }

    /// Whether `actor` may change the structure (to offer the forms).
    pub async fn may_manage_structure(&self, actor: &Actor) -> bool {
        self.structure_authority(actor).await.is_ok()
    }

    async fn unit_record(&self, id: UnitId, field: &str) -> Result<UnitRecord, AppError> {
        self.store
            .units()
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or_else(|| AppError::invalid(field, format!("there is no unit {id}")))
    }

    /// Establishes a region (under the national unit) or a branch (under a region, or under
    /// the national unit while the organisation has no open regions), with the bodies and
    /// vacant offices the constitution in force gives its level.
    pub async fn create_unit(
        &self,
        actor: &Actor,
        kind: &str,
        name: &str,
        parent: Option<UnitId>,
    ) -> Result<UnitId, AppError> {
        let office = self.structure_authority(actor).await?;
        let mut errs = charter_domain::FieldErrors::default();
        let kind = match UnitKind::parse(kind.trim()) {
            Some(k @ (UnitKind::Region | UnitKind::Branch)) => Some(k),
            Some(UnitKind::National) => {
                errs.add("kind", "there is one national unit, made at the founding");
                None
            }
            None => {
                errs.add("kind", "choose region or branch");
                None
            }
        };
        let name = match unit_name(name) {
            Ok(n) => Some(n),
            Err(AppError::Invalid(f)) => {
                errs.0.extend(f.0);
                None
            }
            Err(e) => return Err(e),
        };
        let units = self.store.units().await?;
        let national = units
            .iter()
            .find(|u| u.kind == UnitKind::National)
            .ok_or(AppError::NotFound("national unit"))?;
        let has_regions = units
            .iter()
            .any(|u| u.kind == UnitKind::Region && u.is_open());
        let parent = match (kind, parent) {
            (Some(UnitKind::Region), None) => Some(national.clone()),
            (Some(UnitKind::Branch), None) if !has_regions => Some(national.clone()),
            (Some(UnitKind::Branch), None) => {
                errs.add("parent_id", "choose the region the branch belongs to");
                None
            }
            (_, Some(p)) => match units.iter().find(|u| u.id == p) {
                None => {
                    errs.add("parent_id", format!("there is no unit {p}"));
                    None
                }
                Some(u) if !u.is_open() => {
                    errs.add(
                        "parent_id",
                        format!("{} is closed; choose an open unit", u.name),
                    );
                    None
                }
                Some(u) => Some(u.clone()),
            },
            (None | Some(UnitKind::National), None) => None,
        };
        if let (Some(k), Some(p)) = (kind, &parent) {
            let fits = match k {
                UnitKind::Region => p.kind == UnitKind::National,
                UnitKind::Branch => {
                    p.kind == UnitKind::Region || (p.kind == UnitKind::National && !has_regions)
                }
                UnitKind::National => false,
            };
            if !fits {
                errs.add(
                    "parent_id",
                    match k {
                        UnitKind::Region => "a region belongs to the national unit".to_string(),
                        _ if has_regions => format!(
                            "a branch belongs to a region, and {} is not one",
                            p.name
                        ),
                        _ => "a branch belongs to a region, or to the national unit while there are no regions".to_string(),
                    },
                );
            }
        }
        let (Some(kind), Some(name), Some(parent)) = (kind, name, parent) else {
            return Err(AppError::Invalid(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let plan = match self.constitution_in_force(self.today()).await {
            Ok((_, c)) => unit_plan(&c, kind),
            Err(AppError::NotFound(_)) => UnitPlan {
                bodies: Vec::new(),
                offices: Vec::new(),
                clauses: Vec::new(),
            },
            Err(e) => return Err(e),
        };
        let slug = free_slug(&name, &units);
        let event = self.event(
            event_actor(actor, Some(&office)),
            "unit.created",
            format!("unit:{slug}"),
            json!({
                "kind": kind.as_str(), "name": name, "slug": slug, "parent": parent.id.0,
                "bodies": plan.bodies.iter().map(|b| &b.kind).collect::<Vec<_>>(),
                "offices": plan.offices.iter().map(|o| o.as_str()).collect::<Vec<_>>(),
                "clauses": plan.clauses,
            }),
            &format!("{} {name} established under {}", kind.as_str(), parent.name),
        );
        let unit = NewUnit {
            parent: parent.id,
            kind,
            name,
            slug,
            bodies: plan.bodies,
            offices: plan.offices,
        };
        let id = self
            .store
            .establish_unit(&unit, &event)
            .await
            .map_err(|e| match e {
                charter_store::StoreError::Conflict { message, .. } => AppError::Conflict {
                    field: "name".into(),
                    message,
                },
                other => other.into(),
            });
        self.structure_changed().await;
        id
    }

    /// Renames a region or branch; its address (slug) stays.
    pub async fn rename_unit(
        &self,
        actor: &Actor,
        unit: UnitId,
        name: &str,
    ) -> Result<(), AppError> {
        let office = self.structure_authority(actor).await?;
        let u = self.unit_record(unit, "unit").await?;
        let name = unit_name(name)?;
        if u.kind == UnitKind::National {
            return Err(AppError::invalid(
                "unit",
                "the national unit carries the organisation's name, set at the founding",
            ));
        }
        let event = self.event(
            event_actor(actor, Some(&office)),
            "unit.renamed",
            format!("unit:{}", u.slug),
            json!({ "unit": unit.0, "from": u.name, "to": name }),
            &format!("{} renamed {name}", u.name),
        );
        let r = self.store.rename_unit(unit, &name, &event).await;
        self.structure_changed().await;
        Ok(r?)
    }

    /// Merges a region or branch into another of its kind: its members move (each move in
    /// their branch history, naming the merge), a region's branches move under the other
    /// region, its officers' terms end, and it closes, marked as merged.
    pub async fn merge_unit(
        &self,
        actor: &Actor,
        unit: UnitId,
        into: UnitId,
    ) -> Result<Merged, AppError> {
        let office = self.structure_authority(actor).await?;
        let from = self.unit_record(unit, "unit").await?;
        let to = self.unit_record(into, "into").await?;
        if from.kind == UnitKind::National {
            return Err(AppError::invalid(
                "unit",
                "the national unit cannot be merged",
            ));
        }
        if from.id == to.id {
            return Err(AppError::invalid(
                "into",
                "choose another unit to merge into",
            ));
        }
        if from.kind != to.kind {
            return Err(AppError::invalid(
                "into",
                format!(
                    "{} is a {}: a {} merges only into another {}",
                    to.name,
                    to.kind.as_str(),
                    from.kind.as_str(),
                    from.kind.as_str()
                ),
            ));
        }
        for u in [&from, &to] {
            if let Some(on) = u.closed_on {
                return Err(AppError::Conflict {
                    field: if u.id == from.id { "unit" } else { "into" }.into(),
                    message: format!("{} closed on {on}", u.name),
                });
            }
        }
        let today = self.today();
        let reason = format!("{} merged into {}", from.name, to.name);
        let event = self.event(
            event_actor(actor, Some(&office)),
            "unit.merged",
            format!("unit:{}", from.slug),
            json!({ "unit": from.id.0, "into": to.id.0, "on": today }),
            &reason,
        );
        let merge = UnitMerge {
            from: from.id,
            into: to.id,
            on: today,
            moved_by: Some(actor.member),
            reason,
        };
        let r = self.store.merge_unit(&merge, &event).await;
        self.structure_changed().await;
        Ok(r?)
    }

    /// Closes an empty region or branch: one with members or open units under it is refused,
    /// saying to merge it instead (which moves them) or to move them first.
    pub async fn close_unit(&self, actor: &Actor, unit: UnitId) -> Result<(), AppError> {
        let office = self.structure_authority(actor).await?;
        let u = self.unit_record(unit, "unit").await?;
        if u.kind == UnitKind::National {
            return Err(AppError::invalid(
                "unit",
                "the national unit cannot be closed",
            ));
        }
        let today = self.today();
        let event = self.event(
            event_actor(actor, Some(&office)),
            "unit.closed",
            format!("unit:{}", u.slug),
            json!({ "unit": unit.0, "on": today }),
            &format!("{} closed", u.name),
        );
        let r = self.store.close_unit(unit, today, &event).await;
        self.structure_changed().await;
        Ok(r?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(slug: &str) -> UnitRecord {
        UnitRecord {
            id: UnitId(1),
            parent: None,
            kind: UnitKind::Branch,
            name: slug.into(),
            slug: slug.into(),
            closed_on: None,
            merged_into: None,
        }
    }

    #[test]
    fn slugs_come_from_names_and_never_repeat() {
        assert_eq!(free_slug("Leeds North", &[]), "leeds-north");
        assert_eq!(
            free_slug(
                "Leeds  North!",
                &[unit("leeds-north"), unit("leeds-north-2")]
            ),
            "leeds-north-3"
        );
        assert_eq!(free_slug("Ærø", &[]), "r");
        assert_eq!(free_slug("日本", &[unit("unit")]), "unit-2");
    }

    #[test]
    fn names_are_tidied_and_checked() {
        assert_eq!(unit_name("  Leeds   North ").unwrap(), "Leeds North");
        assert!(unit_name("  ").is_err());
        assert!(unit_name(&"x".repeat(101)).is_err());
        assert!(unit_name("a\u{7}b").is_err());
    }
}
