//! The member directory, a member's page, and the officers' forms on it. Every write checks
//! the form's CSRF token; every refusal is the app's own words on a 403 page.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::register::{
    DirectoryQuery, MemberView, PaymentRequest, SORTS, StatusChangeRequest, TransferRequest,
};
use charter_domain::{MemberId, MemberStatus, Power, RawMemberChanges};
use charter_model::{MemberScope, MemberSort};
use serde::Deserialize;

use super::forms::{
    AffiliationForm, CsrfOnly, EditForm, Errors, PaymentForm, StatusForm, TransferForm,
    field_errors,
};
use super::view::{DirectoryRow, MemberDisplay, Pager};
use super::{CsrfForm, Layout, PageQuery, PageResult, PathId, ids, render};
use crate::AppState;
use crate::session::{CurrentSession, PageUser, url_encode};

/// The flash notice for `?saved=…` after a successful form.
pub fn notice(saved: Option<&str>) -> Option<&'static str> {
    match saved? {
        "details" | "1" => Some("Contact details saved."),
        "status" => Some("Status changed."),
        "payment" => Some("Payment recorded."),
        "affiliation" => Some("Affiliation added."),
        "verified" => Some("Affiliation verified."),
        "transfer" => Some("Member moved to the new branch."),
        "email-proposed" => Some(
            "Saved. The new email address is only proposed: it takes effect when the member confirms it from that address with their password, and their current address has been told.",
        ),
        "invited" => Some(
            "Invitation sent: a letter with a link to choose a password. Any earlier link stops working.",
        ),
        _ => None,
    }
}

// ---------------------------------------------------------------- directory

#[derive(Deserialize, Default, Clone)]
pub struct DirectoryParams {
    q: Option<String>,
    branch: Option<String>,
    status: Option<String>,
    paid_up: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

impl DirectoryParams {
    fn raw(&self) -> DirectoryQuery {
        DirectoryQuery {
            q: self.q.clone(),
            branch: self.branch.clone(),
            status: self.status.clone(),
            paid_up: self.paid_up.clone(),
            sort: self.sort.clone(),
            page: self.page.clone(),
            per_page: self.per_page.clone(),
        }
    }

    /// A directory link with these filters and the given sort and page.
    fn href(&self, sort: Option<&str>, page: Option<u32>) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut push = |k: &str, v: Option<&str>| {
            if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", url_encode(v)));
            }
        };
        push("q", self.q.as_deref());
        push("branch", self.branch.as_deref());
        push("status", self.status.as_deref());
        push("paid_up", self.paid_up.as_deref());
        push("sort", sort);
        push("per_page", self.per_page.as_deref());
        if let Some(p) = page.filter(|p| *p > 1) {
            parts.push(format!("page={p}"));
        }
        if parts.is_empty() {
            "/members".to_string()
        } else {
            format!("/members?{}", parts.join("&"))
        }
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A sortable column header: the link toggles direction; `aria_sort` says the current one.
pub struct SortHeader {
    pub label: &'static str,
    pub href: String,
    pub aria_sort: &'static str,
}

const DIRECTORY_FIELDS: &[&str] = &["q", "branch", "status", "paid_up"];

#[derive(Template)]
#[template(path = "members.html")]
struct DirectoryPage {
    layout: Layout,
    q: String,
    branches: Vec<Choice>,
    statuses: Vec<Choice>,
    paid_up: Vec<Choice>,
    sort: String,
    errors: Errors,
    rows: Vec<DirectoryRow>,
    searched: bool,
    headers: Vec<SortHeader>,
    sort_label: &'static str,
    pager: Pager,
    scope_note: String,
    may_invite: bool,
}

fn sort_label(sort: MemberSort) -> &'static str {
    match sort {
        MemberSort::Name => "name, A to Z",
        MemberSort::NameDesc => "name, Z to A",
        MemberSort::Joined => "date joined, oldest first",
        MemberSort::JoinedDesc => "date joined, newest first",
        MemberSort::PaidUpUntil => "paid-up date, earliest first",
        MemberSort::PaidUpUntilDesc => "paid-up date, latest first",
    }
}

