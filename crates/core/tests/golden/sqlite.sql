-- users: everyone by name
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: everyone by name, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.name_key, u.id) > (?1, ?2) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: by email, descending
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u ORDER BY u.email_normalized DESC, u.id DESC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;

-- users: by email, descending, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.email_normalized, u.id) < (?1, ?2) ORDER BY u.email_normalized DESC, u.id DESC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;

-- users: by created
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u ORDER BY u.created_at ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: by created, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.created_at, u.id) > (?1, ?2) ORDER BY u.created_at ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;

-- users: by last sign-in, descending
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u ORDER BY u.last_sign_in_at DESC, u.id DESC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: by last sign-in, descending, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.last_sign_in_at, u.id) < (?1, ?2) ORDER BY u.last_sign_in_at DESC, u.id DESC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;

-- users: by password changed
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u ORDER BY u.password_changed_at ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: by password changed, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.password_changed_at, u.id) > (?1, ?2) ORDER BY u.password_changed_at ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;

-- users: by failed sign-ins, descending
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u ORDER BY u.failed_sign_ins DESC, u.id DESC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: by failed sign-ins, descending, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.failed_sign_ins, u.id) < (?1, ?2) ORDER BY u.failed_sign_ins DESC, u.id DESC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;

-- users: never signed in
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.last_sign_in_at = 0 LIMIT 2001) counted;
SELECT count(*) FROM (SELECT 1 FROM users u WHERE +u.last_sign_in_at = 0 LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE +u.last_sign_in_at = 0 ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: never signed in, second page
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.last_sign_in_at = 0 LIMIT 2001) counted;
SELECT count(*) FROM (SELECT 1 FROM users u WHERE +u.last_sign_in_at = 0 LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE +u.last_sign_in_at = 0 AND (u.name_key, u.id) > (?1, ?2) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: password older than a year
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.password_changed_at < ?1 LIMIT 2001) counted;
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.id IN (SELECT u.id FROM users u WHERE u.password_changed_at < ?1) LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.id IN (SELECT u.id FROM users u WHERE u.password_changed_at < ?1) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;

-- users: enabled
SELECT coalesce((SELECT users FROM user_counts WHERE status = ?1), 0);
SELECT count(*) FROM users u WHERE u.valid_until IS NOT NULL AND u.valid_until < ?1 AND +u.status = 'enabled';
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.status = 'enabled' AND (u.valid_until IS NULL OR u.valid_until >= ?1) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;

-- users: enabled, second page
SELECT coalesce((SELECT users FROM user_counts WHERE status = ?1), 0);
SELECT count(*) FROM users u WHERE u.valid_until IS NOT NULL AND u.valid_until < ?1 AND +u.status = 'enabled';
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.status = 'enabled' AND (u.valid_until IS NULL OR u.valid_until >= ?1) AND (u.name_key, u.id) > (?2, ?3) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2);

-- users: expired
SELECT count(*) FROM users u WHERE u.valid_until IS NOT NULL AND u.valid_until < ?1 AND +u.status = 'enabled';
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.valid_until IS NOT NULL AND u.valid_until < ?1 AND +u.status = 'enabled' ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: expired, second page
SELECT count(*) FROM users u WHERE u.valid_until IS NOT NULL AND u.valid_until < ?1 AND +u.status = 'enabled';
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.valid_until IS NOT NULL AND u.valid_until < ?1 AND +u.status = 'enabled' AND (u.name_key, u.id) > (?2, ?3) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;

-- users: short search
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT 1 FROM users u WHERE (u.name_key >= ?1 AND u.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 10001);
SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 448;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE (u.name_key >= ?2 AND u.name_key < ?3) ORDER BY u.name_key ASC, u.id ASC LIMIT 3) part UNION SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE (u.name_key >= ' ' AND u.name_key < 'a' AND roster_word_start(u.name_key, u.email_normalized, ?5)) ORDER BY u.name_key ASC, u.id ASC LIMIT 3) part UNION SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE (u.name_key >= '{' AND u.name_key < ?4 AND roster_word_start(u.name_key, u.email_normalized, ?6)) ORDER BY u.name_key ASC, u.id ASC LIMIT 3) part) u ORDER BY u.sort_value ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: short search, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT 1 FROM users u WHERE (u.name_key >= ?1 AND u.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 10001);
SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 448;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE (u.name_key >= ?2 AND u.name_key < ?3) AND (u.name_key, u.id) > (?7, ?8) ORDER BY u.name_key ASC, u.id ASC LIMIT 3) part UNION SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE (u.name_key >= ' ' AND u.name_key < 'a' AND roster_word_start(u.name_key, u.email_normalized, ?5)) AND (u.name_key, u.id) > (?9, ?10) ORDER BY u.name_key ASC, u.id ASC LIMIT 3) part UNION SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE (u.name_key >= '{' AND u.name_key < ?4 AND roster_word_start(u.name_key, u.email_normalized, ?6)) AND (u.name_key, u.id) > (?11, ?12) ORDER BY u.name_key ASC, u.id ASC LIMIT 3) part) u ORDER BY u.sort_value ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2);

