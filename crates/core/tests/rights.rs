//! The core's rights matrix: every public service of `Directory`, called by
//! every kind of operator, against the rule it applies.
//!
//! A row names a service, how to call it in a prepared directory, and its
//! rule. A column is an operator: one holding no permission, one holding
//! exactly one permission (a column per entry of `Permission::ALL`), an
//! administrator, and an administrator disabled, or deleted, after the
//! `Operator` value was made (the core reloads the operator on every call).
//! Each column gets a directory of its own, and each changing row a target
//! of its own in it, so rows and columns do not disturb each other.
//!
//! For every cell: allowed means the call succeeds; refused means a rights
//! error (`Error::is_permission_error`), `OperatorInvalid` for the disabled
//! and deleted operators, and the directory exactly as it was: every user,
//! every password hash, every group, every client, the whole audit log and
//! the settings.
//!
//! Completeness: `every_public_service_has_a_row` reads every service file
//! of `src/directory/` (one `impl Directory` per concern) and
//! `src/administrators.rs` (compiled in with `include_str!`) and lists every
//! `pub async fn` in them; a new service without a row fails that test by
//! name. It is a textual scan, not reflection: it misses a service that is
//! not `async`, or one written on two lines (`pub async\nfn`), or one in a
//! file not listed in `public_services` (moving a listed file breaks the
//! `include_str!` and so the build, which is loud enough). The non-async public items (`new`, `with_hasher`,
//! `store`, `Operator::id`, `Settings::lock_duration`) check no rights.

mod support;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use roster_core::backup::{BackupError, Backups, Reason, Retention};
use roster_core::clients::{ClientChanges, ClientQuery, NewClient};
use roster_core::directory::{GroupChanges, RestoreOptions, Settings, UserChanges};
use roster_core::domain::{
    Email, Grant, GroupId, Permission, PermissionSet, Scope, Status, UserId,
};
use roster_core::mail::{MailError, Mailer, Message};
use roster_core::model::{AuditQuery, Client, TargetKind, User};
use roster_core::password::{PasswordHash, PlainPassword};
use roster_core::smtp::{MailSecurity, MailSettings};
use roster_core::store::copy::ClientRow;
use roster_core::store::{TxMode, UserQuery, ADMINISTRATORS};
use roster_core::{Error, Operator};
use support::*;

/// Accepts every message and keeps none: the services that send mail need
/// a mailer to be allowed at all.
struct Discard;

#[async_trait::async_trait]
impl Mailer for Discard {
    async fn send(&self, _: &Message) -> Result<(), MailError> {
        Ok(())
    }
}

/// A password that passes the policy and differs from `GOOD_PASSWORD`.
const OTHER_PASSWORD: &str = "quiet-meadow-window-19";

const USER_AREA: &[Permission] = &[
    Permission::UsersView,
    Permission::UsersCreate,
    Permission::UsersEdit,
    Permission::UsersDisable,
    Permission::UsersDelete,
    Permission::UsersCredentials,
];

const USER_AREA_OR_GROUPS: &[Permission] = &[
    Permission::UsersView,
    Permission::UsersCreate,
    Permission::UsersEdit,
    Permission::UsersDisable,
    Permission::UsersDelete,
    Permission::UsersCredentials,
    Permission::GroupsManage,
];

/// Who may call a service.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Takes no operator, so checks no rights: the reason says why that is
    /// safe (public data, credentials checked, or a trusted caller).
    NoOperator(&'static str),
    /// Only before the first user exists; afterwards `AlreadyInitialized`.
    FirstRunOnly,
    /// Any operator whose account is still enabled.
    Enabled,
    Requires(Permission),
    RequiresAny(&'static [Permission]),
    /// Every one of them.
    RequiresAll(&'static [Permission]),
    /// Takes a `PendingSignIn`, which only a correct password yields, not an
    /// operator: outside the operator matrix, so the row is not run here;
    /// `tests/two_factor.rs` covers it. The reason says so.
    PendingSignIn(&'static str),
}

/// A column of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    NoPermission,
    Only(Permission),
    /// Holds one right on users for their team only; every target user of
    /// the fixture reports to them.
    Team(Permission),
    Administrator,
    /// An administrator's `Operator`, kept after the account was disabled.
    Disabled,
    /// An administrator's `Operator`, kept after the account was deleted.
    Deleted,
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::NoPermission => f.write_str("an operator with no permission"),
            Who::Only(p) => write!(f, "an operator with only {}", p.code()),
            Who::Team(p) => write!(f, "a team lead with only {}:team", p.code()),
            Who::Administrator => f.write_str("an administrator"),
            Who::Disabled => f.write_str("a disabled administrator"),
            Who::Deleted => f.write_str("a deleted administrator"),
        }
    }
}

impl Who {
    fn all() -> Vec<Who> {
        let mut all = vec![Who::NoPermission];
        all.extend(Permission::ALL.iter().copied().map(Who::Only));
        all.extend(
            Permission::ALL
                .iter()
                .copied()
                .filter(|p| p.scopable())
                .map(Who::Team),
        );
        all.extend([Who::Administrator, Who::Disabled, Who::Deleted]);
        all
    }

    fn holds(self, permission: Permission) -> bool {
        match self {
            Who::Only(held) | Who::Team(held) => held == permission,
            Who::Administrator => true,
            Who::NoPermission | Who::Disabled | Who::Deleted => false,
        }
    }
}

