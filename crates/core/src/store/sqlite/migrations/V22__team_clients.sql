-- A team lead's clients are read through the account managers' index
-- (`store/rows/clients_team.rs`), for the team's members who look after
-- any. At a million clients, seven in ten managed by one user in fifty, a
-- lead of 9,616 people looks after about 7,700 clients, through 199 of
-- them: a seek for every member cost about 10 ms, and looking each client
-- up in the table 2-3 us.
--
-- The managers' index holds every value a page of them tests and sorts by
-- (the name's key, the creation time, the email, normalised and as typed,
-- and the phone), so only the page's rows are read from the table. About 75
-- bytes a managed client.
DROP INDEX clients_account_manager;
CREATE INDEX clients_account_manager ON clients
    (account_manager_id, name_key, id, created_at, email_normalized, email, phone)
    WHERE account_manager_id IS NOT NULL;

-- Each pair of the team table says whether its user looks after a client,
-- under a partial index led by the ancestor: a team's managers are read
-- there, not found by a seek for every member. The triggers below keep it,
-- in the database itself, whenever a client's manager or the tree changes.
ALTER TABLE user_ancestors ADD COLUMN manages_clients INTEGER NOT NULL DEFAULT 0;
UPDATE user_ancestors SET manages_clients = 1
WHERE user_id IN (SELECT account_manager_id FROM clients WHERE account_manager_id IS NOT NULL);
CREATE INDEX user_ancestors_managers ON user_ancestors (ancestor_id, user_id)
    WHERE manages_clients = 1;

-- A new pair (a new user, or a moved subtree) of a user who looks after a client.
CREATE TRIGGER user_ancestors_manages AFTER INSERT ON user_ancestors
WHEN EXISTS (SELECT 1 FROM clients WHERE account_manager_id = new.user_id)
BEGIN
    UPDATE user_ancestors SET manages_clients = 1
    WHERE ancestor_id = new.ancestor_id AND user_id = new.user_id;
END;

-- Only a manager's first client marks them, and only their last one's
-- going unmarks them: the others find their pairs as they should be.
CREATE TRIGGER clients_manager_insert AFTER INSERT ON clients
WHEN new.account_manager_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM clients
                  WHERE account_manager_id = new.account_manager_id AND id <> new.id)
BEGIN
    UPDATE user_ancestors SET manages_clients = 1
    WHERE user_id = new.account_manager_id AND manages_clients = 0;
END;

CREATE TRIGGER clients_manager_delete AFTER DELETE ON clients
WHEN old.account_manager_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM clients WHERE account_manager_id = old.account_manager_id)
BEGIN
    UPDATE user_ancestors SET manages_clients = 0
    WHERE user_id = old.account_manager_id AND manages_clients = 1;
END;

-- A new manager (also a deleted user's clients, set to none).
CREATE TRIGGER clients_manager_change AFTER UPDATE OF account_manager_id ON clients
WHEN old.account_manager_id IS NOT new.account_manager_id
BEGIN
    UPDATE user_ancestors SET manages_clients = 0
    WHERE user_id = old.account_manager_id AND manages_clients = 1
      AND NOT EXISTS (SELECT 1 FROM clients WHERE account_manager_id = old.account_manager_id);
    UPDATE user_ancestors SET manages_clients = 1
    WHERE user_id = new.account_manager_id AND manages_clients = 0;
END;
