//! The answers an operation gives before or around its handler, added to every operation of
//! the document from what the operation itself declares, so no handler repeats them and none
//! forgets one: a path id that is not a whole number, a query string or body that does not
//! parse ([`ApiPath`](super::ApiPath), [`ApiQuery`](crate::error::ApiQuery),
//! [`ApiJson`](crate::error::ApiJson)), a body of another content type or over the limit, no
//! session, a session that may not use the route ([`ApiUser`](crate::session::ApiUser)), and a
//! request that timed out or found the database busy. A handler's own description of the same
//! status is kept: it says more.

use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};

/// The operations whose handler takes [`ApiOwnRecordUser`](crate::session::ApiOwnRecordUser):
/// any session may use them, restricted or not, so only a write from another site is refused
/// with a 403 (`tidy` checks this list against the handlers).
pub const OWN_RECORD_OPERATIONS: [&str; 9] = [
    "get_me",
    "sign_out",
    "resign",
    "change_password",
    "request_email_change",
    "get_two_factor",
    "begin_two_factor",
    "confirm_two_factor",
    "turn_off_two_factor",
];

/// Adds the extractors' and layers' answers to every operation of `doc`.
pub fn add_common_responses(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for (writes, op) in operations(item) {
            add_to(op, writes);
        }
    }
}

/// Each operation of a path, with whether its method writes.
fn operations(item: &mut PathItem) -> impl Iterator<Item = (bool, &mut Operation)> {
    [
        (false, item.get.as_mut()),
        (false, item.head.as_mut()),
        (false, item.options.as_mut()),
        (true, item.post.as_mut()),
        (true, item.put.as_mut()),
        (true, item.patch.as_mut()),
        (true, item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(writes, op)| op.map(|op| (writes, op)))
}

fn add_to(op: &mut Operation, writes: bool) {
    let takes = |place: ParameterIn| {
        op.parameters.iter().flatten().any(|p| match p {
            RefOr::T(p) => p.parameter_in == place,
            RefOr::Ref(_) => false,
        })
    };
    let path_ids = takes(ParameterIn::Path);
    let query = takes(ParameterIn::Query);
    let body = match &op.request_body {
        Some(RefOr::T(RequestBody { content, .. })) => content.keys().next().cloned(),
        _ => None,
    };
    let signed_in = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let own_record = op
        .operation_id
        .as_deref()
        .is_some_and(|id| OWN_RECORD_OPERATIONS.contains(&id));

    let mut malformed = Vec::new();
    if path_ids {
        malformed.push("an id in the path is not a whole number (e.g. `/api/v1/members/abc`)");
    }
    if query {
        malformed.push("the query string does not fit its parameters");
    }
    match body.as_deref() {
        Some("multipart/form-data") => malformed.push("the multipart body is malformed"),
        Some(_) => malformed.push(
            "the body is not valid JSON, or does not fit the schema (a wrong type, a missing \
             or unknown field)",
        ),
        None => {}
    }
    if !malformed.is_empty() {
        add(
            op,
            "400",
            &format!("Malformed request: {}", malformed.join("; ")),
        );
    }
    if signed_in {
        add(op, "401", "Not signed in");
        if writes || !own_record {
            let mut why = Vec::new();
            if !own_record {
                why.push(
                    "the session reaches only its member's own record (a suspended or \
                     expelled member, an applicant), or its office holder must turn on \
                     two-factor sign-in first",
                );
            }
            if writes {
                why.push("the request came from another site (its `Origin` is not this one)");
            }
            add(
                op,
                "403",
                &format!("Refused before the route: {}", why.join("; ")),
            );
        }
    }
    if let Some(content_type) = body {
        add(
            op,
            "413",
            "The request body is larger than the route accepts",
        );
        add(
            op,
            "415",
            &format!("The body is not sent as `{content_type}`"),
        );
    }
    if !op.responses.responses.contains_key("503") {
        op.responses.responses.insert(
            "503".into(),
            RefOr::T(
                ResponseBuilder::new()
                    .description("The request took too long, or the database is busy; try again")
                    .content("application/json", error_body())
                    .header("retry-after", {
                        let mut h = Header::new(ObjectBuilder::new().schema_type(Type::String));
                        h.description = Some("Seconds to wait".into());
                        h
                    })
                    .build(),
            ),
        );
    }
}

/// Adds a response in the API's error shape unless the operation already describes it.
fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content("application/json", error_body())
                    .build(),
            )
        });
}

fn error_body() -> Content {
    Content::new(Some(Ref::from_schema_name("ErrorBody")))
}