#[derive(Debug)]
enum Expect {
    Success,
    /// Refused by a rights rule, and nothing changed.
    RightsRefusal,
    /// Refused with `OperatorInvalid`, and nothing changed.
    OperatorInvalid,
    /// Refused with `AlreadyInitialized`, and nothing changed.
    AlreadyInitialized,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::NoOperator(why) => write!(f, "takes no operator: {why}"),
            Rule::PendingSignIn(why) => write!(f, "takes a pending sign-in: {why}"),
            Rule::FirstRunOnly => f.write_str("only before the first user exists"),
            Rule::Enabled => f.write_str("any enabled operator"),
            Rule::Requires(p) => write!(f, "requires {}", p.code()),
            Rule::RequiresAny(ps) => {
                let codes: Vec<&str> = ps.iter().map(|p| p.code()).collect();
                write!(f, "requires any of {}", codes.join(", "))
            }
            Rule::RequiresAll(ps) => {
                let codes: Vec<&str> = ps.iter().map(|p| p.code()).collect();
                write!(f, "requires all of {}", codes.join(", "))
            }
        }
    }
}

/// Services whose right must reach everyone: a right held for a team only
/// is refused there (the recycle bin holds people who are in no team; an
/// imported client has no account manager yet).
const FOR_EVERYONE: &[&str] = &[
    "deleted_users",
    "restore_user",
    "purge_deleted_user",
    "import_clients",
    "import_clients_from",
];

impl Rule {
    fn expect(self, who: Who, service: &str) -> Expect {
        let allowed = match self {
            Rule::NoOperator(_) | Rule::PendingSignIn(_) => return Expect::Success,
            Rule::FirstRunOnly => return Expect::AlreadyInitialized,
            _ if matches!(who, Who::Disabled | Who::Deleted) => return Expect::OperatorInvalid,
            _ if matches!(who, Who::Team(_)) && FOR_EVERYONE.contains(&service) => false,
            Rule::Enabled => true,
            Rule::Requires(permission) => who.holds(permission),
            Rule::RequiresAny(permissions) => permissions.iter().any(|p| who.holds(*p)),
            Rule::RequiresAll(permissions) => permissions.iter().all(|p| who.holds(*p)),
        };
        if allowed {
            Expect::Success
        } else {
            Expect::RightsRefusal
        }
    }

    fn allows(self, who: Who, service: &str, error: &Error) -> bool {
        match self.expect(who, service) {
            Expect::Success => false,
            Expect::RightsRefusal => error.is_permission_error(),
            Expect::OperatorInvalid => matches!(error, Error::OperatorInvalid),
            Expect::AlreadyInitialized => matches!(error, Error::AlreadyInitialized),
        }
    }
}

type Call =
    for<'a> fn(&'a Fixture, &'a Operator) -> Pin<Box<dyn Future<Output = Result<(), Error>> + 'a>>;

struct Row {
    service: &'static str,
    rule: Rule,
    call: Call,
}

fn row(service: &'static str, rule: Rule, call: Call) -> Row {
    Row {
        service,
        rule,
        call,
    }
}

