-- Meetings of bodies, the notice owed for each (one outbox row per member entitled to
-- attend, delivered and recorded), attendance, and motions with their recorded votes and
-- the outcome the constitution in force gave them.

CREATE TABLE meetings (
    id                 INTEGER PRIMARY KEY,
    body               TEXT NOT NULL,
    unit_id            INTEGER REFERENCES units(id),
    kind               TEXT NOT NULL,
    title              TEXT NOT NULL,
    starts_at          TEXT NOT NULL,
    ends_at            TEXT NOT NULL,
    mode               TEXT NOT NULL CHECK (mode IN ('physical', 'online', 'hybrid')),
    place              TEXT,
    online_url         TEXT,
    agenda             TEXT NOT NULL,
    notice_clause      TEXT,
    notice_days        INTEGER,
    called_by          INTEGER REFERENCES members(id),
    called_at          TEXT NOT NULL,
    notice_complete_at TEXT,
    entitled           INTEGER NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('called', 'cancelled')),
    event_seq          INTEGER NOT NULL REFERENCES governance_events(seq)
);
CREATE INDEX meetings_starts ON meetings(starts_at, id);
CREATE INDEX meetings_unit ON meetings(unit_id, starts_at);

-- Who may attend, decided when the meeting was called: the notice list and the roll.
CREATE TABLE meeting_invitees (
    meeting_id INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    may_vote   INTEGER NOT NULL CHECK (may_vote IN (0, 1)),
    PRIMARY KEY (meeting_id, member_id)
) WITHOUT ROWID;

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    meeting_id      INTEGER REFERENCES meetings(id),
    member_id       INTEGER,
    address         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    sent_at         TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at, id);
CREATE INDEX outbox_meeting ON outbox(meeting_id, state);

CREATE TABLE attendance (
    meeting_id    INTEGER NOT NULL REFERENCES meetings(id),
    member_id     INTEGER NOT NULL REFERENCES members(id),
    checked_in_at TEXT NOT NULL,
    recorded_by   INTEGER REFERENCES members(id),
    PRIMARY KEY (meeting_id, member_id)
) WITHOUT ROWID;

CREATE TABLE motions (
    id            INTEGER PRIMARY KEY,
    meeting_id    INTEGER NOT NULL REFERENCES meetings(id),
    number        INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    text          TEXT NOT NULL,
    matter        TEXT,
    position      TEXT CHECK (position IN ('support', 'oppose')),
    proposed_by   INTEGER REFERENCES members(id),
    seconded_by   INTEGER REFERENCES members(id),
    state         TEXT NOT NULL CHECK (state IN ('proposed', 'adopted', 'rejected', 'not-binding', 'withdrawn')),
    votes_for     INTEGER,
    votes_against INTEGER,
    abstentions   INTEGER,
    present       INTEGER,
    failures_json TEXT,
    decided_at    TEXT,
    published     INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
    event_seq     INTEGER NOT NULL REFERENCES governance_events(seq),
    CONSTRAINT motions_number_key UNIQUE (meeting_id, number)
);
CREATE INDEX motions_matter ON motions(matter, state);