-- users: long search
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT 1 FROM users u WHERE (u.name_key >= ?1 AND u.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM users_search WHERE users_search MATCH ?1 LIMIT 10001);
SELECT rowid FROM users_search WHERE users_search MATCH ?1 LIMIT 142;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.name_key >= ?4 AND u.name_key < ?5) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: long search, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT 1 FROM users u WHERE (u.name_key >= ?1 AND u.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM users_search WHERE users_search MATCH ?1 LIMIT 10001);
SELECT rowid FROM users_search WHERE users_search MATCH ?1 LIMIT 142;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.name_key >= ?4 AND u.name_key < ?5) AND (u.name_key, u.id) > (?6, ?7) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2);

-- users: long search, disabled
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT coalesce((SELECT users FROM user_counts WHERE status = ?1), 0);
SELECT count(*) FROM (SELECT 1 FROM users u WHERE (u.name_key >= ?1 AND u.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM users_search WHERE users_search MATCH ?1 LIMIT 10001);
SELECT rowid FROM users_search WHERE users_search MATCH ?1 LIMIT 246;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.name_key >= ?4 AND u.name_key < ?5) AND +u.status = 'disabled' ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: long search, disabled, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT coalesce((SELECT users FROM user_counts WHERE status = ?1), 0);
SELECT count(*) FROM (SELECT 1 FROM users u WHERE (u.name_key >= ?1 AND u.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM users_search WHERE users_search MATCH ?1 LIMIT 10001);
SELECT rowid FROM users_search WHERE users_search MATCH ?1 LIMIT 246;
SELECT count(*), coalesce(sum(matched), 0) FROM (SELECT CASE WHEN ((instr(u.name_key, ?5) > 0 OR instr(lower(u.email), ?5) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*')) AND (instr(u.name_key, ?5) > 0 OR instr(lower(u.email), ?5) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM users_search WHERE users_search MATCH ?4 AND users_search.rowid = u.id)))) AND +u.status = 'disabled' THEN 1 ELSE 0 END AS matched FROM users_search JOIN users u ON u.id = users_search.rowid WHERE users_search MATCH ?6 LIMIT 1001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.name_key >= ?4 AND u.name_key < ?5) AND +u.status = 'disabled' AND (u.name_key, u.id) > (?6, ?7) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;

-- users: rare long search, disabled, by created
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT coalesce((SELECT users FROM user_counts WHERE status = ?1), 0);
SELECT count(*) FROM (SELECT rowid FROM users_search WHERE users_search MATCH ?1 LIMIT 10001);
SELECT count(*), coalesce(sum(matched), 0) FROM (SELECT CASE WHEN ((instr(u.name_key, ?8) > 0 OR instr(lower(u.email), ?8) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*')) AND (instr(u.name_key, ?8) > 0 OR instr(lower(u.email), ?8) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM users_search WHERE users_search MATCH ?7 AND users_search.rowid = u.id)))) AND +u.status = 'disabled' THEN 1 ELSE 0 END AS matched FROM users_search JOIN users u ON u.id = users_search.rowid WHERE users_search MATCH ?9 LIMIT 1001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.id IN (SELECT users_search.rowid FROM users_search JOIN users d INDEXED BY users_disabled ON d.id = users_search.rowid AND d.status = 'disabled' WHERE users_search MATCH ?4) AND ((instr(u.name_key, ?6) > 0 OR instr(lower(u.email), ?6) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*')) AND (instr(u.name_key, ?6) > 0 OR instr(lower(u.email), ?6) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM users_search WHERE users_search MATCH ?5 AND users_search.rowid = u.id))))) AND +u.status = 'disabled' ORDER BY u.created_at ASC, u.id ASC LIMIT 51;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8);

