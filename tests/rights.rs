//! The desktop's rights matrix: every command the web view may invoke, called
//! through Tauri's own IPC (mock runtime, the app's real configuration and
//! capability) by every kind of operator, against the rule the command's
//! core service applies.
//!
//! A row names a command, the arguments to call it with (built from a
//! prepared directory), and its rule. A column is an operator: nobody signed
//! in, someone holding no permission, someone holding exactly one permission
//! (one column per entry of `Permission::ALL`), an administrator in an
//! active session, one whose session is pending a password change, one whose
//! session is locked, and one disabled after signing in (the core reloads the
//! operator on every call). Each column gets a directory of its own, so a
//! row that changes data (deleting its target, say) cannot disturb another
//! column, and each mutating row has a target of its own inside that
//! directory, so rows do not disturb each other.
//!
//! For every cell: allowed means the call succeeds; refused means it fails
//! with the expected code (`not_signed_in`, `session_locked`,
//! `password_change_required`, or a rights code: `permission_denied`,
//! `cannot_grant`, `cannot_manage`, `operator_invalid`) and the directory is
//! exactly as it was (every user, every password hash, every group, the
//! whole audit log and the settings, read through the core by an
//! administrator before and after).
//!
//! Adding a command to `roster_desktop::COMMANDS` without a row here fails
//! `every_command_the_web_view_may_invoke_has_a_row`.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

use roster_core::clients::{ClientQuery, NewClient};
use roster_core::directory::{NewUser, PasswordChoice, Settings, UserChanges};
use roster_core::domain::{
    ClientId, GroupId, Permission, PermissionSet, Status, TwoFactor, UserId,
};
use roster_core::model::{AuditEvent, AuditQuery, Client, Group, User};
use roster_core::password::{PasswordHash, PlainPassword};
use roster_core::store::{TxMode, UserQuery, ADMINISTRATORS};
use roster_core::{Directory, Operator};
use roster_desktop::state::AppState;
use serde_json::{json, Value};
use tauri::async_runtime::block_on;
use tauri::test::MockRuntime;
use tauri::{Manager, WebviewWindow};

#[path = "support/ipc.rs"]
mod ipc;
#[path = "../crates/core/tests/smtp_sink/mod.rs"]
mod smtp_sink;

const ADMIN_NAME: &str = "Ada Admin";
const ADMIN_EMAIL: &str = "ada@example.com";
/// Every fixture user's password; it passes the default policy.
const PASSWORD: &str = "violet-harbour-lantern-42";
/// A second password that passes the policy, for resets and changes.
const OTHER_PASSWORD: &str = "quiet-meadow-window-19";

/// The codes of the rights rules' refusals.
const PERMISSION_CODES: &[&str] = &[
    "permission_denied",
    "cannot_grant",
    "cannot_manage",
    "operator_invalid",
];

/// Every permission that acts on users, and managing groups: who may read
/// the group list (to pick groups in the user form, or to manage them).
const USER_AREA_OR_GROUPS: &[Permission] = &[
    Permission::UsersView,
    Permission::UsersCreate,
    Permission::UsersEdit,
    Permission::UsersDisable,
    Permission::UsersDelete,
    Permission::UsersCredentials,
    Permission::GroupsManage,
];

/// Who may call a command.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Anyone, signed in or not, whatever the session's state.
    Public,
    /// Anyone, but only before the first user exists; on an initialised
    /// directory it is refused to everyone with `already_initialized`.
    FirstRunOnly,
    /// Any operator whose account is still enabled, in an active session.
    SignedIn,
    /// Any operator whose account is still enabled, in an active session or
    /// one pending a password change (not a locked one): `me` and
    /// `change_password`, what the forced-change screen needs.
    SignedInEvenPendingChange,
    /// Any operator whose account is still enabled, whatever the session's
    /// state: `unlock_session`, which asks for the password itself.
    SignedInEvenLocked,
    /// An operator holding this permission, in an active session.
    Requires(Permission),
    /// An operator holding at least one of these, in an active session.
    RequiresAny(&'static [Permission]),
    /// An operator holding every one of these, in an active session.
    RequiresAll(&'static [Permission]),
    /// Not executed: the reason says why, and that it touches no data.
    UiOnly(&'static str),
    /// Not executed here: it takes no operator but the sign-in pending in
    /// the session (a correct password); `tests/commands.rs` covers it.
    PendingSignIn(&'static str),
    /// Not executed here: it works on another store (switches this computer
    /// to it, which would end the matrix's world, or copies into it);
    /// `tests/store_commands.rs` checks that it is allowed at first run and
    /// afterwards only with `settings.manage`.
    OtherStore(&'static str),
}

/// The state of a column's session, as the shell keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Session {
    Active,
    /// Flagged "must change password": signed in, the change pending.
    PendingChange,
    /// Locked (`lock_session`, or idle for the timeout).
    Locked,
}

/// A column of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// No session at all.
    Nobody,
    /// Signed in, in a group that grants nothing.
    NoPermission,
    /// Signed in, in a group holding exactly this permission.
    Only(Permission),
    /// Signed in as an administrator, the session in this state.
    Administrator(Session),
    /// An administrator who signed in and was then disabled by someone else:
    /// the core reloads the operator on every call and must refuse.
    DisabledAfterSignIn,
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Nobody => f.write_str("nobody signed in"),
            Who::NoPermission => f.write_str("an operator with no permission"),
            Who::Only(p) => write!(f, "an operator with only {}", p.code()),
            Who::Administrator(Session::Active) => f.write_str("an administrator"),
            Who::Administrator(Session::PendingChange) => {
                f.write_str("an administrator who must change their password")
            }
            Who::Administrator(Session::Locked) => {
                f.write_str("an administrator whose session is locked")
            }
            Who::DisabledAfterSignIn => f.write_str("an administrator disabled after signing in"),
        }
    }
}