pub async fn directory(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PageQuery(params): PageQuery<DirectoryParams>,
) -> PageResult {
    let app = &state.app;
    let scope = app.member_scope(&session.actor).await?;
    let all_branches = app.branches().await?;
    let (result, errors, status) = match app.directory(&session.actor, &params.raw()).await {
        Err(AppError::Invalid(fields)) => (
            None,
            Errors::new("f-", DIRECTORY_FIELDS, fields.0),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        found => (
            Some(found?),
            Errors::none("f-", DIRECTORY_FIELDS),
            StatusCode::OK,
        ),
    };

    let chosen = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
    let branch_sel = chosen(&params.branch);
    let branches = all_branches
        .iter()
        .filter(|b| match &scope {
            MemberScope::All => true,
            MemberScope::Branches(list) => list.contains(&b.id),
            MemberScope::Only(_) => false,
        })
        .map(|b| Choice {
            value: b.id.0.to_string(),
            label: b.name.clone(),
            selected: b.id.0.to_string() == branch_sel,
        })
        .collect();
    let status_sel = chosen(&params.status).to_lowercase();
    let statuses = MemberStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: s.as_str().into(),
            selected: s.as_str() == status_sel,
        })
        .collect();
    let paid_sel = chosen(&params.paid_up).to_lowercase();
    let paid_up = [("true", "paid up"), ("false", "not paid up")]
        .iter()
        .map(|(v, l)| Choice {
            value: (*v).into(),
            label: (*l).into(),
            selected: match *v {
                "true" => matches!(paid_sel.as_str(), "true" | "yes" | "1"),
                _ => matches!(paid_sel.as_str(), "false" | "no" | "0"),
            },
        })
        .collect();

    let current_sort = result.as_ref().map(|(q, _)| q.sort).unwrap_or_default();
    let sort_key = SORTS
        .iter()
        .find(|(_, s)| *s == current_sort)
        .map(|(k, _)| *k)
        .unwrap_or("name");
    let headers = [
        ("Name", "name"),
        ("Joined", "joined"),
        ("Paid up until", "paid_up_until"),
    ]
    .iter()
    .map(|(label, key)| {
        let desc = format!("-{key}");
        let (next, aria) = if sort_key == *key {
            (desc.as_str(), "ascending")
        } else if sort_key == desc {
            (*key, "descending")
        } else {
            (*key, "none")
        };
        SortHeader {
            label,
            href: params.href(Some(next), None),
            aria_sort: aria,
        }
    })
    .collect();

    let (rows, pager, searched) = match &result {
        Some((query, page)) => (
            page.items.iter().map(DirectoryRow::from).collect(),
            {
                let href = |p| params.href(Some(sort_key), Some(p));
                let pager = Pager::new(query.page, query.per_page, page.total, href);
                if page.total_capped {
                    let full = page.items.len() >= query.per_page as usize;
                    pager.capped(full, href)
                } else {
                    pager
                }
            },
            true,
        ),
        None => (Vec::new(), Pager::new(1, 1, 0, |_| String::new()), false),
    };
    let scope_note = match &scope {
        MemberScope::All => "You may see every member of the organisation.".to_string(),
        MemberScope::Branches(b) if b.len() == 1 => {
            "You may see the members of your branch.".to_string()
        }
        MemberScope::Branches(b) => format!("You may see the members of {} branches.", b.len()),
        MemberScope::Only(_) => {
            "You hold no office that lets you see other members, so only your own record is listed."
                .to_string()
        }
    };
    let page = DirectoryPage {
        may_invite: state.app.may_invite(&session.actor),
        layout: Layout::new("Members", Some(&session), "members"),
        q: params.q.clone().unwrap_or_default(),
        branches,
        statuses,
        paid_up,
        sort: params.sort.clone().unwrap_or_default().trim().to_string(),
        errors,
        rows,
        searched,
        headers,
        sort_label: sort_label(current_sort),
        pager,
        scope_note,
    };
    Ok(render(status, &page))
}

