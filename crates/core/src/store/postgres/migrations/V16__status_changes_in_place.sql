-- A change of status (enable, disable; one user or 100,000) rewrites no
-- index of `users`. PostgreSQL updates a row in place ("HOT": a new
-- version on the same page, no new index entries) only when no index
-- holds a changed column and the page has room. A new version of a user
-- otherwise enters all fourteen indexes of `users`, the three trigram
-- indexes among them: measured at 100,000 users, disabling 90,000 took
-- 8.2 s that way and 1.0 s in place (2.1 s with this side table).
--
-- So the status is indexed in a table of its own, in name order as
-- `users_status_name` was, kept by the triggers below (statement-level,
-- from transition tables, as V10's counts). The overview walks it for a
-- status by name; in another sort it reads a rare status from there, and
-- finds a frequent one by walking that sort's index of `users`. SQLite
-- updates rows in place anyway and keeps `users_status_name`.
CREATE TABLE user_statuses (
    status   TEXT NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    user_id  BIGINT NOT NULL,
    PRIMARY KEY (status, name_key, user_id)
);
INSERT INTO user_statuses (status, name_key, user_id) SELECT status, name_key, id FROM users;

CREATE FUNCTION user_statuses_inserted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO user_statuses (status, name_key, user_id)
        SELECT status, name_key, id FROM inserted_users
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
-- A row already there is left as it is (V13's reason: the table must not
-- stop someone repairing data by hand; the store check names a stray row).
-- A row whose status or name changed leaves its old place for the new
-- one: a delete (which writes no index entry) and an insert into the one
-- index.
--
-- Through EXECUTE, so that it is planned for each statement: PL/pgSQL
-- keeps a statement's plan for the session, and a plan made when the
-- transition tables held one row (a sign-in) joins 10,000 rows later as
-- if they were one, each against all the others (measured: 2,000 users
-- in 1.3 s after a one-row update, 0.14 s planned afresh).
CREATE FUNCTION user_statuses_updated() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    EXECUTE '
        WITH changed AS (
            SELECT o.status AS was, o.name_key AS was_named, n.status, n.name_key, n.id
            FROM old_users AS o JOIN new_users AS n ON n.id = o.id
            WHERE o.status <> n.status OR o.name_key <> n.name_key
        ), gone AS (
            DELETE FROM user_statuses AS s USING changed AS c
            WHERE s.status = c.was AND s.name_key = c.was_named AND s.user_id = c.id
        )
        INSERT INTO user_statuses (status, name_key, user_id)
            SELECT status, name_key, id FROM changed
            ON CONFLICT DO NOTHING';
    RETURN NULL;
END
$$;
CREATE FUNCTION user_statuses_deleted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    EXECUTE '
        DELETE FROM user_statuses AS s USING deleted_users AS d
        WHERE s.status = d.status AND s.name_key = d.name_key AND s.user_id = d.id';
    RETURN NULL;
END
$$;
CREATE TRIGGER user_statuses_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS inserted_users
    FOR EACH STATEMENT EXECUTE FUNCTION user_statuses_inserted();
CREATE TRIGGER user_statuses_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_users NEW TABLE AS new_users
    FOR EACH STATEMENT EXECUTE FUNCTION user_statuses_updated();
CREATE TRIGGER user_statuses_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS deleted_users
    FOR EACH STATEMENT EXECUTE FUNCTION user_statuses_deleted();

-- V10's count of users per status, for the same reason without a join:
-- each status gains the statement's new rows and loses its old ones, so
-- an unchanged row counts once each way. V10 joined the two transition
-- tables, which a plan kept from a one-row update does row by row.
CREATE OR REPLACE FUNCTION user_counts_updated() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE user_counts SET users = users + moved.n
    FROM (
        SELECT status, sum(n) AS n FROM (
            SELECT status, 1 AS n FROM new_users
            UNION ALL
            SELECT status, -1 AS n FROM old_users
        ) AS changes GROUP BY status
    ) AS moved
    WHERE user_counts.status = moved.status AND moved.n <> 0;
    RETURN NULL;
END
$$;

DROP INDEX users_status_name;

-- Room on each page for a new version of every row on it: a bulk action
-- changes most rows of a page in one transaction, and the old versions
-- stay until it commits. New pages are filled to half; pages written
-- before this fill up as rows move (a rewrite such as VACUUM FULL applies
-- it at once).
ALTER TABLE users SET (fillfactor = 50);
