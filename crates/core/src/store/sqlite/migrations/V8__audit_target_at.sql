-- The audit page's "person" filter (events by a user or about them) reads
-- the events about a user newest first through this index, beside
-- audit_events_operator_at for the events by them, instead of collecting
-- and sorting every match (store/rows/audit.rs, `View::either`).
CREATE INDEX audit_events_target_at ON audit_events (target_kind, target_id, at, id);
