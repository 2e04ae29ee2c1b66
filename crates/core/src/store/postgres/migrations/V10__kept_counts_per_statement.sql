-- The kept counts of users per status and of members per group, per
-- statement instead of per row, as V5 did for clients: one update of each
-- counter row per INSERT, UPDATE or DELETE statement (from its transition
-- tables) rather than one per user or membership. Updating one row many
-- times in one transaction piles up versions of it that every later update
-- walks, so a bulk action over 100,000 users grew quadratic (minutes).
-- SQLite updates in place and keeps its per-row triggers.
-- (V10 so that it merges beside other work's V8 and V9 unchanged.)
DROP TRIGGER user_counts_insert_delete ON users;
DROP TRIGGER user_counts_update ON users;
DROP FUNCTION user_counts_keep();

CREATE FUNCTION user_counts_inserted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE user_counts SET users = users + added.n
    FROM (SELECT status, count(*) AS n FROM inserted_users GROUP BY status) AS added
    WHERE user_counts.status = added.status;
    RETURN NULL;
END
$$;
CREATE FUNCTION user_counts_deleted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE user_counts SET users = users - removed.n
    FROM (SELECT status, count(*) AS n FROM deleted_users GROUP BY status) AS removed
    WHERE user_counts.status = removed.status;
    RETURN NULL;
END
$$;
CREATE FUNCTION user_counts_updated() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE user_counts SET users = users + moved.n
    FROM (
        SELECT status, sum(n) AS n FROM (
            SELECT n.status, 1 AS n FROM new_users AS n
                JOIN old_users AS o ON o.id = n.id WHERE o.status <> n.status
            UNION ALL
            SELECT o.status, -1 AS n FROM old_users AS o
                JOIN new_users AS n ON n.id = o.id WHERE o.status <> n.status
        ) AS changes GROUP BY status
    ) AS moved
    WHERE user_counts.status = moved.status AND moved.n <> 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER user_counts_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS inserted_users
    FOR EACH STATEMENT EXECUTE FUNCTION user_counts_inserted();
CREATE TRIGGER user_counts_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS deleted_users
    FOR EACH STATEMENT EXECUTE FUNCTION user_counts_deleted();
CREATE TRIGGER user_counts_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_users NEW TABLE AS new_users
    FOR EACH STATEMENT EXECUTE FUNCTION user_counts_updated();

DROP TRIGGER memberships_count ON memberships;
DROP FUNCTION memberships_count();

CREATE FUNCTION memberships_inserted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE groups SET member_count = member_count + added.n
    FROM (SELECT group_id, count(*) AS n FROM inserted_memberships GROUP BY group_id) AS added
    WHERE groups.id = added.group_id;
    RETURN NULL;
END
$$;
CREATE FUNCTION memberships_deleted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE groups SET member_count = member_count - removed.n
    FROM (SELECT group_id, count(*) AS n FROM deleted_memberships GROUP BY group_id) AS removed
    WHERE groups.id = removed.group_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS inserted_memberships
    FOR EACH STATEMENT EXECUTE FUNCTION memberships_inserted();
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS deleted_memberships
    FOR EACH STATEMENT EXECUTE FUNCTION memberships_deleted();