-- users: large group, rare long search, by created
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT rowid FROM users_search WHERE users_search MATCH ?1 LIMIT 10001);
SELECT count(*), coalesce(sum(matched), 0) FROM (SELECT CASE WHEN ((instr(u.name_key, ?9) > 0 OR instr(lower(u.email), ?9) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*')) AND (instr(u.name_key, ?9) > 0 OR instr(lower(u.email), ?9) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM users_search WHERE users_search MATCH ?8 AND users_search.rowid = u.id)))) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?4) THEN 1 ELSE 0 END AS matched FROM users_search JOIN users u ON u.id = users_search.rowid WHERE users_search MATCH ?10 LIMIT 1001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.id IN (SELECT users_search.rowid FROM users_search JOIN memberships gm ON gm.user_id = users_search.rowid AND gm.group_id = ?4 WHERE users_search MATCH ?5) AND ((instr(u.name_key, ?7) > 0 OR instr(lower(u.email), ?7) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*')) AND (instr(u.name_key, ?7) > 0 OR instr(lower(u.email), ?7) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM users_search WHERE users_search MATCH ?6 AND users_search.rowid = u.id))))) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?4) ORDER BY u.created_at ASC, u.id ASC LIMIT 51;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43, ?44, ?45, ?46, ?47, ?48, ?49, ?50) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10);

-- users: large group, rare long search, by created, second page
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT rowid FROM users_search WHERE users_search MATCH ?1 LIMIT 10001);
SELECT count(*), coalesce(sum(matched), 0) FROM (SELECT CASE WHEN ((instr(u.name_key, ?9) > 0 OR instr(lower(u.email), ?9) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*')) AND (instr(u.name_key, ?9) > 0 OR instr(lower(u.email), ?9) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM users_search WHERE users_search MATCH ?8 AND users_search.rowid = u.id)))) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?4) THEN 1 ELSE 0 END AS matched FROM users_search JOIN users u ON u.id = users_search.rowid WHERE users_search MATCH ?10 LIMIT 1001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.id IN (SELECT users_search.rowid FROM users_search JOIN memberships gm ON gm.user_id = users_search.rowid AND gm.group_id = ?4 WHERE users_search MATCH ?5) AND ((instr(u.name_key, ?7) > 0 OR instr(lower(u.email), ?7) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*')) AND (instr(u.name_key, ?7) > 0 OR instr(lower(u.email), ?7) > 0 OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM users_search WHERE users_search MATCH ?6 AND users_search.rowid = u.id))))) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?4) AND (u.created_at, u.id) > (?8, ?9) ORDER BY u.created_at ASC, u.id ASC LIMIT 51;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43, ?44, ?45, ?46, ?47, ?48, ?49, ?50) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10);

-- users: short search a walk finds, by created
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 10001);
SELECT u.created_at, u.id FROM users u ORDER BY u.created_at ASC, u.id ASC LIMIT 1 OFFSET 163;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE roster_word_start(u.name_key, u.email_normalized, ?5) AND (u.created_at, u.id) < (?3, ?4) ORDER BY u.created_at ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: short search a walk finds, by created, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 10001);
SELECT u.created_at, u.id FROM users u WHERE (u.created_at, u.id) > (?1, ?2) ORDER BY u.created_at ASC, u.id ASC LIMIT 1 OFFSET 163;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE roster_word_start(u.name_key, u.email_normalized, ?5) AND (u.created_at, u.id) > (?6, ?7) AND (u.created_at, u.id) < (?3, ?4) ORDER BY u.created_at ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;

-- users: short search a walk leaves short, by created
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 10001);
SELECT u.created_at, u.id FROM users u ORDER BY u.created_at ASC, u.id ASC LIMIT 1 OFFSET 163;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE roster_word_start(u.name_key, u.email_normalized, ?5) AND (u.created_at, u.id) < (?3, ?4) ORDER BY u.created_at ASC, u.id ASC LIMIT 3;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE (u.id IN (SELECT rowid FROM users_words WHERE users_words MATCH ?1) AND roster_word_start(u.name_key, u.email_normalized, ?2)) ORDER BY u.created_at ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: short search a walk leaves short, by created, second page
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 10001);
SELECT u.created_at, u.id FROM users u WHERE (u.created_at, u.id) > (?1, ?2) ORDER BY u.created_at ASC, u.id ASC LIMIT 1 OFFSET 163;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE roster_word_start(u.name_key, u.email_normalized, ?5) AND (u.created_at, u.id) > (?6, ?7) AND (u.created_at, u.id) < (?3, ?4) ORDER BY u.created_at ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;

-- users: small group
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u JOIN memberships gm ON gm.user_id = u.id AND gm.group_id = ?1 ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: small group, second page
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u JOIN memberships gm ON gm.user_id = u.id AND gm.group_id = ?1 WHERE (u.name_key, u.id) > (?2, ?3) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1) ORDER BY g.name_normalized;