/// The matrix, by concern, as in `src/directory/`; every `pub async fn` there needs a row.
fn rows() -> Vec<Row> {
    use Permission::*;
    use Rule::*;
    vec![
        row(
            "authorize_store_change",
            Requires(SettingsManage),
            |f, op| Box::pin(async move { f.dir().authorize_store_change(Some(op)).await }),
        ),
        row(
            "is_initialized",
            NoOperator("reveals only whether anyone exists"),
            |f, _| Box::pin(async move { f.dir().is_initialized().await.map(drop) }),
        ),
        row("initialize", FirstRunOnly, |f, _| {
            Box::pin(async move {
                f.dir()
                    .initialize(
                        "Ivy Intruder",
                        "ivy@example.com",
                        password(GOOD_PASSWORD),
                        None,
                    )
                    .await
                    .map(drop)
            })
        }),
        row(
            "act_as",
            NoOperator("tests' and the benchmark's; neither the desktop nor the CLI calls it"),
            |f, _| Box::pin(async move { f.dir().act_as(f.reader.email.as_str()).await.map(drop) }),
        ),
        row(
            "recover_as",
            NoOperator(
                "the CLI's audited recovery path, only where the caller can write the store's \
                 file anyway (refused on other stores: checked here)",
            ),
            |f, _| {
                Box::pin(async move {
                    let result = f.dir().recover_as(f.reader.email.as_str(), "matrix").await;
                    if f.dir().store().is_writable_local_file() {
                        return result.map(drop);
                    }
                    match result {
                        Err(Error::RecoveryNotAllowed) => Ok(()),
                        Ok(_) => panic!(
                            "recovery without a sign-in was allowed on {}",
                            f.dir().store().describe()
                        ),
                        Err(other) => Err(other),
                    }
                })
            },
        ),
        row(
            "first_administrator",
            NoOperator("the benchmark's; neither the desktop nor the CLI calls it"),
            |f, _| Box::pin(async move { f.dir().first_administrator().await.map(drop) }),
        ),
        row(
            "sign_in",
            NoOperator("checks the credentials it is given"),
            |f, _| {
                Box::pin(async move {
                    f.dir()
                        .sign_in(f.reader.email.as_str(), &PlainPassword::new(GOOD_PASSWORD))
                        .await
                        .map(drop)
                })
            },
        ),
        row("confirm_password", Enabled, |f, op| {
            Box::pin(async move {
                let current = f.operator_password.borrow().clone();
                f.dir()
                    .confirm_password(op, &PlainPassword::new(current))
                    .await
            })
        }),
        row("change_own_password", Enabled, |f, op| {
            Box::pin(async move {
                let current = f.operator_password.borrow().clone();
                let new = if current == GOOD_PASSWORD {
                    OTHER_PASSWORD
                } else {
                    GOOD_PASSWORD
                };
                f.dir()
                    .change_own_password(op, &PlainPassword::new(current), &PlainPassword::new(new))
                    .await?;
                *f.operator_password.borrow_mut() = new.to_owned();
                Ok(())
            })
        }),
        row("unlock_user", Requires(UsersCredentials), |f, op| {
            Box::pin(async move { f.dir().unlock_user(op, f.locked.id).await.map(drop) })
        }),
        row(
            "idle_timeout_minutes",
            NoOperator("one setting the desktop needs to open any session"),
            |f, _| Box::pin(async move { f.dir().idle_timeout_minutes().await.map(drop) }),
        ),
        row("reset_two_factor", Requires(UsersCredentials), |f, op| {
            Box::pin(async move { f.dir().reset_two_factor(op, f.reset.id).await.map(drop) })
        }),
        row(
            "resend_email_code",
            PendingSignIn("a new emailed code after a correct password"),
            |_, _| Box::pin(async { Ok(()) }),
        ),
        row(
            "verify_second_factor",
            PendingSignIn("a code after a correct password"),
            |_, _| Box::pin(async { Ok(()) }),
        ),
        row(
            "begin_totp_enrolment",
            PendingSignIn("authenticator set-up after a correct password"),
            |_, _| Box::pin(async { Ok(()) }),
        ),
        row(
            "finish_totp_enrolment",
            PendingSignIn("authenticator set-up after a correct password"),
            |_, _| Box::pin(async { Ok(()) }),
        ),
        row("me", Enabled, |f, op| {
            Box::pin(async move { f.dir().me(op).await.map(drop) })
        }),
        row(
            "disable_inactive_accounts",
            NoOperator("the inactivity rule, which nobody asks for: applied as a session starts and by the desktop's timer; an operator only names whom to spare"),
            |f, _| Box::pin(async move { f.dir().disable_inactive_accounts(None).await.map(drop) }),
        ),
        row("take_inactivity_notice", Enabled, |f, op| {
            Box::pin(async move { f.dir().take_inactivity_notice(op).await.map(drop) })
        }),
        row(
            "administrators_without_second_factor",
            RequiresAny(&[UsersView, SettingsManage]),
            |f, op| {
                Box::pin(async move {
                    f.dir()
                        .administrators_without_second_factor(op)
                        .await
                        .map(drop)
                })
            },
        ),
        row("create_user", Requires(UsersCreate), |f, op| {
            Box::pin(async move {
                let mut new = new_user("Nell New", &[f.plain]);
                new.supervisor = Some(f.reader.id);
                new.must_change_password = true;
                f.dir().create_user(op, new).await.map(drop)
            })
        }),
        row("create_user_and_send", Requires(UsersCreate), |f, op| {
            Box::pin(async move {
                let mut new = new_user("Sam Sent", &[f.plain]);
                new.supervisor = Some(f.reader.id);
                f.dir().create_user_and_send(op, new, true).await.map(drop)
            })
        }),
        row("user", Requires(UsersView), |f, op| {
            Box::pin(async move { f.dir().user(op, f.reader.id).await.map(drop) })
        }),
        row("user_with_rights", Requires(UsersView), |f, op| {
            Box::pin(async move {
                f.dir()
                    .user_with_rights(op, f.reader.id)
                    .await
                    .map(drop)
            })
        }),
        row("user_by_email", Requires(UsersView), |f, op| {
            Box::pin(async move {
                f.dir()
                    .user_by_email(op, f.reader.email.as_str())
                    .await
                    .map(drop)
            })
        }),
        row("user_handle", RequiresAny(USER_AREA), |f, op| {
            Box::pin(async move {
                f.dir()
                    .user_handle(op, f.reader.email.as_str())
                    .await
                    .map(drop)
            })
        }),
        row(
            "email_available",
            RequiresAny(&[UsersCreate, UsersEdit]),
            |f, op| {
                Box::pin(async move {
                    f.dir()
                        .email_available(op, "someone.new@example.com", Some(f.reader.id))
                        .await
                        .map(drop)
                })
            },
        ),
        row("list_users", Requires(UsersView), |f, op| {
            Box::pin(async move {
                f.dir()
                    .list_users(op, &UserQuery::default())
                    .await
                    .map(drop)
            })
        }),
        row("count_users", Requires(UsersView), |f, op| {
            Box::pin(async move {
                let query = UserQuery {
                    search: Some("example".into()),
                    ..UserQuery::default()
                };
                f.dir().count_users(op, &query).await.map(drop)
            })
        }),
        // "Must change password" and the second factor are credentials:
        // changing them takes users.credentials besides users.edit.
        row(
            "update_user",
            RequiresAll(&[UsersEdit, UsersCredentials]),
            |f, op| {
                Box::pin(async move {
                    let user = f.current(&f.edited).await;
                    let changes = UserChanges {
                        version: user.version,
                        name: Some("Eddie Edited".into()),
                        email: Some("eddie.edited@example.com".into()),
                        groups: Some(vec![f.plain]),
                        supervisor: Some(Some(f.reader.id)),
                        must_change_password: Some(true),
                        mask_client_data: Some(true),
                        two_factor: Some(roster_core::domain::TwoFactor::Totp),
                        valid_until: Some(Some("2099-12-31".into())),
                    };
                    f.dir().update_user(op, user.id, changes).await.map(drop)
                })
            },
        ),
        row("turn_off_own_two_factor", Enabled, |f, op| {
            Box::pin(async move {
                let current = f.operator_password.borrow().clone();
                // An operator whose authenticator is still to be set up has
                // nothing to turn off: not a question of rights.
                match f
                    .dir()
                    .turn_off_own_two_factor(op, &PlainPassword::new(current), "000000")
                    .await
                {
                    Ok(_) | Err(Error::NotEnrolling) => Ok(()),
                    Err(other) => Err(other),
                }
            })
        }),
        row("set_status", Requires(UsersDisable), |f, op| {
            Box::pin(async move {
                let user = f.current(&f.disabled).await;
                f.dir()
                    .set_status(op, user.id, Status::Disabled, user.version)
                    .await
                    .map(drop)
            })
        }),
        row("delete_user", Requires(UsersDelete), |f, op| {
            Box::pin(async move {
                let user = f.current(&f.deleted).await;
                f.dir().delete_user(op, user.id, user.version).await
            })
        }),
        row("deleted_users", Requires(UsersDelete), |f, op| {
            Box::pin(async move { f.dir().deleted_users(op, None, 50).await.map(drop) })
        }),
        row("restore_user", Requires(UsersDelete), |f, op| {
            Box::pin(async move {
                f.dir()
                    .restore_user(op, f.binned.id, RestoreOptions::default())
                    .await
                    .map(drop)
            })
        }),
        row("purge_deleted_user", Requires(UsersDelete), |f, op| {
            Box::pin(async move { f.dir().purge_deleted_user(op, f.purged.id).await })
        }),
        row(
            "purge_recycle_bin",
            NoOperator("the recycle bin's period, which nobody asks for: applied as a session starts and by the desktop's timer; it purges only users deleted longer ago than the setting"),
            |f, _| Box::pin(async move { f.dir().purge_recycle_bin().await.map(drop) }),
        ),
        row("reset_password", Requires(UsersCredentials), |f, op| {
            Box::pin(async move {
                f.dir()
                    .reset_password(op, f.reset.id, password(OTHER_PASSWORD), true)
                    .await
                    .map(drop)
            })
        }),
        row(
            "reset_password_and_send",
            Requires(UsersCredentials),
            |f, op| {
                Box::pin(async move {
                    f.dir()
                        .reset_password_and_send(
                            op,
                            f.reset.id,
                            password(GOOD_PASSWORD),
                            true,
                            true,
                        )
                        .await
                        .map(drop)
                })
            },
        ),
        row("groups", RequiresAny(USER_AREA_OR_GROUPS), |f, op| {
            Box::pin(async move { f.dir().groups(op).await.map(drop) })
        }),
        row(
            "group_by_name",
            RequiresAny(USER_AREA_OR_GROUPS),
            |f, op| Box::pin(async move { f.dir().group_by_name(op, "plain").await.map(drop) }),
        ),
        row("create_group", Requires(GroupsManage), |f, op| {
            Box::pin(async move {
                f.dir()
                    .create_group(op, "Fresh Group", "new", PermissionSet::default())
                    .await
                    .map(drop)
            })
        }),
        row("update_group", Requires(GroupsManage), |f, op| {
            Box::pin(async move {
                let group = f.group(f.spare).await;
                let changes = GroupChanges {
                    version: group.version,
                    name: Some("Spare Renamed".into()),
                    description: Some("renamed".into()),
                    permissions: Some(PermissionSet::default()),
                };
                f.dir().update_group(op, group.id, changes).await.map(drop)
            })
        }),
        row("delete_group", Requires(GroupsManage), |f, op| {
            Box::pin(async move {
                let group = f.group(f.doomed).await;
                f.dir().delete_group(op, group.id, group.version).await
            })
        }),
        row("audit_events", Requires(AuditView), |f, op| {
            Box::pin(async move {
                let query = AuditQuery {
                    target_kind: Some(TargetKind::User),
                    ..AuditQuery::default()
                };
                f.dir().audit_events(op, &query).await.map(drop)
            })
        }),
        row("user_audit", Requires(AuditView), |f, op| {
            Box::pin(async move { f.dir().user_audit(op, f.reader.id, 50).await.map(drop) })
        }),
        row("audit_page", Requires(AuditView), |f, op| {
            Box::pin(async move {
                let filter = roster_core::audit::AuditFilter {
                    search: Some("a".into()),
                    ..Default::default()
                };
                f.dir().audit_page(op, &filter, None, 10).await.map(drop)
            })
        }),
        row("each_audit_event", Requires(AuditView), |f, op| {
            Box::pin(async move {
                f.dir()
                    .each_audit_event(op, &Default::default(), &mut |_| Ok(()))
                    .await
                    .map(drop)
            })
        }),
        row("export_audit", Requires(AuditView), |f, op| {
            Box::pin(async move {
                let file = tempfile::tempfile().expect("a temporary file");
                f.dir()
                    .export_audit(
                        op,
                        &Default::default(),
                        roster_core::audit::export::ExportFormat::Csv,
                        file,
                    )
                    .await
                    .map(drop)
            })
        }),
        row("audit_user_id", Requires(AuditView), |f, op| {
            Box::pin(async move {
                let email = f.reader.email.as_str().to_owned();
                f.dir().audit_user_id(op, &email).await.map(drop)
            })
        }),
        row("verify_audit", Requires(AuditView), |f, op| {
            Box::pin(async move { f.dir().verify_audit(op, None).await.map(drop) })
        }),
        row("audit_checkpoint", Requires(AuditView), |f, op| {
            Box::pin(async move { f.dir().audit_checkpoint(op).await.map(drop) })
        }),
        row(
            "verify_audit_with_archives",
            Requires(AuditView),
            |f, op| {
                Box::pin(async move {
                    f.dir()
                        .verify_audit_with_archives(op, &[], None)
                        .await
                        .map(drop)
                })
            },
        ),
        row(
            "audit_archive_plan",
            RequiresAll(&[SettingsManage, AuditView]),
            |f, op| {
                Box::pin(async move {
                    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
                    f.dir()
                        .audit_archive_plan(op, Some(tomorrow))
                        .await
                        .map(drop)
                })
            },
        ),
        // Archives (and removes) the whole log so far: the last audit row.
        row(
            "archive_audit",
            RequiresAll(&[SettingsManage, AuditView]),
            |f, op| {
                Box::pin(async move {
                    let file = tempfile::tempfile().expect("a temporary file");
                    f.dir()
                        .archive_audit(op, chrono::Utc::now(), file)
                        .await
                        .map(drop)
                })
            },
        ),
        row("settings", Enabled, |f, op| {
            Box::pin(async move { f.dir().settings(op).await.map(drop) })
        }),
        row("update_settings", Requires(SettingsManage), |f, op| {
            Box::pin(async move {
                let settings = Settings {
                    idle_timeout_minutes: 45,
                    lockout_threshold: 7,
                    ..f.dir().settings(&f.world.admin).await.expect("settings")
                };
                f.dir().update_settings(op, &settings).await.map(drop)
            })
        }),
        row(
            "check_password",
            NoOperator("the policy's verdict on a typed password"),
            |f, _| {
                Box::pin(async move {
                    f.dir()
                        .check_password(
                            &PlainPassword::new("password1"),
                            "Ann Lee",
                            "ann@example.com",
                        )
                        .await
                        .map(drop)
                })
            },
        ),
        row("mail_settings", Requires(SettingsManage), |f, op| {
            Box::pin(async move { f.dir().mail_settings(op).await.map(drop) })
        }),
        row(
            "load_mail_settings",
            NoOperator("the mail server's settings, no secret, to build the mailer at start-up"),
            |f, _| Box::pin(async move { f.dir().load_mail_settings().await.map(drop) }),
        ),
        row("update_mail_settings", Requires(SettingsManage), |f, op| {
            Box::pin(async move {
                let settings = MailSettings {
                    host: "smtp.example.com".into(),
                    port: 587,
                    security: MailSecurity::StartTls,
                    user: Some("roster@example.com".into()),
                    sender_address: Email::parse("roster@example.com").expect("an address"),
                    sender_name: "Roster".into(),
                };
                f.dir()
                    .update_mail_settings(op, Some(settings))
                    .await
                    .map(drop)
            })
        }),
        row("send_test_email", Requires(SettingsManage), |f, op| {
            Box::pin(async move { f.dir().send_test_email(op, "it@example.com").await })
        }),
        // --- clients.rs ---
        row("list_clients", Requires(ClientsView), |f, op| {
            Box::pin(async move {
                f.dir()
                    .list_clients(op, &ClientQuery::default())
                    .await
                    .map(drop)
            })
        }),
        row("count_clients", Requires(ClientsView), |f, op| {
            Box::pin(async move {
                let query = ClientQuery {
                    search: Some("example".into()),
                    ..ClientQuery::default()
                };
                f.dir().count_clients(op, &query).await.map(drop)
            })
        }),
        row("client", Requires(ClientsView), |f, op| {
            Box::pin(async move { f.dir().client(op, f.viewed.id).await.map(drop) })
        }),
        row("account_manager_choices", Requires(ClientsManage), |f, op| {
            Box::pin(async move {
                f.dir()
                    .account_manager_choices(op, "re")
                    .await
                    .map(drop)
            })
        }),
        row("account_manager_by_email", Requires(ClientsManage), |f, op| {
            Box::pin(async move {
                f.dir()
                    .account_manager_by_email(op, f.reader.email.as_str())
                    .await
                    .map(drop)
            })
        }),
        row("create_client", Requires(ClientsManage), |f, op| {
            Box::pin(async move {
                let new = NewClient {
                    name: "Cora Created".into(),
                    email: Some("cora@example.com".into()),
                    phone: Some("+44 20 7946 0958".into()),
                    country: Some("GB".into()),
                    account_manager: Some(f.reader.id),
                };
                f.dir().create_client(op, new).await.map(drop)
            })
        }),
        row("update_client", Requires(ClientsManage), |f, op| {
            Box::pin(async move {
                let client = f.current_client(&f.edited_client).await;
                let changes = ClientChanges {
                    version: client.version,
                    name: Some("Uma Updated".into()),
                    email: Some(Some("uma@example.com".into())),
                    phone: Some(None),
                    country: Some(Some("DE".into())),
                    account_manager: Some(Some(f.edited.id)),
                };
                f.dir()
                    .update_client(op, client.id, changes)
                    .await
                    .map(drop)
            })
        }),
        row("delete_client", Requires(ClientsManage), |f, op| {
            Box::pin(async move {
                let client = f.current_client(&f.deleted_client).await;
                f.dir().delete_client(op, client.id, client.version).await
            })
        }),
        row("import_clients", Requires(ClientsManage), |f, op| {
            Box::pin(async move {
                let csv = "name,email\nIda Imported,ida@example.com\n";
                f.dir()
                    .import_clients(op, csv, false, &mut |_, _| {})
                    .await
                    .map(drop)
            })
        }),
        row("import_clients_from", Requires(ClientsManage), |f, op| {
            Box::pin(async move {
                let csv = std::io::Cursor::new("name\nIvo Imported\n");
                f.dir()
                    .import_clients_from(op, csv, false, &mut |_, _| {})
                    .await
                    .map(drop)
            })
        }),
        row("export_clients", Requires(ClientsView), |f, op| {
            Box::pin(async move {
                f.dir()
                    .export_clients(op, &ClientQuery::default())
                    .await
                    .map(drop)
            })
        }),
        // --- store_check.rs ---
        row("check_store", Requires(SettingsManage), |f, op| {
            Box::pin(async move { f.dir().check_store(op, true).await.map(drop) })
        }),
        // --- backups.rs (last: a restore puts back the state of its backup) ---
        row("list_backups", Requires(SettingsManage), |f, op| {
            Box::pin(async move { local_only(f.dir().list_backups(op, &f.backups()).await) })
        }),
        row("back_up", Requires(SettingsManage), |f, op| {
            Box::pin(async move { local_only(f.dir().back_up(op, &f.backups()).await) })
        }),
        row(
            "back_up_automatically",
            NoOperator("a backup at start or before bulk work, which changes nothing"),
            |f, _| {
                Box::pin(async move {
                    f.dir()
                        .back_up_automatically(&f.backups(), Reason::Daily)
                        .await
                        .map(drop)
                })
            },
        ),
        row("verify_backup", Requires(SettingsManage), |f, op| {
            Box::pin(async move {
                let name = f.latest_backup().await;
                local_only(f.dir().verify_backup(op, &f.backups(), &name).await)
            })
        }),
        row("set_backup_folder", Requires(SettingsManage), |f, op| {
            Box::pin(async move { local_only(f.dir().set_backup_folder(op, None).await) })
        }),
        row(
            "set_backup_passphrase",
            Requires(SettingsManage),
            |f, op| {
                Box::pin(async move {
                    let keychain = roster_core::secrets::Keychain::mock();
                    local_only(f.dir().set_backup_passphrase(op, &keychain, None).await)
                })
            },
        ),
        row("backup_settings", Requires(SettingsManage), |f, op| {
            Box::pin(async move {
                let keychain = roster_core::secrets::Keychain::mock();
                local_only(f.dir().backup_settings(op, &keychain).await)
            })
        }),
        row("set_backup_retention", Requires(SettingsManage), |f, op| {
            Box::pin(async move {
                local_only(f.dir().set_backup_retention(op, Retention::default()).await)
            })
        }),
        row("save_copy_to_file", Requires(SettingsManage), |f, op| {
            Box::pin(async move {
                let folder = tempfile::tempdir().expect("a folder");
                let file = folder.path().join("copy.roster-backup");
                f.dir().save_copy_to_file(op, &file, None).await.map(drop)
            })
        }),
        row("restore_backup", Requires(SettingsManage), |f, op| {
            Box::pin(async move {
                let name = f.latest_backup().await;
                local_only(f.dir().restore_backup(op, &f.backups(), &name).await)
            })
        }),
    ]
}