impl Who {
    fn all() -> Vec<Who> {
        let mut all = vec![Who::Nobody, Who::NoPermission];
        all.extend(Permission::ALL.iter().copied().map(Who::Only));
        all.extend([
            Who::Administrator(Session::Active),
            Who::Administrator(Session::PendingChange),
            Who::Administrator(Session::Locked),
            Who::DisabledAfterSignIn,
        ]);
        all
    }

    fn holds(self, permission: Permission) -> bool {
        match self {
            Who::Only(held) => held == permission,
            Who::Administrator(_) => true,
            Who::Nobody | Who::NoPermission | Who::DisabledAfterSignIn => false,
        }
    }

    fn session(self) -> Option<Session> {
        match self {
            Who::Nobody => None,
            Who::Administrator(session) => Some(session),
            Who::NoPermission | Who::Only(_) | Who::DisabledAfterSignIn => Some(Session::Active),
        }
    }
}

/// What a cell of the matrix expects.
#[derive(Debug, PartialEq)]
enum Expect {
    Success,
    /// Refused with one of these codes, and nothing changed.
    Refused(&'static [&'static str]),
}

impl Rule {
    /// `None` for a row that is not executed.
    fn expect(self, who: Who) -> Option<Expect> {
        use Expect::{Refused, Success};
        let needs_session = match self {
            Rule::UiOnly(_) | Rule::PendingSignIn(_) | Rule::OtherStore(_) => return None,
            Rule::Public => return Some(Success),
            Rule::FirstRunOnly => return Some(Refused(&["already_initialized"])),
            Rule::SignedInEvenLocked => Session::Locked,
            Rule::SignedInEvenPendingChange => Session::PendingChange,
            Rule::SignedIn | Rule::Requires(_) | Rule::RequiresAny(_) | Rule::RequiresAll(_) => {
                Session::Active
            }
        };
        let Some(session) = who.session() else {
            return Some(Refused(&["not_signed_in"]));
        };
        // Each state admits what the one before it admits, and more.
        let admitted = match session {
            Session::Active => true,
            Session::PendingChange => needs_session != Session::Active,
            Session::Locked => needs_session == Session::Locked,
        };
        if !admitted {
            return Some(Refused(match session {
                Session::PendingChange => &["password_change_required"],
                _ => &["session_locked"],
            }));
        }
        if who == Who::DisabledAfterSignIn {
            return Some(Refused(&["operator_invalid"]));
        }
        let allowed = match self {
            Rule::Requires(permission) => who.holds(permission),
            Rule::RequiresAny(permissions) => permissions.iter().any(|p| who.holds(*p)),
            Rule::RequiresAll(permissions) => permissions.iter().all(|p| who.holds(*p)),
            _ => true,
        };
        Some(if allowed {
            Success
        } else {
            Refused(PERMISSION_CODES)
        })
    }
}

/// A row: a command, how to call it in a prepared directory, its rule, and
/// what the harness must remember when the call succeeds.
struct Row {
    command: &'static str,
    rule: Rule,
    args: fn(&World) -> Value,
    on_success: fn(&World, &Value),
}

fn row(command: &'static str, rule: Rule, args: fn(&World) -> Value) -> Row {
    Row {
        command,
        rule,
        args,
        on_success: |_, _| {},
    }
}