-- users: large group
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?1) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: large group, second page
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?1) AND (u.name_key, u.id) > (?2, ?3) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2);

-- users: large group, short search
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT 1 FROM users u WHERE (u.name_key >= ?1 AND u.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 10001);
SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 448;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE (u.name_key >= ?3 AND u.name_key < ?4) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?2) ORDER BY u.name_key ASC, u.id ASC LIMIT 3) part UNION SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE (u.name_key >= ' ' AND u.name_key < 'a' AND roster_word_start(u.name_key, u.email_normalized, ?6)) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?2) ORDER BY u.name_key ASC, u.id ASC LIMIT 3) part UNION SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE (u.name_key >= '{' AND u.name_key < ?5 AND roster_word_start(u.name_key, u.email_normalized, ?7)) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?2) ORDER BY u.name_key ASC, u.id ASC LIMIT 3) part) u ORDER BY u.sort_value ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: large group, short search, second page
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT 1 FROM users u WHERE (u.name_key >= ?1 AND u.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 10001);
SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 448;
SELECT count(*), coalesce(sum(matched), 0) FROM (SELECT CASE WHEN roster_word_start(u.name_key, u.email_normalized, ?3) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?2) THEN 1 ELSE 0 END AS matched FROM users_words JOIN users u ON u.id = users_words.rowid WHERE users_words MATCH ?4 LIMIT 1001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE (u.name_key >= ?3 AND u.name_key < ?4) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?2) AND (u.name_key, u.id) > (?8, ?9) ORDER BY u.name_key ASC, u.id ASC LIMIT 3) part UNION SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE (u.name_key >= ' ' AND u.name_key < 'a' AND roster_word_start(u.name_key, u.email_normalized, ?6)) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?2) AND (u.name_key, u.id) > (?10, ?11) ORDER BY u.name_key ASC, u.id ASC LIMIT 3) part UNION SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE (u.name_key >= '{' AND u.name_key < ?5 AND roster_word_start(u.name_key, u.email_normalized, ?7)) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?2) AND (u.name_key, u.id) > (?12, ?13) ORDER BY u.name_key ASC, u.id ASC LIMIT 3) part) u ORDER BY u.sort_value ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2);

-- users: supervised by the administrator
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.supervisor_id = ?1 LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.supervisor_id = ?1 ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2);

-- users: supervised by the administrator, second page
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.supervisor_id = ?1 LIMIT 10001) counted;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM users u WHERE u.supervisor_id = ?1 AND (u.name_key, u.id) > (?2, ?3) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2);

-- users: the administrator's team
SELECT count(*) FROM user_ancestors WHERE ancestor_id = ?1;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE u.id = ?1 UNION ALL SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, a.name_key AS sort_value FROM user_ancestors a JOIN users u ON u.id = a.user_id WHERE a.ancestor_id = ?1 ORDER BY a.name_key ASC, a.user_id ASC LIMIT 3) reports) u ORDER BY u.sort_value ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1);

-- users: the administrator's team, second page
SELECT count(*) FROM user_ancestors WHERE ancestor_id = ?1;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE u.id = ?1 AND (u.name_key, u.id) > (?2, ?3) UNION ALL SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, a.name_key AS sort_value FROM user_ancestors a JOIN users u ON u.id = a.user_id WHERE a.ancestor_id = ?1 AND (a.name_key, a.user_id) > (?4, ?5) ORDER BY a.name_key ASC, a.user_id ASC LIMIT 3) reports) u ORDER BY u.sort_value ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2);

-- users: the administrator's team, disabled, by created, descending
SELECT count(*) FROM user_ancestors WHERE ancestor_id = ?1;
SELECT count(*), coalesce(sum(matched), 0) FROM (SELECT CASE WHEN +u.status = 'disabled' THEN 1 ELSE 0 END AS matched FROM users u WHERE (u.id = ?1 OR u.id IN (SELECT a.user_id FROM user_ancestors a WHERE a.ancestor_id = ?1)) LIMIT 1001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.created_at AS sort_value FROM users u WHERE +u.status = 'disabled' AND u.id = ?1 UNION ALL SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, a.created_at AS sort_value FROM user_ancestors a JOIN users u ON u.id = a.user_id WHERE +u.status = 'disabled' AND a.ancestor_id = ?1 ORDER BY a.created_at DESC, a.user_id DESC LIMIT 3) reports) u ORDER BY u.sort_value DESC, u.id DESC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2);

