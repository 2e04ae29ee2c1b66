-- Clients, as in the SQLite schema (store/sqlite/migrations/V4__clients.sql):
-- the customers whose personal data (name, email, phone) is masked for
-- operators with mask_client_data. Phones are kept in E.164; name_key and
-- email_normalized are lowercased for sorting and search.

CREATE TABLE clients (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             TEXT   NOT NULL,
    name_key         TEXT   COLLATE "C" NOT NULL,
    email            TEXT,
    email_normalized TEXT   COLLATE "C",
    phone            TEXT   COLLATE "C",
    country          TEXT   CHECK (country IS NULL OR length(country) = 2),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    CHECK ((email IS NULL) = (email_normalized IS NULL))
);
CREATE INDEX clients_name_key ON clients (name_key, id);
CREATE INDEX clients_created_at ON clients (created_at, id);
CREATE INDEX clients_email_normalized ON clients (email_normalized, id);
CREATE INDEX clients_phone ON clients (phone, id);

-- The kept count, so the overview's total needs no scan.
CREATE TABLE client_counts (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    clients BIGINT  NOT NULL CHECK (clients >= 0)
);
INSERT INTO client_counts (id, clients) VALUES (1, 0);

CREATE FUNCTION client_counts_keep() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE client_counts SET clients = clients + 1 WHERE id = 1;
    ELSE
        UPDATE client_counts SET clients = clients - 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER client_counts_keep AFTER INSERT OR DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION client_counts_keep();

-- Substring search on name, email and phone: trigram indexes (pg_trgm),
-- as for users in V1. The extension is created there when it can be; here
-- only the indexes, and where pg_trgm is missing searches scan instead.
DO $$
DECLARE
    trigram_schema name;
BEGIN
    PERFORM pg_advisory_xact_lock(5283917415220471808);
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm is not available (%); client searches scan the table', SQLERRM;
    END;
    SELECT n.nspname INTO trigram_schema
        FROM pg_opclass c
        JOIN pg_namespace n ON n.oid = c.opcnamespace
        JOIN pg_am a ON a.oid = c.opcmethod
        WHERE c.opcname = 'gin_trgm_ops' AND a.amname = 'gin'
        LIMIT 1;
    IF trigram_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX clients_name_trigrams ON clients USING gin (name_key %I.gin_trgm_ops)', trigram_schema);
        EXECUTE format('CREATE INDEX clients_email_trigrams ON clients USING gin (email_normalized %I.gin_trgm_ops)', trigram_schema);
        EXECUTE format('CREATE INDEX clients_phone_trigrams ON clients USING gin (phone %I.gin_trgm_ops)', trigram_schema);
    END IF;
END
$$;
