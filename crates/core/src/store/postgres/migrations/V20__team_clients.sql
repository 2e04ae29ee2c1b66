-- A team lead's clients are read from the team's side
-- (`store/rows/clients_team.rs`), as SQLite's V22 reads them: the server's
-- statistics know nothing of a team, and it read a search's hits among
-- every client to keep the team's, or walked a sort's index past every
-- client testing each one's manager (at 100,000 clients, a team of 1,016
-- looking after 590: "ann" 111 ms, the first page by name 18). A seek for
-- every member in the account managers' index alone cost 4-6 ms of that
-- team's 1,016, where 20 of them look after any.
--
-- Each pair of the team table says whether its user looks after a client,
-- under a partial index led by the ancestor: a team's managers are read
-- there. The triggers below keep it, in the database itself, whenever a
-- client's manager or the tree changes: per statement, from their
-- transition tables, so that an import's batch or the store check's
-- rebuild of every pair marks them at once. (Roster's writers take one
-- lock, so no two of them race a mark; the store check finds and repairs
-- one that a write from outside Roster got wrong. An integer, 0 or 1, as
-- SQLite's, so that one statement reads and checks it on both.)
ALTER TABLE user_ancestors ADD COLUMN manages_clients INTEGER NOT NULL DEFAULT 0;
UPDATE user_ancestors SET manages_clients = 1
WHERE user_id IN (SELECT account_manager_id FROM clients WHERE account_manager_id IS NOT NULL);
CREATE INDEX user_ancestors_managers ON user_ancestors (ancestor_id, user_id)
    WHERE manages_clients = 1;

-- The managers' index holds every value a page of a team's clients tests
-- and sorts by (the name's key, the creation time, the normalised email,
-- the phone and the words), so that a team's clients are read from it
-- alone where the table's pages are all visible.
DROP INDEX clients_account_manager;
CREATE INDEX clients_account_manager ON clients (account_manager_id, name_key, id)
    INCLUDE (created_at, email_normalized, phone, words)
    WHERE account_manager_id IS NOT NULL;

-- New pairs (a new user, a moved subtree, the store check's rebuild) of
-- users who look after a client.
CREATE FUNCTION user_ancestors_mark_managers() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE user_ancestors a SET manages_clients = 1
    FROM added_pairs n
    WHERE a.ancestor_id = n.ancestor_id AND a.user_id = n.user_id
      AND a.manages_clients = 0
      AND EXISTS (SELECT 1 FROM clients c WHERE c.account_manager_id = n.user_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER user_ancestors_manages AFTER INSERT ON user_ancestors
    REFERENCING NEW TABLE AS added_pairs
    FOR EACH STATEMENT EXECUTE FUNCTION user_ancestors_mark_managers();

-- A batch of new clients marks its managers once (as V10's counts).
CREATE FUNCTION clients_managers_inserted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE user_ancestors SET manages_clients = 1
    WHERE manages_clients = 0
      AND user_id IN (SELECT account_manager_id FROM added_clients
                      WHERE account_manager_id IS NOT NULL);
    RETURN NULL;
END
$$;
CREATE TRIGGER clients_managers_insert AFTER INSERT ON clients
    REFERENCING NEW TABLE AS added_clients
    FOR EACH STATEMENT EXECUTE FUNCTION clients_managers_inserted();

-- A manager whose last client goes is unmarked.
CREATE FUNCTION clients_managers_deleted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE user_ancestors SET manages_clients = 0
    WHERE manages_clients = 1
      AND user_id IN (SELECT account_manager_id FROM removed_clients
                      WHERE account_manager_id IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM clients c
                      WHERE c.account_manager_id = user_ancestors.user_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER clients_managers_delete AFTER DELETE ON clients
    REFERENCING OLD TABLE AS removed_clients
    FOR EACH STATEMENT EXECUTE FUNCTION clients_managers_deleted();

-- A change of manager (also a deleted user's clients, set to none by the
-- foreign key): the managers the statement's rows had and no longer have
-- are unmarked where they are left with no client, and those they have
-- and had not are marked (a manager on both sides had a client before and
-- has one still). A trigger with transition tables names no column, so
-- it runs on every update of clients; most change no manager.
CREATE FUNCTION clients_managers_updated() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE user_ancestors SET manages_clients = 0
    WHERE manages_clients = 1
      AND user_id IN (SELECT account_manager_id FROM old_clients
                      WHERE account_manager_id IS NOT NULL
                      EXCEPT SELECT account_manager_id FROM new_clients)
      AND NOT EXISTS (SELECT 1 FROM clients c
                      WHERE c.account_manager_id = user_ancestors.user_id);
    UPDATE user_ancestors SET manages_clients = 1
    WHERE manages_clients = 0
      AND user_id IN (SELECT account_manager_id FROM new_clients
                      WHERE account_manager_id IS NOT NULL
                      EXCEPT SELECT account_manager_id FROM old_clients);
    RETURN NULL;
END
$$;
CREATE TRIGGER clients_managers_update AFTER UPDATE ON clients
    REFERENCING OLD TABLE AS old_clients NEW TABLE AS new_clients
    FOR EACH STATEMENT EXECUTE FUNCTION clients_managers_updated();
