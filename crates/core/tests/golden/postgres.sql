-- users: everyone by name
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u ORDER BY u.name_key ASC, u.id ASC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: everyone by name, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.name_key, u.id) > ($2, $3) ORDER BY u.name_key ASC, u.id ASC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: by email, descending
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u ORDER BY u.email_normalized DESC, u.id DESC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;

-- users: by email, descending, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.email_normalized, u.id) < ($2, $3) ORDER BY u.email_normalized DESC, u.id DESC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;

-- users: by created
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u ORDER BY u.created_at ASC, u.id ASC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: by created, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.created_at, u.id) > ($2, $3) ORDER BY u.created_at ASC, u.id ASC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;

-- users: by last sign-in, descending
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u ORDER BY u.last_sign_in_at DESC, u.id DESC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: by last sign-in, descending, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.last_sign_in_at, u.id) < ($2, $3) ORDER BY u.last_sign_in_at DESC, u.id DESC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;

-- users: by password changed
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u ORDER BY u.password_changed_at ASC, u.id ASC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: by password changed, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.password_changed_at, u.id) > ($2, $3) ORDER BY u.password_changed_at ASC, u.id ASC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;

-- users: by failed sign-ins, descending
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u ORDER BY u.failed_sign_ins DESC, u.id DESC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: by failed sign-ins, descending, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.failed_sign_ins, u.id) < ($2, $3) ORDER BY u.failed_sign_ins DESC, u.id DESC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;

-- users: never signed in
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.last_sign_in_at = 0 LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.last_sign_in_at = 0 ORDER BY u.name_key ASC, u.id ASC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: never signed in, second page
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.last_sign_in_at = 0 LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.last_sign_in_at = 0 AND (u.name_key, u.id) > ($2, $3) ORDER BY u.name_key ASC, u.id ASC LIMIT $1;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: password older than a year
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.password_changed_at < $1 LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.password_changed_at < $1 ORDER BY u.name_key ASC, u.id ASC LIMIT $2;

-- users: enabled
SELECT coalesce((SELECT users FROM user_counts WHERE status = $1), 0);
SELECT count(*) FROM users u WHERE u.valid_until IS NOT NULL AND u.valid_until < $1 AND u.status = 'enabled';
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM user_statuses s JOIN users u ON u.id = s.user_id AND s.status = 'enabled' WHERE u.status = 'enabled' AND (u.valid_until IS NULL OR u.valid_until >= $1) ORDER BY s.name_key ASC, s.user_id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;

-- users: enabled, second page
SELECT coalesce((SELECT users FROM user_counts WHERE status = $1), 0);
SELECT count(*) FROM users u WHERE u.valid_until IS NOT NULL AND u.valid_until < $1 AND u.status = 'enabled';
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM user_statuses s JOIN users u ON u.id = s.user_id AND s.status = 'enabled' WHERE u.status = 'enabled' AND (u.valid_until IS NULL OR u.valid_until >= $1) AND (s.name_key, s.user_id) > ($3, $4) ORDER BY s.name_key ASC, s.user_id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: expired
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.valid_until IS NOT NULL AND u.valid_until < $1 AND u.status = 'enabled' LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.valid_until IS NOT NULL AND u.valid_until < $1 AND u.status = 'enabled' ORDER BY u.name_key ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: expired, second page
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.valid_until IS NOT NULL AND u.valid_until < $1 AND u.status = 'enabled' LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.valid_until IS NOT NULL AND u.valid_until < $1 AND u.status = 'enabled' AND (u.name_key, u.id) > ($3, $4) ORDER BY u.name_key ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;

