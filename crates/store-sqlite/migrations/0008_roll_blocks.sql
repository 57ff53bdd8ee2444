-- A roll's frozen lines in blocks of up to 1,024 lines rather than a row per member: freezing a
-- roll over a million members wrote a million rows, most of its cost. The lines are kept
-- twice, by member (to find one member's line) and by branch with counts (to page through
-- names); see charter-store's sql/rolls.rs for the line format. What an upheld challenge
-- changes is an override row; the challenge names the branch its member was on the roll in.

CREATE TABLE roll_member_index (
    roll_id      INTEGER NOT NULL REFERENCES rolls(id),
    first_member INTEGER NOT NULL,
    last_member  INTEGER NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (roll_id, first_member)
) WITHOUT ROWID;

CREATE TABLE roll_blocks (
    roll_id      INTEGER NOT NULL REFERENCES rolls(id),
    branch_id    INTEGER NOT NULL,
    first_member INTEGER NOT NULL,
    last_member  INTEGER NOT NULL,
    lines        INTEGER NOT NULL,
    eligible     INTEGER NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (roll_id, branch_id, first_member)
) WITHOUT ROWID;

CREATE TABLE roll_overrides (
    roll_id      INTEGER NOT NULL REFERENCES rolls(id),
    member_id    INTEGER NOT NULL REFERENCES members(id),
    branch_id    INTEGER NOT NULL,
    eligible     INTEGER NOT NULL CHECK (eligible IN (0, 1)),
    challenge_id INTEGER NOT NULL REFERENCES roll_challenges(id),
    PRIMARY KEY (roll_id, member_id)
) WITHOUT ROWID;

ALTER TABLE roll_challenges ADD COLUMN branch_id INTEGER NOT NULL DEFAULT 0;

-- Rolls frozen before this change, moved over line for line.
INSERT INTO roll_member_index (roll_id, first_member, last_member, body)
SELECT roll_id, MIN(member_id), MAX(member_id), group_concat(line, ',')
FROM (
    SELECT roll_id, member_id,
           (ROW_NUMBER() OVER (PARTITION BY roll_id ORDER BY member_id) - 1) / 1024 AS block,
           member_id || ' ' || branch_id || ' '
           || CASE WHEN frozen_eligible = 1 THEN 'Y' ELSE 'N' || COALESCE(reason_idx, '') END AS line
    FROM roll_entries
)
GROUP BY roll_id, block;

INSERT INTO roll_blocks (roll_id, branch_id, first_member, last_member, lines, eligible, body)
SELECT roll_id, branch_id, MIN(member_id), MAX(member_id), COUNT(*), SUM(frozen_eligible),
       group_concat(line, ',')
FROM (
    SELECT roll_id, branch_id, member_id, frozen_eligible,
           (ROW_NUMBER() OVER (PARTITION BY roll_id, branch_id ORDER BY member_id) - 1) / 1024 AS block,
           member_id || ' ' || branch_id || ' '
           || CASE WHEN frozen_eligible = 1 THEN 'Y' ELSE 'N' || COALESCE(reason_idx, '') END AS line
    FROM roll_entries
)
GROUP BY roll_id, branch_id, block;

INSERT INTO roll_overrides (roll_id, member_id, branch_id, eligible, challenge_id)
SELECT roll_id, member_id, branch_id, eligible, challenge_id
FROM roll_entries WHERE challenge_id IS NOT NULL;

UPDATE roll_challenges SET branch_id = (
    SELECT e.branch_id FROM roll_entries e
    WHERE e.roll_id = roll_challenges.roll_id AND e.member_id = roll_challenges.member_id
);

DROP TRIGGER roll_entries_frozen;
DROP TRIGGER roll_entries_no_delete;
DROP TABLE roll_entries;

CREATE TRIGGER roll_member_index_frozen BEFORE UPDATE ON roll_member_index BEGIN
    SELECT RAISE(ABORT, 'a frozen roll line cannot change');
END;
CREATE TRIGGER roll_member_index_no_delete BEFORE DELETE ON roll_member_index BEGIN
    SELECT RAISE(ABORT, 'a frozen roll line cannot be removed');
END;
CREATE TRIGGER roll_blocks_frozen BEFORE UPDATE ON roll_blocks BEGIN
    SELECT RAISE(ABORT, 'a frozen roll line cannot change');
END;
CREATE TRIGGER roll_blocks_no_delete BEFORE DELETE ON roll_blocks BEGIN
    SELECT RAISE(ABORT, 'a frozen roll line cannot be removed');
END;
CREATE TRIGGER roll_overrides_final BEFORE UPDATE ON roll_overrides BEGIN
    SELECT RAISE(ABORT, 'a decided challenge''s change to a roll cannot change');
END;
CREATE TRIGGER roll_overrides_no_delete BEFORE DELETE ON roll_overrides BEGIN
    SELECT RAISE(ABORT, 'a decided challenge''s change to a roll cannot be removed');
END;
