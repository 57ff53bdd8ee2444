//! A fresh PostgreSQL database per test, on the server named by `CHARTER_TEST_POSTGRES_URL`.
//!
//! A database per test (rather than a schema or a transaction) lets code under test run its own
//! migrations and transactions exactly as in production, and lets tests run in parallel.

use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};

use crate::skip::{Requirement, require_or_skip};

/// The variable naming a server where tests may create and drop databases.
pub const URL_VAR: &str = "CHARTER_TEST_POSTGRES_URL";

/// A database created for one test; dropped (best effort) when this handle is dropped.
#[derive(Debug)]
pub struct PgTestDb {
    name: String,
    url: String,
    admin_url: String,
}

impl PgTestDb {
    /// Connection URL of this test's database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Name of this test's database.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        // A failed test keeps its database so its state can be inspected; the count stays
        // bounded by the number of failures, and the cluster scripts/test starts is thrown away.
        if std::thread::panicking() {
            crate::skip::loud(&format!(
                "kept PostgreSQL database of failed test: {}",
                self.url
            ));
            return;
        }
        // Drop runs inside the test's runtime, where we cannot block on it; a thread with its own
        // small runtime can. FORCE ends connections that pools in the test still hold. The name
        // is ours (hex from a UUID), so formatting it into SQL is safe.
        let admin_url = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect(&admin_url).await?;
                conn.execute(sqlx::raw_sql(AssertSqlSafe(sql))).await?;
                conn.close().await
            })?;
            Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

/// Creates an empty database for the calling test.
///
/// Returns `None` (after printing `SKIPPED (no PostgreSQL): <test>`) when
/// `CHARTER_TEST_POSTGRES_URL` is unset, unless PostgreSQL is required (`CHARTER_REQUIRE_POSTGRES=1`
/// or `CI=true`), in which case it panics. Panics too when the URL is set but the server cannot
/// be used: that is a broken environment, not a reason to skip.
///
/// ```no_run
/// # async fn example() {
/// let Some(db) = charter_test_support::fresh_database().await else { return };
/// let pool = sqlx::PgPool::connect(db.url()).await.unwrap();
/// # let _ = pool;
/// # }
/// ```
pub async fn fresh_database() -> Option<PgTestDb> {
    let admin_url = match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => {
            require_or_skip(
                Requirement::Postgres,
                &format!("{URL_VAR} is not set (scripts/test starts a server and sets it)"),
            );
            return None;
        }
    };
    let name = format!("charter_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {URL_VAR}={admin_url}: {e}"));
    // The name is ours (hex from a UUID), so formatting it into SQL is safe.
    conn.execute(sqlx::raw_sql(AssertSqlSafe(format!(
        "CREATE DATABASE \"{name}\""
    ))))
    .await
    .unwrap_or_else(|e| panic!("cannot create test database {name} on {admin_url}: {e}"));
    // Closing politely keeps the server's connection slots free for the tests themselves.
    let _ = conn.close().await;
    let url = with_database(&admin_url, &name);
    Some(PgTestDb {
        name,
        url,
        admin_url,
    })
}

/// Replaces the database (the URL's path) in a `postgres://` URL, keeping any query parameters.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{database}", &base[..authority_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_replaced_in_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:55432/postgres", "x"),
            "postgres://postgres@127.0.0.1:55432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h:1/db?sslmode=disable", "x"),
            "postgres://u:p@h:1/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
        assert_eq!(with_database("postgres://h?a=b", "x"), "postgres://h/x?a=b");
    }

    #[tokio::test]
    async fn fresh_databases_are_separate_and_dropped() {
        let Some(a) = fresh_database().await else {
            return;
        };
        let Some(b) = fresh_database().await else {
            return;
        };
        assert_ne!(a.name(), b.name());

        let mut conn = PgConnection::connect(a.url()).await.unwrap();
        conn.execute("CREATE TABLE t (x int)").await.unwrap();
        let current: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(current, a.name());
        // Left open on purpose: dropping the handle must still remove the database.
        let _held = conn;

        let mut other = PgConnection::connect(b.url()).await.unwrap();
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 't'",
        )
        .fetch_one(&mut other)
        .await
        .unwrap();
        assert_eq!(tables, 0, "databases must not share tables");
        other.close().await.unwrap();

        let name = a.name().to_owned();
        let admin_url = a.admin_url.clone();
        drop(a);
        let mut admin = PgConnection::connect(&admin_url).await.unwrap();
        let remaining: i64 =
            sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = $1")
                .bind(&name)
                .fetch_one(&mut admin)
                .await
                .unwrap();
        assert_eq!(
            remaining, 0,
            "database {name} should be dropped with its handle"
        );
    }
}
