//! Form bodies as typed text (validated by the app, never here) and per-field messages for
//! re-rendering a form next to its fields.

use std::collections::BTreeMap;

use charter_app::AppError;

use serde::Deserialize;

/// A form that carries only its CSRF token (see [`super::CsrfForm`]).
#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

/// Contact details as typed, with the values the form was drawn with (`orig_*`), so only the
/// fields the officer actually changed are sent and recorded in the event.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EditForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub postcode: String,
    pub dues_plan: String,
    pub orig_first_name: String,
    pub orig_last_name: String,
    pub orig_email: String,
    pub orig_phone: String,
    pub orig_postcode: String,
    pub orig_dues_plan: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct StatusForm {
    pub status: String,
    pub effective_on: String,
    pub reason: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PaymentForm {
    pub paid_on: String,
    pub amount: String,
    pub months: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AffiliationForm {
    pub organisation: String,
    pub since: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct TransferForm {
    pub to_branch: String,
    pub effective_on: String,
    pub reason: String,
}

/// Messages for one form. `prefix` keeps element ids unique when a page holds several forms,
/// so `aria-describedby` and the summary's links point at the right field.
#[derive(Default, Clone)]
pub struct Errors {
    pub prefix: &'static str,
    /// The fields this form has inputs for.
    pub known: &'static [&'static str],
    pub list: Vec<(String, String)>,
}

impl Errors {
    pub fn new(
        prefix: &'static str,
        known: &'static [&'static str],
        fields: BTreeMap<String, String>,
    ) -> Self {
        Errors {
            prefix,
            known,
            list: fields.into_iter().collect(),
        }
    }

    pub fn none(prefix: &'static str, known: &'static [&'static str]) -> Self {
        Errors {
            prefix,
            known,
            list: Vec::new(),
        }
    }

    pub fn any(&self) -> bool {
        !self.list.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.list.iter().any(|(f, _)| f == field)
    }

    pub fn msg(&self, field: &str) -> &str {
        self.list
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .unwrap_or("")
    }

    /// The element id a message links to: the field's input, else the form itself.
    pub fn anchor(&self, field: &str) -> String {
        if self.known.contains(&field) {
            format!("{}{field}", self.prefix)
        } else {
            format!("{}form", self.prefix)
        }
    }
}

/// The messages an app error puts against a form's fields: invalid input by field, and a
/// conflict against the field it names. Anything else is not about the form.
pub fn field_errors(err: AppError) -> Result<BTreeMap<String, String>, AppError> {
    match err {
        AppError::Invalid(f) => Ok(f.0),
        AppError::Conflict { field, message } => Ok(BTreeMap::from([(field, message)])),
        other => Err(other),
    }
}
