-- users: everyone by name
SELECT coalesce(sum(users), 0) FROM user_counts;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?);

-- users: everyone by name, second page
SELECT coalesce(sum(users), 0) FROM user_counts;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE (u.name_key, u.id) > (?, ?) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?);

-- users: by email, descending
SELECT coalesce(sum(users), 0) FROM user_counts;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u ORDER BY u.email_normalized DESC, u.id DESC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;

-- users: by email, descending, second page
SELECT coalesce(sum(users), 0) FROM user_counts;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE (u.email_normalized, u.id) < (?, ?) ORDER BY u.email_normalized DESC, u.id DESC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;

-- users: by created
SELECT coalesce(sum(users), 0) FROM user_counts;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u ORDER BY u.created_at ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?);

-- users: by created, second page
SELECT coalesce(sum(users), 0) FROM user_counts;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE (u.created_at, u.id) > (?, ?) ORDER BY u.created_at ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;

-- users: by last sign-in, descending
SELECT coalesce(sum(users), 0) FROM user_counts;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u ORDER BY u.last_sign_in_at DESC, u.id DESC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?);

-- users: by last sign-in, descending, second page
SELECT coalesce(sum(users), 0) FROM user_counts;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE (u.last_sign_in_at, u.id) < (?, ?) ORDER BY u.last_sign_in_at DESC, u.id DESC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;

-- users: enabled
SELECT users FROM user_counts WHERE status = ?1;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE u.status = ? ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;

-- users: enabled, second page
SELECT users FROM user_counts WHERE status = ?1;
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE u.status = ? AND (u.name_key, u.id) > (?, ?) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?,?);

-- users: short search
SELECT count(*) FROM (SELECT 1 FROM users u WHERE ((u.name_key >= ? AND u.name_key < ?) OR (u.email_normalized >= ? AND u.email_normalized < ?)) LIMIT 10001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE ((u.name_key >= ? AND u.name_key < ?) OR (u.email_normalized >= ? AND u.email_normalized < ?)) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?);

-- users: short search, second page
SELECT count(*) FROM (SELECT 1 FROM users u WHERE ((u.name_key >= ? AND u.name_key < ?) OR (u.email_normalized >= ? AND u.email_normalized < ?)) LIMIT 10001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE ((u.name_key >= ? AND u.name_key < ?) OR (u.email_normalized >= ? AND u.email_normalized < ?)) AND (u.name_key, u.id) > (?, ?) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?,?);

-- users: long search
SELECT count(*) FROM (SELECT rowid FROM users_search WHERE users_search MATCH ?1 LIMIT 10001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE u.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ?) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?);

-- users: long search, second page
SELECT count(*) FROM (SELECT rowid FROM users_search WHERE users_search MATCH ?1 LIMIT 10001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE u.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ?) AND (u.name_key, u.id) > (?, ?) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?,?);

-- users: long search, disabled
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ?) AND u.status = ? LIMIT 10001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE u.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ?) AND u.status = ? ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?);

-- users: long search, disabled, second page
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ?) AND u.status = ? LIMIT 10001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE u.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ?) AND u.status = ? AND (u.name_key, u.id) > (?, ?) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;

-- users: small group
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u JOIN memberships gm ON gm.user_id = u.id AND gm.group_id = ? ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?);

-- users: small group, second page
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u JOIN memberships gm ON gm.user_id = u.id AND gm.group_id = ? WHERE (u.name_key, u.id) > (?, ?) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?) ORDER BY g.name_normalized;

-- users: large group
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?);

-- users: large group, second page
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?) AND (u.name_key, u.id) > (?, ?) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?,?);

-- users: large group, short search
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT count(*) FROM (SELECT 1 FROM users u WHERE ((u.name_key >= ? AND u.name_key < ?) OR (u.email_normalized >= ? AND u.email_normalized < ?)) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?) LIMIT 10001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE ((u.name_key >= ? AND u.name_key < ?) OR (u.email_normalized >= ? AND u.email_normalized < ?)) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?);

-- users: large group, short search, second page
SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0);
SELECT count(*) FROM (SELECT 1 FROM users u WHERE ((u.name_key >= ? AND u.name_key < ?) OR (u.email_normalized >= ? AND u.email_normalized < ?)) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?) LIMIT 10001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE ((u.name_key >= ? AND u.name_key < ?) OR (u.email_normalized >= ? AND u.email_normalized < ?)) AND EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?) AND (u.name_key, u.id) > (?, ?) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?,?);

