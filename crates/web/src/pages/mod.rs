//! Server-rendered pages. They work without JavaScript, on a phone and by keyboard.

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
