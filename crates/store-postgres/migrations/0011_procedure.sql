-- Procedure at a meeting: a procedural motion or a rescission names the motion it acts on;
-- late business is an emergency motion, taken only once admitted by a vote; an adopted
-- procedural motion sets its target aside (next business, referred back, rescinded) or
-- adjourns the meeting. Each effect names the motion that had it.

ALTER TABLE motions ADD COLUMN target_id BIGINT REFERENCES motions(id);
ALTER TABLE motions ADD COLUMN emergency BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE motions ADD COLUMN admitted_by BIGINT REFERENCES motions(id);
ALTER TABLE motions ADD COLUMN set_aside_by BIGINT REFERENCES motions(id);
ALTER TABLE meetings ADD COLUMN adjourned_by BIGINT REFERENCES motions(id);
CREATE INDEX motions_target ON motions(target_id);