-- users: the administrator's team, disabled, by created, descending, second page
SELECT count(*) FROM user_ancestors WHERE ancestor_id = ?1;
SELECT count(*), coalesce(sum(matched), 0) FROM (SELECT CASE WHEN +u.status = 'disabled' THEN 1 ELSE 0 END AS matched FROM users u WHERE (u.id = ?1 OR u.id IN (SELECT a.user_id FROM user_ancestors a WHERE a.ancestor_id = ?1)) LIMIT 1001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.created_at AS sort_value FROM users u WHERE +u.status = 'disabled' AND u.id = ?1 AND (u.created_at, u.id) < (?2, ?3) UNION ALL SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, a.created_at AS sort_value FROM user_ancestors a JOIN users u ON u.id = a.user_id WHERE +u.status = 'disabled' AND a.ancestor_id = ?1 AND (a.created_at, a.user_id) < (?4, ?5) ORDER BY a.created_at DESC, a.user_id DESC LIMIT 3) reports) u ORDER BY u.sort_value DESC, u.id DESC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2);

-- users: the administrator's team, short search
SELECT count(*) FROM user_ancestors WHERE ancestor_id = ?1;
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT 1 FROM users u WHERE (u.name_key >= ?1 AND u.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 10001);
SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 448;
SELECT count(*), coalesce(sum(matched), 0) FROM (SELECT CASE WHEN roster_word_start(u.name_key, u.email_normalized, ?3) THEN 1 ELSE 0 END AS matched FROM users u WHERE (u.id = ?2 OR u.id IN (SELECT a.user_id FROM user_ancestors a WHERE a.ancestor_id = ?2)) LIMIT 1001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE roster_word_start(u.name_key, u.email_normalized, ?3) AND u.id = ?2 UNION ALL SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, a.name_key AS sort_value FROM user_ancestors a JOIN users u ON u.id = a.user_id WHERE roster_word_start(u.name_key, u.email_normalized, ?3) AND a.ancestor_id = ?2 ORDER BY a.name_key ASC, a.user_id ASC LIMIT 3) reports) u ORDER BY u.sort_value ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2);

-- users: the administrator's team, short search, second page
SELECT count(*) FROM user_ancestors WHERE ancestor_id = ?1;
SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM user_counts WHERE status IN ('enabled', 'disabled');
SELECT count(*) FROM (SELECT 1 FROM users u WHERE (u.name_key >= ?1 AND u.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 10001);
SELECT rowid FROM users_words WHERE users_words MATCH ?1 LIMIT 448;
SELECT count(*), coalesce(sum(matched), 0) FROM (SELECT CASE WHEN roster_word_start(u.name_key, u.email_normalized, ?3) THEN 1 ELSE 0 END AS matched FROM users u WHERE (u.id = ?2 OR u.id IN (SELECT a.user_id FROM user_ancestors a WHERE a.ancestor_id = ?2)) LIMIT 1001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, u.name_key AS sort_value FROM users u WHERE roster_word_start(u.name_key, u.email_normalized, ?3) AND u.id = ?2 AND (u.name_key, u.id) > (?4, ?5) UNION ALL SELECT * FROM (SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version, u.valid_until, u.password_changed_at, a.name_key AS sort_value FROM user_ancestors a JOIN users u ON u.id = a.user_id WHERE roster_word_start(u.name_key, u.email_normalized, ?3) AND a.ancestor_id = ?2 AND (a.name_key, a.user_id) > (?6, ?7) ORDER BY a.name_key ASC, a.user_id ASC LIMIT 3) reports) u ORDER BY u.sort_value ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?1, ?2) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?1, ?2);

-- clients: everyone by name
SELECT clients FROM client_counts WHERE id = 1;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: everyone by name, second page
SELECT clients FROM client_counts WHERE id = 1;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (c.name_key, c.id) > (?1, ?2) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: by created, descending
SELECT clients FROM client_counts WHERE id = 1;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id ORDER BY c.created_at DESC, c.id DESC LIMIT 3;

-- clients: by created, descending, second page
SELECT clients FROM client_counts WHERE id = 1;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (c.created_at, c.id) < (?1, ?2) ORDER BY c.created_at DESC, c.id DESC LIMIT 3;

