-- The recycle bin: a deleted user's row, group ids and two-factor
-- enrolment, kept for the setting's number of days (accounts.recycle_bin_days)
-- so a restore brings them back under the same id, and so with their
-- history. The email is not unique here: a deleted user's address is free
-- to reuse, and a restore is refused while another user holds it.
CREATE TABLE deleted_users (
    id                   BIGINT PRIMARY KEY,
    name                 TEXT    NOT NULL,
    name_key             TEXT    NOT NULL,
    email                TEXT    NOT NULL,
    email_normalized     TEXT    NOT NULL,
    status               TEXT    NOT NULL,
    supervisor_id        BIGINT,
    password_hash        TEXT    NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    mask_client_data     BOOLEAN NOT NULL,
    two_factor           TEXT    NOT NULL,
    created_at           BIGINT  NOT NULL,
    last_sign_in_at      BIGINT  NOT NULL,
    password_changed_at  BIGINT  NOT NULL,
    valid_until          TEXT,
    version              BIGINT  NOT NULL,
    -- The ids of the user's groups, comma-separated ('' for none).
    group_ids            TEXT    NOT NULL,
    -- The authenticator-app enrolment, when there was one.
    totp_secret          TEXT,
    totp_confirmed       BOOLEAN,
    totp_last_step       BIGINT,
    totp_created_at      BIGINT,
    deleted_at           BIGINT  NOT NULL,
    deleted_by           TEXT    NOT NULL
);
CREATE INDEX deleted_users_deleted_at ON deleted_users (deleted_at, id);

CREATE TABLE deleted_recovery_codes (
    user_id   BIGINT NOT NULL REFERENCES deleted_users (id) ON DELETE CASCADE,
    code_hash TEXT   NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- When the password was last set (by its user, an administrator's reset,
-- or at creation), for "password older than a year"; it and the failed
-- sign-ins sort and filter the overview through their own indexes. Before this version
-- it was not kept: the newest password event of the audit log stands in,
-- else the account's creation.
ALTER TABLE users ADD COLUMN password_changed_at BIGINT NOT NULL DEFAULT 0;
UPDATE users SET password_changed_at = coalesce(
    (SELECT max(a.at) FROM audit_events a
      WHERE a.target_kind = 'user' AND a.target_id = users.id
        AND a.action IN ('user.change_password', 'user.reset_password')),
    created_at);
CREATE INDEX users_password_changed_at ON users (password_changed_at, id);
CREATE INDEX users_failed_sign_ins ON users (failed_sign_ins, id);
-- Few accounts are locked at any time: a partial index finds them.
CREATE INDEX users_locked_until ON users (locked_until, id) WHERE locked_until IS NOT NULL;
