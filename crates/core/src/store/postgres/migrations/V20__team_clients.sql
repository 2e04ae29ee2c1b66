-- A team lead's clients are read from the team's side
-- (`store/rows/clients_team.rs`), as SQLite's V22 reads them: the server's
-- statistics know nothing of a team, and planned the team's condition as
-- a scan of every client, or a walk of a sort's index past every client
-- testing each one's manager (at 100,000 clients, a team of 1,016 looking
-- after 590: its first page by creation 35 ms). A seek for every member
-- in the account managers' index cost 4-6 ms of that team's 1,016, where
-- 20 of them look after any.
--
-- Each pair of the team table says whether its user looks after a client,
-- under a partial index led by the ancestor: a team's managers are read
-- there. The triggers below keep it, in the database itself, whenever a
-- client's manager or the tree changes. (An integer, 0 or 1, as SQLite's,
-- so that one statement reads and checks it on both.)
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

-- A new pair (a new user, a moved subtree, the store check's rebuild) of a
-- user who looks after a client is marked as it is written.
CREATE FUNCTION user_ancestors_mark_manager() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    NEW.manages_clients := CASE WHEN EXISTS
        (SELECT 1 FROM clients WHERE account_manager_id = NEW.user_id) THEN 1 ELSE 0 END;
    RETURN NEW;
END
$$;
CREATE TRIGGER user_ancestors_manages BEFORE INSERT ON user_ancestors
    FOR EACH ROW EXECUTE FUNCTION user_ancestors_mark_manager();

-- Per statement, from its transition tables (as V10's counts): an import's
-- batch of clients marks its managers once.
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
-- foreign key): the old ones left with no client are unmarked, the new
-- ones marked. (A trigger with transition tables names no column, so it
-- runs on every update of clients and finds no change of manager in most.)
CREATE FUNCTION clients_managers_updated() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE user_ancestors SET manages_clients = 0
    WHERE manages_clients = 1
      AND user_id IN (SELECT o.account_manager_id FROM old_clients o
                      JOIN new_clients n ON n.id = o.id
                      WHERE o.account_manager_id IS NOT NULL
                        AND o.account_manager_id IS DISTINCT FROM n.account_manager_id)
      AND NOT EXISTS (SELECT 1 FROM clients c
                      WHERE c.account_manager_id = user_ancestors.user_id);
    UPDATE user_ancestors SET manages_clients = 1
    WHERE manages_clients = 0
      AND user_id IN (SELECT n.account_manager_id FROM new_clients n
                      JOIN old_clients o ON o.id = n.id
                      WHERE n.account_manager_id IS NOT NULL
                        AND o.account_manager_id IS DISTINCT FROM n.account_manager_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER clients_managers_update AFTER UPDATE ON clients
    REFERENCING OLD TABLE AS old_clients NEW TABLE AS new_clients
    FOR EACH STATEMENT EXECUTE FUNCTION clients_managers_updated();