-- clients: short search
SELECT clients FROM client_counts WHERE id = 1;
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE (c.name_key >= ?1 AND c.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM clients_words WHERE clients_words MATCH ?1 LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (c.id IN (SELECT rowid FROM clients_words WHERE clients_words MATCH ?1) AND roster_word_start(c.name_key, c.email_normalized, ?2)) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: short search, second page
SELECT clients FROM client_counts WHERE id = 1;
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE (c.name_key >= ?1 AND c.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM clients_words WHERE clients_words MATCH ?1 LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (c.id IN (SELECT rowid FROM clients_words WHERE clients_words MATCH ?1) AND roster_word_start(c.name_key, c.email_normalized, ?2)) AND (c.name_key, c.id) > (?3, ?4) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: short phone search
SELECT clients FROM client_counts WHERE id = 1;
SELECT count(*) FROM (SELECT rowid FROM clients_words WHERE clients_words MATCH ?1 LIMIT 23);
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE ((c.id IN (SELECT rowid FROM clients_words WHERE clients_words MATCH ?2) AND roster_word_start(c.name_key, c.email_normalized, ?1)) OR (c.phone >= ?3 AND c.phone < ?4)) LIMIT 10001) counted;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE ((c.id IN (SELECT rowid FROM clients_words WHERE clients_words MATCH ?2) AND roster_word_start(c.name_key, c.email_normalized, ?1)) OR (c.phone >= ?3 AND c.phone < ?4)) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: short phone search, second page
SELECT clients FROM client_counts WHERE id = 1;
SELECT count(*) FROM (SELECT rowid FROM clients_words WHERE clients_words MATCH ?1 LIMIT 23);
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE ((c.id IN (SELECT rowid FROM clients_words WHERE clients_words MATCH ?2) AND roster_word_start(c.name_key, c.email_normalized, ?1)) OR (c.phone >= ?3 AND c.phone < ?4)) LIMIT 10001) counted;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE ((c.id IN (SELECT rowid FROM clients_words WHERE clients_words MATCH ?2) AND roster_word_start(c.name_key, c.email_normalized, ?1)) OR (c.phone >= ?3 AND c.phone < ?4)) AND (c.name_key, c.id) > (?5, ?6) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: long search
SELECT clients FROM client_counts WHERE id = 1;
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE (c.name_key >= ?1 AND c.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM clients_search WHERE clients_search MATCH ?1 LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?1) AND ((instr(c.name_key, ?3) > 0 OR instr(lower(c.email), ?3) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*')) AND (instr(c.name_key, ?3) > 0 OR instr(lower(c.email), ?3) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM clients_search WHERE clients_search MATCH ?2 AND clients_search.rowid = c.id))))) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: long search, second page
SELECT clients FROM client_counts WHERE id = 1;
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE (c.name_key >= ?1 AND c.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM clients_search WHERE clients_search MATCH ?1 LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?1) AND ((instr(c.name_key, ?3) > 0 OR instr(lower(c.email), ?3) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*')) AND (instr(c.name_key, ?3) > 0 OR instr(lower(c.email), ?3) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM clients_search WHERE clients_search MATCH ?2 AND clients_search.rowid = c.id))))) AND (c.name_key, c.id) > (?4, ?5) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: long phone search
SELECT clients FROM client_counts WHERE id = 1;
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE (c.name_key >= ?1 AND c.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM clients_search WHERE clients_search MATCH ?1 LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?1) AND ((instr(c.name_key, ?3) > 0 OR instr(lower(c.email), ?3) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*') OR instr(c.phone, ?3) > 0) AND (instr(c.name_key, ?3) > 0 OR instr(lower(c.email), ?3) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM clients_search WHERE clients_search MATCH ?2 AND clients_search.rowid = c.id)) OR instr(c.phone, ?3) > 0))) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: long phone search, second page
SELECT clients FROM client_counts WHERE id = 1;
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE (c.name_key >= ?1 AND c.name_key < ?2) LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM clients_search WHERE clients_search MATCH ?1 LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?1) AND ((instr(c.name_key, ?3) > 0 OR instr(lower(c.email), ?3) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*') OR instr(c.phone, ?3) > 0) AND (instr(c.name_key, ?3) > 0 OR instr(lower(c.email), ?3) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM clients_search WHERE clients_search MATCH ?2 AND clients_search.rowid = c.id)) OR instr(c.phone, ?3) > 0))) AND (c.name_key, c.id) > (?4, ?5) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: whole values
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE (c.id = ?1 OR c.email_normalized = ?2 OR c.phone = ?3 OR c.name_folded = ?4) LIMIT 10001) counted;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (c.id = ?1 OR c.email_normalized = ?2 OR c.phone = ?3 OR c.name_folded = ?4) ORDER BY c.created_at ASC, c.id ASC LIMIT 3;

-- clients: a team's, by name
SELECT count(*) FROM (SELECT c.id, c.id AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?1 AND a.manages_clients = 1 AND a.user_id <> ?1 UNION ALL SELECT c.id, c.id FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?1 LIMIT 10001) counted;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM (SELECT c.id, c.name_key AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?1 AND a.manages_clients = 1 AND a.user_id <> ?1 UNION ALL SELECT c.id, c.name_key FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?1 ORDER BY sort_value ASC, id ASC LIMIT 3) p JOIN clients c ON c.id = p.id LEFT JOIN users m ON m.id = c.account_manager_id ORDER BY p.sort_value ASC, p.id ASC LIMIT 3;

-- clients: a team's, by name, second page
SELECT count(*) FROM (SELECT c.id, c.id AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?1 AND a.manages_clients = 1 AND a.user_id <> ?1 UNION ALL SELECT c.id, c.id FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?1 LIMIT 10001) counted;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM (SELECT c.id, c.name_key AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?1 AND a.manages_clients = 1 AND a.user_id <> ?1 AND (c.name_key, c.id) > (?2, ?3) UNION ALL SELECT c.id, c.name_key FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?1 AND (c.name_key, c.id) > (?2, ?3) ORDER BY sort_value ASC, id ASC LIMIT 3) p JOIN clients c ON c.id = p.id LEFT JOIN users m ON m.id = c.account_manager_id ORDER BY p.sort_value ASC, p.id ASC LIMIT 3;

-- clients: a team's long search, by created, descending
SELECT count(*) FROM (SELECT c.id, c.id AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?1 AND a.manages_clients = 1 AND a.user_id <> ?1 UNION ALL SELECT c.id, c.id FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?1 LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM clients_search WHERE clients_search MATCH ?1 LIMIT 1);
SELECT id, sort_value FROM (SELECT c.id, c.created_at AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?3 AND a.manages_clients = 1 AND a.user_id <> ?3 AND ((instr(c.name_key, ?2) > 0 OR instr(lower(c.email), ?2) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*')) AND (instr(c.name_key, ?2) > 0 OR instr(lower(c.email), ?2) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM clients_search WHERE clients_search MATCH ?1 AND clients_search.rowid = c.id)))) UNION ALL SELECT c.id, c.created_at FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?3 AND ((instr(c.name_key, ?2) > 0 OR instr(lower(c.email), ?2) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*')) AND (instr(c.name_key, ?2) > 0 OR instr(lower(c.email), ?2) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM clients_search WHERE clients_search MATCH ?1 AND clients_search.rowid = c.id))))) hits LIMIT 1001;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE c.id IN (?1, ?2, ?3) ORDER BY c.created_at DESC, c.id DESC;

-- clients: a team's long search, by created, descending, second page
SELECT count(*) FROM (SELECT c.id, c.id AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?1 AND a.manages_clients = 1 AND a.user_id <> ?1 UNION ALL SELECT c.id, c.id FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?1 LIMIT 10001) counted;
SELECT count(*) FROM (SELECT rowid FROM clients_search WHERE clients_search MATCH ?1 LIMIT 1);
SELECT count(*) FROM (SELECT c.id, c.id AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?3 AND a.manages_clients = 1 AND a.user_id <> ?3 AND ((instr(c.name_key, ?2) > 0 OR instr(lower(c.email), ?2) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*')) AND (instr(c.name_key, ?2) > 0 OR instr(lower(c.email), ?2) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM clients_search WHERE clients_search MATCH ?1 AND clients_search.rowid = c.id)))) UNION ALL SELECT c.id, c.id FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?3 AND ((instr(c.name_key, ?2) > 0 OR instr(lower(c.email), ?2) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*')) AND (instr(c.name_key, ?2) > 0 OR instr(lower(c.email), ?2) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM clients_search WHERE clients_search MATCH ?1 AND clients_search.rowid = c.id)))) LIMIT 1001) counted;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM (SELECT c.id, c.created_at AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?3 AND a.manages_clients = 1 AND a.user_id <> ?3 AND ((instr(c.name_key, ?2) > 0 OR instr(lower(c.email), ?2) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*')) AND (instr(c.name_key, ?2) > 0 OR instr(lower(c.email), ?2) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM clients_search WHERE clients_search MATCH ?1 AND clients_search.rowid = c.id)))) AND (c.created_at, c.id) < (?4, ?5) UNION ALL SELECT c.id, c.created_at FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?3 AND ((instr(c.name_key, ?2) > 0 OR instr(lower(c.email), ?2) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*')) AND (instr(c.name_key, ?2) > 0 OR instr(lower(c.email), ?2) > 0 OR (c.email <> c.email_normalized AND c.email GLOB '*[^ -~]*' AND EXISTS (SELECT 1 FROM clients_search WHERE clients_search MATCH ?1 AND clients_search.rowid = c.id)))) AND (c.created_at, c.id) < (?4, ?5) ORDER BY sort_value DESC, id DESC LIMIT 3) p JOIN clients c ON c.id = p.id LEFT JOIN users m ON m.id = c.account_manager_id ORDER BY p.sort_value DESC, p.id DESC LIMIT 3;