/// A backup service's result, with "backups are the server's job" counted
/// as success on PostgreSQL (the rights were checked before it).
fn local_only<T>(result: Result<T, Error>) -> Result<(), Error> {
    match result {
        Ok(_) | Err(Error::Backup(BackupError::NotLocal)) => Ok(()),
        Err(error) => Err(error),
    }
}

/// One column's directory, its operator, and the rows' targets.
struct Fixture {
    world: World,
    operator: Operator,
    /// The operator's password as it is now.
    operator_password: RefCell<String>,
    /// A group that grants nothing: every target is in it.
    plain: GroupId,
    spare: GroupId,
    doomed: GroupId,
    reader: User,
    edited: User,
    disabled: User,
    deleted: User,
    /// In the recycle bin, deleted by the first administrator: one to
    /// restore, one to delete permanently.
    binned: User,
    purged: User,
    reset: User,
    /// Locked out by failed sign-ins.
    locked: User,
    viewed: Client,
    edited_client: Client,
    deleted_client: Client,
}

impl Fixture {
    /// The column's backups, beside its SQLite file (none are made on
    /// PostgreSQL: the folder is never written).
    fn backups(&self) -> Backups {
        let folder = self.world.sqlite_file().map_or_else(
            || std::env::temp_dir().join("roster-rights-no-backups"),
            |file| file.with_file_name("backups"),
        );
        Backups::new(folder, Retention::default(), None)
    }