/// The matrix, in `roster_desktop::COMMANDS` order; every command there
/// needs a row here.
fn rows() -> Vec<Row> {
    use Permission::*;
    use Rule::*;
    vec![
        row("app_status", Public, |_| json!({})),
        // Writes only under `cargo xtask bench`'s probe; else does nothing.
        row("first_screen_drawn", Public, |_| json!({"screen": "sign-in"})),
        row(
            "initialize",
            FirstRunOnly,
            |_| json!({"name": "Ivy Intruder", "email": "ivy.intruder@example.com", "password": PASSWORD}),
        ),
        // Signs the reader in; the next row signs the column's operator in again.
        row(
            "sign_in",
            Public,
            |w| json!({"email": w.reader.email.as_str(), "password": PASSWORD}),
        ),
        // Only empties the session: with nobody signed in there is nothing to do.
        row("sign_out", Public, |_| json!({})),
        row("me", SignedInEvenPendingChange, |_| json!({})),
        Row {
            on_success: |w, args| w.password_changed(args["new_password"].as_str()),
            ..row("change_password", SignedInEvenPendingChange, |w| {
                let current = w.operator_password();
                let new = if current == PASSWORD {
                    OTHER_PASSWORD
                } else {
                    PASSWORD
                };
                json!({"current_password": current, "new_password": new})
            })
        },
        // Only sets the session's flag: with nobody signed in there is nothing to lock.
        row("lock_session", Public, |_| json!({})),
        // COMMANDS.md says a session pending a password change refuses every
        // command but me, change_password and sign_out; unlock_session does
        // not check for it (it returns `me` and leaves the change pending).
        row(
            "unlock_session",
            SignedInEvenLocked,
            |w| json!({"password": w.operator_password()}),
        ),
        row(
            "unlock_user",
            Requires(UsersCredentials),
            |w| json!({"id": w.locked.id}),
        ),
        row(
            "reset_two_factor",
            Requires(UsersCredentials),
            |w| json!({"id": w.reader.id}),
        ),
        row(
            "administrators_without_second_factor",
            RequiresAny(&[UsersView, SettingsManage]),
            |_| json!({}),
        ),
        row("inactivity_notice", SignedIn, |_| json!({})),
        row(
            "verify_second_factor",
            PendingSignIn("a code after a correct password"),
            |_| json!({"code": "000000"}),
        ),
        row(
            "resend_email_code",
            PendingSignIn("a new emailed code after a correct password"),
            |_| json!({}),
        ),
        row(
            "begin_totp_enrolment",
            PendingSignIn("authenticator set-up after a correct password"),
            |_| json!({}),
        ),
        row(
            "finish_totp_enrolment",
            PendingSignIn("authenticator set-up after a correct password"),
            |_| json!({"code": "000000"}),
        ),
        row("update_settings", Requires(SettingsManage), |w| {
            let mut settings = serde_json::to_value(w.current_settings()).expect("settings");
            settings["idle_timeout_minutes"] = json!(45);
            settings["lockout_threshold"] = json!(7);
            json!({ "settings": settings })
        }),
        row(
            "test_store_connection",
            Requires(SettingsManage),
            |_| json!({"remote": test_server(), "password": ""}),
        ),
        row(
            "connect_store",
            OtherStore("switches this computer to a server's directory"),
            |_| json!({}),
        ),
        row(
            "use_local_store",
            OtherStore("switches this computer back to its local file"),
            |_| json!({}),
        ),
        row(
            "copy_store_to_remote",
            OtherStore("copies this directory into an empty one on a server"),
            |_| json!({}),
        ),
        row("permission_catalogue", Public, |_| json!({})),
        row("list_users", Requires(UsersView), |_| json!({"query": {}})),
        row("count_users", Requires(UsersView), |_| json!({"query": {"search": "a"}})),
        row(
            "get_user",
            Requires(UsersView),
            |w| json!({"id": w.reader.id}),
        ),
        row(
            "email_available",
            RequiresAny(&[UsersCreate, UsersEdit]),
            |w| json!({"email": "someone.new@example.com", "except_id": w.reader.id}),
        ),
        row("create_user", Requires(UsersCreate), |w| {
            json!({"user": {
                "name": "Nell New", "email": "nell.new@example.com", "group_ids": [w.plain],
                "supervisor_id": w.reader.id, "status": "enabled", "password": PASSWORD,
                "must_change_password": true, "mask_client_data": false, "two_factor": "off"
            }})
        }),
        row("update_user", Requires(UsersEdit), |w| {
            let user = w.current_user(&w.edited);
            json!({"id": user.id, "user": {
                "version": user.version, "name": "Eddie Edited", "email": user.email.as_str(),
                "group_ids": [w.plain], "supervisor_id": w.reader.id,
                // Unchanged: changing them takes users.credentials too (the
                // core's matrix has that row).
                "must_change_password": user.must_change_password, "mask_client_data": true,
                "two_factor": user.two_factor
            }})
        }),
        row("set_user_status", Requires(UsersDisable), |w| {
            let user = w.current_user(&w.disabled);
            json!({"id": user.id, "status": "disabled", "version": user.version})
        }),
        row("delete_user", Requires(UsersDelete), |w| {
            let user = w.current_user(&w.deleted);
            json!({"id": user.id, "version": user.version})
        }),
        row("deleted_users", Requires(UsersDelete), |_| json!({})),
        row("restore_user", Requires(UsersDelete), |w| json!({"id": w.binned})),
        row("purge_deleted_user", Requires(UsersDelete), |w| json!({"id": w.purged})),
        row(
            "turn_off_own_two_factor",
            SignedIn,
            |w| json!({"password": w.operator_password(), "code": "000000"}),
        ),
        row(
            "reset_password",
            Requires(UsersCredentials),
            |w| json!({"id": w.reset.id, "password": OTHER_PASSWORD, "must_change_password": true}),
        ),
        row(
            "user_audit",
            Requires(AuditView),
            |w| json!({"id": w.reader.id, "limit": 50}),
        ),
        row("generate_password", Public, |_| json!({})),
        row(
            "check_password",
            Public,
            |_| json!({"password": "password1", "name": "Ann Lee", "email": "ann@example.com"}),
        ),
        row("settings", SignedIn, |_| json!({})),
        // With the mock runtime the dialog plugin's `blocking_show` never
        // returns (there is no event loop to answer it), and on a developer's
        // desktop it would open a real dialog: the row is documented, not
        // executed.
        row(
            "confirm",
            UiOnly("a native dialog's answer: reads and writes no directory data"),
            |_| json!({"title": "Delete", "message": "Delete?", "ok_label": "Delete"}),
        ),
        row("list_groups", RequiresAny(USER_AREA_OR_GROUPS), |_| {
            json!({})
        }),
        row(
            "create_group",
            Requires(GroupsManage),
            |_| json!({"group": {"name": "Fresh Group", "description": "new", "permissions": []}}),
        ),
        row("update_group", Requires(GroupsManage), |w| {
            let group = w.current_group(w.spare);
            json!({"id": group.id, "group": {
                "version": group.version, "name": "Spare Renamed", "description": "renamed",
                "permissions": []
            }})
        }),
        row("delete_group", Requires(GroupsManage), |w| {
            let group = w.current_group(w.doomed);
            json!({"id": group.id, "version": group.version})
        }),
        // Every column's directory sends through its own SMTP sink (see
        // `World::new`), so these change and use a working mail server.
        row(
            "mail_settings",
            Requires(SettingsManage),
            |_| json!({}),
        ),
        row("update_mail_settings", Requires(SettingsManage), |w| {
            json!({"settings": mail_settings_json(w.sink.port(), "Roster Rights"), "password": null})
        }),
        row(
            "send_test_email",
            Requires(SettingsManage),
            |_| json!({"to": "someone.else@example.com"}),
        ),
        row(
            "copy_secret",
            UiOnly("writes this computer's clipboard (which the test machine may not have), reads and writes no directory data; refused without an active session (tests/mail_commands.rs)"),
            |_| json!({"text": OTHER_PASSWORD}),
        ),
        row(
            "save_credentials_sheet",
            UiOnly("a native save dialog, then a file the person chose; reads and writes no directory data; refused without an active session (tests/mail_commands.rs)"),
            |_| json!({"name": "Ann Lee", "email": "ann@example.com", "password": OTHER_PASSWORD, "must_change_password": true}),
        ),
        row("list_clients", Requires(ClientsView), |_| json!({"query": {}})),
        row("count_clients", Requires(ClientsView), |_| json!({"query": {"search": "a"}})),
        row(
            "get_client",
            Requires(ClientsView),
            |w| json!({"id": w.clients.read}),
        ),
        row(
            "account_manager_choices",
            Requires(ClientsManage),
            |_| json!({"search": "a"}),
        ),
        row(
            "create_client",
            Requires(ClientsManage),
            |_| json!({"client": {"name": "Nia New", "email": "nia.new@example.com", "phone": "+44 20 7946 0018", "country": "GB"}}),
        ),
        row("update_client", Requires(ClientsManage), |w| {
            let client = w.current_client(w.clients.edited);
            json!({"id": client.id, "changes": {
                "version": client.version, "name": "Edda Edited", "email": null, "country": "DE"
            }})
        }),
        row("delete_client", Requires(ClientsManage), |w| {
            let client = w.current_client(w.clients.deleted);
            json!({"id": client.id, "version": client.version})
        }),
        row(
            "import_clients",
            UiOnly("the native open dialog, then import_clients_csv's core call on the file; refused before the dialog without clients.manage or to a masked operator (tests/client_commands.rs)"),
            |_| json!({"dry_run": true}),
        ),
        row(
            "export_clients",
            UiOnly("export_clients_csv's core call, then the native save dialog and a file the person chose; refused before the dialog without clients.view (tests/client_commands.rs)"),
            |_| json!({"query": {}}),
        ),
        row(
            "import_clients_csv",
            Requires(ClientsManage),
            |_| json!({"csv": "name,email,phone,country\nIma Imported,ima@example.com,,SE\n", "dry_run": false}),
        ),
        row("export_clients_csv", Requires(ClientsView), |_| {
            json!({"query": {}})
        }),
        row("audit_page", Requires(AuditView), |_| {
            json!({"filter": {"action": "rights", "search": "a"}, "limit": 10})
        }),
        row(
            "export_audit",
            UiOnly("audit_page's core call first, then the native save dialog and the core's export into the file the person chose; refused before the dialog without audit.view"),
            |_| json!({"filter": {}, "format": "csv"}),
        ),
        row("verify_audit", Requires(AuditView), |_| json!({})),
        row(
            "verify_audit_checkpoint",
            UiOnly("audit_page's core call first, then the native open dialog and the core's verification against the file the person chose; refused before the dialog without audit.view"),
            |_| json!({}),
        ),
        row(
            "save_audit_checkpoint",
            UiOnly("the core's audit_checkpoint first, then the native save dialog; refused before the dialog without audit.view"),
            |_| json!({}),
        ),
        row(
            "audit_archive_plan",
            RequiresAll(&[SettingsManage, AuditView]),
            |_| json!({"before": "2200-01-01T00:00:00Z"}),
        ),
        row(
            "archive_audit",
            UiOnly("audit_archive_plan's core call first (settings.manage and audit.view), then the native save dialog and the core's archive into the file the person chose"),
            |_| json!({}),
        ),
        row(
            "import_users",
            UiOnly("the native open dialog, then the core's import of the file; refused before the dialog without users.create (tests/bulk_commands.rs)"),
            |_| json!({"dry_run": true}),
        ),
        row(
            "cancel_users_import",
            UiOnly("raises the cancel flag of the operator's own running import; reads and writes no directory data; refused without an active session (tests/bulk_commands.rs)"),
            |_| json!({}),
        ),
        row(
            "save_import_credentials",
            UiOnly("a native save dialog for the passwords the operator's own import generated, held in the shell; refused without an active session, and without such passwords before any dialog (tests/bulk_commands.rs)"),
            |_| json!({"format": "csv"}),
        ),
        row(
            "discard_import_credentials",
            UiOnly("forgets the passwords the operator's own import generated, held in the shell; reads and writes no directory data; refused without an active session (tests/bulk_commands.rs)"),
            |_| json!({}),
        ),
        row(
            "save_users_template",
            UiOnly("a native save dialog and a file holding no directory data; refused before the dialog to operators the core does not let import (tests/bulk_commands.rs)"),
            |_| json!({"format": "csv"}),
        ),
        row(
            "export_users",
            UiOnly("the core's export into a private temporary file, then the native save dialog; refused before the dialog without users.view (tests/bulk_commands.rs)"),
            |_| json!({"query": {}, "format": "csv"}),
        ),
        row("plan_bulk_users", RequiresAll(&[UsersView, UsersDisable]), |w| {
            json!({"selection": {"kind": "ids", "ids": [w.bulk.id]}, "action": {"action": "disable"}})
        }),
        row("apply_bulk_users", RequiresAll(&[UsersView, UsersDisable]), |w| {
            json!({"selection": {"kind": "ids", "ids": [w.bulk.id]}, "action": {"action": "disable"}})
        }),
        row("backups_overview", Requires(SettingsManage), |_| json!({})),
        row("back_up_now", Requires(SettingsManage), |_| json!({})),
        row("verify_backup", Requires(SettingsManage), |w| {
            json!({"name": w.a_backup()})
        }),
        row("choose_backup_folder", Requires(SettingsManage), |_| {
            json!({"default": true})
        }),
        row("set_backup_passphrase", Requires(SettingsManage), |_| {
            json!({"passphrase": null})
        }),
        row("check_store", Requires(SettingsManage), |_| json!({"repair": true})),
        row(
            "save_store_copy",
            UiOnly("the core's authorize_store_change first (settings.manage), then the native save dialog and the core's save_copy_to_file (settings.manage again, audited as settings.backup); reads the directory and writes only its audit event"),
            |_| json!({}),
        ),
        // Last: it puts back the state of a backup made just before it.
        row("restore_backup", Requires(SettingsManage), |w| {
            json!({"name": w.a_backup()})
        }),
    ]
}

