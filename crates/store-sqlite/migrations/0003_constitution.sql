-- The constitution: adopted versions (the founding one, then one per adopted amendment),
-- proposed amendments, and every attempt to adopt one, refused or not. Each row names the
-- governance event written in the same transaction.

CREATE TABLE amendments (
    id               INTEGER PRIMARY KEY,
    title            TEXT NOT NULL,
    toml             TEXT NOT NULL,
    proposed_version TEXT NOT NULL,
    effective        TEXT NOT NULL,
    proposed_by      INTEGER REFERENCES members(id),
    state            TEXT NOT NULL CHECK (state IN ('proposed', 'refused', 'adopted')),
    proposed_at      TEXT NOT NULL,
    event_seq        INTEGER NOT NULL REFERENCES governance_events(seq)
);

CREATE TABLE constitution_versions (
    id           INTEGER PRIMARY KEY,
    toml         TEXT NOT NULL,
    version      TEXT NOT NULL,
    name         TEXT NOT NULL,
    effective    TEXT NOT NULL,
    adopted_by   TEXT NOT NULL,
    amendment_id INTEGER REFERENCES amendments(id),
    recorded_at  TEXT NOT NULL,
    event_seq    INTEGER NOT NULL REFERENCES governance_events(seq),
    CONSTRAINT constitution_versions_effective_key UNIQUE (effective)
);

CREATE TABLE amendment_attempts (
    id            INTEGER PRIMARY KEY,
    amendment_id  INTEGER NOT NULL REFERENCES amendments(id),
    decided_on    TEXT NOT NULL,
    body          TEXT NOT NULL,
    record_json   TEXT NOT NULL,
    adopted       INTEGER NOT NULL CHECK (adopted IN (0, 1)),
    failures_json TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    event_seq     INTEGER NOT NULL REFERENCES governance_events(seq)
);
CREATE INDEX amendment_attempts_amendment ON amendment_attempts(amendment_id, id);

-- Facts for rights by date: who held which seat and office on a day.
CREATE INDEX office_terms_member_dates ON office_terms(member_id, starts_on);
CREATE INDEX seats_member ON seats(member_id, starts_on);
