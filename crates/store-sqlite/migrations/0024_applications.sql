-- Applications to join from the public join form, each decided once by an officer with a
-- reason. The applicant is a member with status applicant from the moment they apply;
-- acceptance moves them to active through the status history like any other change.

CREATE TABLE applications (
    id                INTEGER PRIMARY KEY,
    member_id         INTEGER NOT NULL REFERENCES members(id),
    state             TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'refused')),
    -- The statement the applicant agreed to, word for word, and the clause that set it.
    consent           TEXT NOT NULL,
    clause            TEXT,
    submitted_at      TEXT NOT NULL,
    event_seq         INTEGER NOT NULL REFERENCES governance_events(seq),
    decided_at        TEXT,
    decided_by        INTEGER REFERENCES members(id),
    reason            TEXT,
    decided_event_seq INTEGER REFERENCES governance_events(seq),
    CHECK ((state = 'pending') = (decided_at IS NULL))
);
CREATE INDEX applications_state ON applications(state, id);
CREATE INDEX applications_member ON applications(member_id);

CREATE TRIGGER applications_kept BEFORE DELETE ON applications BEGIN
    SELECT RAISE(ABORT, 'applications are kept for the record');
END;
-- An application is decided once; what the applicant gave and agreed to never changes.
CREATE TRIGGER applications_decided_once BEFORE UPDATE ON applications
WHEN OLD.state <> 'pending' OR NEW.member_id <> OLD.member_id OR NEW.consent <> OLD.consent
    OR NEW.clause IS NOT OLD.clause OR NEW.submitted_at <> OLD.submitted_at
    OR NEW.event_seq <> OLD.event_seq BEGIN
    SELECT RAISE(ABORT, 'an application is decided once');
END;

-- Letters already queued to a member, so the join form cannot flood a registered address.
CREATE INDEX outbox_member ON outbox(member_id, created_at);