/// Mail settings for the SMTP sink on `port`: no encryption and no sign-in,
/// which the core accepts for a relay on this computer.
fn mail_settings_json(port: u16, sender_name: &str) -> Value {
    json!({
        "host": "127.0.0.1", "port": port, "security": "none", "user": null,
        "sender_address": "roster@example.com", "sender_name": sender_name,
    })
}

/// One column's directory: the app on the mock runtime, an administrator
/// for setting up and observing through the core, the column's operator,
/// and the targets of the rows.
struct World {
    webview: WebviewWindow<MockRuntime>,
    app: tauri::App<MockRuntime>,
    _dir: tempfile::TempDir,
    who: Who,
    /// The first administrator, acting through the core (not the session).
    admin: Operator,
    /// The column's operator: their account and current password.
    operator: Option<(User, RefCell<String>)>,
    /// A group that grants nothing: every target is in it.
    plain: GroupId,
    /// A group to rename, and one to delete.
    spare: GroupId,
    doomed: GroupId,
    /// Read by the reading rows, and signed in by the `sign_in` row.
    reader: User,
    /// One target per mutating row.
    edited: User,
    disabled: User,
    deleted: User,
    reset: User,
    /// Disabled by the bulk action row.
    bulk: User,
    /// In the recycle bin: one to restore, one to delete permanently.
    binned: UserId,
    purged: UserId,
    /// Locked out by failed sign-ins.
    locked: User,
    /// The mail server the directory sends through.
    sink: smtp_sink::Sink,
    /// The clients the client rows read, edit and delete.
    clients: ClientTargets,
}