    /// The newest backup's name, made now (unaudited) when there is none.
    async fn latest_backup(&self) -> String {
        let backups = self.backups();
        if let Some(newest) = backups.list().expect("list").first() {
            return newest.name.clone();
        }
        self.dir()
            .back_up_automatically(&backups, Reason::Daily)
            .await
            .expect("a backup")
            .map(|backup| backup.name)
            .unwrap_or_default()
    }

    async fn new(backend: Backend, who: Who) -> Fixture {
        let world = World::on(backend).await;
        world.directory.set_mailer(Some(Arc::new(Discard)));
        let plain = world.group("Plain", &[]).await.id;
        let spare = world.group("Spare", &[]).await.id;
        let doomed = world.group("Doomed", &[]).await.id;
        let locked = world.user_in("Lou Locked", &[plain]).await;
        let threshold = world
            .directory
            .settings(&world.admin)
            .await
            .expect("settings")
            .lockout_threshold;
        for _ in 0..threshold {
            let wrong = PlainPassword::new("not-the-password-at-all");
            let refused = world.directory.sign_in(locked.email.as_str(), &wrong).await;
            assert!(refused.is_err(), "a wrong password signs in");
        }
        let locked = world.reload(&locked).await;
        assert!(locked.locked_until.is_some(), "the target is locked out");
        // The targets exist before the operator: SQLite reuses the id of a
        // deleted newest user, and a user created after the deleted
        // operator would get their id (see the ignored test at the end).
        let reader = world.user_in("Rea Reader", &[plain]).await;
        let edited = world.user_in("Ed Edited", &[plain]).await;
        let disabled = world.user_in("Dis Abled", &[plain]).await;
        let deleted = world.user_in("Del Eted", &[plain]).await;
        let reset = world.user_in("Res Et", &[plain]).await;
        let binned = world.user_in("Bin Ned", &[plain]).await;
        let purged = world.user_in("Pur Ged", &[plain]).await;
        for user in [&binned, &purged] {
            world
                .directory
                .delete_user(&world.admin, user.id, user.version)
                .await
                .expect("delete into the bin");
        }
        let client = |name: &str| NewClient {
            name: name.into(),
            email: Some(email_of(name)),
            ..NewClient::default()
        };
        let viewed = world
            .directory
            .create_client(&world.admin, client("Vi Viewed"))
            .await
            .expect("create client");
        let edited_client = world
            .directory
            .create_client(&world.admin, client("Ed Client"))
            .await
            .expect("create client");
        let deleted_client = world
            .directory
            .create_client(&world.admin, client("Del Client"))
            .await
            .expect("create client");
        let operator = match who {
            Who::Administrator => world.admin,
            Who::NoPermission => world.operator_with("Olive Operator", &[]).await.1,
            Who::Only(permission) => world.operator_with("Olive Operator", &[permission]).await.1,
            Who::Team(permission) => {
                let grant = Grant {
                    permission,
                    scope: Scope::Team,
                };
                let group = world
                    .directory
                    .create_group(
                        &world.admin,
                        "Team leads",
                        "",
                        [grant].into_iter().collect(),
                    )
                    .await
                    .expect("a team-scoped group");
                let lead = world.user_in("Olive Operator", &[group.id]).await;
                for client in [&viewed, &edited_client, &deleted_client] {
                    let current = world
                        .directory
                        .client(&world.admin, client.id)
                        .await
                        .expect("client");
                    world
                        .directory
                        .update_client(
                            &world.admin,
                            client.id,
                            ClientChanges {
                                version: current.version,
                                account_manager: Some(Some(lead.id)),
                                ..ClientChanges::default()
                            },
                        )
                        .await
                        .expect("managed by the lead");
                }
                for target in [&reader, &edited, &disabled, &deleted, &reset, &locked] {
                    let current = world.reload(target).await;
                    world
                        .directory
                        .update_user(
                            &world.admin,
                            current.id,
                            UserChanges {
                                version: current.version,
                                supervisor: Some(Some(lead.id)),
                                ..UserChanges::default()
                            },
                        )
                        .await
                        .expect("report to the lead");
                }
                world
                    .directory
                    .act_as(lead.email.as_str())
                    .await
                    .expect("act as the lead")
            }
            Who::Disabled | Who::Deleted => {
                let (user, operator) = world.second_admin("Gone Admin").await;
                if who == Who::Disabled {
                    world
                        .directory
                        .set_status(&world.admin, user.id, Status::Disabled, user.version)
                        .await
                        .expect("disable");
                } else {
                    world
                        .directory
                        .delete_user(&world.admin, user.id, user.version)
                        .await
                        .expect("delete");
                }
                operator
            }
        };
        Fixture {
            operator,
            operator_password: RefCell::new(GOOD_PASSWORD.to_owned()),
            plain,
            spare,
            doomed,
            reader,
            edited,
            disabled,
            deleted,
            binned,
            purged,
            reset,
            locked,
            viewed,
            edited_client,
            deleted_client,
            world,
        }
    }

