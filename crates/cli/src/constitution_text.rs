//! The constitution as `charter constitution` prints it: plain text for a terminal or a
//! pipe, with every clause number, so what is printed can be cited.

use std::fmt::Write;

use charter_app::constitution::VersionInfo;
use charter_domain::MemberId;
use charter_rules::{Constitution, RightDecision, VersionDiff};
use chrono::NaiveDate;

/// A date on the command line: `YYYY-MM-DD`, the form every output here uses.
pub fn parse_day(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{raw}' is not a date; write it as YYYY-MM-DD, e.g. 2017-07-01"))
}

/// Rows as columns padded to their widest cell; the last column is not padded.
fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == row.len() {
                line.push_str(cell);
            } else {
                let pad = widths[c] - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `charter constitution versions`: one row per adopted version, oldest first.
pub fn versions_table(versions: &[VersionInfo]) -> String {
    if versions.is_empty() {
        return "no constitution has been adopted\n".to_string();
    }
    let mut rows = vec![vec![
        "id".to_string(),
        "version".to_string(),
        "effective".to_string(),
        "adopted by".to_string(),
    ]];
    rows.extend(versions.iter().map(|v| {
        vec![
            v.id.to_string(),
            v.version.clone(),
            v.effective.to_string(),
            v.adopted_by.clone(),
        ]
    }));
    table(&rows)
}

/// `charter constitution show`: the version in force on `on`, clause by clause, each
/// machine rule in words under the clause that carries it.
pub fn show(info: &VersionInfo, c: &Constitution, on: NaiveDate) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {} (version {})", c.name(), c.version(), info.id);
    let _ = writeln!(
        out,
        "in force on {on}; effective {}; adopted by {}",
        c.effective(),
        c.adopted_by().text
    );
    for clause in c.clauses() {
        let _ = writeln!(out, "\n{} {}", clause.number(), clause.title);
        for line in clause.text.trim().lines() {
            let _ = writeln!(out, "    {}", line.trim_end());
        }
        for rule in clause.rules_in_words() {
            let _ = writeln!(out, "    rule: {rule}");
        }
    }
    out
}

/// `charter constitution check`: the one line that says a file reads.
pub fn check_summary(c: &Constitution) -> String {
    let n = c.clauses().len();
    format!(
        "ok: {} {}, effective {}, {n} clause{}",
        c.name(),
        c.version(),
        c.effective(),
        if n == 1 { "" } else { "s" }
    )
}

/// `charter constitution diff`: the engine's clause-by-clause diff, or a line saying there
/// is none.
pub fn diff_text(d: &VersionDiff) -> String {
    let mut out = d.to_string();
    if d.header.is_empty() && d.clauses.is_empty() {
        out.push_str("  no differences\n");
    }
    out
}