// ---------------------------------------------------------------- member page

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

const STATUS_FIELDS: &[&str] = &["status", "effective_on", "reason"];
const PAYMENT_FIELDS: &[&str] = &["paid_on", "amount", "months"];
const AFFILIATION_FIELDS: &[&str] = &["organisation", "since"];
const TRANSFER_FIELDS: &[&str] = &["to_branch", "effective_on", "reason"];

pub struct BranchOption {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    layout: Layout,
    m: MemberDisplay,
    is_self: bool,
    may_edit: bool,
    may_change_status: bool,
    may_record_dues: bool,
    may_verify: bool,
    may_add_affiliation: bool,
    may_transfer: bool,
    next_statuses: Vec<Choice>,
    status_form: StatusForm,
    status_errors: Errors,
    payment_form: PaymentForm,
    payment_errors: Errors,
    aff_form: AffiliationForm,
    aff_errors: Errors,
    transfer_form: TransferForm,
    transfer_errors: Errors,
    transfer_branches: Vec<BranchOption>,
    today: String,
    notice: Option<&'static str>,
    /// An officer may invite this member to choose a password.
    may_invite: bool,
    /// A new address waiting for the member's confirmation.
    pending_email: Option<String>,
}

/// Which of the page's forms is being re-shown with errors, and what was typed.
enum Retry {
    None,
    Status(StatusForm, BTreeMap<String, String>),
    Payment(PaymentForm, BTreeMap<String, String>),
    Affiliation(AffiliationForm, BTreeMap<String, String>),
    Transfer(TransferForm, BTreeMap<String, String>),
}

