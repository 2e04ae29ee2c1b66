-- Clients: the customers whose personal data (name, email, phone) is masked
-- for operators with mask_client_data. Phones are kept in E.164; name_key
-- and email_normalized are lowercased for sorting and search.

-- AUTOINCREMENT: an id is never reused, so the audit trail's ids stay true.
CREATE TABLE clients (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL,
    name_key         TEXT    NOT NULL,
    email            TEXT,
    email_normalized TEXT,
    phone            TEXT,
    country          TEXT    CHECK (country IS NULL OR length(country) = 2),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    CHECK ((email IS NULL) = (email_normalized IS NULL))
);
CREATE INDEX clients_name_key ON clients (name_key, id);
CREATE INDEX clients_created_at ON clients (created_at, id);
CREATE INDEX clients_email_normalized ON clients (email_normalized, id);
CREATE INDEX clients_phone ON clients (phone, id);

-- Substring search on name, email and phone (trigram index).
CREATE VIRTUAL TABLE clients_search USING fts5 (
    name, email, phone, content = 'clients', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER clients_search_insert AFTER INSERT ON clients BEGIN
    INSERT INTO clients_search (rowid, name, email, phone)
        VALUES (new.id, new.name, new.email, new.phone);
END;
CREATE TRIGGER clients_search_delete AFTER DELETE ON clients BEGIN
    INSERT INTO clients_search (clients_search, rowid, name, email, phone)
        VALUES ('delete', old.id, old.name, old.email, old.phone);
END;
CREATE TRIGGER clients_search_update AFTER UPDATE OF name, email, phone ON clients BEGIN
    INSERT INTO clients_search (clients_search, rowid, name, email, phone)
        VALUES ('delete', old.id, old.name, old.email, old.phone);
    INSERT INTO clients_search (rowid, name, email, phone)
        VALUES (new.id, new.name, new.email, new.phone);
END;

-- The kept count, so the overview's total needs no scan.
CREATE TABLE client_counts (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    clients INTEGER NOT NULL
);
INSERT INTO client_counts (id, clients) VALUES (1, 0);
CREATE TRIGGER client_counts_insert AFTER INSERT ON clients BEGIN
    UPDATE client_counts SET clients = clients + 1 WHERE id = 1;
END;
CREATE TRIGGER client_counts_delete AFTER DELETE ON clients BEGIN
    UPDATE client_counts SET clients = clients - 1 WHERE id = 1;
END;