/// `charter constitution rights`: every right in every context the version speaks of, with
/// the clauses that decided it and the reason.
pub fn rights_text(
    member: MemberId,
    on: NaiveDate,
    info: &VersionInfo,
    decisions: &[RightDecision],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "rights of member {member} on {on}, under '{}' (version {})",
        info.version, info.id
    );
    let mut start = 0;
    while start < decisions.len() {
        let context = &decisions[start].context;
        let end = decisions[start..]
            .iter()
            .position(|d| &d.context != context)
            .map_or(decisions.len(), |n| start + n);
        let _ = writeln!(out, "\n{}", context.words());
        let rows: Vec<Vec<String>> = decisions[start..end]
            .iter()
            .map(|d| {
                let clauses = if d.clauses.is_empty() {
                    "no clause".to_string()
                } else {
                    let c: Vec<&str> = d.clauses.iter().map(|c| c.as_str()).collect();
                    format!("clause {}", c.join(", "))
                };
                vec![
                    // Fixed width, so a context where every answer is "no" lines up too.
                    format!("  {:<3}", if d.allowed { "yes" } else { "no" }),
                    d.right.verb().to_string(),
                    clauses,
                    d.reason.clone(),
                ]
            })
            .collect();
        out.push_str(&table(&rows));
        start = end;
    }
    let allowed = decisions.iter().filter(|d| d.allowed).count();
    let _ = writeln!(out, "\n{allowed} of {} allowed", decisions.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use charter_domain::{MemberStatus, UnitId};
    use charter_model::ConstitutionVersionId;
    use charter_rules::{MemberFacts, diff};
    use chrono::{TimeZone, Utc};

    const FOUNDING: &str = include_str!("../../rules/fixtures/founding-2016.toml");
    const AMENDMENT: &str = include_str!("../../rules/fixtures/amendment-2017.toml");

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn info(c: &Constitution) -> VersionInfo {
        VersionInfo {
            id: ConstitutionVersionId(1),
            version: c.version().to_string(),
            name: c.name().to_string(),
            effective: c.effective(),
            adopted_by: c.adopted_by().text.clone(),
            recorded_at: Utc.with_ymd_and_hms(2016, 3, 12, 12, 0, 0).unwrap(),
        }
    }

    #[test]
    fn dates_are_iso_only() {
        assert_eq!(parse_day(" 2017-07-01 "), Ok(d(2017, 7, 1)));
        assert!(parse_day("01/07/2017").unwrap_err().contains("YYYY-MM-DD"));
    }

    #[test]
    fn versions_line_up_in_columns() {
        let c = Constitution::from_toml(FOUNDING).unwrap();
        let t = versions_table(&[info(&c)]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("id  version"), "{t}");
        let col = lines[0].find("effective").unwrap();
        assert_eq!(&lines[1][col..col + 10], "2016-03-12", "{t}");
        assert!(
            lines[1].ends_with("founding conference, 12 March 2016"),
            "{t}"
        );
    }

    #[test]
    fn show_gives_every_clause_with_its_rules_in_words() {
        let c = Constitution::from_toml(FOUNDING).unwrap();
        let s = show(&info(&c), &c, d(2016, 6, 1));
        assert!(s.starts_with("Charter Campaign Network: founding constitution 2016"));
        for clause in c.clauses() {
            assert!(
                s.contains(&format!("\n{} {}\n", clause.number(), clause.title)),
                "clause {} missing",
                clause.number()
            );
        }
        assert!(
            s.contains("    rule: a member stays paid up for 31 days"),
            "{s}"
        );
    }

    #[test]
    fn check_summarises_name_version_date_and_clauses() {
        let c = Constitution::from_toml(FOUNDING).unwrap();
        assert_eq!(
            check_summary(&c),
            format!(
                "ok: Charter Campaign Network founding constitution 2016, effective 2016-03-12, {} clauses",
                c.clauses().len()
            )
        );
    }

    #[test]
    fn a_diff_with_no_changes_says_so() {
        let a = Constitution::from_toml(FOUNDING).unwrap();
        let b = Constitution::from_toml(AMENDMENT).unwrap();
        assert!(diff_text(&diff(&a, &a)).contains("no differences"));
        assert!(!diff_text(&diff(&a, &b)).contains("no differences"));
    }

    #[test]
    fn rights_are_grouped_by_context_with_clauses() {
        let c = Constitution::from_toml(FOUNDING).unwrap();
        let on = d(2016, 6, 1);
        let facts = MemberFacts {
            member: MemberId(7),
            status: MemberStatus::Active,
            paid_up_until: Some(d(2016, 12, 31)),
            joined_on: d(2016, 4, 1),
            affiliations: Vec::new(),
            home_branch: UnitId(3),
            home_region: Some(UnitId(2)),
            offices: Vec::new(),
            seats: Vec::new(),
        };
        let decisions = c.rights_of(&facts, on);
        let t = rights_text(MemberId(7), on, &info(&c), &decisions);
        assert!(t.starts_with("rights of member 7 on 2016-06-01"), "{t}");
        assert!(t.contains("\nbranch meetings\n"), "{t}");
        assert!(t.contains("  yes  vote"), "{t}");
        assert!(t.contains("clause 4.1"), "{t}");
        let allowed = decisions.iter().filter(|d| d.allowed).count();
        assert!(t.ends_with(&format!("{allowed} of {} allowed\n", decisions.len())));
    }
}