-- users: short search
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
WITH hits AS MATERIALIZED (SELECT u.id, u.name_key FROM users u WHERE ((starts_with(u.words, $3) OR strpos(u.words, $4) > 0) AND (u.words LIKE $1 OR u.words LIKE $2)) LIMIT 10001) SELECT * FROM hits LIMIT $5;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) ORDER BY (u.name_key || '') ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: short search, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
WITH hits AS MATERIALIZED (SELECT u.id, u.name_key FROM users u WHERE ((starts_with(u.words, $3) OR strpos(u.words, $4) > 0) AND (u.words LIKE $1 OR u.words LIKE $2)) LIMIT 10001) SELECT * FROM hits LIMIT $5;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) AND (u.name_key, u.id) > ($3, $4) ORDER BY (u.name_key || '') ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: long search
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
WITH hits AS MATERIALIZED (SELECT u.id, u.name_key FROM users u WHERE ((strpos(u.name_key, $3) > 0 OR strpos(u.email_normalized, $3) > 0) AND ((strpos(u.name_key, $2) > 0 AND translate(u.name_key, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1) OR (strpos(u.email_normalized, $2) > 0 AND translate(u.email_normalized, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1))) LIMIT 10001) SELECT * FROM hits LIMIT $4;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) ORDER BY (u.name_key || '') ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: long search, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
WITH hits AS MATERIALIZED (SELECT u.id, u.name_key FROM users u WHERE ((strpos(u.name_key, $3) > 0 OR strpos(u.email_normalized, $3) > 0) AND ((strpos(u.name_key, $2) > 0 AND translate(u.name_key, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1) OR (strpos(u.email_normalized, $2) > 0 AND translate(u.email_normalized, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1))) LIMIT 10001) SELECT * FROM hits LIMIT $4;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) AND (u.name_key, u.id) > ($3, $4) ORDER BY (u.name_key || '') ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: long search, disabled
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT coalesce((SELECT users FROM user_counts WHERE status = $1), 0);
WITH hits AS MATERIALIZED (SELECT u.id, u.name_key FROM users u WHERE ((strpos(u.name_key, $3) > 0 OR strpos(u.email_normalized, $3) > 0) AND ((strpos(u.name_key, $2) > 0 AND translate(u.name_key, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1) OR (strpos(u.email_normalized, $2) > 0 AND translate(u.email_normalized, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1))) LIMIT 10001) SELECT * FROM hits LIMIT $4;
SELECT u.id FROM users u WHERE u.id = ANY($1) AND u.status = 'disabled';
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT coalesce((SELECT users FROM user_counts WHERE status = $1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) AND u.status = 'disabled' ORDER BY (u.name_key || '') ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: long search, disabled, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT coalesce((SELECT users FROM user_counts WHERE status = $1), 0);
WITH hits AS MATERIALIZED (SELECT u.id, u.name_key FROM users u WHERE ((strpos(u.name_key, $3) > 0 OR strpos(u.email_normalized, $3) > 0) AND ((strpos(u.name_key, $2) > 0 AND translate(u.name_key, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1) OR (strpos(u.email_normalized, $2) > 0 AND translate(u.email_normalized, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1))) LIMIT 10001) SELECT * FROM hits LIMIT $4;
SELECT u.id FROM users u WHERE u.id = ANY($1) AND u.status = 'disabled';
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT coalesce((SELECT users FROM user_counts WHERE status = $1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) AND u.status = 'disabled' AND (u.name_key, u.id) > ($3, $4) ORDER BY (u.name_key || '') ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;

-- users: rare long search, disabled, by created
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT coalesce((SELECT users FROM user_counts WHERE status = $1), 0);
WITH hits AS MATERIALIZED (SELECT u.id, u.created_at FROM users u WHERE ((strpos(u.name_key, $3) > 0 OR strpos(u.email_normalized, $3) > 0) AND ((strpos(u.name_key, $2) > 0 AND translate(u.name_key, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1) OR (strpos(u.email_normalized, $2) > 0 AND translate(u.email_normalized, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1))) LIMIT 10001) SELECT * FROM hits LIMIT $4;
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT coalesce((SELECT users FROM user_counts WHERE status = $1), 0);
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.id = ANY($1) AND u.status = 'disabled' LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) AND u.status = 'disabled' ORDER BY (u.created_at + 0) ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: large group, rare long search, by created
SELECT coalesce((SELECT member_count FROM groups WHERE id = $1), 0);
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
WITH hits AS MATERIALIZED (SELECT u.id, u.created_at FROM users u WHERE ((strpos(u.name_key, $3) > 0 OR strpos(u.email_normalized, $3) > 0) AND ((strpos(u.name_key, $2) > 0 AND translate(u.name_key, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1) OR (strpos(u.email_normalized, $2) > 0 AND translate(u.email_normalized, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1))) LIMIT 10001) SELECT * FROM hits LIMIT $4;
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.id = ANY($1) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = $2) LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = $2) ORDER BY (u.created_at + 0) ASC, u.id ASC LIMIT $3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: large group, rare long search, by created, second page
SELECT coalesce((SELECT member_count FROM groups WHERE id = $1), 0);
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
WITH hits AS MATERIALIZED (SELECT u.id, u.created_at FROM users u WHERE ((strpos(u.name_key, $3) > 0 OR strpos(u.email_normalized, $3) > 0) AND ((strpos(u.name_key, $2) > 0 AND translate(u.name_key, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1) OR (strpos(u.email_normalized, $2) > 0 AND translate(u.email_normalized, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1))) LIMIT 10001) SELECT * FROM hits LIMIT $4;
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.id = ANY($1) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = $2) LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = $2) AND (u.created_at, u.id) > ($4, $5) ORDER BY (u.created_at + 0) ASC, u.id ASC LIMIT $3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: short search a walk finds, by created
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
WITH hits AS MATERIALIZED (SELECT u.id, u.created_at FROM users u WHERE ((starts_with(u.words, $3) OR strpos(u.words, $4) > 0) AND (u.words LIKE $1 OR u.words LIKE $2)) LIMIT 10001) SELECT * FROM hits LIMIT $5;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) ORDER BY (u.created_at + 0) ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: short search a walk finds, by created, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
WITH hits AS MATERIALIZED (SELECT u.id, u.created_at FROM users u WHERE ((starts_with(u.words, $3) OR strpos(u.words, $4) > 0) AND (u.words LIKE $1 OR u.words LIKE $2)) LIMIT 10001) SELECT * FROM hits LIMIT $5;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) AND (u.created_at, u.id) > ($3, $4) ORDER BY (u.created_at + 0) ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;

-- users: short search a walk leaves short, by created
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
WITH hits AS MATERIALIZED (SELECT u.id, u.created_at FROM users u WHERE ((starts_with(u.words, $3) OR strpos(u.words, $4) > 0) AND (u.words LIKE $1 OR u.words LIKE $2)) LIMIT 10001) SELECT * FROM hits LIMIT $5;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) ORDER BY (u.created_at + 0) ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: short search a walk leaves short, by created, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
WITH hits AS MATERIALIZED (SELECT u.id, u.created_at FROM users u WHERE ((starts_with(u.words, $3) OR strpos(u.words, $4) > 0) AND (u.words LIKE $1 OR u.words LIKE $2)) LIMIT 10001) SELECT * FROM hits LIMIT $5;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) AND (u.created_at, u.id) > ($3, $4) ORDER BY (u.created_at + 0) ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;

-- users: small group
SELECT coalesce((SELECT member_count FROM groups WHERE id = $1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u JOIN memberships gm ON gm.user_id = u.id AND gm.group_id = $1 ORDER BY u.name_key ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: small group, second page
SELECT coalesce((SELECT member_count FROM groups WHERE id = $1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u JOIN memberships gm ON gm.user_id = u.id AND gm.group_id = $1 WHERE (u.name_key, u.id) > ($3, $4) ORDER BY u.name_key ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;

-- users: large group
SELECT coalesce((SELECT member_count FROM groups WHERE id = $1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = $1) ORDER BY u.name_key ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: large group, second page
SELECT coalesce((SELECT member_count FROM groups WHERE id = $1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = $1) AND (u.name_key, u.id) > ($3, $4) ORDER BY u.name_key ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: large group, short search
SELECT coalesce((SELECT member_count FROM groups WHERE id = $1), 0);
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
WITH hits AS MATERIALIZED (SELECT u.id, u.name_key FROM users u WHERE ((starts_with(u.words, $3) OR strpos(u.words, $4) > 0) AND (u.words LIKE $1 OR u.words LIKE $2)) LIMIT 10001) SELECT * FROM hits LIMIT $5;
SELECT u.id FROM users u WHERE u.id = ANY($1) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = $2);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = $2) ORDER BY (u.name_key || '') ASC, u.id ASC LIMIT $3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: large group, short search, second page
SELECT coalesce((SELECT member_count FROM groups WHERE id = $1), 0);
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
WITH hits AS MATERIALIZED (SELECT u.id, u.name_key FROM users u WHERE ((starts_with(u.words, $3) OR strpos(u.words, $4) > 0) AND (u.words LIKE $1 OR u.words LIKE $2)) LIMIT 10001) SELECT * FROM hits LIMIT $5;
SELECT u.id FROM users u WHERE u.id = ANY($1) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = $2);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = $2) AND (u.name_key, u.id) > ($4, $5) ORDER BY (u.name_key || '') ASC, u.id ASC LIMIT $3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: supervised by the administrator
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.supervisor_id = $1 LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.supervisor_id = $1 ORDER BY u.name_key ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: supervised by the administrator, second page
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.supervisor_id = $1 LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.supervisor_id = $1 AND (u.name_key, u.id) > ($3, $4) ORDER BY u.name_key ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: the administrator's team
SELECT count(*) FROM user_ancestors WHERE ancestor_id = $1;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE u.id = $1 UNION ALL SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, a.name_key AS sort_value FROM user_ancestors a JOIN users u ON u.id = a.user_id WHERE a.ancestor_id = $1 ORDER BY a.name_key ASC, a.user_id ASC LIMIT $2) reports) u ORDER BY u.sort_value ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: the administrator's team, second page
SELECT count(*) FROM user_ancestors WHERE ancestor_id = $1;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE u.id = $1 AND (u.name_key, u.id) > ($3, $4) UNION ALL SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, a.name_key AS sort_value FROM user_ancestors a JOIN users u ON u.id = a.user_id WHERE a.ancestor_id = $1 AND (a.name_key, a.user_id) > ($5, $6) ORDER BY a.name_key ASC, a.user_id ASC LIMIT $2) reports) u ORDER BY u.sort_value ASC, u.id ASC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: the administrator's team, disabled, by created, descending
SELECT count(*) FROM user_ancestors WHERE ancestor_id = $1;
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT coalesce((SELECT users FROM user_counts WHERE status = $1), 0);
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.status = 'disabled' AND (u.id = $1 OR u.id IN (SELECT a.user_id FROM user_ancestors a WHERE a.ancestor_id = $1)) LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.created_at AS sort_value FROM users u WHERE u.status = 'disabled' AND u.id = $1 UNION ALL SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, a.created_at AS sort_value FROM user_ancestors a JOIN users u ON u.id = a.user_id WHERE u.status = 'disabled' AND a.ancestor_id = $1 ORDER BY a.created_at DESC, a.user_id DESC LIMIT $2) reports) u ORDER BY u.sort_value DESC, u.id DESC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: the administrator's team, disabled, by created, descending, second page
SELECT count(*) FROM user_ancestors WHERE ancestor_id = $1;
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT coalesce((SELECT users FROM user_counts WHERE status = $1), 0);
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.status = 'disabled' AND (u.id = $1 OR u.id IN (SELECT a.user_id FROM user_ancestors a WHERE a.ancestor_id = $1)) LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.created_at AS sort_value FROM users u WHERE u.status = 'disabled' AND u.id = $1 AND (u.created_at, u.id) < ($3, $4) UNION ALL SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, a.created_at AS sort_value FROM user_ancestors a JOIN users u ON u.id = a.user_id WHERE u.status = 'disabled' AND a.ancestor_id = $1 AND (a.created_at, a.user_id) < ($5, $6) ORDER BY a.created_at DESC, a.user_id DESC LIMIT $2) reports) u ORDER BY u.sort_value DESC, u.id DESC LIMIT $2;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: the administrator's team, short search
SELECT count(*) FROM user_ancestors WHERE ancestor_id = $1;
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT a.user_id, a.name_key FROM user_ancestors a WHERE a.ancestor_id = $5 AND (starts_with(a.words, $1) OR strpos(a.words, $2) > 0) UNION ALL SELECT u.id, u.name_key FROM users u WHERE u.id = $5 AND (starts_with(u.words, $3) OR strpos(u.words, $4) > 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) AND (u.id = $2 OR u.id IN (SELECT a.user_id FROM user_ancestors a WHERE a.ancestor_id = $2)) ORDER BY (u.name_key || '') ASC, u.id ASC LIMIT $3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- users: the administrator's team, short search, second page
SELECT count(*) FROM user_ancestors WHERE ancestor_id = $1;
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT a.user_id, a.name_key FROM user_ancestors a WHERE a.ancestor_id = $5 AND (starts_with(a.words, $1) OR strpos(a.words, $2) > 0) UNION ALL SELECT u.id, u.name_key FROM users u WHERE u.id = $5 AND (starts_with(u.words, $3) OR strpos(u.words, $4) > 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id = ANY($1) AND (u.id = $2 OR u.id IN (SELECT a.user_id FROM user_ancestors a WHERE a.ancestor_id = $2)) AND (u.name_key, u.id) > ($4, $5) ORDER BY (u.name_key || '') ASC, u.id ASC LIMIT $3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1);

