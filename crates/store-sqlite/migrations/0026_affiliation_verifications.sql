-- A verification replaced by a later one is kept: which officer verified an affiliation, and
-- when, stays on the record after it is verified again. Rows are written only when a
-- verification is replaced, and never changed.
CREATE TABLE affiliation_verifications (
    id             INTEGER PRIMARY KEY,
    affiliation_id INTEGER NOT NULL REFERENCES affiliations(id),
    verified_by    INTEGER REFERENCES members(id),
    verified_on    TEXT NOT NULL,
    replaced_at    TEXT NOT NULL
);
CREATE INDEX affiliation_verifications_affiliation ON affiliation_verifications(affiliation_id);

CREATE TRIGGER affiliation_verifications_no_update BEFORE UPDATE ON affiliation_verifications BEGIN
    SELECT RAISE(ABORT, 'an earlier verification is kept as it was');
END;
CREATE TRIGGER affiliation_verifications_no_delete BEFORE DELETE ON affiliation_verifications BEGIN
    SELECT RAISE(ABORT, 'an earlier verification is kept as it was');
END;