async fn member_page_response(
    state: &AppState,
    session: &CurrentSession,
    id: MemberId,
    retry: Retry,
    notice: Option<&'static str>,
) -> PageResult {
    let app = &state.app;
    let view: MemberView = app.member_view(&session.actor, id).await?;
    let transfer_branches = if view.may_transfer {
        let (tree, branches) = match (app.tree().await, app.branches().await) {
            (Ok(t), Ok(b)) => (t, b),
            (Err(e), _) | (_, Err(e)) => return Err(e.into()),
        };
        let current = view.detail.record.branch;
        branches
            .into_iter()
            .filter(|b| b.id != current && session.actor.may(Power::EditMembers, b.id, &tree))
            .map(|b| BranchOption {
                id: b.id.0.to_string(),
                name: b.name,
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    let pending_email = if view.may_edit {
        app.pending_email(&session.actor, id)
            .await?
            .map(|p| p.new_email)
    } else {
        None
    };
    let mut page = MemberPage {
        may_invite: view.may_edit && !view.is_self,
        pending_email,
        layout: Layout::new(
            format!(
                "{} {}",
                view.detail.record.first_name, view.detail.record.last_name
            ),
            Some(session),
            "members",
        ),
        m: MemberDisplay::from_view(&view),
        is_self: view.is_self,
        may_edit: view.may_edit,
        may_change_status: view.may_change_status,
        may_record_dues: view.may_record_dues,
        may_verify: view.may_verify_affiliations,
        may_add_affiliation: view.is_self || view.may_verify_affiliations,
        may_transfer: view.may_transfer && view.detail.record.status != MemberStatus::Expelled,
        next_statuses: Vec::new(),
        status_form: StatusForm::default(),
        status_errors: Errors::none("st-", STATUS_FIELDS),
        payment_form: PaymentForm {
            months: view.detail.record.dues_plan.months().to_string(),
            ..PaymentForm::default()
        },
        payment_errors: Errors::none("pay-", PAYMENT_FIELDS),
        aff_form: AffiliationForm::default(),
        aff_errors: Errors::none("aff-", AFFILIATION_FIELDS),
        transfer_form: TransferForm::default(),
        transfer_errors: Errors::none("tr-", TRANSFER_FIELDS),
        transfer_branches,
        today: app.today().to_string(),
        notice,
    };
    let status = match retry {
        Retry::None => StatusCode::OK,
        Retry::Status(form, errs) => {
            page.status_form = form;
            page.status_errors = Errors::new("st-", STATUS_FIELDS, errs);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Retry::Payment(form, errs) => {
            page.payment_form = form;
            page.payment_errors = Errors::new("pay-", PAYMENT_FIELDS, errs);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Retry::Affiliation(form, errs) => {
            page.aff_form = form;
            page.aff_errors = Errors::new("aff-", AFFILIATION_FIELDS, errs);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Retry::Transfer(form, errs) => {
            page.transfer_form = form;
            page.transfer_errors = Errors::new("tr-", TRANSFER_FIELDS, errs);
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    page.next_statuses = view
        .next_statuses
        .iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: s.as_str().into(),
            selected: s.as_str() == page.status_form.status.trim(),
        })
        .collect();
    for b in &mut page.transfer_branches {
        b.selected = b.id == page.transfer_form.to_branch.trim();
    }
    Ok(render(status, &page))
}

pub async fn member_page(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Member>,
    PageQuery(q): PageQuery<SavedQuery>,
) -> PageResult {
    member_page_response(
        &state,
        &session,
        id,
        Retry::None,
        notice(q.saved.as_deref()),
    )
    .await
}

fn saved(id: MemberId, what: &str) -> Response {
    Redirect::to(&format!("/members/{}?saved={what}", id.0)).into_response()
}

/// The answer to one of the member page's forms: back to the page with a notice, or the
/// page again with the form as typed and its errors.
async fn after_form<T>(
    state: &AppState,
    session: &CurrentSession,
    id: MemberId,
    result: Result<T, AppError>,
    what: &str,
    retry: impl FnOnce(BTreeMap<String, String>) -> Retry,
) -> PageResult {
    match result {
        Ok(_) => Ok(saved(id, what)),
        Err(e) => member_page_response(state, session, id, retry(field_errors(e)?), None).await,
    }
}

pub async fn change_status(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Member>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> PageResult {
    let req = StatusChangeRequest {
        to: form.status.clone(),
        effective_on: form.effective_on.clone(),
        reason: form.reason.clone(),
    };
    let result = state.app.change_status(&session.actor, id, &req).await;
    after_form(&state, &session, id, result, "status", |errs| {
        Retry::Status(form, errs)
    })
    .await
}

pub async fn record_payment(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Member>,
    CsrfForm(form): CsrfForm<PaymentForm>,
) -> PageResult {
    let req = PaymentRequest {
        paid_on: form.paid_on.clone(),
        amount: form.amount.clone(),
        months: form.months.clone(),
    };
    let result = state.app.record_payment(&session.actor, id, &req).await;
    after_form(&state, &session, id, result, "payment", |errs| {
        Retry::Payment(form, errs)
    })
    .await
}

pub async fn add_affiliation(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Member>,
    CsrfForm(form): CsrfForm<AffiliationForm>,
) -> PageResult {
    let result = state
        .app
        .add_affiliation(&session.actor, id, &form.organisation, &form.since)
        .await;
    after_form(&state, &session, id, result, "affiliation", |errs| {
        Retry::Affiliation(form, errs)
    })
    .await
}

pub async fn transfer(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Member>,
    CsrfForm(form): CsrfForm<TransferForm>,
) -> PageResult {
    let req = TransferRequest {
        to_branch: form.to_branch.clone(),
        effective_on: form.effective_on.clone(),
        reason: form.reason.clone(),
    };
    let result = state.app.transfer(&session.actor, id, &req).await;
    after_form(&state, &session, id, result, "transfer", |errs| {
        Retry::Transfer(form, errs)
    })
    .await
}

pub async fn verify_affiliation(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Member>,
    PathId(aff): PathId<ids::Affiliation>,
    _: CsrfForm<CsrfOnly>,
) -> PageResult {
    state
        .app
        .verify_affiliation(&session.actor, id, aff)
        .await?;
    Ok(saved(id, "verified"))
}

// ---------------------------------------------------------------- editing contact details

const EDIT_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "dues_plan",
];

#[derive(Template)]
#[template(path = "member_edit.html")]
struct EditPage {
    layout: Layout,
    id: i64,
    name: String,
    is_self: bool,
    form: EditForm,
    errors: Errors,
}

fn edit_page(
    session: &CurrentSession,
    view: &MemberView,
    form: EditForm,
    errors: Errors,
) -> Response {
    let r = &view.detail.record;
    let name = format!("{} {}", r.first_name, r.last_name);
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &EditPage {
            layout: Layout::new(format!("Edit {name}"), Some(session), "members"),
            id: r.id.0,
            name,
            is_self: view.is_self,
            form,
            errors,
        },
    )
}

/// The member's view, refusing officers who may see but not edit them.
async fn editable_view(
    state: &AppState,
    session: &CurrentSession,
    id: MemberId,
) -> Result<MemberView, AppError> {
    let view = state.app.member_view(&session.actor, id).await?;
    if !view.may_edit {
        return Err(AppError::Forbidden(
            "you may not edit this member's details: no office of yours gives that power over their branch"
                .into(),
        ));
    }
    Ok(view)
}

pub async fn edit_form(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Member>,
) -> PageResult {
    let view = editable_view(&state, &session, id).await?;
    let r = &view.detail.record;
    let form = EditForm {
        first_name: r.first_name.clone(),
        last_name: r.last_name.clone(),
        email: r.email.clone(),
        phone: r.phone.clone().unwrap_or_default(),
        postcode: r.postcode.clone(),
        dues_plan: r.dues_plan.as_str().to_string(),
        orig_first_name: r.first_name.clone(),
        orig_last_name: r.last_name.clone(),
        orig_email: r.email.clone(),
        orig_phone: r.phone.clone().unwrap_or_default(),
        orig_postcode: r.postcode.clone(),
        orig_dues_plan: r.dues_plan.as_str().to_string(),
    };
    Ok(edit_page(
        &session,
        &view,
        form,
        Errors::none("", EDIT_FIELDS),
    ))
}

/// Only what the person changed is sent, so the event names exactly the changed fields.
fn changes(form: &EditForm) -> RawMemberChanges {
    let changed = |new: &str, old: &str| (new.trim() != old.trim()).then(|| new.to_string());
    RawMemberChanges {
        first_name: changed(&form.first_name, &form.orig_first_name),
        last_name: changed(&form.last_name, &form.orig_last_name),
        email: changed(&form.email, &form.orig_email),
        phone: changed(&form.phone, &form.orig_phone),
        postcode: changed(&form.postcode, &form.orig_postcode),
        dues_plan: changed(&form.dues_plan, &form.orig_dues_plan),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Member>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> PageResult {
    match state
        .app
        .update_member(&session.actor, id, &changes(&form))
        .await
    {
        Ok(_) if session.actor.member == id => {
            Ok(Redirect::to("/me?saved=details").into_response())
        }
        Ok(u) if u.email_proposed => Ok(saved(id, "email-proposed")),
        Ok(_) => Ok(saved(id, "details")),
        Err(e) => {
            let errs = field_errors(e)?;
            let view = editable_view(&state, &session, id).await?;
            Ok(edit_page(
                &session,
                &view,
                form,
                Errors::new("", EDIT_FIELDS, errs),
            ))
        }
    }
}