-- clients: everyone by name
SELECT clients FROM client_counts WHERE id = 1;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id ORDER BY c.name_key ASC, c.id ASC LIMIT $1;

-- clients: everyone by name, second page
SELECT clients FROM client_counts WHERE id = 1;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (c.name_key, c.id) > ($1, $2) ORDER BY c.name_key ASC, c.id ASC LIMIT $3;

-- clients: by created, descending
SELECT clients FROM client_counts WHERE id = 1;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id ORDER BY c.created_at DESC, c.id DESC LIMIT $1;

-- clients: by created, descending, second page
SELECT clients FROM client_counts WHERE id = 1;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (c.created_at, c.id) < ($1, $2) ORDER BY c.created_at DESC, c.id DESC LIMIT $3;

-- clients: short search
SELECT clients FROM client_counts WHERE id = 1;
WITH hits AS MATERIALIZED (SELECT c.id, c.name_key FROM clients c WHERE ((starts_with(c.words, $3) OR strpos(c.words, $4) > 0) AND (c.words LIKE $1 OR c.words LIKE $2)) LIMIT 10001) SELECT * FROM hits LIMIT $5;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE c.id = ANY($1) ORDER BY (c.name_key || '') ASC, c.id ASC LIMIT $2;

-- clients: short search, second page
SELECT clients FROM client_counts WHERE id = 1;
WITH hits AS MATERIALIZED (SELECT c.id, c.name_key FROM clients c WHERE ((starts_with(c.words, $3) OR strpos(c.words, $4) > 0) AND (c.words LIKE $1 OR c.words LIKE $2)) LIMIT 10001) SELECT * FROM hits LIMIT $5;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE c.id = ANY($1) AND (c.name_key, c.id) > ($2, $3) ORDER BY (c.name_key || '') ASC, c.id ASC LIMIT $4;