/// One client per client row that needs one.
struct ClientTargets {
    read: ClientId,
    edited: ClientId,
    deleted: ClientId,
}

impl World {
    /// The name of a backup of the column's directory, made now (an
    /// automatic backup: it changes nothing in the directory).
    fn a_backup(&self) -> String {
        let state = self.app.state::<AppState>();
        let directory = state.directory().expect("a directory");
        let backups = block_on(state.local_backups()).expect("backups");
        block_on(directory.back_up_automatically(&backups, roster_core::backup::Reason::Daily))
            .expect("a backup")
            .expect("a local store")
            .name
    }

    fn new(who: Who) -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = AppState::open_at(dir.path().join("roster.sqlite3"));
        let (app, webview) = ipc::mock_app(state);
        let state = app.state::<AppState>();
        let directory = state.directory().expect("the store is open");
        let directory = &*directory;
        let (admin, operator, plain, spare, doomed, targets, binned) = block_on(async {
            // The matrix is about rights, not the second factor: the
            // administrator signs in with the password alone.
            directory
                .initialize(
                    ADMIN_NAME,
                    ADMIN_EMAIL,
                    given(PASSWORD),
                    Some(TwoFactor::Off),
                )
                .await
                .expect("initialize");
            let admin = directory.act_as(ADMIN_EMAIL).await.expect("act as admin");
            let group = |name: &'static str, permissions: &[Permission]| {
                let permissions: PermissionSet = permissions.iter().copied().collect();
                async move {
                    directory
                        .create_group(&admin, name, "", permissions)
                        .await
                        .expect("create group")
                        .id
                }
            };
            let user = |name: &'static str, groups: Vec<GroupId>| async move {
                directory
                    .create_user(&admin, new_user(name, groups))
                    .await
                    .expect("create user")
                    .user
            };
            let plain = group("Plain", &[]).await;
            let spare = group("Spare", &[]).await;
            let doomed = group("Doomed", &[]).await;
            let operator = match who {
                Who::Nobody => None,
                Who::NoPermission => Some(user("Olive Operator", vec![plain]).await),
                Who::Only(permission) => {
                    let own = group("Operators", &[permission]).await;
                    Some(user("Olive Operator", vec![own]).await)
                }
                Who::Administrator(Session::PendingChange) => {
                    Some(user("Pat Pending", vec![ADMINISTRATORS]).await)
                }
                Who::Administrator(_) => Some(
                    directory
                        .user(&admin, admin.id())
                        .await
                        .expect("the administrator"),
                ),
                Who::DisabledAfterSignIn => Some(user("Dora Disabled", vec![ADMINISTRATORS]).await),
            };
            let locked = user("Lou Locked", vec![plain]).await;
            let threshold = directory
                .settings(&admin)
                .await
                .expect("settings")
                .lockout_threshold;
            for _ in 0..threshold {
                let wrong = PlainPassword::new("not-the-password-at-all".to_owned());
                let refused = directory.sign_in(locked.email.as_str(), &wrong).await;
                assert!(refused.is_err(), "a wrong password signs in");
            }
            let locked = directory.user(&admin, locked.id).await.expect("reload");
            assert!(locked.locked_until.is_some(), "the target is locked out");
            let targets = [
                user("Rea Reader", vec![plain]).await,
                user("Ed Edited", vec![plain]).await,
                user("Dis Abled", vec![plain]).await,
                user("Del Eted", vec![plain]).await,
                user("Res Et", vec![plain]).await,
                user("Bea Bulk", vec![plain]).await,
                locked,
            ];
            let mut binned = Vec::new();
            for name in ["Bin Ned", "Pur Ged"] {
                let user = user(name, vec![plain]).await;
                directory
                    .delete_user(&admin, user.id, user.version)
                    .await
                    .expect("delete into the bin");
                binned.push(user.id);
            }
            (admin, operator, plain, spare, doomed, targets, binned)
        });
        let [reader, edited, disabled, deleted, reset, bulk, locked] = targets;
        let [binned, purged] = [binned[0], binned[1]];
        let clients = block_on(async {
            let client = |name: &str, email: &str| {
                let new = NewClient {
                    name: name.to_owned(),
                    email: Some(email.to_owned()),
                    phone: Some("+44 20 7946 0961".to_owned()),
                    country: Some("GB".to_owned()),
                    account_manager: None,
                };
                async move {
                    directory
                        .create_client(&admin, new)
                        .await
                        .expect("create client")
                        .id
                }
            };
            ClientTargets {
                read: client("Cleo Read", "cleo.read@example.com").await,
                edited: client("Cleo Edited", "cleo.edited@example.com").await,
                deleted: client("Cleo Deleted", "cleo.deleted@example.com").await,
            }
        });
        let sink = smtp_sink::Sink::accepting();
        block_on(async {
            let settings = serde_json::from_value(mail_settings_json(sink.port(), "Roster"))
                .expect("mail settings");
            directory
                .update_mail_settings(&admin, Some(settings))
                .await
                .expect("configure mail");
            state.reinstall_mailer().await.expect("install the mailer");
        });
        World {
            webview,
            app,
            _dir: dir,
            who,
            admin,
            operator: operator.map(|user| (user, RefCell::new(PASSWORD.to_owned()))),
            plain,
            spare,
            doomed,
            reader,
            edited,
            disabled,
            deleted,
            reset,
            bulk,
            binned,
            purged,
            locked,
            sink,
            clients,
        }
    }

    fn state(&self) -> &AppState {
        self.app.state::<AppState>().inner()
    }

    fn directory(&self) -> std::sync::Arc<Directory> {
        self.state().directory().expect("the store is open")
    }

    /// Invokes `command` as the web view would; Ok is the result, Err the
    /// `{code, message, field}` the UI receives.
    fn call(&self, command: &str, args: Value) -> Result<Value, Value> {
        ipc::invoke(&self.webview, command, args)
    }

    fn ok(&self, command: &str, args: Value) -> Value {
        self.call(command, args)
            .unwrap_or_else(|error| panic!("{command} failed: {error}"))
    }

    /// The column's operator's password as it is now (any one for nobody).
    fn operator_password(&self) -> String {
        self.operator
            .as_ref()
            .map_or_else(|| PASSWORD.to_owned(), |(_, p)| p.borrow().clone())
    }

    fn password_changed(&self, new: Option<&str>) {
        if let (Some((_, password)), Some(new)) = (&self.operator, new) {
            *password.borrow_mut() = new.to_owned();
        }
    }

    /// A user as the directory holds them now (their version moves on).
    fn current_user(&self, user: &User) -> User {
        block_on(self.directory().user(&self.admin, user.id)).expect("reload user")
    }

    fn current_group(&self, id: GroupId) -> Group {
        block_on(self.directory().groups(&self.admin))
            .expect("groups")
            .into_iter()
            .find(|g| g.id == id)
            .expect("the group exists")
    }

    fn current_client(&self, id: ClientId) -> Client {
        block_on(self.directory().client(&self.admin, id)).expect("reload client")
    }

    fn current_settings(&self) -> Settings {
        block_on(self.directory().settings(&self.admin)).expect("settings")
    }

    fn set_status(&self, user: &User, status: Status) {
        let user = self.current_user(user);
        block_on(
            self.directory()
                .set_status(&self.admin, user.id, status, user.version),
        )
        .expect("set status");
    }

    /// The state of the session now, if it is the column's operator's.
    fn session_now(&self, operator: &User) -> Option<Session> {
        if self.state().current().map(|o| o.id()) != Some(operator.id) {
            return None;
        }
        let flags = self.state().flags()?;
        Some(if flags.locked {
            Session::Locked
        } else if flags.must_change_password {
            Session::PendingChange
        } else {
            Session::Active
        })
    }

    /// Puts the column's operator in the session, in the column's state (or
    /// nobody), signing in through the `sign_in` command when a row changed
    /// the session.
    fn ensure_session(&self) {
        let (Some((operator, password)), Some(wanted)) = (&self.operator, self.who.session())
        else {
            self.ok("sign_out", json!({}));
            return;
        };
        if self.session_now(operator) == Some(wanted) {
            return;
        }
        let revoked = self.who == Who::DisabledAfterSignIn;
        if revoked {
            self.set_status(operator, Status::Enabled);
        }
        if wanted == Session::PendingChange {
            let user = self.current_user(operator);
            if !user.must_change_password {
                let flag = UserChanges {
                    version: user.version,
                    must_change_password: Some(true),
                    ..UserChanges::default()
                };
                block_on(self.directory().update_user(&self.admin, user.id, flag))
                    .expect("flag for a password change");
            }
        }
        let signed_in = self.ok(
            "sign_in",
            json!({"email": operator.email.as_str(), "password": password.borrow().as_str()}),
        );
        assert_eq!(signed_in["me"]["user"]["id"], json!(operator.id));
        if revoked {
            self.set_status(operator, Status::Disabled);
        }
        if wanted == Session::Locked {
            self.ok("lock_session", json!({}));
        }
        assert_eq!(self.session_now(operator), Some(wanted), "{}", self.who);
    }

    /// Everything a command could change, read by the administrator
    /// through the core.
    fn snapshot(&self) -> Snapshot {
        block_on(async {
            let directory = self.directory();
            let mut users = Vec::new();
            let mut query = UserQuery {
                limit: 500,
                ..UserQuery::default()
            };
            loop {
                let page = directory
                    .list_users(&self.admin, &query)
                    .await
                    .expect("list users");
                users.extend(page.users);
                match page.next {
                    Some(next) => query.after = Some(next),
                    None => break,
                }
            }
            let mut password_hashes = Vec::new();
            let mut tx = directory
                .store()
                .begin(TxMode::Read)
                .await
                .expect("read transaction");
            for user in &users {
                let hash = tx.password_hash(user.id).await.expect("password hash");
                password_hashes.push((user.id, hash));
            }
            drop(tx);
            let groups = directory.groups(&self.admin).await.expect("groups");
            let audit = directory
                .audit_events(
                    &self.admin,
                    &AuditQuery {
                        limit: 10_000,
                        ..AuditQuery::default()
                    },
                )
                .await
                .expect("audit events");
            let settings = directory.settings(&self.admin).await.expect("settings");
            let mail = directory.load_mail_settings().await.expect("mail settings");
            let mut clients = Vec::new();
            let mut query = ClientQuery {
                limit: ClientQuery::MAX_LIMIT,
                ..ClientQuery::default()
            };
            loop {
                let page = directory
                    .list_clients(&self.admin, &query)
                    .await
                    .expect("list clients");
                clients.extend(page.clients);
                match page.next {
                    Some(next) => query.after = Some(next),
                    None => break,
                }
            }
            Snapshot {
                clients,
                users,
                password_hashes,
                groups,
                audit,
                settings,
                mail,
            }
        })
    }
}

