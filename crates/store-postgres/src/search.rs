//! The member directory: one filtered, sorted page plus the total under the same filter.
//! The scope is always part of the SQL, so an out-of-scope row can never come back.

use charter_store::text::{
    COUNT_CAP, decode_u64, email_query, escape_like, normalise_query, prefix_upper_bound,
};
use charter_store::{MemberQuery, MemberScope, MemberSort, MemberSummary, Page, StoreResult};
use sqlx::{PgConnection, Postgres, QueryBuilder};

use crate::db_err;
use crate::rows::SummaryRow;

/// Largest page a caller can ask for.
pub(crate) const MAX_PER_PAGE: u32 = 500;

pub(crate) fn push_scope(qb: &mut QueryBuilder<Postgres>, scope: &MemberScope) {
    match scope {
        MemberScope::All => {}
        MemberScope::Branches(branches) => {
            let ids: Vec<i64> = branches.iter().map(|b| b.0).collect();
            qb.push(" AND m.branch_id = ANY(").push_bind(ids).push(")");
        }
        MemberScope::Only(member) => {
            qb.push(" AND m.id = ").push_bind(member.0);
        }
    }
}

fn push_filters(qb: &mut QueryBuilder<Postgres>, q: &MemberQuery) {
    qb.push(" WHERE 1 = 1");
    push_scope(qb, &q.scope);
    if let Some(branch) = q.branch {
        qb.push(" AND m.branch_id = ").push_bind(branch.0);
    }
    if let Some(status) = q.status {
        qb.push(" AND m.status = ").push_bind(status.as_str());
    }
    match q.paid_up {
        Some((true, cutoff)) => {
            qb.push(" AND COALESCE(m.paid_up_until, '-infinity'::date) >= ")
                .push_bind(cutoff);
        }
        Some((false, cutoff)) => {
            qb.push(" AND COALESCE(m.paid_up_until, '-infinity'::date) < ")
                .push_bind(cutoff);
        }
        None => {}
    }
    if let Some(text) = q.text.as_deref().and_then(normalise_query) {
        if let Some((head, whole)) = email_query(&text) {
            // Part of an email address (stored lower-cased): the address must contain it; the
            // trigram index narrows on the end of the local part when that is long enough.
            if let Some(head) = head {
                qb.push(" AND m.search_text LIKE ")
                    .push_bind(format!("%{}%", escape_like(head)));
            }
            qb.push(" AND m.email LIKE ")
                .push_bind(format!("%{}%", escape_like(whole)));
        } else if text.chars().count() >= 3 {
            // Substring match served by the GIN trigram index; the text is stored lower-cased.
            let pattern = format!("%{}%", escape_like(&text));
            qb.push(" AND m.search_text LIKE ").push_bind(pattern);
        } else {
            // Too short for trigrams: the start of the first name (search_text begins with
            // it) or of the last name (sort_key begins with it), both by index range.
            let upper = prefix_upper_bound(&text);
            qb.push(" AND ((m.search_text >= ")
                .push_bind(text.clone())
                .push(" AND m.search_text < ")
                .push_bind(upper.clone())
                .push(") OR (m.sort_key >= ")
                .push_bind(text)
                .push(" AND m.sort_key < ")
                .push_bind(upper)
                .push("))");
        }
    }
}

/// Whether the query's text is matched through the trigram index (three or more characters).
fn has_trigram_text(q: &MemberQuery) -> bool {
    q.text
        .as_deref()
        .and_then(normalise_query)
        .is_some_and(|t| match email_query(&t) {
            Some((head, _)) => head.is_some(),
            None => t.chars().count() >= 3,
        })
}

fn order_by(sort: MemberSort) -> &'static str {
    match sort {
        MemberSort::Name => " ORDER BY m.sort_key, m.id",
        MemberSort::NameDesc => " ORDER BY m.sort_key DESC, m.id DESC",
        MemberSort::Joined => " ORDER BY m.joined_on, m.id",
        MemberSort::JoinedDesc => " ORDER BY m.joined_on DESC, m.id DESC",
        // Never-paid first ascending and last descending, the same on both backends, along
        // the members_paid_key index.
        MemberSort::PaidUpUntil => " ORDER BY COALESCE(m.paid_up_until, '-infinity'::date), m.id",
        MemberSort::PaidUpUntilDesc => {
            " ORDER BY COALESCE(m.paid_up_until, '-infinity'::date) DESC, m.id DESC"
        }
    }
}

pub(crate) async fn search(
    conn: &mut PgConnection,
    q: &MemberQuery,
) -> StoreResult<Page<MemberSummary>> {
    let per_page = q.per_page.clamp(1, MAX_PER_PAGE);
    let offset = i64::from(q.page.max(1) - 1) * i64::from(per_page);

    let mut page = QueryBuilder::<Postgres>::new(
        "SELECT m.id, m.first_name, m.last_name, m.email, m.postcode, m.branch_id,
                u.name AS branch_name, m.status, m.joined_on, m.paid_up_until FROM ",
    );
    if has_trigram_text(q) {
        // A fence (OFFSET 0) so the matches are found through the trigram index and then
        // sorted: left to itself the planner walks the sort index hoping for 25 early hits,
        // but a name's matches sit together in name order, so it could walk most of the
        // table (1.3 s at a million members for "smi").
        page.push("(SELECT * FROM members m");
        push_filters(&mut page, q);
        page.push(" OFFSET 0) m JOIN units u ON u.id = m.branch_id");
    } else {
        page.push("members m JOIN units u ON u.id = m.branch_id");
        push_filters(&mut page, q);
    }
    page.push(order_by(q.sort));
    page.push(" LIMIT ")
        .push_bind(i64::from(per_page))
        .push(" OFFSET ")
        .push_bind(offset);
    let rows = page
        .build_query_as::<SummaryRow>()
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;

    // A short page that is not past the end gives the total without counting; otherwise
    // count, but stop past COUNT_CAP (or past this page, when it lies beyond the cap).
    let got = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let (total, total_capped) = if got < i64::from(per_page) && (got > 0 || offset == 0) {
        (offset + got, false)
    } else {
        let limit = i64::try_from(COUNT_CAP)
            .unwrap_or(i64::MAX)
            .max(offset + i64::from(per_page));
        let mut count =
            QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM (SELECT 1 FROM members m");
        push_filters(&mut count, q);
        count
            .push(" LIMIT ")
            .push_bind(limit + 1)
            .push(") AS capped");
        let n: i64 = count
            .build_query_scalar()
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
        if n > limit { (limit, true) } else { (n, false) }
    };
    Ok(Page {
        items: rows
            .into_iter()
            .map(SummaryRow::into_record)
            .collect::<StoreResult<_>>()?,
        total: decode_u64("count", total)?,
        total_capped,
    })
}
