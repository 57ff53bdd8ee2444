//! The example founding constitution that ships with Charter: `charter constitution example`
//! prints it, and `charter init` installs it when given no constitution of its own.

use chrono::NaiveDate;

/// The example, exactly as shipped (comments included).
pub const EXAMPLE_CONSTITUTION: &str = include_str!("../constitutions/example.toml");

/// The example made out for one organisation: its name, and the founding day as the day the
/// version takes effect and was adopted. Everything else is the example word for word.
pub fn example_constitution_for(organisation: &str, founded_on: NaiveDate) -> String {
    let name = toml::Value::String(organisation.to_string()).to_string();
    let mut out = String::with_capacity(EXAMPLE_CONSTITUTION.len() + organisation.len());
    // Only the header, above the first table, is made out: bodies have names too.
    let mut header = true;
    for line in EXAMPLE_CONSTITUTION.lines() {
        header &= !line.starts_with('[');
        let replaced = if !header {
            line.to_string()
        } else if line.starts_with("name = ") {
            format!("name = {name}")
        } else if line.starts_with("effective = ") {
            format!("effective = {founded_on}")
        } else if line.starts_with("adopted_by = ") {
            format!("adopted_by = {{ text = \"the founding meeting\", on = {founded_on} }}")
        } else {
            line.to_string()
        };
        out.push_str(&replaced);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use charter_domain::{OfficeKind, UnitKind};

    use super::*;
    use crate::{Constitution, DecisionKind, OfficeFilling};

    #[test]
    fn the_example_reads_and_has_offices_and_a_founding_clause() {
        let c = Constitution::from_toml(EXAMPLE_CONSTITUTION).expect("the example reads");
        let (clause, founding) = c.founding_rule().expect("a founding clause");
        assert_eq!(clause.as_str(), "5.7");
        assert_eq!(founding.offices, [OfficeKind::Secretary]);
        let (_, sec) = c
            .office_rule(OfficeKind::Secretary, UnitKind::Branch)
            .expect("branches have a secretary");
        assert_eq!(sec.filled.by().as_str(), "branch-meeting");
        assert!(matches!(sec.filled, OfficeFilling::AppointedBy(_)));
        assert!(c.threshold_for(DecisionKind::Appointment).is_some());
        for level in [UnitKind::National, UnitKind::Region, UnitKind::Branch] {
            assert!(c.bodies_at(level).count() >= 1, "{level:?} has a body");
            assert!(c.offices_at(level).count() >= 2, "{level:?} has officers");
        }
    }

    #[test]
    fn made_out_for_an_organisation_it_keeps_every_rule() {
        let on = NaiveDate::from_ymd_opt(2027, 5, 4).unwrap();
        let text = example_constitution_for("The \"Quoted\" Co-op", on);
        let c = Constitution::from_toml(&text).expect("it still reads");
        let example = Constitution::from_toml(EXAMPLE_CONSTITUTION).unwrap();
        assert_eq!(c.name(), "The \"Quoted\" Co-op");
        assert_eq!(c.effective(), on);
        assert_eq!(c.adopted_by().on, Some(on));
        assert!(
            c.clauses() == example.clauses(),
            "the clauses are the example's, word for word"
        );
    }
}
