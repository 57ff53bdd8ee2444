-- A motion may require a meeting the constitution lets branches require (a special
-- conference), whatever its matter or position: adopted at a branch's meeting and published,
-- it counts towards the requisition of that kind.
ALTER TABLE motions ADD COLUMN requires TEXT;
CREATE INDEX motions_requires ON motions (requires) WHERE requires IS NOT NULL;

-- When the bodies named to call a reached, overdue requisition were last written to: the
-- next letter is due a week after it.
ALTER TABLE requisitions ADD COLUMN reminded_at TIMESTAMPTZ;

-- One open requisition of each kind opened in the constitution's name by branches' motions
-- calling for it (as `requisitions_open_matter` keeps one per matter).
CREATE UNIQUE INDEX requisitions_open_kind ON requisitions (kind)
    WHERE opened_by IS NULL AND matter IS NULL AND meeting_id IS NULL;