-- clients: a team's short phone search
SELECT count(*) FROM (SELECT c.id, c.id AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?1 AND a.manages_clients = 1 AND a.user_id <> ?1 UNION ALL SELECT c.id, c.id FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?1 LIMIT 10001) counted;
SELECT id, sort_value FROM (SELECT c.id, c.name_key AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?4 AND a.manages_clients = 1 AND a.user_id <> ?4 AND (roster_word_start(c.name_key, c.email_normalized, ?1) OR (c.phone >= ?2 AND c.phone < ?3)) UNION ALL SELECT c.id, c.name_key FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?4 AND (roster_word_start(c.name_key, c.email_normalized, ?1) OR (c.phone >= ?2 AND c.phone < ?3))) hits LIMIT 1001;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE c.id IN (?1, ?2, ?3) ORDER BY c.name_key ASC, c.id ASC;

-- clients: a team's short phone search, second page
SELECT count(*) FROM (SELECT c.id, c.id AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?1 AND a.manages_clients = 1 AND a.user_id <> ?1 UNION ALL SELECT c.id, c.id FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?1 LIMIT 10001) counted;
SELECT count(*) FROM (SELECT c.id, c.id AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?4 AND a.manages_clients = 1 AND a.user_id <> ?4 AND (roster_word_start(c.name_key, c.email_normalized, ?1) OR (c.phone >= ?2 AND c.phone < ?3)) UNION ALL SELECT c.id, c.id FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?4 AND (roster_word_start(c.name_key, c.email_normalized, ?1) OR (c.phone >= ?2 AND c.phone < ?3)) LIMIT 1001) counted;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM (SELECT c.id, c.name_key AS sort_value FROM user_ancestors a INDEXED BY user_ancestors_managers JOIN clients c INDEXED BY clients_account_manager ON c.account_manager_id = a.user_id WHERE a.ancestor_id = ?4 AND a.manages_clients = 1 AND a.user_id <> ?4 AND (roster_word_start(c.name_key, c.email_normalized, ?1) OR (c.phone >= ?2 AND c.phone < ?3)) AND (c.name_key, c.id) > (?5, ?6) UNION ALL SELECT c.id, c.name_key FROM clients c INDEXED BY clients_account_manager WHERE c.account_manager_id = ?4 AND (roster_word_start(c.name_key, c.email_normalized, ?1) OR (c.phone >= ?2 AND c.phone < ?3)) AND (c.name_key, c.id) > (?5, ?6) ORDER BY sort_value ASC, id ASC LIMIT 3) p JOIN clients c ON c.id = p.id LEFT JOIN users m ON m.id = c.account_manager_id ORDER BY p.sort_value ASC, p.id ASC LIMIT 3;

-- clients: no whole value
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE (FALSE) LIMIT 10001) counted;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version, m.id, m.name, m.email, m.email_normalized FROM clients c LEFT JOIN users m ON m.id = c.account_manager_id WHERE (FALSE) ORDER BY c.created_at ASC, c.id ASC LIMIT 3;

-- audit: latest
SELECT id, at, operator_id, operator_label, action, target_kind, target_id, target_label, CAST(changes AS TEXT) FROM audit_events ORDER BY id DESC LIMIT 5;

-- audit: by label, no client events, older than 100
SELECT id, at, operator_id, operator_label, action, target_kind, target_id, target_label, CAST(changes AS TEXT) FROM audit_events WHERE target_label_normalized = ?1 AND target_kind <> ?2 AND id < ?3 ORDER BY id DESC LIMIT 5;

-- audit: one user's events by one operator
SELECT id, at, operator_id, operator_label, action, target_kind, target_id, target_label, CAST(changes AS TEXT) FROM audit_events WHERE target_kind = ?1 AND target_id = ?2 AND operator_id = ?3 AND action = ?4 ORDER BY id DESC LIMIT 5;