-- clients: short phone search
SELECT clients FROM client_counts WHERE id = 1;
WITH hits AS MATERIALIZED (SELECT c.id, c.name_key FROM clients c WHERE ((c.words LIKE $1 OR c.words LIKE $2) OR (c.phone >= $3 AND c.phone < $4)) LIMIT 10001) SELECT * FROM hits LIMIT $5;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE c.id = ANY($1) ORDER BY (c.name_key || '') ASC, c.id ASC LIMIT $2;

-- clients: short phone search, second page
SELECT clients FROM client_counts WHERE id = 1;
WITH hits AS MATERIALIZED (SELECT c.id, c.name_key FROM clients c WHERE ((c.words LIKE $1 OR c.words LIKE $2) OR (c.phone >= $3 AND c.phone < $4)) LIMIT 10001) SELECT * FROM hits LIMIT $5;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE c.id = ANY($1) AND (c.name_key, c.id) > ($2, $3) ORDER BY (c.name_key || '') ASC, c.id ASC LIMIT $4;

-- clients: long search
SELECT clients FROM client_counts WHERE id = 1;
WITH hits AS MATERIALIZED (SELECT c.id, c.name_key FROM clients c WHERE ((strpos(c.name_key, $2) > 0 OR strpos(c.email_normalized, $2) > 0) AND (c.words LIKE $1)) LIMIT 10001) SELECT * FROM hits LIMIT $3;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE c.id = ANY($1) ORDER BY (c.name_key || '') ASC, c.id ASC LIMIT $2;

