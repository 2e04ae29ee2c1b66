-- pg_trgm splits a value into words wherever a character is neither a
-- letter nor a digit, and a search is asked of its trigram index by its
-- words' trigrams alone: "j.smith@" by those of "smith" (every Smith's
-- rows, tens of thousands of entries for "  s" and "th "), "james smith"
-- by every James's and every Smith's, 20–60 ms at a million clients for
-- a few dozen hits. These indexes replace the name's key's and the
-- address's (V1, V4): they hold each value with its ASCII space and
-- punctuation made digits, one word (`search::joined`, whose expression
-- `search::joined_column` writes the same; a backslash, which no name or
-- address holds, stays out of the literal), so that the search is asked
-- by the trigrams across its punctuation too ("j1s", "1sm", "th2"), which
-- few rows have. A search with a digit or punctuation tests the value as
-- typed as well. The phone's index and the words' (V15) are unchanged.
-- Where pg_trgm is there (see V1). The tables are analysed again at the
-- end: the planner knows an expression's values only from the statistics
-- of its index, which a new index has none of until then.
DROP INDEX IF EXISTS users_name_trigrams;
DROP INDEX IF EXISTS users_email_trigrams;
DROP INDEX IF EXISTS clients_name_trigrams;
DROP INDEX IF EXISTS clients_email_trigrams;

DO $$
DECLARE
    trigram_schema name;
    punctuation text := ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~';
    digits text := '01234569999999999999999999999999';
BEGIN
    SELECT n.nspname INTO trigram_schema
        FROM pg_opclass c
        JOIN pg_namespace n ON n.oid = c.opcnamespace
        JOIN pg_am a ON a.oid = c.opcmethod
        WHERE c.opcname = 'gin_trgm_ops' AND a.amname = 'gin'
        LIMIT 1;
    IF trigram_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX users_name_joined_trigrams ON users USING gin ((translate(name_key, %L, %L)) %I.gin_trgm_ops)', punctuation, digits, trigram_schema);
        EXECUTE format('CREATE INDEX users_email_joined_trigrams ON users USING gin ((translate(email_normalized, %L, %L)) %I.gin_trgm_ops)', punctuation, digits, trigram_schema);
        EXECUTE format('CREATE INDEX clients_name_joined_trigrams ON clients USING gin ((translate(name_key, %L, %L)) %I.gin_trgm_ops)', punctuation, digits, trigram_schema);
        EXECUTE format('CREATE INDEX clients_email_joined_trigrams ON clients USING gin ((translate(email_normalized, %L, %L)) %I.gin_trgm_ops)', punctuation, digits, trigram_schema);
    END IF;
END
$$;

ANALYZE users;
ANALYZE clients;