    async fn current_client(&self, client: &Client) -> Client {
        self.dir()
            .client(&self.world.admin, client.id)
            .await
            .expect("reload client")
    }

    fn dir(&self) -> &roster_core::Directory {
        &self.world.directory
    }

    async fn current(&self, user: &User) -> User {
        self.world.reload(user).await
    }

    async fn group(&self, id: GroupId) -> roster_core::model::Group {
        self.dir()
            .groups(&self.world.admin)
            .await
            .expect("groups")
            .into_iter()
            .find(|g| g.id == id)
            .expect("the group exists")
    }

    /// `World::snapshot` (users, groups, audit log), and what it leaves out:
    /// password hashes and settings.
    async fn everything(&self) -> Everything {
        let snapshot = self.world.snapshot().await;
        let mut tx = self
            .dir()
            .store()
            .begin(TxMode::Read)
            .await
            .expect("read transaction");
        let mut password_hashes = Vec::new();
        for user in &snapshot.users {
            let hash = tx.password_hash(user.id).await.expect("password hash");
            password_hashes.push((user.id, hash));
        }
        let binned = tx
            .binned_users(None, 500)
            .await
            .expect("the recycle bin")
            .into_iter()
            .map(|user| user.id)
            .collect();
        drop(tx);
        let settings = self
            .dir()
            .settings(&self.world.admin)
            .await
            .expect("settings");
        let clients = self.dir().store().export().await.expect("export").clients;
        Everything {
            snapshot,
            password_hashes,
            binned,
            settings,
            clients,
        }
    }
}

