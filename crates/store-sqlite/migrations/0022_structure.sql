-- Structure after the founding: units closed or merged (never deleted), where each office
-- holding came from, and the appointments that motions propose.

-- A closed unit stays in the register, marked, with the unit it was merged into if any.
ALTER TABLE units ADD COLUMN closed_on TEXT;
ALTER TABLE units ADD COLUMN merged_into INTEGER REFERENCES units(id);

CREATE TRIGGER units_kept BEFORE DELETE ON units BEGIN
    SELECT RAISE(ABORT, 'units are kept for the record: close or merge them instead');
END;

-- The decision each holding came from: the founding, an election's result, a motion adopted
-- at a properly convened meeting, or a record brought in from before Charter.
ALTER TABLE office_terms ADD COLUMN mandate TEXT NOT NULL DEFAULT 'record'
    CHECK (mandate IN ('founding', 'election', 'motion', 'record'));
ALTER TABLE office_terms ADD COLUMN motion_id INTEGER REFERENCES motions(id);
ALTER TABLE office_terms ADD COLUMN election_id INTEGER REFERENCES elections(id);
ALTER TABLE office_terms ADD COLUMN clause TEXT;

-- What an appointment motion would do once its decision binds: who, to which office, for
-- which term, under which clause. Written with the motion, never changed.
CREATE TABLE appointment_motions (
    motion_id INTEGER PRIMARY KEY REFERENCES motions(id),
    office_id INTEGER NOT NULL REFERENCES offices(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    starts_on TEXT NOT NULL,
    ends_on   TEXT,
    clause    TEXT NOT NULL
);
CREATE INDEX appointment_motions_office ON appointment_motions(office_id);

CREATE TRIGGER appointment_motions_no_update BEFORE UPDATE ON appointment_motions BEGIN
    SELECT RAISE(ABORT, 'an appointment motion is kept as proposed');
END;
CREATE TRIGGER appointment_motions_no_delete BEFORE DELETE ON appointment_motions BEGIN
    SELECT RAISE(ABORT, 'an appointment motion is kept as proposed');
END;
