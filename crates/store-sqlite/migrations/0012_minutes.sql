-- Minutes: drafted by the meeting's officers from what was recorded, editable while a draft,
-- final only when a later meeting of the same body adopts the motion approving them.

CREATE TABLE minutes (
    meeting_id      INTEGER PRIMARY KEY REFERENCES meetings(id),
    text            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('draft', 'approved')),
    drafted_at      TEXT NOT NULL,
    drafted_by      INTEGER REFERENCES members(id),
    approval_motion INTEGER REFERENCES motions(id),
    approved_at     TEXT
);
CREATE UNIQUE INDEX minutes_approval ON minutes(approval_motion) WHERE approval_motion IS NOT NULL;

CREATE TRIGGER minutes_final BEFORE UPDATE ON minutes WHEN OLD.state = 'approved' BEGIN
    SELECT RAISE(ABORT, 'approved minutes cannot change');
END;
CREATE TRIGGER minutes_no_delete BEFORE DELETE ON minutes BEGIN
    SELECT RAISE(ABORT, 'minutes cannot be removed');
END;
