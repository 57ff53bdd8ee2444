-- The business of motions: an amendment names the motion it amends (its text is the whole
-- wording proposed instead), each motion keeps every wording it has had, and when it was
-- proposed and seconded is recorded for the deadlines the constitution sets.

ALTER TABLE motions ADD COLUMN parent_id BIGINT REFERENCES motions(id);
ALTER TABLE motions ADD COLUMN proposed_at TIMESTAMPTZ;
ALTER TABLE motions ADD COLUMN seconded_at TIMESTAMPTZ;
UPDATE motions SET proposed_at = (SELECT e.at FROM governance_events e WHERE e.seq = motions.event_seq);
CREATE INDEX motions_parent ON motions(parent_id);

CREATE TABLE motion_versions (
    motion_id    BIGINT NOT NULL REFERENCES motions(id),
    version      BIGINT NOT NULL,
    text         TEXT NOT NULL,
    amendment_id BIGINT REFERENCES motions(id),
    at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (motion_id, version)
);
INSERT INTO motion_versions (motion_id, version, text, amendment_id, at)
SELECT id, 1, text, NULL, proposed_at FROM motions;
ALTER TABLE motions ALTER COLUMN proposed_at SET NOT NULL;

CREATE FUNCTION motion_versions_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a wording once recorded cannot change or be removed';
END;
$$;
CREATE TRIGGER motion_versions_final BEFORE UPDATE OR DELETE ON motion_versions
    FOR EACH ROW EXECUTE FUNCTION motion_versions_final();
