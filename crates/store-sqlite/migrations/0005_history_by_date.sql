-- Facts on a date undo the status changes and transfers that took effect after it; these
-- find them without reading every change ever recorded.
CREATE INDEX status_changes_effective ON status_changes(effective_on, member_id);
CREATE INDEX branch_moves_effective ON branch_moves(effective_on, member_id);