#[derive(Debug, PartialEq)]
struct Snapshot {
    users: Vec<User>,
    password_hashes: Vec<(UserId, Option<PasswordHash>)>,
    groups: Vec<Group>,
    audit: Vec<AuditEvent>,
    settings: Settings,
    mail: Option<roster_core::smtp::MailSettings>,
    clients: Vec<Client>,
}

impl Snapshot {
    /// Which parts differ, for the failure message.
    fn differences(&self, other: &Snapshot) -> Vec<&'static str> {
        [
            ("users", self.users != other.users),
            (
                "password hashes",
                self.password_hashes != other.password_hashes,
            ),
            ("groups", self.groups != other.groups),
            ("audit log", self.audit != other.audit),
            ("settings", self.settings != other.settings),
            ("mail settings", self.mail != other.mail),
            ("clients", self.clients != other.clients),
        ]
        .into_iter()
        .filter_map(|(part, differs)| differs.then_some(part))
        .collect()
    }
}

/// The test PostgreSQL server (`ROSTER_TEST_DATABASE_URL`, else the local one).
fn test_server() -> Value {
    let url = std::env::var("ROSTER_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let config = roster_core::store::postgres::PgConfig::from_url(&url).expect("test database URL");
    json!({
        "host": config.host,
        "port": config.port,
        "database": config.database,
        "user": config.user,
        "tls": config.tls.as_str(),
    })
}

fn given(password: &str) -> PasswordChoice {
    PasswordChoice::Given(PlainPassword::new(password.to_owned()))
}

/// An enabled user named `name`, `ann.lee@example.com` for "Ann Lee".
fn new_user(name: &str, groups: Vec<GroupId>) -> NewUser {
    NewUser {
        name: name.to_owned(),
        email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
        groups,
        supervisor: None,
        status: Status::Enabled,
        password: given(PASSWORD),
        must_change_password: false,
        mask_client_data: false,
        two_factor: Some(roster_core::domain::TwoFactor::Off),
        valid_until: None,
    }
}

#[test]
fn every_command_the_web_view_may_invoke_has_a_row() {
    let rows = rows();
    let listed: BTreeSet<&str> = rows.iter().map(|row| row.command).collect();
    assert_eq!(
        listed.len(),
        rows.len(),
        "a command has more than one row in the rights matrix"
    );
    let commands: BTreeSet<&str> = roster_desktop::COMMANDS.iter().copied().collect();
    let missing: Vec<&&str> = commands.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "commands without a row in the rights matrix (add one to rows() in tests/rights.rs, \
         with the rule its core service applies): {missing:?}"
    );
    let unknown: Vec<&&str> = listed.difference(&commands).collect();
    assert!(
        unknown.is_empty(),
        "rows for commands the web view may not invoke (not in roster_desktop::COMMANDS): \
         {unknown:?}"
    );
}

