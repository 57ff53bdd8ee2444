-- A member's calendar subscription: calendar apps fetch without a session, so the link
-- carries a random token; only its hash is kept, and making a new link replaces the old.
CREATE TABLE calendar_feeds (
    member_id  INTEGER PRIMARY KEY REFERENCES members(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
