//! Wire formats for a member's own record (My membership).

use charter_app::register::MyMembership;
use charter_model::AccessEntry;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Member;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MeQuery {
    /// Page of the access log, 1-based (50 entries a page).
    pub log_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct Office {
    /// chair, secretary, treasurer, membership-officer, data-protection-officer or scrutineer.
    pub kind: String,
    pub title: String,
    pub unit_id: i64,
    pub unit_name: String,
}

/// One read of my personal data by someone else.
#[derive(Serialize, ToSchema)]
pub struct AccessLogEntry {
    pub at: DateTime<Utc>,
    /// None when the operator read it through the command line.
    pub reader_id: Option<i64>,
    pub reader_name: Option<String>,
    pub office: Option<String>,
    pub purpose: String,
}

impl From<AccessEntry> for AccessLogEntry {
    fn from(a: AccessEntry) -> Self {
        AccessLogEntry {
            at: a.at,
            reader_id: a.reader.map(|m| m.0),
            reader_name: a.reader_name,
            office: a.office,
            purpose: a.purpose,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccessLog {
    pub items: Vec<AccessLogEntry>,
    pub total: u64,
    pub page: u32,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub member: Member,
    pub offices: Vec<Office>,
    pub access_log: AccessLog,
}

impl Me {
    pub fn new(m: MyMembership, log_page: u32) -> Self {
        Me {
            member: m.view.into(),
            offices: m
                .offices
                .into_iter()
                .map(|o| Office {
                    kind: o.kind.as_str().to_string(),
                    title: o.kind.title().to_string(),
                    unit_id: o.unit.0,
                    unit_name: o.unit_name,
                })
                .collect(),
            access_log: AccessLog {
                items: m.access_log.items.into_iter().map(Into::into).collect(),
                total: m.access_log.total,
                page: log_page,
            },
        }
    }
}
