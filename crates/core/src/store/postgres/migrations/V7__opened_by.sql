-- Which version of Roster last opened this directory: one row, written each
-- time a Roster connects to it. An older Roster that finds a schema newer
-- than its own names this version when it refuses the directory.
-- (V7 rather than V6 so that it merges beside the audit work's V6 unchanged.)
CREATE TABLE store_opened_by (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    roster_version TEXT NOT NULL
);
