-- Accounts: invitations, password resets and email confirmations by link; two-factor
-- sign-in; the organisation's account policy.
--
-- A link's token never rests in the database: the letter that carries it is queued without
-- it, and the sender mints a fresh random token only when it delivers the letter, keeping
-- its SHA-256 here. Sending again mints anew, so only the latest letter's link works. Using
-- a link clears its hash, so a link works once.
CREATE TABLE account_links (
    id           INTEGER PRIMARY KEY,
    member_id    INTEGER NOT NULL REFERENCES members(id),
    purpose      TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset', 'email_change')),
    -- email_change: the address that becomes the member's once they confirm it
    new_email    TEXT,
    -- who asked: the member themselves, an officer, or NULL (the reset form, signed out)
    requested_by INTEGER REFERENCES members(id),
    requested_at TEXT NOT NULL,
    -- the request that last (re)issued the link, to find its rows in bulk statements
    batch        INTEGER NOT NULL,
    -- how long a token minted for it works, from when its letter is sent
    valid_seconds INTEGER NOT NULL,
    token_hash   TEXT,
    expires_at   TEXT,
    used_at      TEXT,
    CONSTRAINT account_links_member_purpose_key UNIQUE (member_id, purpose),
    CONSTRAINT account_links_token_key UNIQUE (token_hash),
    CHECK ((purpose = 'email_change') = (new_email IS NOT NULL))
);
CREATE INDEX account_links_batch ON account_links(batch);

-- The letter that carries a link names it; its body holds the place for the link.
ALTER TABLE outbox ADD COLUMN account_link_id INTEGER REFERENCES account_links(id);
CREATE INDEX outbox_account_link ON outbox(account_link_id, state);

-- A session opened with the password of a member who uses two-factor sign-in waits for
-- their code before it carries them.
ALTER TABLE sessions ADD COLUMN second_factor_pending INTEGER NOT NULL DEFAULT 0;

-- A member's TOTP secret (base32). Pending until confirmed with a first code; last_step is
-- the time step of the last code accepted, so no code is accepted twice.
CREATE TABLE two_factor (
    member_id    INTEGER PRIMARY KEY REFERENCES members(id),
    secret       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    confirmed_at TEXT,
    last_step    INTEGER
);

-- One-time recovery codes, kept as SHA-256 hashes.
CREATE TABLE recovery_codes (
    member_id INTEGER NOT NULL REFERENCES members(id),
    code_hash TEXT NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (member_id, code_hash)
);

-- The organisation's account policy: one row.
CREATE TABLE account_policy (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    two_factor_required INTEGER NOT NULL DEFAULT 0,
    changed_at          TEXT NOT NULL
);
