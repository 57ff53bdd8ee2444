//! A whole register as import files, generated from the deterministic demo organisation:
//! its regions and branches, members with their status histories and payments, and past
//! holders of its offices. For the import benchmark and for tests that need more than the
//! sample in `examples/import` (fictional people, reserved example domains).

use std::path::Path;

use charter_demo::{DemoOptions, DemoOrg};
use charter_domain::UnitKind;
use chrono::{Days, NaiveDate};

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generated {
    pub units: usize,
    pub members: usize,
    pub status_changes: usize,
    pub payments: usize,
    pub holdings: usize,
}

/// Writes units.csv, members.csv, statuses.csv, payments.csv and offices.csv into `dir`:
/// `members` members of the demo organisation as of `today` (every date on or before it).
/// Members keep the numbers `first_number`, `first_number + 1`, …; with `None` the files
/// name members by email and the register numbers them.
pub fn write_register(
    dir: &Path,
    members: u32,
    today: NaiveDate,
    first_number: Option<i64>,
) -> std::io::Result<Generated> {
    let mut opts = DemoOptions::new(today);
    opts.members = members;
    let org = charter_demo::generate(opts);
    let mut out = Generated::default();
    let csv_err = |e: csv::Error| std::io::Error::other(e.to_string());
    let writer = |name: &str| -> std::io::Result<csv::Writer<std::io::BufWriter<std::fs::File>>> {
        Ok(csv::Writer::from_writer(std::io::BufWriter::new(
            std::fs::File::create(dir.join(name))?,
        )))
    };

    let mut units = writer("units.csv")?;
    units
        .write_record(["kind", "name", "parent", "slug"])
        .map_err(csv_err)?;
    for u in org.units.iter().filter(|u| u.kind != UnitKind::National) {
        let parent = match (u.kind, u.parent) {
            (UnitKind::Branch, Some(p)) => org.units[p].slug.as_str(),
            _ => "",
        };
        units
            .write_record([u.kind.as_str(), &u.name, parent, &u.slug])
            .map_err(csv_err)?;
        out.units += 1;
    }
    units.flush()?;

    let mut m_out = writer("members.csv")?;
    let mut s_out = writer("statuses.csv")?;
    let mut p_out = writer("payments.csv")?;
    m_out
        .write_record([
            "member_number",
            "first_name",
            "last_name",
            "email",
            "phone",
            "postcode",
            "branch",
            "joined_on",
            "status",
            "dues_plan",
        ])
        .map_err(csv_err)?;
    s_out
        .write_record(["member_number", "email", "status", "effective_on", "reason"])
        .map_err(csv_err)?;
    p_out
        .write_record(["member_number", "email", "paid_on", "amount", "months"])
        .map_err(csv_err)?;
    let number = |index: u32| first_number.map(|f| (f + i64::from(index)).to_string());
    // A row names its member by number when there are numbers, else by email.
    let key = |index: u32, email: &str| match number(index) {
        Some(n) => (n, String::new()),
        None => (String::new(), email.to_string()),
    };
    for m in org.members(0..org.member_count()) {
        let email = m.email.as_str();
        let joined = m.joined_on.to_string();
        m_out
            .write_record([
                number(m.index).unwrap_or_default().as_str(),
                m.first_name.as_str(),
                m.last_name.as_str(),
                email,
                m.phone.as_ref().map_or("", |p| p.as_str()),
                m.postcode.as_str(),
                &org.units[m.branch].slug,
                &joined,
                m.status.as_str(),
                m.dues_plan.as_str(),
            ])
            .map_err(csv_err)?;
        out.members += 1;
        let (n, e) = key(m.index, email);
        for h in &m.history {
            s_out
                .write_record([n.as_str(), &e, h.to.as_str(), &h.on.to_string(), h.reason])
                .map_err(csv_err)?;
            out.status_changes += 1;
        }
        for p in &m.payments {
            let pence = p.amount.pence();
            p_out
                .write_record([
                    n.as_str(),
                    &e,
                    &p.paid_on.to_string(),
                    &format!("{}.{:02}", pence / 100, pence % 100),
                    &p.months.to_string(),
                ])
                .map_err(csv_err)?;
            out.payments += 1;
        }
    }
    m_out.flush()?;
    s_out.flush()?;
    p_out.flush()?;

    out.holdings = write_offices(dir, &org, today, &key)?;
    Ok(out)
}

/// The officers the demo has today held their offices before too: a term from a month after
/// they joined to the day before their present one began, when that fits.
fn write_offices(
    dir: &Path,
    org: &DemoOrg,
    today: NaiveDate,
    key: &dyn Fn(u32, &str) -> (String, String),
) -> std::io::Result<usize> {
    let csv_err = |e: csv::Error| std::io::Error::other(e.to_string());
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(std::fs::File::create(
        dir.join("offices.csv"),
    )?));
    w.write_record([
        "unit",
        "office",
        "member_number",
        "email",
        "starts_on",
        "ends_on",
    ])
    .map_err(csv_err)?;
    let mut n = 0;
    for o in &org.offices {
        if o.holder >= org.member_count() {
            continue;
        }
        let holder = org.member(o.holder);
        let starts = holder.joined_on + Days::new(30);
        let Some(ends) = o.term.starts_on.pred_opt() else {
            continue;
        };
        if starts > ends || ends >= today {
            continue;
        }
        let (number, email) = key(holder.index, holder.email.as_str());
        w.write_record([
            org.units[o.unit].slug.as_str(),
            o.kind.as_str(),
            &number,
            &email,
            &starts.to_string(),
            &ends.to_string(),
        ])
        .map_err(csv_err)?;
        n += 1;
    }
    w.flush()?;
    Ok(n)
}
