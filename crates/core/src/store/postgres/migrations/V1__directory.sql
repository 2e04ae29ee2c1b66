-- Roster's directory on PostgreSQL: the same tables, keys and rules as the
-- SQLite schema (store/sqlite/migrations/V1__directory.sql), so both stores
-- behave alike.
--
-- Times are milliseconds since the Unix epoch (UTC) in BIGINT, as in SQLite:
-- both stores hand out identical values and page cursors. A last_sign_in_at
-- of 0 means "never", so the column stays NOT NULL and sorts with an index.
-- Text that is sorted, or searched by prefix range, uses COLLATE "C" (code
-- point order), which is SQLite's BINARY order.

-- Identity columns: an id is never reused after a deletion (nor after a
-- rolled-back insert), so a session or an audit trail that names an id can
-- never come to mean someone else.
CREATE TABLE groups (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            TEXT    NOT NULL,
    name_normalized TEXT    COLLATE "C" NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    builtin         BOOLEAN NOT NULL DEFAULT FALSE,
    -- Kept by a trigger on memberships: the overview's group filter needs it
    -- for its total and to pick its query plan.
    member_count    BIGINT  NOT NULL DEFAULT 0 CHECK (member_count >= 0),
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    version         BIGINT  NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX groups_name_normalized ON groups (name_normalized);

CREATE TABLE group_permissions (
    group_id   BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    permission TEXT   NOT NULL,
    PRIMARY KEY (group_id, permission)
);

CREATE TABLE users (
    id                   BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                 TEXT    NOT NULL,
    name_key             TEXT    COLLATE "C" NOT NULL,
    email                TEXT    NOT NULL,
    email_normalized     TEXT    COLLATE "C" NOT NULL,
    status               TEXT    NOT NULL CHECK (status IN ('enabled', 'disabled')),
    supervisor_id        BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    password_hash        TEXT    NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    mask_client_data     BOOLEAN NOT NULL DEFAULT FALSE,
    two_factor           TEXT    NOT NULL DEFAULT 'off' CHECK (two_factor IN ('off', 'email_code', 'totp')),
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    last_sign_in_at      BIGINT  NOT NULL DEFAULT 0,
    failed_sign_ins      BIGINT  NOT NULL DEFAULT 0,
    locked_until         BIGINT,
    version              BIGINT  NOT NULL DEFAULT 1,
    CHECK (supervisor_id IS NULL OR supervisor_id <> id)
);
CREATE UNIQUE INDEX users_email_normalized ON users (email_normalized);
CREATE INDEX users_name_key ON users (name_key, id);
CREATE INDEX users_created_at ON users (created_at, id);
CREATE INDEX users_last_sign_in_at ON users (last_sign_in_at, id);
CREATE INDEX users_supervisor ON users (supervisor_id) WHERE supervisor_id IS NOT NULL;
CREATE INDEX users_status_name ON users (status, name_key, id);

CREATE TABLE memberships (
    user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE RESTRICT,
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX memberships_group ON memberships (group_id, user_id);

-- The trigger functions name their tables unqualified; SET search_path FROM
-- CURRENT pins them to this schema whatever the session's path.
CREATE FUNCTION memberships_count() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE groups SET member_count = member_count + 1 WHERE id = NEW.group_id;
    ELSE
        UPDATE groups SET member_count = member_count - 1 WHERE id = OLD.group_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER memberships_count AFTER INSERT OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_count();

-- Kept counts per status, so the overview's total needs no scan.
CREATE TABLE user_counts (
    status TEXT   PRIMARY KEY,
    users  BIGINT NOT NULL CHECK (users >= 0)
);
INSERT INTO user_counts (status, users) VALUES ('enabled', 0), ('disabled', 0);

CREATE FUNCTION user_counts_keep() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE user_counts SET users = users - 1 WHERE status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE user_counts SET users = users + 1 WHERE status = NEW.status;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER user_counts_insert_delete AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION user_counts_keep();
CREATE TRIGGER user_counts_update AFTER UPDATE OF status ON users
    FOR EACH ROW WHEN (OLD.status <> NEW.status) EXECUTE FUNCTION user_counts_keep();

-- Substring search on name and email: trigram indexes (pg_trgm) answer
-- `LIKE '%q%'` on the lowercased columns without scanning every row. The
-- extension is database-wide: it is created once, in public, under a lock so
-- that directories migrating side by side do not race. Where it cannot be
-- created (no privilege, not installed), searches still work, by scanning.
DO $$
DECLARE
    trigram_schema name;
BEGIN
    PERFORM pg_advisory_xact_lock(5283917415220471808);
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm is not available (%); user searches scan the table', SQLERRM;
    END;
    SELECT n.nspname INTO trigram_schema
        FROM pg_opclass c
        JOIN pg_namespace n ON n.oid = c.opcnamespace
        JOIN pg_am a ON a.oid = c.opcmethod
        WHERE c.opcname = 'gin_trgm_ops' AND a.amname = 'gin'
        LIMIT 1;
    IF trigram_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX users_name_trigrams ON users USING gin (name_key %I.gin_trgm_ops)', trigram_schema);
        EXECUTE format('CREATE INDEX users_email_trigrams ON users USING gin (email_normalized %I.gin_trgm_ops)', trigram_schema);
    END IF;
END
$$;

CREATE TABLE audit_events (
    id                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at                      BIGINT NOT NULL,
    operator_id             BIGINT,
    operator_label          TEXT   NOT NULL,
    action                  TEXT   NOT NULL,
    target_kind             TEXT   NOT NULL,
    target_id               BIGINT,
    target_label            TEXT   NOT NULL,
    target_label_normalized TEXT   NOT NULL,
    -- json, not jsonb: the text is kept exactly as written.
    changes                 JSON   NOT NULL DEFAULT '[]'
);
CREATE INDEX audit_events_target ON audit_events (target_kind, target_label_normalized, id);
CREATE INDEX audit_events_operator ON audit_events (operator_id, id);
CREATE INDEX audit_events_target_id ON audit_events (target_kind, target_id, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The built-in Administrators group: id 1 everywhere. It holds every
-- permission implicitly, so no rows in group_permissions.
INSERT INTO groups (id, name, name_normalized, description, builtin, created_at, updated_at)
OVERRIDING SYSTEM VALUE
VALUES (1, 'Administrators', 'administrators',
        'Holds every permission. Cannot be deleted or reduced.', TRUE,
        floor(extract(epoch FROM now()) * 1000)::bigint,
        floor(extract(epoch FROM now()) * 1000)::bigint);
ALTER TABLE groups ALTER COLUMN id RESTART WITH 2;
