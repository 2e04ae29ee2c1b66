-- A search of one or two characters whose hits cluster where it starts the
-- name's key or the email ("ve" among a million users, 38,000 of whom are
-- called Vera) is split as a longer one is (V17): the range of the sort's
-- index that starts with it, beside its other hits, read by id. Those are
-- the rows whose other key starts with it (its index's range), and the
-- rows with a word past the first of the name and of the address's local
-- part that starts with it: the words (V15) less each of those two first
-- words, which these trigram indexes hold. The words' own index hands back
-- every Vera to be read and dropped (at a million users, the server walked
-- the name's index to them instead: 2.3 s). Every word here follows a
-- space, so `LIKE '% ve%'` finds it (`search_plan::postgres::word_tails`
-- writes the same expression). Where pg_trgm is there (see V1).
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
        EXECUTE format('CREATE INDEX users_word_tails ON users USING gin ((regexp_replace(regexp_replace(name_key, ''^[^ -/:-@[-`{-~]+'', ''''), ''[ -/:-@[-`{-~]+'', '' '', ''g'') || '' '' || regexp_replace(regexp_replace(split_part(email_normalized, ''@'', 1), ''^[^ -/:-@[-`{-~]+'', ''''), ''[ -/:-@[-`{-~]+'', '' '', ''g'') || '' '' || split_part(email_normalized, ''@'', 2)) %I.gin_trgm_ops)', trigram_schema);
        EXECUTE format('CREATE INDEX clients_word_tails ON clients USING gin ((regexp_replace(regexp_replace(name_key, ''^[^ -/:-@[-`{-~]+'', ''''), ''[ -/:-@[-`{-~]+'', '' '', ''g'') || '' '' || regexp_replace(regexp_replace(split_part(coalesce(email_normalized, ''''), ''@'', 1), ''^[^ -/:-@[-`{-~]+'', ''''), ''[ -/:-@[-`{-~]+'', '' '', ''g'') || '' '' || split_part(coalesce(email_normalized, ''''), ''@'', 2)) %I.gin_trgm_ops)', trigram_schema);
    END IF;
END
$$;
