//! The OpenAPI document against the running application, operation by operation: every
//! documented route is served, and the answers a request gets before its handler acts (no
//! session, an id in the path that is not a number, a body that is not JSON or not sent as
//! JSON), and an id that names nothing, have statuses the operation documents, in the API's
//! error shape. `scripts/test` runs
//! schemathesis over the whole document as well (`scripts/api-conformance`); this test holds
//! the same line without Python, and on both databases.

mod common;

use bytes::Bytes;
use common::{NATIONAL, TestClient};
use http::Method;

/// One documented operation.
struct Operation {
    method: Method,
    path: String,
    id: String,
    /// Path parameters declared as integers.
    integer_params: Vec<String>,
    /// The request body's content type, if it takes one.
    body: Option<String>,
    signed_in: bool,
    documented: Vec<u16>,
}

impl Operation {
    /// The path with each parameter filled in: integers with `number`, words with `x`.
    fn path_with(&self, number: &str) -> String {
        let mut path = self.path.clone();
        while let Some(start) = path.find('{') {
            let end = start + path[start..].find('}').expect("closing brace");
            let name = &path[start + 1..end];
            let value = if self.integer_params.iter().any(|p| p == name) {
                number
            } else {
                "x"
            };
            path.replace_range(start..=end, value);
        }
        path
    }
}

fn operations() -> Vec<Operation> {
    let doc = serde_json::to_value(charter_web::api::openapi()).expect("document serialises");
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let integer_params = params
                .iter()
                .filter(|p| p["in"] == "path" && p["schema"]["type"] == "integer")
                .map(|p| p["name"].as_str().expect("parameter name").to_string())
                .collect();
            let body = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.keys().next().cloned());
            out.push(Operation {
                method,
                path: path.clone(),
                id: op["operationId"].as_str().unwrap_or(path).to_string(),
                integer_params,
                body,
                signed_in: op["security"].as_array().is_some_and(|s| !s.is_empty()),
                documented: op["responses"]
                    .as_object()
                    .expect("responses")
                    .keys()
                    .map(|s| s.parse().expect("a numeric status"))
                    .collect(),
            });
        }
    }
    assert!(out.len() > 100, "read the operations: {}", out.len());
    out
}

/// Sends a request and checks that its status is documented and, for a refusal, that the
/// body is the API's error shape. Returns the status.
async fn answer(
    c: &TestClient,
    op: &Operation,
    path: &str,
    headers: &[(&str, &str)],
    body: &'static [u8],
    what: &str,
    wrong: &mut Vec<String>,
) -> u16 {
    let res = c
        .send(op.method.clone(), path, headers, Bytes::from_static(body))
        .await;
    let status = res.status.as_u16();
    if res.status.is_client_error() || res.status.is_server_error() {
        let json = res
            .header("content-type")
            .is_some_and(|v| v.starts_with("application/json"));
        let message = if json {
            res.json()["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        } else {
            String::new()
        };
        if !json {
            wrong.push(format!("{} {path} ({what}): {status} is not JSON", op.id));
        } else if message.contains("no such API route") {
            wrong.push(format!(
                "{} {path} ({what}): the route is not served",
                op.id
            ));
        } else if status == 405 {
            wrong.push(format!(
                "{} {path} ({what}): the method is not served",
                op.id
            ));
        }
    }
    if !op.documented.contains(&status) {
        wrong.push(format!(
            "{} {} {path} ({what}): {status} is not documented ({:?}): {}",
            op.id,
            op.method,
            op.documented,
            res.text()
        ));
    }
    status
}

both_backends!(
    every_operation_is_served_and_refuses_as_documented,
    |app| async move {
        let anyone = app.client();
        let officer = app.sign_in(NATIONAL).await;
        let mut wrong = Vec::new();
        for op in operations() {
            // Without a session and without a body: a protected route refuses before anything
            // else, a public one reads the body first. Either way nothing is changed.
            let path = op.path_with("1");
            let status = answer(&anyone, &op, &path, &[], b"", "no session", &mut wrong).await;
            if op.signed_in && status != 401 {
                wrong.push(format!("{}: {status} without a session", op.id));
            }
            if !op.signed_in {
                // A public route's answers vary with what it is given: the malformed
                // requests below are for the signed-in routes, whose extractors refuse them.
                continue;
            }
            // An id that is not a number: a 400 before the handler runs.
            if !op.integer_params.is_empty() {
                let path = op.path_with("abc");
                let status = answer(&officer, &op, &path, &[], b"", "id abc", &mut wrong).await;
                if status != 400 {
                    wrong.push(format!("{} {path}: {status} for a malformed id", op.id));
                }
            }
            // Ids that name nothing, on a route that needs no body: the handler runs, finds
            // nothing, and says so as documented (nothing exists to change).
            if !op.integer_params.is_empty() && op.body.is_none() {
                let path = op.path_with("2147483647");
                answer(&officer, &op, &path, &[], b"", "no such id", &mut wrong).await;
            }
            // A body that does not parse, and one not sent as JSON.
            if op.body.as_deref() == Some("application/json") {
                let json = [("content-type", "application/json")];
                answer(&officer, &op, &path, &json, b"{", "broken JSON", &mut wrong).await;
                let text = [("content-type", "text/plain")];
                answer(&officer, &op, &path, &text, b"{}", "text/plain", &mut wrong).await;
            }
        }
        assert!(
            wrong.is_empty(),
            "answers the document does not describe:\n{}",
            wrong.join("\n")
        );
    }
);
