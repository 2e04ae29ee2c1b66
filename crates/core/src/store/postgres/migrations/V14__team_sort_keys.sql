-- A team's first page in any sort, read in that sort's order: each pair of
-- the supervisor tree keeps the user's sort keys beside it, with an index
-- per sort led by the ancestor. A page of a team of 10,000 is then a walk
-- of 51 index entries, where it was a lookup and sort of the whole team.
-- The triggers below keep the keys, in the database itself, whenever a
-- user's key or supervisor changes; nothing writes them otherwise.
ALTER TABLE user_ancestors
    ADD COLUMN name_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN email_normalized TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN last_sign_in_at BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN password_changed_at BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN failed_sign_ins BIGINT NOT NULL DEFAULT 0;

UPDATE user_ancestors a
SET name_key = u.name_key, email_normalized = u.email_normalized,
    created_at = u.created_at, last_sign_in_at = u.last_sign_in_at,
    password_changed_at = u.password_changed_at, failed_sign_ins = u.failed_sign_ins
FROM users u
WHERE u.id = a.user_id;

CREATE INDEX user_ancestors_name ON user_ancestors (ancestor_id, name_key, user_id);
CREATE INDEX user_ancestors_email ON user_ancestors (ancestor_id, email_normalized, user_id);
CREATE INDEX user_ancestors_created ON user_ancestors (ancestor_id, created_at, user_id);
CREATE INDEX user_ancestors_last_sign_in ON user_ancestors (ancestor_id, last_sign_in_at, user_id);
CREATE INDEX user_ancestors_password_changed
    ON user_ancestors (ancestor_id, password_changed_at, user_id);
CREATE INDEX user_ancestors_failed_sign_ins ON user_ancestors (ancestor_id, failed_sign_ins, user_id);

-- V13's trigger functions again, now copying the user's keys into each
-- new pair.
CREATE OR REPLACE FUNCTION user_ancestors_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_ancestors (ancestor_id, user_id, name_key, email_normalized,
            created_at, last_sign_in_at, password_changed_at, failed_sign_ins)
        SELECT above.ancestor_id, NEW.id, NEW.name_key, NEW.email_normalized,
               NEW.created_at, NEW.last_sign_in_at, NEW.password_changed_at, NEW.failed_sign_ins
        FROM (SELECT NEW.supervisor_id AS ancestor_id
              UNION
              SELECT a.ancestor_id FROM user_ancestors a WHERE a.user_id = NEW.supervisor_id) above
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION user_ancestors_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM user_ancestors
    WHERE ancestor_id IN (SELECT a.ancestor_id FROM user_ancestors a WHERE a.user_id = NEW.id)
      AND (user_id = NEW.id
           OR user_id IN (SELECT b.user_id FROM user_ancestors b WHERE b.ancestor_id = NEW.id));
    IF NEW.supervisor_id IS NOT NULL THEN
        INSERT INTO user_ancestors (ancestor_id, user_id, name_key, email_normalized,
                created_at, last_sign_in_at, password_changed_at, failed_sign_ins)
            SELECT above.ancestor_id, below.id, below.name_key, below.email_normalized,
                   below.created_at, below.last_sign_in_at, below.password_changed_at,
                   below.failed_sign_ins
            FROM (SELECT NEW.supervisor_id AS ancestor_id
                  UNION
                  SELECT a.ancestor_id FROM user_ancestors a WHERE a.user_id = NEW.supervisor_id) above,
                 (SELECT NEW.id AS user_id
                  UNION
                  SELECT b.user_id FROM user_ancestors b WHERE b.ancestor_id = NEW.id) moved
                 JOIN users below ON below.id = moved.user_id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;

-- A changed key is copied into every pair of the user (one per ancestor).
CREATE FUNCTION user_ancestors_rekeyed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_ancestors
    SET name_key = NEW.name_key, email_normalized = NEW.email_normalized,
        created_at = NEW.created_at, last_sign_in_at = NEW.last_sign_in_at,
        password_changed_at = NEW.password_changed_at, failed_sign_ins = NEW.failed_sign_ins
    WHERE user_id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER user_ancestors_keys
    AFTER UPDATE OF name_key, email_normalized, created_at, last_sign_in_at,
        password_changed_at, failed_sign_ins ON users
    FOR EACH ROW WHEN (
        OLD.name_key IS DISTINCT FROM NEW.name_key
        OR OLD.email_normalized IS DISTINCT FROM NEW.email_normalized
        OR OLD.created_at IS DISTINCT FROM NEW.created_at
        OR OLD.last_sign_in_at IS DISTINCT FROM NEW.last_sign_in_at
        OR OLD.password_changed_at IS DISTINCT FROM NEW.password_changed_at
        OR OLD.failed_sign_ins IS DISTINCT FROM NEW.failed_sign_ins)
    EXECUTE FUNCTION user_ancestors_rekeyed();