-- clients: long search, second page
SELECT clients FROM client_counts WHERE id = 1;
WITH hits AS MATERIALIZED (SELECT c.id, c.name_key FROM clients c WHERE ((strpos(c.name_key, $2) > 0 OR strpos(c.email_normalized, $2) > 0) AND (c.words LIKE $1)) LIMIT 10001) SELECT * FROM hits LIMIT $3;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE c.id = ANY($1) AND (c.name_key, c.id) > ($2, $3) ORDER BY (c.name_key || '') ASC, c.id ASC LIMIT $4;

-- clients: long phone search
SELECT clients FROM client_counts WHERE id = 1;
WITH hits AS MATERIALIZED (SELECT c.id, c.name_key FROM clients c WHERE ((strpos(c.name_key, $4) > 0 OR strpos(c.email_normalized, $4) > 0 OR strpos(c.phone, $5) > 0) AND ((strpos(c.name_key, $2) > 0 AND translate(c.name_key, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1) OR (strpos(c.email_normalized, $2) > 0 AND translate(c.email_normalized, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1) OR c.phone LIKE $3)) LIMIT 10001) SELECT * FROM hits LIMIT $6;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE c.id = ANY($1) ORDER BY (c.name_key || '') ASC, c.id ASC LIMIT $2;

-- clients: long phone search, second page
SELECT clients FROM client_counts WHERE id = 1;
WITH hits AS MATERIALIZED (SELECT c.id, c.name_key FROM clients c WHERE ((strpos(c.name_key, $4) > 0 OR strpos(c.email_normalized, $4) > 0 OR strpos(c.phone, $5) > 0) AND ((strpos(c.name_key, $2) > 0 AND translate(c.name_key, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1) OR (strpos(c.email_normalized, $2) > 0 AND translate(c.email_normalized, ' .@-_+''!"#$%&()*,/:;<=>?[]^`{|}~', '01234569999999999999999999999999') LIKE $1) OR c.phone LIKE $3)) LIMIT 10001) SELECT * FROM hits LIMIT $6;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE c.id = ANY($1) AND (c.name_key, c.id) > ($2, $3) ORDER BY (c.name_key || '') ASC, c.id ASC LIMIT $4;

-- clients: whole values
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE (c.id = $1 OR c.email_normalized = $2 OR c.phone = $3 OR c.name_folded = $4) LIMIT 10001) counted;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (c.id = $1 OR c.email_normalized = $2 OR c.phone = $3 OR c.name_folded = $4) ORDER BY c.created_at ASC, c.id ASC LIMIT $5;

-- clients: a team's, by name
WITH team AS MATERIALIZED (SELECT c.id, c.id AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $1 AND a.manages_clients = 1 AND a.user_id <> $1 UNION ALL SELECT c.id, c.id FROM clients c WHERE c.account_manager_id = $1) SELECT count(*) FROM (SELECT 1 FROM team LIMIT 10001) counted;
WITH team AS MATERIALIZED (SELECT c.id, c.name_key AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $1 AND a.manages_clients = 1 AND a.user_id <> $1 UNION ALL SELECT c.id, c.name_key FROM clients c WHERE c.account_manager_id = $1) SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM (SELECT id, sort_value FROM team ORDER BY sort_value ASC, id ASC LIMIT $2) p JOIN clients c ON c.id = p.id LEFT JOIN users m ON m.id = c.account_manager_id ORDER BY p.sort_value ASC, p.id ASC LIMIT $2;

-- clients: a team's, by name, second page
WITH team AS MATERIALIZED (SELECT c.id, c.id AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $1 AND a.manages_clients = 1 AND a.user_id <> $1 UNION ALL SELECT c.id, c.id FROM clients c WHERE c.account_manager_id = $1) SELECT count(*) FROM (SELECT 1 FROM team LIMIT 10001) counted;
WITH team AS MATERIALIZED (SELECT c.id, c.name_key AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $1 AND a.manages_clients = 1 AND a.user_id <> $1 AND (c.name_key, c.id) > ($2, $3) UNION ALL SELECT c.id, c.name_key FROM clients c WHERE c.account_manager_id = $1 AND (c.name_key, c.id) > ($2, $3)) SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM (SELECT id, sort_value FROM team ORDER BY sort_value ASC, id ASC LIMIT $4) p JOIN clients c ON c.id = p.id LEFT JOIN users m ON m.id = c.account_manager_id ORDER BY p.sort_value ASC, p.id ASC LIMIT $4;

-- clients: a team's long search, by created, descending
WITH team AS MATERIALIZED (SELECT c.id, c.id AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $1 AND a.manages_clients = 1 AND a.user_id <> $1 UNION ALL SELECT c.id, c.id FROM clients c WHERE c.account_manager_id = $1) SELECT count(*) FROM (SELECT 1 FROM team LIMIT 10001) counted;
WITH team AS MATERIALIZED (SELECT c.id, c.created_at AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $2 AND a.manages_clients = 1 AND a.user_id <> $2 AND (strpos(c.name_key, $1) > 0 OR strpos(c.email_normalized, $1) > 0) UNION ALL SELECT c.id, c.created_at FROM clients c WHERE c.account_manager_id = $2 AND (strpos(c.name_key, $1) > 0 OR strpos(c.email_normalized, $1) > 0)) SELECT id, sort_value FROM team LIMIT 1001;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE c.id = ANY($1) ORDER BY c.created_at DESC, c.id DESC;

-- clients: a team's long search, by created, descending, second page
WITH team AS MATERIALIZED (SELECT c.id, c.id AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $1 AND a.manages_clients = 1 AND a.user_id <> $1 UNION ALL SELECT c.id, c.id FROM clients c WHERE c.account_manager_id = $1) SELECT count(*) FROM (SELECT 1 FROM team LIMIT 10001) counted;
WITH team AS MATERIALIZED (SELECT c.id, c.id AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $2 AND a.manages_clients = 1 AND a.user_id <> $2 AND (strpos(c.name_key, $1) > 0 OR strpos(c.email_normalized, $1) > 0) UNION ALL SELECT c.id, c.id FROM clients c WHERE c.account_manager_id = $2 AND (strpos(c.name_key, $1) > 0 OR strpos(c.email_normalized, $1) > 0)) SELECT count(*) FROM (SELECT 1 FROM team LIMIT 1001) counted;
WITH team AS MATERIALIZED (SELECT c.id, c.created_at AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $2 AND a.manages_clients = 1 AND a.user_id <> $2 AND (strpos(c.name_key, $1) > 0 OR strpos(c.email_normalized, $1) > 0) AND (c.created_at, c.id) < ($3, $4) UNION ALL SELECT c.id, c.created_at FROM clients c WHERE c.account_manager_id = $2 AND (strpos(c.name_key, $1) > 0 OR strpos(c.email_normalized, $1) > 0) AND (c.created_at, c.id) < ($3, $4)) SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM (SELECT id, sort_value FROM team ORDER BY sort_value DESC, id DESC LIMIT $5) p JOIN clients c ON c.id = p.id LEFT JOIN users m ON m.id = c.account_manager_id ORDER BY p.sort_value DESC, p.id DESC LIMIT $5;

-- clients: a team's short phone search
WITH team AS MATERIALIZED (SELECT c.id, c.id AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $1 AND a.manages_clients = 1 AND a.user_id <> $1 UNION ALL SELECT c.id, c.id FROM clients c WHERE c.account_manager_id = $1) SELECT count(*) FROM (SELECT 1 FROM team LIMIT 10001) counted;
WITH team AS MATERIALIZED (SELECT c.id, c.name_key AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $5 AND a.manages_clients = 1 AND a.user_id <> $5 AND ((c.words LIKE $1 OR c.words LIKE $2) OR (c.phone >= $3 AND c.phone < $4)) UNION ALL SELECT c.id, c.name_key FROM clients c WHERE c.account_manager_id = $5 AND ((c.words LIKE $1 OR c.words LIKE $2) OR (c.phone >= $3 AND c.phone < $4))) SELECT id, sort_value FROM team LIMIT 1001;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE c.id = ANY($1) ORDER BY c.name_key ASC, c.id ASC;

-- clients: a team's short phone search, second page
WITH team AS MATERIALIZED (SELECT c.id, c.id AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $1 AND a.manages_clients = 1 AND a.user_id <> $1 UNION ALL SELECT c.id, c.id FROM clients c WHERE c.account_manager_id = $1) SELECT count(*) FROM (SELECT 1 FROM team LIMIT 10001) counted;
WITH team AS MATERIALIZED (SELECT c.id, c.id AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $5 AND a.manages_clients = 1 AND a.user_id <> $5 AND ((c.words LIKE $1 OR c.words LIKE $2) OR (c.phone >= $3 AND c.phone < $4)) UNION ALL SELECT c.id, c.id FROM clients c WHERE c.account_manager_id = $5 AND ((c.words LIKE $1 OR c.words LIKE $2) OR (c.phone >= $3 AND c.phone < $4))) SELECT count(*) FROM (SELECT 1 FROM team LIMIT 1001) counted;
WITH team AS MATERIALIZED (SELECT c.id, c.name_key AS sort_value FROM user_ancestors a JOIN clients c ON c.account_manager_id = a.user_id WHERE a.ancestor_id = $5 AND a.manages_clients = 1 AND a.user_id <> $5 AND ((c.words LIKE $1 OR c.words LIKE $2) OR (c.phone >= $3 AND c.phone < $4)) AND (c.name_key, c.id) > ($6, $7) UNION ALL SELECT c.id, c.name_key FROM clients c WHERE c.account_manager_id = $5 AND ((c.words LIKE $1 OR c.words LIKE $2) OR (c.phone >= $3 AND c.phone < $4)) AND (c.name_key, c.id) > ($6, $7)) SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM (SELECT id, sort_value FROM team ORDER BY sort_value ASC, id ASC LIMIT $8) p JOIN clients c ON c.id = p.id LEFT JOIN users m ON m.id = c.account_manager_id ORDER BY p.sort_value ASC, p.id ASC LIMIT $8;

-- clients: no whole value
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE (FALSE) LIMIT 10001) counted;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (FALSE) ORDER BY c.created_at ASC, c.id ASC LIMIT $1;

-- audit: latest
SELECT id, at, operator_id, operator_label, action, target_kind, target_id, target_label, CAST(changes AS TEXT) FROM audit_events ORDER BY id DESC LIMIT $1;

-- audit: by label, no client events, older than 100
SELECT id, at, operator_id, operator_label, action, target_kind, target_id, target_label, CAST(changes AS TEXT) FROM audit_events WHERE target_label_normalized = $1 AND target_kind <> $2 AND id < $3 ORDER BY id DESC LIMIT $4;

-- audit: one user's events by one operator
SELECT id, at, operator_id, operator_label, action, target_kind, target_id, target_label, CAST(changes AS TEXT) FROM audit_events WHERE target_kind = $1 AND target_id = $2 AND operator_id = $3 AND action = $4 ORDER BY id DESC LIMIT $5;