#[test]
fn every_command_allows_exactly_the_operators_its_rule_names() {
    let rows = rows();
    for row in &rows {
        if let Rule::UiOnly(reason) | Rule::PendingSignIn(reason) | Rule::OtherStore(reason) =
            row.rule
        {
            eprintln!("{}: not executed: {reason}", row.command);
        }
    }
    let mut wrong = Vec::new();
    for who in Who::all() {
        let world = World::new(who);
        for row in &rows {
            let Some(expect) = row.rule.expect(who) else {
                continue;
            };
            world.ensure_session();
            let args = (row.args)(&world);
            let before = world.snapshot();
            let cell = format!("{} by {who} ({:?})", row.command, row.rule);
            match (expect, world.call(row.command, args.clone())) {
                (Expect::Success, Ok(_)) => (row.on_success)(&world, &args),
                (Expect::Success, Err(error)) => {
                    wrong.push(format!("{cell}: should succeed, was refused: {error}"));
                }
                (Expect::Refused(codes), Ok(result)) => {
                    let result = result.to_string();
                    let result: String = result.chars().take(120).collect();
                    wrong.push(format!(
                        "{cell}: should be refused with {codes:?}, succeeded: {result}"
                    ));
                }
                (Expect::Refused(codes), Err(error)) => {
                    let code = error["code"].as_str().unwrap_or_default();
                    if !codes.contains(&code) {
                        wrong.push(format!(
                            "{cell}: should be refused with {codes:?}, was refused with {error}"
                        ));
                    }
                    let changed = before.differences(&world.snapshot());
                    if !changed.is_empty() {
                        wrong.push(format!("{cell}: was refused but changed {changed:?}"));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells of the rights matrix are wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn initialize_needs_no_sign_in_on_a_fresh_store_and_leaves_the_second_factor_owed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::open_at(dir.path().join("roster.sqlite3"));
    let (_app, webview) = ipc::mock_app(state);
    let call = |command: &str, args: Value| ipc::invoke(&webview, command, args);
    assert_eq!(
        call("app_status", json!({})).unwrap()["session"],
        Value::Null
    );
    let started = call(
        "initialize",
        json!({"name": ADMIN_NAME, "email": ADMIN_EMAIL, "password": PASSWORD}),
    )
    .expect("initialize with nobody signed in");
    assert_eq!(started["stage"], "totp_enrolment");
    assert_eq!(started["me"], Value::Null);
    let refused = call("me", json!({})).expect_err("signed in before the second factor");
    assert_eq!(refused["code"], "not_signed_in");
}
