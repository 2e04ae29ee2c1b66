-- Which version of Roster last opened this store: one row, written each
-- time a Roster that may write it opens it. An older Roster that finds a
-- schema newer than its own names this version when it refuses the store.
-- (V7 rather than V6 so that it merges beside the audit work's V6 unchanged.)
CREATE TABLE store_opened_by (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    roster_version TEXT NOT NULL
);
