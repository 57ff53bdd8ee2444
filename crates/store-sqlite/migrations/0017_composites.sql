-- Composite motions: several motions on one subject merged into one wording, proposed by the
-- officers running the meeting and formed only when every mover consents. Forming it adds the
-- composite as a motion (moved by the first mover, seconded by the second) and sets the parts
-- aside, all in one transaction; a mover's refusal drops it and frees the parts.

CREATE TABLE composites (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id),
    title       TEXT NOT NULL,
    text        TEXT NOT NULL,
    proposed_by INTEGER REFERENCES members(id),
    proposed_at TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'formed', 'declined')),
    motion_id   INTEGER REFERENCES motions(id),
    event_seq   INTEGER NOT NULL REFERENCES governance_events(seq)
);
CREATE INDEX composites_meeting ON composites(meeting_id);

CREATE TABLE composite_parts (
    composite_id INTEGER NOT NULL REFERENCES composites(id),
    motion_id    INTEGER NOT NULL REFERENCES motions(id),
    position     INTEGER NOT NULL,
    consented_by INTEGER REFERENCES members(id),
    consented_at TEXT,
    PRIMARY KEY (composite_id, motion_id)
);
CREATE INDEX composite_parts_motion ON composite_parts(motion_id);

CREATE TRIGGER composites_no_delete BEFORE DELETE ON composites BEGIN
    SELECT RAISE(ABORT, 'composites are kept for the record');
END;
CREATE TRIGGER composites_settled BEFORE UPDATE ON composites WHEN OLD.state <> 'pending' BEGIN
    SELECT RAISE(ABORT, 'a formed or declined composite cannot change');
END;
CREATE TRIGGER composite_parts_no_delete BEFORE DELETE ON composite_parts BEGIN
    SELECT RAISE(ABORT, 'composites are kept for the record');
END;
