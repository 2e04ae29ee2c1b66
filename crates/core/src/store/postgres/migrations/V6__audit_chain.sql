-- The audit log's hash chain and filters (see crates/core/src/audit/).
-- Every event gets its place in the chain (seq), its action group
-- (category), its operator's label lowercased for search, and its SHA-256
-- hash over all its columns and the previous event's hash. Rows written
-- before this version are chained by Roster when the store is next opened
-- (audit_chain.chained is false until then).
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
ALTER TABLE audit_events ADD COLUMN category TEXT;
ALTER TABLE audit_events ADD COLUMN operator_label_normalized TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_events_seq ON audit_events (seq);

-- The chain's head: the newest event's seq and hash, and the anchor (the
-- newest archived event) the stored chain continues from. Appending takes
-- this row's lock first, so two writers can never fork the chain.
CREATE TABLE audit_chain (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    events      BIGINT  NOT NULL,
    last_hash   TEXT    NOT NULL,
    anchor_seq  BIGINT  NOT NULL,
    anchor_hash TEXT    NOT NULL,
    chained     BOOLEAN NOT NULL
);
INSERT INTO audit_chain (id, events, last_hash, anchor_seq, anchor_hash, chained) VALUES
    (1, 0, '0000000000000000000000000000000000000000000000000000000000000000',
     0, '0000000000000000000000000000000000000000000000000000000000000000', false);

-- The audit page: newest first by (at, id), one index per filter; the
-- searches match the start of a label (text_pattern_ops serves LIKE 'x%'
-- whatever the database's collation).
CREATE INDEX audit_events_at ON audit_events (at, id);
CREATE INDEX audit_events_operator_at ON audit_events (operator_id, at, id);
CREATE INDEX audit_events_kind_at ON audit_events (target_kind, at, id);
CREATE INDEX audit_events_category_at ON audit_events (category, at, id);
CREATE INDEX audit_events_target_prefix ON audit_events (target_label_normalized text_pattern_ops, at);
CREATE INDEX audit_events_operator_prefix ON audit_events (operator_label_normalized text_pattern_ops, at);
