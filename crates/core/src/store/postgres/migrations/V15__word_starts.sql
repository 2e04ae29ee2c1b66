-- Searches of one or two characters match the start of any word: of the
-- name, of the email's local part, and the email's domain as one word. A
-- word starts at the beginning or after an ASCII space or punctuation
-- character (`search::word_start_condition` is the rule itself). `words`
-- holds each row's words, one space between them: the name's and the
-- local part's with every run of ASCII space and punctuation made one
-- space, then the domain as it is. A word start is then `words LIKE 'x%'`
-- or `LIKE '% x%'`, which a trigram index (pg_trgm pads each word's start)
-- answers without reading every row.
ALTER TABLE users ADD COLUMN words TEXT COLLATE "C" GENERATED ALWAYS AS (
    regexp_replace(name_key, '[ -/:-@[-`{-~]+', ' ', 'g') || ' ' ||
    regexp_replace(split_part(email_normalized, '@', 1), '[ -/:-@[-`{-~]+', ' ', 'g') || ' ' ||
    split_part(email_normalized, '@', 2)
) STORED;
ALTER TABLE clients ADD COLUMN words TEXT COLLATE "C" GENERATED ALWAYS AS (
    regexp_replace(name_key, '[ -/:-@[-`{-~]+', ' ', 'g') || ' ' ||
    regexp_replace(split_part(coalesce(email_normalized, ''), '@', 1), '[ -/:-@[-`{-~]+', ' ', 'g')
    || ' ' || split_part(coalesce(email_normalized, ''), '@', 2)
) STORED;

-- The trigram indexes, where pg_trgm is there (see V1).
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
        EXECUTE format('CREATE INDEX users_words_trigrams ON users USING gin (words %I.gin_trgm_ops)', trigram_schema);
        EXECUTE format('CREATE INDEX clients_words_trigrams ON clients USING gin (words %I.gin_trgm_ops)', trigram_schema);
    END IF;
END
$$;
