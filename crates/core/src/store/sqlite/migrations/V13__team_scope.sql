-- Team scope. A group's permission applies to everyone ('all') or to the
-- operator's team ('team'): themselves and their reports, direct and
-- indirect, through the supervisor tree.
ALTER TABLE group_permissions ADD COLUMN scope TEXT NOT NULL DEFAULT 'all'
    CHECK (scope IN ('all', 'team'));

-- A client's optional account manager (a user): `clients.view:team` and
-- `clients.manage:team` reach the clients whose account manager is in the
-- holder's team.
ALTER TABLE clients ADD COLUMN account_manager_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX clients_account_manager ON clients (account_manager_id, name_key, id)
    WHERE account_manager_id IS NOT NULL;

-- Every (ancestor, user) pair of the supervisor tree, so that "the team of
-- X" is one range of this table's key. The triggers below keep it, in the
-- database itself, for every way a supervisor changes; nothing writes it
-- otherwise.
CREATE TABLE user_ancestors (
    ancestor_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (ancestor_id, user_id)
) WITHOUT ROWID;
CREATE INDEX user_ancestors_user ON user_ancestors (user_id, ancestor_id);

INSERT INTO user_ancestors (ancestor_id, user_id)
WITH RECURSIVE up (user_id, ancestor_id) AS (
    SELECT id, supervisor_id FROM users WHERE supervisor_id IS NOT NULL
    UNION
    SELECT up.user_id, u.supervisor_id
    FROM up JOIN users u ON u.id = up.ancestor_id
    WHERE u.supervisor_id IS NOT NULL
)
SELECT ancestor_id, user_id FROM up;

-- A new user is a leaf: their supervisor and the supervisor's ancestors.
-- A pair already there is left as it is: only a circle of supervisors
-- (which Roster refuses, and the store check names) makes one, and the
-- table must not stop someone repairing such data by hand.
CREATE TRIGGER user_ancestors_insert AFTER INSERT ON users
WHEN new.supervisor_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO user_ancestors (ancestor_id, user_id)
        SELECT new.supervisor_id, new.id
        UNION
        SELECT ancestor_id, new.id FROM user_ancestors WHERE user_id = new.supervisor_id;
END;

-- A move takes the user's whole subtree along: the subtree loses the
-- user's old ancestors and gains the new ones.
CREATE TRIGGER user_ancestors_move AFTER UPDATE OF supervisor_id ON users
WHEN old.supervisor_id IS NOT new.supervisor_id
BEGIN
    DELETE FROM user_ancestors
    WHERE ancestor_id IN (SELECT ancestor_id FROM user_ancestors WHERE user_id = new.id)
      AND (user_id = new.id
           OR user_id IN (SELECT user_id FROM user_ancestors WHERE ancestor_id = new.id));
    INSERT OR IGNORE INTO user_ancestors (ancestor_id, user_id)
        SELECT above.ancestor_id, below.user_id
        FROM (SELECT new.supervisor_id AS ancestor_id
              UNION
              SELECT ancestor_id FROM user_ancestors WHERE user_id = new.supervisor_id) above,
             (SELECT new.id AS user_id
              UNION
              SELECT user_id FROM user_ancestors WHERE ancestor_id = new.id) below
        WHERE new.supervisor_id IS NOT NULL;
END;
