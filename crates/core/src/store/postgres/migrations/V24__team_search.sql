-- A search in a team is tested on the team's own pairs (V14), which keep
-- each user's name and address beside their lead, and now their words
-- (V15's expression, on the pair's copies of the same keys): one index of
-- a lead's pairs holds all that a search tests and every sort key a page
-- picks its own from, so a team's hits are read from it alone, no user's
-- row read but the page's. A search was tested on each member's row,
-- read one by one ("ann" in a team of 10,254 at a million users: every
-- member read for its 374 hits, 45–70 ms, 413 from disk), after its hits
-- among everyone were read to half the team's size (30–90 ms).
ALTER TABLE user_ancestors ADD COLUMN words TEXT COLLATE "C" GENERATED ALWAYS AS (
    regexp_replace(name_key, '[ -/:-@[-`{-~]+', ' ', 'g') || ' ' ||
    regexp_replace(split_part(email_normalized, '@', 1), '[ -/:-@[-`{-~]+', ' ', 'g') || ' ' ||
    split_part(email_normalized, '@', 2)
) STORED;

CREATE INDEX user_ancestors_search ON user_ancestors (ancestor_id)
    INCLUDE (user_id, name_key, email_normalized, words, created_at, last_sign_in_at);
