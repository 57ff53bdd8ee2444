//! View models: what templates show, as display strings, built from the app's answers.

use charter_app::register::MemberView;
use charter_domain::Money;
use charter_model::{AccessEntry, MemberSummary};
use chrono::{DateTime, NaiveDate, Utc};

pub fn date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

pub fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_else(|| "never".to_string())
}

pub fn time(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y, %H:%M UTC").to_string()
}

pub fn by(name: &Option<String>) -> String {
    name.clone().unwrap_or_else(|| "not recorded".to_string())
}

pub struct HistoryRow {
    pub date: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub by: String,
}

pub struct PaymentRow {
    pub date: String,
    pub amount: String,
    pub months: u32,
    pub by: String,
}

pub struct AffiliationRow {
    pub id: i64,
    pub organisation: String,
    pub since: String,
    pub verified: bool,
    pub verified_text: String,
}

pub struct MoveRow {
    pub date: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub by: String,
}

/// A member's record as shown on their own page and to officers.
pub struct MemberDisplay {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub postcode: String,
    pub branch_id: i64,
    pub branch_name: String,
    pub status: String,
    pub joined: String,
    pub dues_plan: String,
    pub paid_up_until: String,
    pub paid_up: bool,
    pub history: Vec<HistoryRow>,
    pub payments: Vec<PaymentRow>,
    pub affiliations: Vec<AffiliationRow>,
    pub moves: Vec<MoveRow>,
}

impl MemberDisplay {
    pub fn from_view(view: &MemberView) -> Self {
        let d = &view.detail;
        let r = &d.record;
        MemberDisplay {
            id: r.id.0,
            name: format!("{} {}", r.first_name, r.last_name),
            email: r.email.clone(),
            phone: r.phone.clone().unwrap_or_default(),
            postcode: r.postcode.clone(),
            branch_id: r.branch.0,
            branch_name: r.branch_name.clone(),
            status: r.status.as_str().to_string(),
            joined: date(r.joined_on),
            dues_plan: r.dues_plan.as_str().to_string(),
            paid_up_until: opt_date(r.paid_up_until),
            paid_up: view.paid_up,
            history: d
                .status_history
                .iter()
                .rev()
                .map(|h| HistoryRow {
                    date: date(h.effective_on),
                    from: h
                        .from
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_else(|| "—".into()),
                    to: h.to.as_str().to_string(),
                    reason: h.reason.clone(),
                    by: by(&h.changed_by_name),
                })
                .collect(),
            payments: d
                .payments
                .iter()
                .rev()
                .map(|p| PaymentRow {
                    date: date(p.paid_on),
                    amount: Money(p.amount_pence).to_string(),
                    months: p.months,
                    by: by(&p.recorded_by_name),
                })
                .collect(),
            affiliations: d
                .affiliations
                .iter()
                .map(|a| AffiliationRow {
                    id: a.id.0,
                    organisation: a.organisation.clone(),
                    since: a.since.map(date).unwrap_or_else(|| "not given".into()),
                    verified: a.verified_on.is_some(),
                    verified_text: {
                        let said = |by: &Option<String>, on| match by {
                            Some(n) => format!("by {n} on {}", date(on)),
                            None => format!("on {}", date(on)),
                        };
                        let now = match a.verified_on {
                            Some(on) => format!("verified {}", said(&a.verified_by_name, on)),
                            None => "not verified".to_string(),
                        };
                        let earlier: Vec<String> = a
                            .earlier_verifications
                            .iter()
                            .map(|v| said(&v.verified_by_name, v.verified_on))
                            .collect();
                        if earlier.is_empty() {
                            now
                        } else {
                            format!("{now}; earlier verified {}", earlier.join(", "))
                        }
                    },
                })
                .collect(),
            moves: d
                .branch_history
                .iter()
                .rev()
                .map(|m| MoveRow {
                    date: date(m.effective_on),
                    from: m.from_name.clone(),
                    to: m.to_name.clone(),
                    reason: m.reason.clone(),
                    by: by(&m.moved_by_name),
                })
                .collect(),
        }
    }
}

pub struct DirectoryRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub postcode: String,
    pub branch: String,
    pub status: String,
    pub joined: String,
    pub paid_up_until: String,
}

impl DirectoryRow {
    pub fn from(m: &MemberSummary) -> Self {
        DirectoryRow {
            id: m.id.0,
            name: format!("{} {}", m.last_name, m.first_name),
            email: m.email.clone(),
            postcode: m.postcode.clone(),
            branch: m.branch_name.clone(),
            status: m.status.as_str().to_string(),
            joined: date(m.joined_on),
            paid_up_until: opt_date(m.paid_up_until),
        }
    }
}

pub struct AccessRow {
    pub time: String,
    pub reader: String,
    pub office: String,
    pub purpose: String,
}

impl AccessRow {
    pub fn from(e: &AccessEntry) -> Self {
        AccessRow {
            time: time(e.at),
            reader: match (&e.reader_name, e.reader) {
                (Some(n), _) => n.clone(),
                (None, Some(id)) => format!("member {}", id.0),
                (None, None) => "the operator".to_string(),
            },
            office: e.office.clone().unwrap_or_else(|| "—".into()),
            purpose: e.purpose.clone(),
        }
    }
}

/// Page links for a result of `total` items: first, last, and a window around the current.
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub total: u64,
    /// The count stopped early: at least `total` match ("10000+"), and pages go on.
    pub capped: bool,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// `None` marks a gap ("…").
    pub links: Vec<Option<(u32, String)>>,
}

impl Pager {
    /// Marks the total as a lower bound; a full page then always has a next page link.
    pub fn capped(mut self, full_page: bool, href: impl Fn(u32) -> String) -> Self {
        self.capped = true;
        if full_page && self.next.is_none() {
            self.next = Some(href(self.page.saturating_add(1)));
        }
        self
    }

    pub fn new(page: u32, per_page: u32, total: u64, href: impl Fn(u32) -> String) -> Self {
        let per = u64::from(per_page.max(1));
        let pages = u32::try_from(total.div_ceil(per))
            .unwrap_or(u32::MAX)
            .max(1);
        let page = page.max(1);
        let mut shown: Vec<u32> = vec![1, pages];
        shown.extend(page.saturating_sub(2).max(1)..=page.saturating_add(2).min(pages));
        shown.sort_unstable();
        shown.dedup();
        let mut links = Vec::new();
        let mut last = 0;
        for p in shown {
            if last != 0 && p > last + 1 {
                links.push(None);
            }
            links.push(Some((p, href(p))));
            last = p;
        }
        Pager {
            page,
            pages,
            total,
            capped: false,
            prev: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
            links,
        }
    }
}
