//! Wire formats for signing in and out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Credentials for signing in. Not `Debug`, so the password cannot end up in a log line.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    #[schema(example = "southwark.member@example.org")]
    pub email: String,
    #[schema(format = Password)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub member_id: i64,
    /// Send back in forms (`csrf_token` field) when using the pages with this session.
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    /// The member signs in with a second factor: the session carries them only after
    /// `POST /api/v1/session/two-factor` with a current code.
    pub second_factor_pending: bool,
}
