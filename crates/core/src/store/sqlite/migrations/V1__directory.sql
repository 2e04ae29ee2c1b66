-- Roster's directory: users, groups, memberships, audit, settings.
-- Times are milliseconds since the Unix epoch (UTC). A last_sign_in_at of 0
-- means "never", so the column stays NOT NULL and sorts with an index.

-- AUTOINCREMENT: an id is never reused after a deletion, so a session or an
-- audit trail that names an id can never come to mean someone else.
CREATE TABLE groups (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT    NOT NULL,
    name_normalized TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    builtin         INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    -- Kept by triggers on memberships: the overview's group filter needs it
    -- for its total and to pick its query plan.
    member_count    INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX groups_name_normalized ON groups (name_normalized);

CREATE TABLE group_permissions (
    group_id   INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    permission TEXT    NOT NULL,
    PRIMARY KEY (group_id, permission)
) WITHOUT ROWID;

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    name                 TEXT    NOT NULL,
    name_key             TEXT    NOT NULL,
    email                TEXT    NOT NULL,
    email_normalized     TEXT    NOT NULL,
    status               TEXT    NOT NULL CHECK (status IN ('enabled', 'disabled')),
    supervisor_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    password_hash        TEXT    NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    mask_client_data     INTEGER NOT NULL DEFAULT 0 CHECK (mask_client_data IN (0, 1)),
    two_factor           TEXT    NOT NULL DEFAULT 'off' CHECK (two_factor IN ('off', 'email_code', 'totp')),
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    last_sign_in_at      INTEGER NOT NULL DEFAULT 0,
    failed_sign_ins      INTEGER NOT NULL DEFAULT 0,
    locked_until         INTEGER,
    version              INTEGER NOT NULL DEFAULT 1,
    CHECK (supervisor_id IS NULL OR supervisor_id <> id)
);
CREATE UNIQUE INDEX users_email_normalized ON users (email_normalized);
CREATE INDEX users_name_key ON users (name_key, id);
CREATE INDEX users_created_at ON users (created_at, id);
CREATE INDEX users_last_sign_in_at ON users (last_sign_in_at, id);
CREATE INDEX users_supervisor ON users (supervisor_id) WHERE supervisor_id IS NOT NULL;
CREATE INDEX users_status_name ON users (status, name_key, id);

CREATE TABLE memberships (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE RESTRICT,
    PRIMARY KEY (user_id, group_id)
) WITHOUT ROWID;
CREATE INDEX memberships_group ON memberships (group_id, user_id);
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships BEGIN
    UPDATE groups SET member_count = member_count + 1 WHERE id = new.group_id;
END;
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships BEGIN
    UPDATE groups SET member_count = member_count - 1 WHERE id = old.group_id;
END;

-- Substring search on name and email: a trigram index answers `%q%`
-- without scanning every row.
CREATE VIRTUAL TABLE users_search USING fts5 (
    name, email, content = 'users', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, name, email)
        VALUES ('delete', old.id, old.name, old.email);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF name, email ON users BEGIN
    INSERT INTO users_search (users_search, rowid, name, email)
        VALUES ('delete', old.id, old.name, old.email);
    INSERT INTO users_search (rowid, name, email) VALUES (new.id, new.name, new.email);
END;

-- Kept counts per status, so the overview's total needs no scan.
CREATE TABLE user_counts (
    status TEXT PRIMARY KEY,
    users  INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO user_counts (status, users) VALUES ('enabled', 0), ('disabled', 0);
CREATE TRIGGER user_counts_insert AFTER INSERT ON users BEGIN
    UPDATE user_counts SET users = users + 1 WHERE status = new.status;
END;
CREATE TRIGGER user_counts_delete AFTER DELETE ON users BEGIN
    UPDATE user_counts SET users = users - 1 WHERE status = old.status;
END;
CREATE TRIGGER user_counts_update AFTER UPDATE OF status ON users
    WHEN old.status <> new.status BEGIN
    UPDATE user_counts SET users = users - 1 WHERE status = old.status;
    UPDATE user_counts SET users = users + 1 WHERE status = new.status;
END;

CREATE TABLE audit_events (
    id                  INTEGER PRIMARY KEY,
    at                  INTEGER NOT NULL,
    operator_id         INTEGER,
    operator_label      TEXT    NOT NULL,
    action              TEXT    NOT NULL,
    target_kind         TEXT    NOT NULL,
    target_id           INTEGER,
    target_label        TEXT    NOT NULL,
    target_label_normalized TEXT NOT NULL,
    changes             TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX audit_events_target ON audit_events (target_kind, target_label_normalized, id);
CREATE INDEX audit_events_operator ON audit_events (operator_id, id);
CREATE INDEX audit_events_target_id ON audit_events (target_kind, target_id, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The built-in Administrators group: id 1 everywhere. It holds every
-- permission implicitly, so no rows in group_permissions.
INSERT INTO groups (id, name, name_normalized, description, builtin, created_at, updated_at)
VALUES (1, 'Administrators', 'administrators',
        'Holds every permission. Cannot be deleted or reduced.', 1,
        CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));
