-- An optional last day an account may sign in on ("valid until"), as an
-- ISO date (YYYY-MM-DD, a day in UTC): from the next day on the account is
-- expired. Text in that form compares like the dates it names, so the
-- overview's "Expired" filter is one range on this partial index.
ALTER TABLE users ADD COLUMN valid_until TEXT CHECK (valid_until IS NULL OR length(valid_until) = 10);
CREATE INDEX users_valid_until ON users (valid_until, id) WHERE valid_until IS NOT NULL;
