//! Chooses the store from the database URL's scheme at run time.

use std::sync::Arc;

use charter_store::Store;
use charter_store_postgres::PgStore;
use charter_store_sqlite::SqliteStore;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./charter.db";

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("database URL must start with sqlite:// or postgres:// (got '{0}')")]
    UnknownScheme(String),
    #[error("could not open the database: {0}")]
    Open(#[from] charter_store::StoreError),
}

/// Opens (and for SQLite creates) the database named by `url`.
pub async fn open_store(url: &str) -> Result<Arc<dyn Store>, BackendError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else {
        // Never echo credentials that might be in a malformed URL.
        let scheme = url.split(':').next().unwrap_or("").to_string();
        Err(BackendError::UnknownScheme(format!("{scheme}:…")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unknown_schemes_are_refused_without_echoing_secrets() {
        let err = open_store("mysql://root:hunter2@db/x")
            .await
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("sqlite://"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[tokio::test]
    async fn sqlite_memory_opens() {
        let s = open_store("sqlite::memory:").await.unwrap();
        assert_eq!(s.backend(), "sqlite");
    }
}
