-- Whole-value search for operators who see client data masked, as in the
-- SQLite schema (store/sqlite/migrations/V5__client_whole_values.sql):
-- name_folded is the full name folded for case, accents and white space
-- (written by Roster: `domain::fold_name`); rows written before this version
-- get it when the store is next opened.
ALTER TABLE clients ADD COLUMN name_folded TEXT COLLATE "C";
CREATE INDEX clients_name_folded ON clients (name_folded, id);

-- The kept count, per statement instead of per row: one row updated once
-- per INSERT or DELETE statement (with the rows it touched, from its
-- transition table) rather than once per client, so writing many clients in
-- one transaction no longer piles up dead versions of the counter row.
DROP TRIGGER client_counts_keep ON clients;
DROP FUNCTION client_counts_keep();

CREATE FUNCTION client_counts_inserted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    added BIGINT;
BEGIN
    SELECT count(*) INTO added FROM inserted_clients;
    IF added > 0 THEN
        UPDATE client_counts SET clients = clients + added WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE FUNCTION client_counts_deleted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    removed BIGINT;
BEGIN
    SELECT count(*) INTO removed FROM deleted_clients;
    IF removed > 0 THEN
        UPDATE client_counts SET clients = clients - removed WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER client_counts_insert AFTER INSERT ON clients
    REFERENCING NEW TABLE AS inserted_clients
    FOR EACH STATEMENT EXECUTE FUNCTION client_counts_inserted();
CREATE TRIGGER client_counts_delete AFTER DELETE ON clients
    REFERENCING OLD TABLE AS deleted_clients
    FOR EACH STATEMENT EXECUTE FUNCTION client_counts_deleted();
