-- Paid-up filters and sorts work on COALESCE(paid_up_until, ''): never-paid sorts first and
-- "not paid up" is one index range instead of an OR with IS NULL that forces a full sort.
DROP INDEX members_paid_up;
CREATE INDEX members_paid_key ON members(COALESCE(paid_up_until, ''), id);
