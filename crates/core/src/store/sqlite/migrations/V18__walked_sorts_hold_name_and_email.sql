-- The sort indexes a frequent search walks (name, creation, last sign-in)
-- hold the name's key and the email too, as typed and normalised: each row
-- the walk reads is tested in the index, and only the page's rows are
-- looked up in the table. At a million users a walk for "müller" by name
-- took 23 ms and 8 ms so, "zh" 13 ms and 3 ms. About 85 bytes a user for
-- each index.
DROP INDEX users_name_key;
CREATE INDEX users_name_key ON users (name_key, id, email_normalized, email);
DROP INDEX users_created_at;
CREATE INDEX users_created_at ON users (created_at, id, name_key, email_normalized, email);
DROP INDEX users_last_sign_in_at;
CREATE INDEX users_last_sign_in_at ON users (last_sign_in_at, id, name_key, email_normalized, email);
