-- Structure after the founding: units closed or merged (never deleted), where each office
-- holding came from, and the appointments that motions propose.

-- A closed unit stays in the register, marked, with the unit it was merged into if any.
ALTER TABLE units ADD COLUMN closed_on DATE;
ALTER TABLE units ADD COLUMN merged_into BIGINT REFERENCES units(id);

CREATE FUNCTION units_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'units are kept for the record: close or merge them instead';
END;
$$;
CREATE TRIGGER units_kept BEFORE DELETE ON units
    FOR EACH ROW EXECUTE FUNCTION units_kept();

-- The decision each holding came from: the founding, an election's result, a motion adopted
-- at a properly convened meeting, or a record brought in from before Charter.
ALTER TABLE office_terms ADD COLUMN mandate TEXT NOT NULL DEFAULT 'record'
    CHECK (mandate IN ('founding', 'election', 'motion', 'record'));
ALTER TABLE office_terms ADD COLUMN motion_id BIGINT REFERENCES motions(id);
ALTER TABLE office_terms ADD COLUMN election_id BIGINT REFERENCES elections(id);
ALTER TABLE office_terms ADD COLUMN clause TEXT;

-- What an appointment motion would do once its decision binds: who, to which office, for
-- which term, under which clause. Written with the motion, never changed.
CREATE TABLE appointment_motions (
    motion_id BIGINT PRIMARY KEY REFERENCES motions(id),
    office_id BIGINT NOT NULL REFERENCES offices(id),
    member_id BIGINT NOT NULL REFERENCES members(id),
    starts_on DATE NOT NULL,
    ends_on   DATE,
    clause    TEXT NOT NULL
);
CREATE INDEX appointment_motions_office ON appointment_motions(office_id);

CREATE FUNCTION appointment_motions_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an appointment motion is kept as proposed';
END;
$$;
CREATE TRIGGER appointment_motions_kept BEFORE UPDATE OR DELETE ON appointment_motions
    FOR EACH ROW EXECUTE FUNCTION appointment_motions_kept();
