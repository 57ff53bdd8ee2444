-- One open requisition per matter: branches' motions on a matter count towards one, and the
-- first branch motion supporting a meeting the constitution lets branches require opens it.
CREATE UNIQUE INDEX requisitions_open_matter ON requisitions (matter)
    WHERE matter IS NOT NULL AND meeting_id IS NULL;