#[derive(Debug, PartialEq)]
struct Everything {
    snapshot: Snapshot,
    password_hashes: Vec<(UserId, Option<PasswordHash>)>,
    /// Who is in the recycle bin.
    binned: Vec<UserId>,
    settings: Settings,
    clients: Vec<ClientRow>,
}

impl Everything {
    /// Which parts differ, for the failure message.
    fn differences(&self, other: &Everything) -> Vec<&'static str> {
        [
            ("users", self.snapshot.users != other.snapshot.users),
            ("groups", self.snapshot.groups != other.snapshot.groups),
            ("audit log", self.snapshot.audit != other.snapshot.audit),
            (
                "password hashes",
                self.password_hashes != other.password_hashes,
            ),
            ("settings", self.settings != other.settings),
            ("clients", self.clients != other.clients),
        ]
        .into_iter()
        .filter_map(|(part, differs)| differs.then_some(part))
        .collect()
    }
}

/// Every `pub async fn` of the service files in `src/directory/` and of
/// `src/administrators.rs`, by name.
fn public_services() -> BTreeSet<&'static str> {
    [
        include_str!("../src/directory/mod.rs"),
        include_str!("../src/directory/setup.rs"),
        include_str!("../src/directory/sign_in.rs"),
        include_str!("../src/directory/two_factor.rs"),
        include_str!("../src/directory/users.rs"),
        include_str!("../src/directory/credentials.rs"),
        include_str!("../src/directory/groups.rs"),
        include_str!("../src/directory/clients.rs"),
        include_str!("../src/directory/audit_log.rs"),
        include_str!("../src/directory/audit_archive.rs"),
        include_str!("../src/directory/settings.rs"),
        include_str!("../src/directory/mail.rs"),
        include_str!("../src/directory/backups.rs"),
        include_str!("../src/directory/store_check.rs"),
        include_str!("../src/directory/inactivity.rs"),
        include_str!("../src/directory/recycle_bin.rs"),
        include_str!("../src/administrators.rs"),
    ]
    .into_iter()
    .flat_map(str::lines)
    .filter_map(|line| line.trim_start().strip_prefix("pub async fn "))
    .map(|rest| {
        rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or_default()
    })
    .collect()
}

