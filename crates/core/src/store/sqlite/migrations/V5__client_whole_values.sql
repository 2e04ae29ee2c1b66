-- Whole-value search for operators who see client data masked: they find a
-- client only by its exact email (email_normalized), E.164 phone (phone),
-- id, or full name folded for case, accents and white space (name_folded,
-- written by Roster: `domain::fold_name`). Rows written before this version
-- get their name_folded when the store is next opened.
ALTER TABLE clients ADD COLUMN name_folded TEXT;
CREATE INDEX clients_name_folded ON clients (name_folded, id);
