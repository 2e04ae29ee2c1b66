-- Names sort and are searched by a key without accents (the core's
-- domain::search_key): "José", "JOSE" and "Jose" share the key "jose",
-- "Łukasz" and "Lukasz" the key "lukasz", so that a search typed with the
-- accent or without it finds them all. A key kept so far was the name in
-- Unicode lowercase: each table listed here has its rows keyed again by
-- the core when the store is next opened (store/sqlite/search_keys.rs),
-- and leaves the list once done. The words, the trigram index and the
-- team's copies of each key (V15, V21, V14) follow through their triggers.
CREATE TABLE name_keys_pending (table_name TEXT PRIMARY KEY NOT NULL);
INSERT INTO name_keys_pending (table_name) VALUES ('clients'), ('deleted_users'), ('users');