#[test]
fn every_public_service_has_a_row() {
    let rows = rows();
    let listed: BTreeSet<&str> = rows.iter().map(|row| row.service).collect();
    assert_eq!(
        listed.len(),
        rows.len(),
        "a service has more than one row in the rights matrix"
    );
    let services = public_services();
    assert!(
        services.len() >= 20,
        "the scan of src/directory/ found too few services: {services:?}"
    );
    let missing: Vec<&&str> = services.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "services without a row in the rights matrix (add one to rows() in \
         crates/core/tests/rights.rs, with the rule the service applies): {missing:?}"
    );
    let unknown: Vec<&&str> = listed.difference(&services).collect();
    assert!(
        unknown.is_empty(),
        "rows for services that are not a `pub async fn` of src/directory/ or administrators.rs: {unknown:?}"
    );
}

every_store!(every_service_allows_exactly_the_operators_its_permission_names);
async fn every_service_allows_exactly_the_operators_its_permission_names(backend: Backend) {
    let rows = rows();
    let mut wrong = Vec::new();
    for who in Who::all() {
        let fixture = Fixture::new(backend, who).await;
        for row in &rows {
            if matches!(row.rule, Rule::PendingSignIn(_)) {
                continue;
            }
            let before = fixture.everything().await;
            let cell = format!("{} by {who} ({})", row.service, row.rule);
            let expect = row.rule.expect(who, row.service);
            match ((row.call)(&fixture, &fixture.operator).await, expect) {
                (Ok(()), Expect::Success) => {}
                (Ok(()), expect) => wrong.push(format!("{cell}: should be {expect:?}, succeeded")),
                (Err(error), Expect::Success) => {
                    wrong.push(format!("{cell}: should succeed, was refused: {error:?}"));
                }
                (Err(error), expect) => {
                    if !row.rule.allows(who, row.service, &error) {
                        wrong.push(format!("{cell}: should be {expect:?}, was {error:?}"));
                    }
                    let after = fixture.everything().await;
                    let changed = before.differences(&after);
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

every_store!(the_columns_operators_hold_exactly_their_permissions);
/// The administrators' group is not a plain one: make sure the fixture's
/// operators really are what the columns say.
async fn the_columns_operators_hold_exactly_their_permissions(backend: Backend) {
    for who in [
        Who::NoPermission,
        Who::Only(Permission::UsersView),
        Who::Administrator,
    ] {
        let fixture = Fixture::new(backend, who).await;
        let me = fixture.dir().me(&fixture.operator).await.expect("me");
        let expected: PermissionSet = Permission::ALL
            .iter()
            .copied()
            .filter(|p| who.holds(*p))
            .collect();
        assert_eq!(me.permissions, expected, "{who}");
        assert_eq!(me.user.is_in(ADMINISTRATORS), who == Who::Administrator);
    }
}

every_store!(a_deleted_operator_does_not_act_as_the_next_user_created);
/// A deleted operator's `Operator` must stay refused, whoever is created
/// afterwards: ids are never reused (`AUTOINCREMENT`), so a stale `Operator`
/// (a desktop session, say, while the command line deletes its account)
/// cannot come to act as a new user with their rights.
async fn a_deleted_operator_does_not_act_as_the_next_user_created(backend: Backend) {
    let world = World::on(backend).await;
    let (gone, stale) = world.second_admin("Gone Admin").await;
    world
        .directory
        .delete_user(&world.admin, gone.id, gone.version)
        .await
        .expect("delete");
    let viewers = world.group("Viewers", &[Permission::UsersView]).await;
    let newcomer = world.user_in("Nia Newcomer", &[viewers.id]).await;
    let me = world.directory.me(&stale).await;
    assert!(
        matches!(me, Err(Error::OperatorInvalid)),
        "the deleted administrator's operator (id {:?}) now acts as {:?} (id {:?}): {me:?}",
        stale.id(),
        newcomer.email,
        newcomer.id
    );
}
