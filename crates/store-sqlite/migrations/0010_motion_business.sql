-- The business of motions: an amendment names the motion it amends (its text is the whole
-- wording proposed instead), each motion keeps every wording it has had, and when it was
-- proposed and seconded is recorded for the deadlines the constitution sets.

ALTER TABLE motions ADD COLUMN parent_id INTEGER REFERENCES motions(id);
ALTER TABLE motions ADD COLUMN proposed_at TEXT;
ALTER TABLE motions ADD COLUMN seconded_at TEXT;
UPDATE motions SET proposed_at = (SELECT e.at FROM governance_events e WHERE e.seq = motions.event_seq);
CREATE INDEX motions_parent ON motions(parent_id);

CREATE TABLE motion_versions (
    motion_id    INTEGER NOT NULL REFERENCES motions(id),
    version      INTEGER NOT NULL,
    text         TEXT NOT NULL,
    amendment_id INTEGER REFERENCES motions(id),
    at           TEXT NOT NULL,
    PRIMARY KEY (motion_id, version)
) WITHOUT ROWID;
INSERT INTO motion_versions (motion_id, version, text, amendment_id, at)
SELECT id, 1, text, NULL, proposed_at FROM motions;

CREATE TRIGGER motion_versions_final BEFORE UPDATE ON motion_versions BEGIN
    SELECT RAISE(ABORT, 'a wording once recorded cannot change');
END;
CREATE TRIGGER motion_versions_no_delete BEFORE DELETE ON motion_versions BEGIN
    SELECT RAISE(ABORT, 'a wording once recorded cannot be removed');
END;
