//! Steps on a page in the browser, as a person takes them: fill a field, click, and wait for
//! where they land or for the words they should see. Each wait gives up after [`WAIT`] and
//! then panics with what the page showed instead.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

/// How long a step waits for the page (a loaded CI machine is slow).
pub const WAIT: Duration = Duration::from_secs(20);

/// Waits until the browser is at `path`.
pub async fn wait_for_path(c: &Client, path: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let url = c.current_url().await.expect("current url");
        if url.path() == path {
            return;
        }
        if Instant::now() >= deadline {
            let source = c.source().await.unwrap_or_default();
            panic!("never reached {path}; at {url}: {source}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until an element matching `css` contains `needle`; returns that element's text.
pub async fn wait_for_text(c: &Client, css: &str, needle: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(elements) = c.find_all(Locator::Css(css)).await {
            for el in elements {
                if let Ok(text) = el.text().await
                    && text.contains(needle)
                {
                    return text;
                }
            }
        }
        if Instant::now() >= deadline {
            let source = c.source().await.unwrap_or_default();
            panic!("{needle:?} never appeared in {css}: {source}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Types `value` into the field with id `id`, replacing what it held.
pub async fn fill(c: &Client, id: &str, value: &str) {
    let el = c
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no field #{id}: {e}"));
    el.clear().await.expect("clear");
    el.send_keys(value).await.expect("type");
}

/// Clicks the first element matching `css`.
pub async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("nothing matches {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("could not click {css}: {e}"));
}
