-- Requisitions: members (by signing) or branches (by published motions on its matter) require
-- a meeting; once the constitution's threshold is reached the officers must call it by a date,
-- or it shows as overdue to every member.

CREATE TABLE requisitions (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    matter       TEXT,
    opened_by    INTEGER REFERENCES members(id),
    opened_at    TEXT NOT NULL,
    reached_at   TEXT,
    reached_clause TEXT,
    call_by      TEXT,
    meeting_id   INTEGER REFERENCES meetings(id),
    event_seq    INTEGER NOT NULL REFERENCES governance_events(seq)
);

CREATE TABLE requisition_signatures (
    requisition_id INTEGER NOT NULL REFERENCES requisitions(id),
    member_id      INTEGER NOT NULL REFERENCES members(id),
    signed_at      TEXT NOT NULL,
    PRIMARY KEY (requisition_id, member_id)
) WITHOUT ROWID;
