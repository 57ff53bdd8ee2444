-- Charter's register and structure (SQLite). Dates are ISO text (YYYY-MM-DD), instants are
-- RFC 3339 text, money is integer pence. Every table change is paired with a row in
-- governance_events written in the same transaction by the store.

CREATE TABLE units (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES units(id),
    kind      TEXT NOT NULL CHECK (kind IN ('national', 'region', 'branch')),
    name      TEXT NOT NULL,
    slug      TEXT NOT NULL,
    CONSTRAINT units_slug_key UNIQUE (slug)
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE members (
    id            INTEGER PRIMARY KEY,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    email         TEXT NOT NULL,
    phone         TEXT,
    postcode      TEXT NOT NULL,
    branch_id     INTEGER NOT NULL REFERENCES units(id),
    status        TEXT NOT NULL CHECK (status IN
                    ('applicant', 'active', 'lapsed', 'suspended', 'expelled', 'resigned')),
    joined_on     TEXT NOT NULL,
    dues_plan     TEXT NOT NULL CHECK (dues_plan IN ('monthly', 'annual')),
    paid_up_until TEXT,
    password_hash TEXT,
    -- lower-cased "first last email postcode-without-spaces postcode"
    search_text   TEXT NOT NULL,
    -- lower-cased "last first": the name sort order
    sort_key      TEXT NOT NULL,
    CONSTRAINT members_email_key UNIQUE (email)
);
CREATE INDEX members_sort ON members(sort_key, id);
CREATE INDEX members_branch_sort ON members(branch_id, sort_key, id);
CREATE INDEX members_status_sort ON members(status, sort_key, id);
CREATE INDEX members_branch_status ON members(branch_id, status, paid_up_until);
CREATE INDEX members_paid_up ON members(paid_up_until, id);
CREATE INDEX members_joined ON members(joined_on, id);
-- prefix search for one- and two-character queries
CREATE INDEX members_search_prefix ON members(search_text);

-- Substring search: trigram full-text index over search_text, kept in step by triggers.
CREATE VIRTUAL TABLE member_search USING fts5(
    search_text, content = 'members', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER members_search_insert AFTER INSERT ON members BEGIN
    INSERT INTO member_search(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER members_search_delete AFTER DELETE ON members BEGIN
    INSERT INTO member_search(member_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER members_search_update AFTER UPDATE OF search_text ON members BEGIN
    INSERT INTO member_search(member_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO member_search(rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TABLE status_changes (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    reason      TEXT NOT NULL,
    changed_by  INTEGER REFERENCES members(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX status_changes_member ON status_changes(member_id, id);

CREATE TABLE payments (
    id           INTEGER PRIMARY KEY,
    member_id    INTEGER NOT NULL REFERENCES members(id),
    paid_on      TEXT NOT NULL,
    amount_pence INTEGER NOT NULL CHECK (amount_pence >= 0),
    months       INTEGER NOT NULL CHECK (months >= 0),
    recorded_by  INTEGER REFERENCES members(id),
    recorded_at  TEXT NOT NULL
);
CREATE INDEX payments_member ON payments(member_id, paid_on);

CREATE TABLE affiliations (
    id           INTEGER PRIMARY KEY,
    member_id    INTEGER NOT NULL REFERENCES members(id),
    organisation TEXT NOT NULL,
    since        TEXT,
    verified_by  INTEGER REFERENCES members(id),
    verified_on  TEXT
);
CREATE INDEX affiliations_member ON affiliations(member_id);

CREATE TABLE branch_moves (
    id           INTEGER PRIMARY KEY,
    member_id    INTEGER NOT NULL REFERENCES members(id),
    from_unit    INTEGER NOT NULL REFERENCES units(id),
    to_unit      INTEGER NOT NULL REFERENCES units(id),
    effective_on TEXT NOT NULL,
    reason       TEXT NOT NULL,
    moved_by     INTEGER REFERENCES members(id),
    recorded_at  TEXT NOT NULL
);
CREATE INDEX branch_moves_member ON branch_moves(member_id, id);

CREATE TABLE offices (
    id      INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind    TEXT NOT NULL,
    CONSTRAINT offices_unit_kind_key UNIQUE (unit_id, kind)
);

CREATE TABLE office_terms (
    id        INTEGER PRIMARY KEY,
    office_id INTEGER NOT NULL REFERENCES offices(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    starts_on TEXT NOT NULL,
    ends_on   TEXT
);
CREATE INDEX office_terms_office ON office_terms(office_id, starts_on);
CREATE INDEX office_terms_member ON office_terms(member_id);

CREATE TABLE bodies (
    id        INTEGER PRIMARY KEY,
    unit_id   INTEGER NOT NULL REFERENCES units(id),
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    seats     INTEGER NOT NULL CHECK (seats >= 0),
    filled_by TEXT NOT NULL
);
CREATE INDEX bodies_unit ON bodies(unit_id);

-- Seat terms: who held a seat of a body, from when, until when, and how they got it.
CREATE TABLE seats (
    id        INTEGER PRIMARY KEY,
    body_id   INTEGER NOT NULL REFERENCES bodies(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    starts_on TEXT NOT NULL,
    ends_on   TEXT,
    how       TEXT NOT NULL
);
CREATE INDEX seats_body ON seats(body_id, starts_on);

-- Append-only: seq orders every governance change; later work builds a Merkle log over it.
CREATE TABLE governance_events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    actor_member INTEGER,
    actor_office TEXT,
    kind         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    payload      TEXT NOT NULL,
    reason       TEXT NOT NULL
);
CREATE TRIGGER governance_events_no_update BEFORE UPDATE ON governance_events BEGIN
    SELECT RAISE(ABORT, 'governance events are append-only');
END;
CREATE TRIGGER governance_events_no_delete BEFORE DELETE ON governance_events BEGIN
    SELECT RAISE(ABORT, 'governance events are append-only');
END;

-- Who read whose personal data. reader_id NULL means the operator (command line).
CREATE TABLE access_log (
    id         INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES members(id),
    reader_id  INTEGER REFERENCES members(id),
    office     TEXT,
    purpose    TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX access_log_subject ON access_log(subject_id, at, id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_member ON sessions(member_id);
