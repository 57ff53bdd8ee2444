//! `charter unit …`: the operator sets up regions and branches acting as a named national
//! officer. The operator has no power of their own: the command signs in as the officer
//! (`--as EMAIL`, see [`crate::officer`]) and the app checks that officer's powers exactly as
//! on the web; every change is logged as theirs.

use charter_app::{App, AppError};
use charter_domain::{Actor, UnitId};
use charter_store::UnitRecord;

/// A unit named on the command line by its id or its slug.
pub fn find_unit<'a>(units: &'a [UnitRecord], raw: &str) -> Result<&'a UnitRecord, String> {
    let raw = raw.trim();
    units
        .iter()
        .find(|u| u.slug == raw || raw.parse::<i64>().is_ok_and(|id| u.id == UnitId(id)))
        .ok_or_else(|| {
            format!("there is no unit '{raw}' (give its id or slug; see charter unit list)")
        })
}

/// Every unit as a table: id, kind, slug, parent, members, state, name.
pub async fn list(app: &App) -> Result<String, AppError> {
    let all = app.unit_summaries().await?;
    let slug_of = |id: Option<UnitId>| {
        id.and_then(|i| all.iter().find(|s| s.unit.id == i))
            .map(|s| s.unit.slug.clone())
            .unwrap_or_else(|| "-".into())
    };
    let mut out = String::from("id\tkind\tslug\tparent\tmembers\tstate\tname\n");
    for s in &all {
        let u = &s.unit;
        let state = match (u.closed_on, u.merged_into) {
            (None, _) => "open".to_string(),
            (Some(on), Some(m)) => format!("merged into {} on {on}", slug_of(Some(m))),
            (Some(on), None) => format!("closed on {on}"),
        };
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            u.id,
            u.kind.as_str(),
            u.slug,
            slug_of(u.parent),
            s.stats.members(),
            state,
            u.name
        ));
    }
    Ok(out)
}

/// A change to the structure, as the command line gives it.
pub enum Change {
    Create {
        kind: String,
        name: String,
        parent: Option<String>,
    },
    Rename {
        unit: String,
        name: String,
    },
    Merge {
        unit: String,
        into: String,
    },
    Close {
        unit: String,
    },
}

/// Why a change did not happen: refused (bad input, no power, a conflict) or failed.
pub enum Refused {
    /// Said to the operator, exit status 2, nothing written.
    Refusal(String),
    Failure(AppError),
}

fn refusal(e: AppError) -> Refused {
    match e {
        AppError::Invalid(f) => Refused::Refusal(
            f.0.iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        AppError::Forbidden(m) => Refused::Refusal(m),
        AppError::BadCredentials => Refused::Refusal("email or password is wrong".into()),
        AppError::Conflict { message, .. } => Refused::Refusal(message),
        AppError::NotFound(what) => Refused::Refusal(format!("{what} not found")),
        other => Refused::Failure(other),
    }
}

/// Makes `change` as the officer `actor`; says what was done.
pub async fn change(app: &App, actor: &Actor, change: Change) -> Result<String, Refused> {
    let units = app.store_units().await.map_err(refusal)?;
    let unit = |raw: &str| find_unit(&units, raw).map_err(Refused::Refusal);
    match change {
        Change::Create { kind, name, parent } => {
            let parent = match parent.as_deref() {
                Some(p) => Some(unit(p)?.id),
                None => None,
            };
            let id = app
                .create_unit(actor, &kind, &name, parent)
                .await
                .map_err(refusal)?;
            let after = app.store_units().await.map_err(refusal)?;
            let u = after.iter().find(|u| u.id == id);
            Ok(format!(
                "unit {id}: {} {} ({})",
                kind.trim(),
                u.map(|u| u.name.as_str()).unwrap_or(name.as_str()),
                u.map(|u| u.slug.as_str()).unwrap_or("")
            ))
        }
        Change::Rename { unit: raw, name } => {
            let u = unit(&raw)?;
            app.rename_unit(actor, u.id, &name).await.map_err(refusal)?;
            Ok(format!(
                "unit {}: renamed from {} to {}",
                u.id,
                u.name,
                name.trim()
            ))
        }
        Change::Merge { unit: raw, into } => {
            let (u, into) = (unit(&raw)?, unit(&into)?);
            let m = app
                .merge_unit(actor, u.id, into.id)
                .await
                .map_err(refusal)?;
            Ok(format!(
                "unit {}: {} merged into {}; {} members and {} units moved",
                u.id, u.name, into.name, m.members, m.children
            ))
        }
        Change::Close { unit: raw } => {
            let u = unit(&raw)?;
            app.close_unit(actor, u.id).await.map_err(refusal)?;
            Ok(format!("unit {}: {} closed", u.id, u.name))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use charter_domain::UnitKind;

    #[test]
    fn units_are_found_by_id_or_slug() {
        let units = [UnitRecord {
            id: UnitId(7),
            parent: None,
            kind: UnitKind::Branch,
            name: "Leeds".into(),
            slug: "leeds".into(),
            closed_on: None,
            merged_into: None,
        }];
        assert_eq!(find_unit(&units, "7").unwrap().slug, "leeds");
        assert_eq!(find_unit(&units, " leeds ").unwrap().id, UnitId(7));
        assert!(
            find_unit(&units, "york")
                .unwrap_err()
                .contains("charter unit list")
        );
    }
}
