-- A frequent search alone by last sign-in walks the sort's index for its
-- page, as by name and creation (`search_plan::postgres::walked`, V18):
-- this index holds every value a search of users tests (the name's key,
-- the address, the words a short search starts), so the walk reads no row
-- of the table (each row read costs 2.5 µs and more; every hit of "mar",
-- 9,507 among 100,000 users, had been read and sorted: 97 ms). It
-- replaces the sort's own index, which it serves as before; a sign-in
-- rewrote that index's entry already.
CREATE INDEX users_last_sign_in_walk ON users (last_sign_in_at, id)
    INCLUDE (name_key, email_normalized, words);
DROP INDEX users_last_sign_in_at;
