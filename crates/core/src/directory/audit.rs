//! What the audit log records: snapshots and diffs of users, groups,
//! clients, settings and mail settings (never a password), events about a
//! user's own account, and the masking of client events for a masked
//! operator. A leaf: it imports no service file.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::domain::{Email, GroupId, Phone, UserId};
use crate::mask::{mask_email, mask_name, mask_phone};
use crate::model::{AuditEvent, FieldChange, Group, NewAuditEvent, TargetKind, User};
use crate::smtp::MailSettings;
use crate::store::ClientRow;

pub(crate) fn change(
    field: &str,
    before: serde_json::Value,
    after: serde_json::Value,
) -> Option<FieldChange> {
    (before != after).then(|| FieldChange {
        field: field.to_owned(),
        before,
        after,
    })
}

/// What an import's own event records: how many rows the file held and
/// how many records it created.
pub(crate) fn import_counts(rows: u64, created: u64) -> Vec<FieldChange> {
    [("rows", rows), ("created", created)]
        .into_iter()
        .filter_map(|(field, n)| change(field, serde_json::Value::Null, json!(n)))
        .collect()
}

/// The fields whose values differ between two snapshots of the same fields.
pub(crate) fn diff(before: Vec<FieldChange>, after: Vec<FieldChange>) -> Vec<FieldChange> {
    after
        .into_iter()
        .zip(before)
        .filter_map(|(a, b)| change(&a.field, b.after, a.after))
        .collect()
}

/// A snapshot turned into "these values were removed", for deletions.
pub(crate) fn removed(snapshot: Vec<FieldChange>) -> Vec<FieldChange> {
    snapshot
        .into_iter()
        .map(|c| FieldChange {
            field: c.field,
            before: c.after,
            after: serde_json::Value::Null,
        })
        .collect()
}

/// A new user's fields as audit "after" values. Never the password.
pub(super) fn user_snapshot(user: &User) -> Vec<FieldChange> {
    let groups: Vec<&str> = user.groups.iter().map(|g| g.name.as_str()).collect();
    [
        ("name", json!(user.name.as_str())),
        ("email", json!(user.email.as_str())),
        ("status", json!(user.status)),
        ("groups", json!(groups)),
        (
            "supervisor",
            json!(user.supervisor.as_ref().map(|s| s.email.as_str())),
        ),
        ("must_change_password", json!(user.must_change_password)),
        ("mask_client_data", json!(user.mask_client_data)),
        ("two_factor", json!(user.two_factor)),
        ("valid_until", json!(user.valid_until)),
    ]
    .into_iter()
    .map(|(field, value)| FieldChange {
        field: field.into(),
        before: serde_json::Value::Null,
        after: value,
    })
    .collect()
}

/// The fields that differ between two states of a user (groups are diffed by the caller).
pub(super) fn user_diff(before: &User, after: &User) -> Vec<FieldChange> {
    diff(user_snapshot(before), user_snapshot(after))
        .into_iter()
        .filter(|c| c.field != "groups")
        .collect()
}

pub(super) fn group_names(groups: &[Group], ids: &[GroupId]) -> serde_json::Value {
    let mut names: Vec<&str> = groups
        .iter()
        .filter(|g| ids.contains(&g.id))
        .map(|g| g.name.as_str())
        .collect();
    names.sort_unstable();
    json!(names)
}

pub(super) fn group_snapshot(group: &Group) -> Vec<FieldChange> {
    let permissions: Vec<String> = group.permissions.grants().map(|g| g.to_string()).collect();
    [
        ("name", json!(group.name.as_str())),
        ("description", json!(group.description.as_str())),
        ("permissions", json!(permissions)),
    ]
    .into_iter()
    .map(|(field, value)| FieldChange {
        field: field.into(),
        before: serde_json::Value::Null,
        after: value,
    })
    .collect()
}

/// A serialisable record's top-level fields as audit "after" values.
pub(super) fn fields_of(record: &impl Serialize) -> Vec<FieldChange> {
    match serde_json::to_value(record) {
        Ok(serde_json::Value::Object(fields)) => fields
            .into_iter()
            .map(|(field, after)| FieldChange {
                field,
                before: serde_json::Value::Null,
                after,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The mail settings as audit "after" values (all null when there are none).
/// Never a password: the settings hold none.
pub(super) fn mail_snapshot(settings: Option<&MailSettings>) -> Vec<FieldChange> {
    let value = |get: fn(&MailSettings) -> serde_json::Value| {
        settings.map(get).unwrap_or(serde_json::Value::Null)
    };
    [
        ("host", value(|s| json!(s.host))),
        ("port", value(|s| json!(s.port))),
        ("security", value(|s| json!(s.security))),
        ("user", value(|s| json!(s.user))),
        ("sender_address", value(|s| json!(s.sender_address))),
        ("sender_name", value(|s| json!(s.sender_name))),
    ]
    .into_iter()
    .map(|(field, after)| FieldChange {
        field: field.into(),
        before: serde_json::Value::Null,
        after,
    })
    .collect()
}

/// An event about a user's own account (sign-in attempts, their own
/// set-up), labelled with their email; `operator` is `None` when the attempt
/// did not prove who was acting.
pub(super) fn own_event(
    user: &User,
    operator: Option<UserId>,
    action: &'static str,
    changes: Vec<FieldChange>,
    at: DateTime<Utc>,
) -> NewAuditEvent {
    NewAuditEvent {
        at,
        operator,
        operator_label: user.email.as_str().to_owned(),
        action,
        target_kind: TargetKind::User,
        target_id: Some(user.id.0),
        target_label: user.email.as_str().to_owned(),
        changes,
    }
}

/// A client as audit "after" values: the real values, masked on reading
/// for masked operators ([`mask_event`]); the account manager by address
/// (older events hold their id).
pub(super) fn client_snapshot(row: &ClientRow) -> Vec<FieldChange> {
    [
        ("name", json!(row.name.as_str())),
        ("email", json!(row.email.as_ref().map(Email::as_str))),
        ("phone", json!(row.phone.as_ref().map(Phone::as_str))),
        ("country", json!(row.country.map(|c| c.as_str().to_owned()))),
        (
            "account_manager",
            json!(row.account_manager.as_ref().map(|m| m.email.as_str())),
        ),
    ]
    .into_iter()
    .map(|(field, after)| FieldChange {
        field: field.into(),
        before: serde_json::Value::Null,
        after,
    })
    .collect()
}

/// Masks an audit event about a client for a masked operator: the label
/// (the client's name) of an event about one client, and every name,
/// email and phone value among its changes. Other events are left alone.
pub(super) fn mask_event(event: &mut AuditEvent) {
    if event.target_kind != TargetKind::Client {
        return;
    }
    if event.target_id.is_some() {
        event.target_label = mask_name(&event.target_label);
    }
    for change in &mut event.changes {
        let mask: fn(&str) -> String = match change.field.as_str() {
            "name" => mask_name,
            "email" => mask_email,
            "phone" => mask_phone,
            _ => continue,
        };
        for value in [&mut change.before, &mut change.after] {
            if let serde_json::Value::String(text) = value {
                *text = mask(text);
            }
        }
    }
}
