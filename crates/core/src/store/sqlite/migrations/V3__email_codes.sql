-- Emailed sign-in codes: at most one outstanding per user, kept only as a
-- salted hash, with its expiry and the wrong attempts made against it.

CREATE TABLE email_codes (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0)
);