-- users: supervised by the administrator
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.supervisor_id = ? LIMIT 10001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE u.supervisor_id = ? ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?,?);

-- users: supervised by the administrator, second page
SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.supervisor_id = ? LIMIT 10001);
SELECT u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version FROM users u WHERE u.supervisor_id = ? AND (u.name_key, u.id) > (?, ?) ORDER BY u.name_key ASC, u.id ASC LIMIT 3;
SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id IN (?,?) ORDER BY g.name_normalized;
SELECT id, name, email, email_normalized FROM users WHERE id IN (?,?);

-- clients: everyone by name
SELECT clients FROM client_counts WHERE id = 1;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: everyone by name, second page
SELECT clients FROM client_counts WHERE id = 1;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c WHERE (c.name_key, c.id) > (?, ?) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: by created, descending
SELECT clients FROM client_counts WHERE id = 1;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c ORDER BY c.created_at DESC, c.id DESC LIMIT 3;

-- clients: by created, descending, second page
SELECT clients FROM client_counts WHERE id = 1;
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c WHERE (c.created_at, c.id) < (?, ?) ORDER BY c.created_at DESC, c.id DESC LIMIT 3;

-- clients: short search
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE ((c.name_key >= ? AND c.name_key < ?) OR (c.email_normalized >= ? AND c.email_normalized < ?)) LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c WHERE ((c.name_key >= ? AND c.name_key < ?) OR (c.email_normalized >= ? AND c.email_normalized < ?)) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: short search, second page
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE ((c.name_key >= ? AND c.name_key < ?) OR (c.email_normalized >= ? AND c.email_normalized < ?)) LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c WHERE ((c.name_key >= ? AND c.name_key < ?) OR (c.email_normalized >= ? AND c.email_normalized < ?)) AND (c.name_key, c.id) > (?, ?) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: short phone search
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE ((c.name_key >= ? AND c.name_key < ?) OR (c.email_normalized >= ? AND c.email_normalized < ?) OR (c.phone >= ? AND c.phone < ?)) LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c WHERE ((c.name_key >= ? AND c.name_key < ?) OR (c.email_normalized >= ? AND c.email_normalized < ?) OR (c.phone >= ? AND c.phone < ?)) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: short phone search, second page
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE ((c.name_key >= ? AND c.name_key < ?) OR (c.email_normalized >= ? AND c.email_normalized < ?) OR (c.phone >= ? AND c.phone < ?)) LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c WHERE ((c.name_key >= ? AND c.name_key < ?) OR (c.email_normalized >= ? AND c.email_normalized < ?) OR (c.phone >= ? AND c.phone < ?)) AND (c.name_key, c.id) > (?, ?) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: long search
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?) LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c WHERE c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: long search, second page
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?) LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c WHERE c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?) AND (c.name_key, c.id) > (?, ?) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: long phone search
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?) LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c WHERE c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: long phone search, second page
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?) LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c WHERE c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?) AND (c.name_key, c.id) > (?, ?) ORDER BY c.name_key ASC, c.id ASC LIMIT 3;

-- clients: whole values
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE (c.id = ? OR c.email_normalized = ? OR c.phone = ? OR c.name_folded = ?) LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c WHERE (c.id = ? OR c.email_normalized = ? OR c.phone = ? OR c.name_folded = ?) ORDER BY c.created_at ASC, c.id ASC LIMIT 3;

-- clients: no whole value
SELECT count(*) FROM (SELECT 1 FROM clients c WHERE 1 = 0 LIMIT 10001);
SELECT c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version FROM clients c WHERE 1 = 0 ORDER BY c.created_at ASC, c.id ASC LIMIT 3;

-- audit: latest
SELECT id, at, operator_id, operator_label, action, target_kind, target_id, target_label, changes FROM audit_events ORDER BY id DESC LIMIT 5;

-- audit: by label, no client events, older than 100
SELECT id, at, operator_id, operator_label, action, target_kind, target_id, target_label, changes FROM audit_events WHERE target_label_normalized = ? AND target_kind <> ? AND id < ? ORDER BY id DESC LIMIT 5;

-- audit: one user's events by one operator
SELECT id, at, operator_id, operator_label, action, target_kind, target_id, target_label, changes FROM audit_events WHERE target_kind = ? AND target_id = ? AND operator_id = ? AND action = ? ORDER BY id DESC LIMIT 5;

