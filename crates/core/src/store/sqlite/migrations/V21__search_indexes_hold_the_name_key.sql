-- The trigram indexes of users and clients hold the name's key (the name
-- lowercased as the overview sorts and tests it, `search_plan::rule`)
-- where they held the name as typed: the index then finds every row the
-- rule finds, so a search reads the same rows whichever plan it takes (a
-- name whose capital letter lowercases otherwise than the index folds it,
-- "ALİ", was walked to but not read from the index). Rebuilt once, and
-- merged into one segment ('optimize': a rebuilt index is otherwise read
-- from many, "james smith" among a million clients 7 ms against 2 ms): about
-- a minute a million rows.
DROP TRIGGER users_search_insert;
DROP TRIGGER users_search_delete;
DROP TRIGGER users_search_update;
DROP TABLE users_search;
CREATE VIRTUAL TABLE users_search USING fts5 (
    name_key, email, content = 'users', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO users_search (users_search) VALUES ('rebuild');
INSERT INTO users_search (users_search) VALUES ('optimize');
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, name_key, email) VALUES (new.id, new.name_key, new.email);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, name_key, email)
        VALUES ('delete', old.id, old.name_key, old.email);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF name_key, email ON users BEGIN
    INSERT INTO users_search (users_search, rowid, name_key, email)
        VALUES ('delete', old.id, old.name_key, old.email);
    INSERT INTO users_search (rowid, name_key, email) VALUES (new.id, new.name_key, new.email);
END;

DROP TRIGGER clients_search_insert;
DROP TRIGGER clients_search_delete;
DROP TRIGGER clients_search_update;
DROP TABLE clients_search;
CREATE VIRTUAL TABLE clients_search USING fts5 (
    name_key, email, phone, content = 'clients', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO clients_search (clients_search) VALUES ('rebuild');
INSERT INTO clients_search (clients_search) VALUES ('optimize');
CREATE TRIGGER clients_search_insert AFTER INSERT ON clients BEGIN
    INSERT INTO clients_search (rowid, name_key, email, phone)
        VALUES (new.id, new.name_key, new.email, new.phone);
END;
CREATE TRIGGER clients_search_delete AFTER DELETE ON clients BEGIN
    INSERT INTO clients_search (clients_search, rowid, name_key, email, phone)
        VALUES ('delete', old.id, old.name_key, old.email, old.phone);
END;
CREATE TRIGGER clients_search_update AFTER UPDATE OF name_key, email, phone ON clients BEGIN
    INSERT INTO clients_search (clients_search, rowid, name_key, email, phone)
        VALUES ('delete', old.id, old.name_key, old.email, old.phone);
    INSERT INTO clients_search (rowid, name_key, email, phone)
        VALUES (new.id, new.name_key, new.email, new.phone);
END;
