-- Searches of one or two characters match the start of any word: of the
-- name, of the email's local part, and the email's domain as one word. A
-- word starts at the beginning or after an ASCII space or punctuation
-- character (`search::word_start_condition` is the rule itself). These
-- FTS5 tables, with the ascii tokenizer (which splits at exactly those
-- characters and keeps every other one) and prefix indexes of one and two
-- characters, hold each row's words: the domain with its dots and hyphens
-- taken out, so that it is one word. They find the few rows of a rare word
-- start without reading every row; the rule is then checked on each.
-- Contentless: the triggers hand each row's words in, and the same words
-- out again on a change or a delete.

CREATE VIRTUAL TABLE users_words USING fts5 (
    name, email, content = '', tokenize = 'ascii', prefix = '1 2'
);
INSERT INTO users_words (rowid, name, email)
    SELECT id, name_key,
            substr(email_normalized, 1, instr(email_normalized, '@') - 1) || ' ' ||
            replace(replace(substr(email_normalized, instr(email_normalized, '@') + 1), '.', ''), '-', '') FROM users;
CREATE TRIGGER users_words_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_words (rowid, name, email)
        VALUES (new.id, new.name_key,
            substr(new.email_normalized, 1, instr(new.email_normalized, '@') - 1) || ' ' ||
            replace(replace(substr(new.email_normalized, instr(new.email_normalized, '@') + 1), '.', ''), '-', ''));
END;
CREATE TRIGGER users_words_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_words (users_words, rowid, name, email)
        VALUES ('delete', old.id, old.name_key,
            substr(old.email_normalized, 1, instr(old.email_normalized, '@') - 1) || ' ' ||
            replace(replace(substr(old.email_normalized, instr(old.email_normalized, '@') + 1), '.', ''), '-', ''));
END;
CREATE TRIGGER users_words_update AFTER UPDATE OF name_key, email_normalized ON users BEGIN
    INSERT INTO users_words (users_words, rowid, name, email)
        VALUES ('delete', old.id, old.name_key,
            substr(old.email_normalized, 1, instr(old.email_normalized, '@') - 1) || ' ' ||
            replace(replace(substr(old.email_normalized, instr(old.email_normalized, '@') + 1), '.', ''), '-', ''));
    INSERT INTO users_words (rowid, name, email)
        VALUES (new.id, new.name_key,
            substr(new.email_normalized, 1, instr(new.email_normalized, '@') - 1) || ' ' ||
            replace(replace(substr(new.email_normalized, instr(new.email_normalized, '@') + 1), '.', ''), '-', ''));
END;

CREATE VIRTUAL TABLE clients_words USING fts5 (
    name, email, content = '', tokenize = 'ascii', prefix = '1 2'
);
INSERT INTO clients_words (rowid, name, email)
    SELECT id, name_key,
            substr(email_normalized, 1, instr(email_normalized, '@') - 1) || ' ' ||
            replace(replace(substr(email_normalized, instr(email_normalized, '@') + 1), '.', ''), '-', '') FROM clients;
CREATE TRIGGER clients_words_insert AFTER INSERT ON clients BEGIN
    INSERT INTO clients_words (rowid, name, email)
        VALUES (new.id, new.name_key,
            substr(new.email_normalized, 1, instr(new.email_normalized, '@') - 1) || ' ' ||
            replace(replace(substr(new.email_normalized, instr(new.email_normalized, '@') + 1), '.', ''), '-', ''));
END;
CREATE TRIGGER clients_words_delete AFTER DELETE ON clients BEGIN
    INSERT INTO clients_words (clients_words, rowid, name, email)
        VALUES ('delete', old.id, old.name_key,
            substr(old.email_normalized, 1, instr(old.email_normalized, '@') - 1) || ' ' ||
            replace(replace(substr(old.email_normalized, instr(old.email_normalized, '@') + 1), '.', ''), '-', ''));
END;
CREATE TRIGGER clients_words_update AFTER UPDATE OF name_key, email_normalized ON clients BEGIN
    INSERT INTO clients_words (clients_words, rowid, name, email)
        VALUES ('delete', old.id, old.name_key,
            substr(old.email_normalized, 1, instr(old.email_normalized, '@') - 1) || ' ' ||
            replace(replace(substr(old.email_normalized, instr(old.email_normalized, '@') + 1), '.', ''), '-', ''));
    INSERT INTO clients_words (rowid, name, email)
        VALUES (new.id, new.name_key,
            substr(new.email_normalized, 1, instr(new.email_normalized, '@') - 1) || ' ' ||
            replace(replace(substr(new.email_normalized, instr(new.email_normalized, '@') + 1), '.', ''), '-', ''));
END;
