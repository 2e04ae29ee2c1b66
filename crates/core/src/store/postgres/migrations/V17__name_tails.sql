-- A search in the name sort whose hits cluster where it starts the name's
-- key ("jennifer": over 10,000 hits among a million clients, nearly all of
-- them Jennifers) is split: the range of the name's index that starts
-- with it, beside its other hits, few, read by id and sorted
-- (`search_plan::postgres::other_hits`). An other hit holds the search in the
-- name's key or the email past their first character, or at the email's
-- start. The trigram indexes of the whole values hand back every Jennifer
-- (whose address holds "jennifer" too) to be read and dropped, 1.6 s at a
-- million; the trigram indexes of `substr(…, 2)` hand back none of them,
-- and the email's index, which now holds the name's key, finds the few
-- addresses starting with the search under another name without reading
-- a row (about 5 ms for "jennifer"). Where pg_trgm is there (see V1).
CREATE UNIQUE INDEX users_email_normalized_names ON users (email_normalized) INCLUDE (name_key);
DROP INDEX users_email_normalized;
CREATE INDEX clients_email_normalized_names ON clients (email_normalized, id) INCLUDE (name_key);
DROP INDEX clients_email_normalized;

DO $$
DECLARE
    trigram_schema name;
BEGIN
    SELECT n.nspname INTO trigram_schema
        FROM pg_opclass c
        JOIN pg_namespace n ON n.oid = c.opcnamespace
        JOIN pg_am a ON a.oid = c.opcmethod
        WHERE c.opcname = 'gin_trgm_ops' AND a.amname = 'gin'
        LIMIT 1;
    IF trigram_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX users_name_tail_trigrams ON users USING gin ((substr(name_key, 2)) %I.gin_trgm_ops)', trigram_schema);
        EXECUTE format('CREATE INDEX users_email_tail_trigrams ON users USING gin ((substr(email_normalized, 2)) %I.gin_trgm_ops)', trigram_schema);
        EXECUTE format('CREATE INDEX clients_name_tail_trigrams ON clients USING gin ((substr(name_key, 2)) %I.gin_trgm_ops)', trigram_schema);
        EXECUTE format('CREATE INDEX clients_email_tail_trigrams ON clients USING gin ((substr(email_normalized, 2)) %I.gin_trgm_ops)', trigram_schema);
    END IF;
END
$$;
