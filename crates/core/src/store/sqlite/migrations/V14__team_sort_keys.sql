-- A team's first page in any sort, read in that sort's order: each pair of
-- the supervisor tree keeps the user's sort keys beside it, with an index
-- per sort led by the ancestor. A page of a team of 10,000 is then a walk
-- of 51 index entries, where it was a lookup and sort of the whole team.
-- The triggers below keep the keys, in the database itself, whenever a
-- user's key or supervisor changes; nothing writes them otherwise.
ALTER TABLE user_ancestors ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE user_ancestors ADD COLUMN email_normalized TEXT NOT NULL DEFAULT '';
ALTER TABLE user_ancestors ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_ancestors ADD COLUMN last_sign_in_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_ancestors ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_ancestors ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;

UPDATE user_ancestors
SET name_key = u.name_key, email_normalized = u.email_normalized,
    created_at = u.created_at, last_sign_in_at = u.last_sign_in_at,
    password_changed_at = u.password_changed_at, failed_sign_ins = u.failed_sign_ins
FROM users u
WHERE u.id = user_ancestors.user_id;

CREATE INDEX user_ancestors_name ON user_ancestors (ancestor_id, name_key, user_id);
CREATE INDEX user_ancestors_email ON user_ancestors (ancestor_id, email_normalized, user_id);
CREATE INDEX user_ancestors_created ON user_ancestors (ancestor_id, created_at, user_id);
CREATE INDEX user_ancestors_last_sign_in ON user_ancestors (ancestor_id, last_sign_in_at, user_id);
CREATE INDEX user_ancestors_password_changed
    ON user_ancestors (ancestor_id, password_changed_at, user_id);
CREATE INDEX user_ancestors_failed_sign_ins ON user_ancestors (ancestor_id, failed_sign_ins, user_id);

-- V13's triggers again, now copying the user's keys into each new pair.
DROP TRIGGER user_ancestors_insert;
DROP TRIGGER user_ancestors_move;

CREATE TRIGGER user_ancestors_insert AFTER INSERT ON users
WHEN new.supervisor_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO user_ancestors (ancestor_id, user_id, name_key, email_normalized,
            created_at, last_sign_in_at, password_changed_at, failed_sign_ins)
        SELECT above.ancestor_id, new.id, new.name_key, new.email_normalized,
               new.created_at, new.last_sign_in_at, new.password_changed_at, new.failed_sign_ins
        FROM (SELECT new.supervisor_id AS ancestor_id
              UNION
              SELECT ancestor_id FROM user_ancestors WHERE user_id = new.supervisor_id) above;
END;

CREATE TRIGGER user_ancestors_move AFTER UPDATE OF supervisor_id ON users
WHEN old.supervisor_id IS NOT new.supervisor_id
BEGIN
    DELETE FROM user_ancestors
    WHERE ancestor_id IN (SELECT ancestor_id FROM user_ancestors WHERE user_id = new.id)
      AND (user_id = new.id
           OR user_id IN (SELECT user_id FROM user_ancestors WHERE ancestor_id = new.id));
    INSERT OR IGNORE INTO user_ancestors (ancestor_id, user_id, name_key, email_normalized,
            created_at, last_sign_in_at, password_changed_at, failed_sign_ins)
        SELECT above.ancestor_id, below.id, below.name_key, below.email_normalized,
               below.created_at, below.last_sign_in_at, below.password_changed_at,
               below.failed_sign_ins
        FROM (SELECT new.supervisor_id AS ancestor_id
              UNION
              SELECT ancestor_id FROM user_ancestors WHERE user_id = new.supervisor_id) above,
             (SELECT new.id AS user_id
              UNION
              SELECT user_id FROM user_ancestors WHERE ancestor_id = new.id) moved
             JOIN users below ON below.id = moved.user_id
        WHERE new.supervisor_id IS NOT NULL;
END;

-- A changed key is copied into every pair of the user (one per ancestor).
CREATE TRIGGER user_ancestors_keys
AFTER UPDATE OF name_key, email_normalized, created_at, last_sign_in_at, password_changed_at,
    failed_sign_ins ON users
WHEN old.name_key IS NOT new.name_key
  OR old.email_normalized IS NOT new.email_normalized
  OR old.created_at IS NOT new.created_at
  OR old.last_sign_in_at IS NOT new.last_sign_in_at
  OR old.password_changed_at IS NOT new.password_changed_at
  OR old.failed_sign_ins IS NOT new.failed_sign_ins
BEGIN
    UPDATE user_ancestors
    SET name_key = new.name_key, email_normalized = new.email_normalized,
        created_at = new.created_at, last_sign_in_at = new.last_sign_in_at,
        password_changed_at = new.password_changed_at, failed_sign_ins = new.failed_sign_ins
    WHERE user_id = new.id;
END;
