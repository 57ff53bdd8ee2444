-- A roll's frozen lines in blocks of up to 1,024 lines rather than a row per member: freezing a
-- roll over a million members wrote a million rows, most of its cost. The lines are kept
-- twice, by member (to find one member's line) and by branch with counts (to page through
-- names); see charter-store's sql/rolls.rs for the line format. What an upheld challenge
-- changes is an override row; the challenge names the branch its member was on the roll in.

CREATE TABLE roll_member_index (
    roll_id      BIGINT NOT NULL REFERENCES rolls(id),
    first_member BIGINT NOT NULL,
    last_member  BIGINT NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (roll_id, first_member)
);
-- Stored out of line uncompressed: compressing megabytes of digits cost more than it saved.
ALTER TABLE roll_member_index ALTER COLUMN body SET STORAGE EXTERNAL;

CREATE TABLE roll_blocks (
    roll_id      BIGINT NOT NULL REFERENCES rolls(id),
    branch_id    BIGINT NOT NULL,
    first_member BIGINT NOT NULL,
    last_member  BIGINT NOT NULL,
    lines        BIGINT NOT NULL,
    eligible     BIGINT NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (roll_id, branch_id, first_member)
);
ALTER TABLE roll_blocks ALTER COLUMN body SET STORAGE EXTERNAL;

CREATE TABLE roll_overrides (
    roll_id      BIGINT NOT NULL REFERENCES rolls(id),
    member_id    BIGINT NOT NULL REFERENCES members(id),
    branch_id    BIGINT NOT NULL,
    eligible     BOOLEAN NOT NULL,
    challenge_id BIGINT NOT NULL REFERENCES roll_challenges(id),
    PRIMARY KEY (roll_id, member_id)
);

ALTER TABLE roll_challenges ADD COLUMN branch_id BIGINT;

-- Rolls frozen before this change, moved over line for line.
INSERT INTO roll_member_index (roll_id, first_member, last_member, body)
SELECT roll_id, MIN(member_id), MAX(member_id), string_agg(line, ',' ORDER BY member_id)
FROM (
    SELECT roll_id, member_id,
           (ROW_NUMBER() OVER (PARTITION BY roll_id ORDER BY member_id) - 1) / 1024 AS block,
           CAST(member_id AS TEXT) || ' ' || CAST(branch_id AS TEXT) || ' '
           || CASE WHEN frozen_eligible THEN 'Y' ELSE 'N' || COALESCE(CAST(reason_idx AS TEXT), '') END AS line
    FROM roll_entries
) AS lines
GROUP BY roll_id, block;

INSERT INTO roll_blocks (roll_id, branch_id, first_member, last_member, lines, eligible, body)
SELECT roll_id, branch_id, MIN(member_id), MAX(member_id), COUNT(*),
       SUM(CASE WHEN frozen_eligible THEN 1 ELSE 0 END), string_agg(line, ',' ORDER BY member_id)
FROM (
    SELECT roll_id, branch_id, member_id, frozen_eligible,
           (ROW_NUMBER() OVER (PARTITION BY roll_id, branch_id ORDER BY member_id) - 1) / 1024 AS block,
           CAST(member_id AS TEXT) || ' ' || CAST(branch_id AS TEXT) || ' '
           || CASE WHEN frozen_eligible THEN 'Y' ELSE 'N' || COALESCE(CAST(reason_idx AS TEXT), '') END AS line
    FROM roll_entries
) AS lines
GROUP BY roll_id, branch_id, block;

INSERT INTO roll_overrides (roll_id, member_id, branch_id, eligible, challenge_id)
SELECT roll_id, member_id, branch_id, eligible, challenge_id
FROM roll_entries WHERE challenge_id IS NOT NULL;

UPDATE roll_challenges c SET branch_id = e.branch_id
FROM roll_entries e WHERE e.roll_id = c.roll_id AND e.member_id = c.member_id;
ALTER TABLE roll_challenges ALTER COLUMN branch_id SET NOT NULL;

DROP TABLE roll_entries;
DROP FUNCTION roll_entries_frozen();

CREATE FUNCTION roll_lines_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a frozen roll line cannot be removed';
    END IF;
    RAISE EXCEPTION 'a frozen roll line cannot change';
END;
$$;
CREATE TRIGGER roll_member_index_frozen BEFORE UPDATE OR DELETE ON roll_member_index
    FOR EACH ROW EXECUTE FUNCTION roll_lines_frozen();
CREATE TRIGGER roll_blocks_frozen BEFORE UPDATE OR DELETE ON roll_blocks
    FOR EACH ROW EXECUTE FUNCTION roll_lines_frozen();

CREATE FUNCTION roll_overrides_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a decided challenge''s change to a roll cannot change or be removed';
END;
$$;
CREATE TRIGGER roll_overrides_final BEFORE UPDATE OR DELETE ON roll_overrides
    FOR EACH ROW EXECUTE FUNCTION roll_overrides_final();
