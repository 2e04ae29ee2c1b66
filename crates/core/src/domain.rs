//! Domain values that cannot hold bad data.
//!
//! Each type has a private field and one parsing constructor: once a service
//! holds an `Email` or a `UserName`, it is valid, and no other layer checks it
//! again. Values read back from a store use `from_stored`, which trusts what
//! the parsing constructor once wrote.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};
use unicode_normalization::UnicodeNormalization;

use crate::error::Error;

/// A user's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

/// A group's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GroupId(pub i64);

/// A client's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientId(pub i64);

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An email address as the user typed it (after NFKC), plus the normalised
/// form that decides uniqueness: `Ann@Example.com` and `ann@example.com` are
/// one account, and so are `ann@exämple.com` and `ann@xn--exmple-cua.com`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email {
    display: String,
    normalized: String,
}

/// The longest address SMTP can carry (RFC 5321's path limit less the brackets).
const EMAIL_MAX_LEN: usize = 254;

impl Email {
    /// Trims surrounding space, applies NFKC (so full-width `ａｎｎ` is `ann`)
    /// and checks the address with the `email_address` crate: one plain
    /// address (no display name, no `[1.2.3.4]` literal), and a domain with a
    /// dot, since `ann@example` is nearly always a typo here.
    ///
    /// Against look-alike addresses (see `look_alike`): no invisible
    /// characters; the part before the @ and each label of the domain must
    /// be single-script and, if not Latin, must not look Latin (UTS #39);
    /// an international domain must be valid IDNA (UTS #46).
    ///
    /// Every accepted address can be sent by the mail path (lettre): quoted
    /// local parts (`"john smith"@example.com`) are refused. The documented
    /// exception is an international local part (`иван@пример.рф`): it is
    /// accepted, and mail to it needs a server that offers SMTPUTF8 (lettre
    /// reports one that does not as a failed delivery).
    ///
    /// The normalised form is the local part lowercased, `@`, and the domain
    /// in lowercase IDNA ASCII (punycode). For an ASCII address that is
    /// exactly the whole address lowercased, as before, so stored addresses
    /// keep their keys.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let invalid = |reason: String| Error::InvalidEmail { reason };
        let composed: String = input.trim().nfkc().collect();
        let trimmed = composed.trim();
        if trimmed.is_empty() {
            return Err(invalid("Enter an email address.".into()));
        }
        if trimmed.chars().count() > EMAIL_MAX_LEN {
            return Err(invalid(format!(
                "An email address can have at most {EMAIL_MAX_LEN} characters."
            )));
        }
        crate::look_alike::check_text(trimmed, "An email address").map_err(invalid)?;
        if trimmed
            .rsplit_once('@')
            .is_some_and(|(local, _)| local.contains('"'))
        {
            return Err(invalid(
                "Addresses with quotation marks before the @ cannot be used, because mail \
                 to them cannot be sent reliably; ask for the address without them."
                    .into(),
            ));
        }
        let options = email_address::Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        email_address::EmailAddress::parse_with_options(trimmed, options)
            .map_err(|error| invalid(describe_email_error(&error).into()))?;
        let (local, domain) = trimmed.rsplit_once('@').ok_or_else(|| {
            invalid(describe_email_error(&email_address::Error::MissingSeparator).into())
        })?;
        crate::look_alike::check_email_part(local, "The part before the @").map_err(invalid)?;
        let ascii_domain = ascii_domain(domain).map_err(invalid)?;
        Ok(Self {
            display: trimmed.to_owned(),
            normalized: format!("{}@{ascii_domain}", local.to_lowercase()),
        })
    }

    /// Rebuilds an address a store wrote from `parse`'s output.
    pub fn from_stored(display: String, normalized: String) -> Self {
        Self {
            display,
            normalized,
        }
    }

    /// The address as typed (trimmed, NFKC).
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// The form used for uniqueness and look-ups: local part lowercased,
    /// domain in lowercase IDNA ASCII.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// The part before the `@`, as typed.
    pub fn local_part(&self) -> &str {
        self.display
            .rsplit_once('@')
            .map_or(self.display.as_str(), |(local, _)| local)
    }

    /// The address to hand to the mail server: as typed, but with an
    /// international domain in IDNA ASCII, so that only an international
    /// local part needs a server with SMTPUTF8.
    pub fn for_sending(&self) -> String {
        match (
            self.display.rsplit_once('@'),
            self.normalized.rsplit_once('@'),
        ) {
            (Some((local, domain)), Some((_, ascii))) if !domain.is_ascii() => {
                format!("{local}@{ascii}")
            }
            _ => self.display.clone(),
        }
    }
}

/// The lowercase IDNA ASCII form of an address's domain, after checking
/// each of its labels against the look-alike rules. ASCII domains are only
/// lowercased (their `xn--` labels must decode); others go through UTS #46
/// with its strict rules (STD3 characters, hyphens, DNS lengths).
fn ascii_domain(domain: &str) -> Result<String, String> {
    let not_idna = || format!("The domain {domain} is not a valid international domain name.");
    let ascii = if domain.is_ascii() {
        domain.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii_strict(domain).map_err(|_| not_idna())?
    };
    // Only international labels are checked: a plain ASCII domain is what
    // it looks like, and is accepted exactly as before.
    if ascii.split('.').any(|label| label.starts_with("xn--")) {
        let (unicode, decoded) = idna::domain_to_unicode(&ascii);
        decoded.map_err(|_| not_idna())?;
        for label in unicode.split('.') {
            crate::look_alike::check_email_part(label, "The domain")?;
        }
    }
    Ok(ascii)
}

fn describe_email_error(error: &email_address::Error) -> &'static str {
    use email_address::Error as E;
    match error {
        E::MissingSeparator => "An email address needs an @ between the name and the domain.",
        E::LocalPartEmpty => "Something must come before the @.",
        E::LocalPartTooLong => "The part before the @ is too long.",
        E::DomainEmpty => "A domain must come after the @.",
        E::DomainTooLong | E::SubDomainTooLong => "The domain is too long.",
        E::DomainTooFew => "The domain needs a dot, as in example.com.",
        E::SubDomainEmpty | E::DomainInvalidSeparator => "The domain has an empty part.",
        E::UnsupportedDomainLiteral | E::InvalidIPAddress => {
            "Use a domain name, not an IP address."
        }
        E::UnsupportedDisplayName | E::MissingDisplayName | E::MissingEndBracket => {
            "Enter only the address, without a name or angle brackets."
        }
        E::InvalidCharacter | E::UnbalancedQuotes | E::InvalidComment => {
            "The address contains a character that is not allowed."
        }
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.display)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.display)
    }
}

/// Trims `input` and checks that it has `1..=max` characters, no control or
/// invisible characters, no stacks of marks, and something visible. Shared
/// by the short free-text names of the domain.
fn parse_label(input: &str, max: usize, what: &str) -> Result<String, String> {
    parse_counted_label(input, max, what, |s| s.chars().count())
}

/// [`parse_label`] with the length counted by `count` (chars, graphemes).
fn parse_counted_label(
    input: &str,
    max: usize,
    what: &str,
    count: fn(&str) -> usize,
) -> Result<String, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(format!("Enter a {what}."));
    }
    if count(trimmed) > max {
        return Err(format!("A {what} can have at most {max} characters."));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(format!(
            "A {what} cannot contain control characters such as tabs or line breaks."
        ));
    }
    let subject = format!("A {what}");
    crate::look_alike::check_text(trimmed, &subject)?;
    crate::look_alike::check_visible(trimmed, &subject)?;
    Ok(trimmed.to_owned())
}

/// A client's name: 1..=200 graphemes (what a reader counts as
/// characters: a letter with its accents, an emoji), with the rules of
/// names: no control or invisible characters, at least one visible one.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ClientName(String);

impl ClientName {
    pub const MAX_LEN: usize = 200;

    pub fn parse(input: &str) -> Result<Self, Error> {
        use unicode_segmentation::UnicodeSegmentation;
        parse_counted_label(input, Self::MAX_LEN, "client name", |s| {
            s.graphemes(true).count()
        })
        .map(Self)
        .map_err(|reason| Error::InvalidName { reason })
    }

    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key names sort and compare by: Unicode lowercase.
    pub fn sort_key(&self) -> String {
        self.0.to_lowercase()
    }

    /// The key a whole-name search compares: see [`fold_name`].
    pub fn folded(&self) -> String {
        fold_name(&self.0)
    }
}

/// A name folded for whole-value comparison: compatibility-decomposed,
/// accents (combining marks) dropped, lowercased, runs of white space made
/// one space, trimmed. `  ZOË   lee ` and `Zoe Lee` fold alike.
pub fn fold_name(text: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    let stripped: String = text.nfkd().filter(|c| !is_combining_mark(*c)).collect();
    stripped
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Debug for ClientName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientName({})", self.0)
    }
}

/// A country or region: an ISO 3166-1 alpha-2 code that libphonenumber
/// knows (it numbers every country), kept in upper case: `GB`, `DE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country(phonenumber::country::Id);

impl Country {
    pub fn parse(input: &str) -> Result<Self, Error> {
        let code = input.trim().to_ascii_uppercase();
        let invalid = || Error::InvalidCountry {
            reason: format!(
                "“{}” is not a country code; use the two letters of ISO 3166-1, such as GB or DE.",
                input.trim()
            ),
        };
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid());
        }
        code.parse::<phonenumber::country::Id>()
            .map(Self)
            .map_err(|_| invalid())
    }

    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    pub(crate) fn id(&self) -> phonenumber::country::Id {
        self.0
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A phone number, checked against libphonenumber's numbering plans and
/// kept in E.164 (`+442079460958`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Accepts international input (`+44 20 7946 0958`) and, when `country`
    /// is given, national input (`020 7946 0958` with GB) and that country's
    /// international prefix (`0044…`). The number must be one its country's
    /// numbering plan allocates (libphonenumber's `is_valid`).
    pub fn parse(input: &str, country: Option<Country>) -> Result<Self, Error> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(Error::InvalidPhone {
                reason: "Enter a phone number.".into(),
            });
        }
        if trimmed.chars().count() > 40 {
            return Err(Error::InvalidPhone {
                reason: "A phone number can have at most 40 characters.".into(),
            });
        }
        let number = phonenumber::parse(country.map(|c| c.id()), trimmed).map_err(|_| {
            Error::InvalidPhone {
                reason: if country.is_none() && !trimmed.starts_with('+') {
                    "Enter the number with its country code (as in +44 20 7946 0958), or choose the client's country first.".into()
                } else {
                    format!("“{trimmed}” is not a phone number.")
                },
            }
        })?;
        if !phonenumber::is_valid(&number) {
            return Err(Error::InvalidPhone {
                reason: format!("“{trimmed}” is not a valid phone number for its country."),
            });
        }
        Ok(Self(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    pub fn from_stored(e164: String) -> Self {
        Self(e164)
    }

    /// E.164: `+442079460958`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The international format for people: `+44 20 7946 0958`.
    pub fn display(&self) -> String {
        match phonenumber::parse(None, &self.0) {
            Ok(number) => number
                .format()
                .mode(phonenumber::Mode::International)
                .to_string(),
            Err(_) => self.0.clone(),
        }
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.0)
    }
}

/// A person's display name: 1..=200 characters, no control or invisible
/// characters, at least one visible one (see `look_alike`).
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct UserName(String);

impl UserName {
    pub const MAX_LEN: usize = 200;

    pub fn parse(input: &str) -> Result<Self, Error> {
        parse_label(input, Self::MAX_LEN, "name")
            .map(Self)
            .map_err(|reason| Error::InvalidName { reason })
    }

    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key names sort and compare by: Unicode lowercase.
    pub fn sort_key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Debug for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserName({})", self.0)
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A group's name: 1..=100 characters, unique ignoring case, with the rules
/// of names; the services also refuse one that looks like another group's.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct GroupName(String);

impl GroupName {
    pub const MAX_LEN: usize = 100;

    pub fn parse(input: &str) -> Result<Self, Error> {
        parse_label(input, Self::MAX_LEN, "group name")
            .map(Self)
            .map_err(|reason| Error::InvalidGroupName { reason })
    }

    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lowercased form that decides uniqueness.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }

    /// Whether the two names would be taken for one another in a list: the
    /// same UTS #39 skeleton ("Аdministrators" with a Cyrillic А looks like
    /// "Administrators"), as written or lowercased, spaces aside.
    pub fn looks_like(&self, other: &GroupName) -> bool {
        crate::look_alike::group_names_look_alike(&self.0, &other.0)
    }
}

impl fmt::Debug for GroupName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GroupName({})", self.0)
    }
}

impl fmt::Display for GroupName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A group's free-text description: up to 1,000 characters; line breaks
/// allowed, invisible formatting characters not (see `look_alike`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Description(String);

impl Description {
    pub const MAX_LEN: usize = 1000;

    pub fn parse(input: &str) -> Result<Self, Error> {
        let trimmed = input.trim();
        if trimmed.chars().count() > Self::MAX_LEN {
            return Err(Error::InvalidDescription {
                reason: format!(
                    "A description can have at most {} characters.",
                    Self::MAX_LEN
                ),
            });
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(Error::InvalidDescription {
                reason: "A description cannot contain control characters.".into(),
            });
        }
        crate::look_alike::check_text(trimmed, "A description")
            .map_err(|reason| Error::InvalidDescription { reason })?;
        Ok(Self(trimmed.to_owned()))
    }

    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a user may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Enabled,
    Disabled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Enabled => "enabled",
            Status::Disabled => "disabled",
        }
    }
}

impl FromStr for Status {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "enabled" => Ok(Status::Enabled),
            "disabled" => Ok(Status::Disabled),
            _ => Err(Error::InvalidChoice {
                field: "status",
                reason: format!("“{s}” is not a status; use enabled or disabled."),
            }),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a user proves it is them after the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TwoFactor {
    #[default]
    Off,
    /// A one-time code sent by email (needs a mail server).
    EmailCode,
    /// An authenticator app (TOTP, RFC 6238).
    Totp,
}

impl TwoFactor {
    pub fn as_str(self) -> &'static str {
        match self {
            TwoFactor::Off => "off",
            TwoFactor::EmailCode => "email_code",
            TwoFactor::Totp => "totp",
        }
    }
}

impl FromStr for TwoFactor {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "off" | "none" => Ok(TwoFactor::Off),
            "email_code" | "email" => Ok(TwoFactor::EmailCode),
            "totp" | "app" | "authenticator" => Ok(TwoFactor::Totp),
            _ => Err(Error::InvalidChoice {
                field: "two_factor",
                reason: format!("“{s}” is not a two-factor method; use off, email_code or totp."),
            }),
        }
    }
}

impl fmt::Display for TwoFactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! permissions {
    ($($variant:ident => $code:literal, $area:literal, $label:literal;)+) => {
        /// The fixed catalogue of rights a group can carry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Permission {
            $($variant,)+
        }

        impl Permission {
            /// Every permission, in catalogue order.
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)+];

            /// The stable code stored in the database and shown in the CLI, e.g. `users.view`.
            pub fn code(self) -> &'static str {
                match self { $(Permission::$variant => $code,)+ }
            }

            /// The area the UI groups the permission under, e.g. "Users".
            pub fn area(self) -> &'static str {
                match self { $(Permission::$variant => $area,)+ }
            }

            /// What holding it allows, as a short phrase for people.
            pub fn label(self) -> &'static str {
                match self { $(Permission::$variant => $label,)+ }
            }
        }

        impl FromStr for Permission {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self, Error> {
                match s.trim() {
                    $($code => Ok(Permission::$variant),)+
                    other => Err(Error::UnknownPermission { permission: other.to_owned() }),
                }
            }
        }
    };
}

permissions! {
    UsersView => "users.view", "Users", "view users";
    UsersCreate => "users.create", "Users", "create users";
    UsersEdit => "users.edit", "Users", "edit users";
    UsersDisable => "users.disable", "Users", "enable and disable users";
    UsersDelete => "users.delete", "Users", "delete users";
    UsersCredentials => "users.credentials", "Users", "reset passwords and two-factor, unlock users";
    GroupsManage => "groups.manage", "Groups", "manage groups and their permissions";
    ClientsView => "clients.view", "Clients", "view clients";
    ClientsManage => "clients.manage", "Clients", "create, edit and import clients";
    AuditView => "audit.view", "Audit", "view the audit log";
    SettingsManage => "settings.manage", "Settings", "change settings";
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        code.parse().map_err(serde::de::Error::custom)
    }
}

/// A set of permissions, kept sorted so it prints and compares stably.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PermissionSet(std::collections::BTreeSet<Permission>);

impl PermissionSet {
    pub fn all() -> Self {
        Self(Permission::ALL.iter().copied().collect())
    }

    pub fn contains(&self, permission: Permission) -> bool {
        self.0.contains(&permission)
    }

    pub fn insert(&mut self, permission: Permission) {
        self.0.insert(permission);
    }

    pub fn extend(&mut self, other: &PermissionSet) {
        self.0.extend(other.0.iter().copied());
    }

    pub fn is_subset(&self, other: &PermissionSet) -> bool {
        self.0.is_subset(&other.0)
    }

    /// The permissions in `self` that `other` lacks.
    pub fn missing_from(&self, other: &PermissionSet) -> Vec<Permission> {
        self.0.difference(&other.0).copied().collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_is_trimmed_and_normalised_to_lowercase() {
        let email = Email::parse("  Ann.Lee@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "Ann.Lee@Example.COM");
        assert_eq!(email.normalized(), "ann.lee@example.com");
        assert_eq!(email.local_part(), "Ann.Lee");
    }

    #[test]
    fn emails_differing_only_in_case_are_equal_once_normalised() {
        let a = Email::parse("Ann@Example.com").unwrap();
        let b = Email::parse("ann@example.com").unwrap();
        assert_eq!(a.normalized(), b.normalized());
    }

    #[test]
    fn malformed_emails_are_rejected_with_a_reason() {
        for bad in [
            "",
            "   ",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@@example.com",
            "Ann <ann@example.com>",
            "ann@[127.0.0.1]",
            "ann smith@example.com",
            "ann@exa mple.com",
        ] {
            match Email::parse(bad) {
                Err(Error::InvalidEmail { reason }) => assert!(!reason.is_empty(), "{bad}"),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn overlong_email_is_rejected() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(matches!(
            Email::parse(&long),
            Err(Error::InvalidEmail { .. })
        ));
    }

    #[test]
    fn user_name_rejects_empty_long_and_control_characters() {
        assert!(UserName::parse("").is_err());
        assert!(UserName::parse("   ").is_err());
        assert!(UserName::parse(&"x".repeat(201)).is_err());
        assert!(UserName::parse("Ann\nLee").is_err());
        assert!(UserName::parse("Ann\u{0007}").is_err());
        assert_eq!(
            UserName::parse(&"é".repeat(200))
                .unwrap()
                .as_str()
                .chars()
                .count(),
            200
        );
        assert_eq!(UserName::parse("  Ann Lee ").unwrap().as_str(), "Ann Lee");
    }

    #[test]
    fn markup_in_a_name_is_kept_as_text() {
        let name = UserName::parse("<img src=x onerror=alert(1)>").unwrap();
        assert_eq!(name.as_str(), "<img src=x onerror=alert(1)>");
    }

    #[test]
    fn group_name_and_description_limits() {
        assert!(GroupName::parse("").is_err());
        assert!(GroupName::parse(&"g".repeat(101)).is_err());
        assert_eq!(GroupName::parse(" Sales ").unwrap().normalized(), "sales");
        assert!(Description::parse(&"d".repeat(1001)).is_err());
        assert!(Description::parse("line one\nline two").is_ok());
        assert!(Description::parse("bell\u{0007}").is_err());
    }

    #[test]
    fn every_permission_code_round_trips() {
        for permission in Permission::ALL {
            assert_eq!(
                permission.code().parse::<Permission>().unwrap(),
                *permission
            );
        }
        assert!(matches!(
            "users.fly".parse::<Permission>(),
            Err(Error::UnknownPermission { .. })
        ));
    }

    #[test]
    fn status_and_two_factor_parse_their_words() {
        assert_eq!("Disabled".parse::<Status>().unwrap(), Status::Disabled);
        assert!("paused".parse::<Status>().is_err());
        assert_eq!("email".parse::<TwoFactor>().unwrap(), TwoFactor::EmailCode);
        assert_eq!("totp".parse::<TwoFactor>().unwrap(), TwoFactor::Totp);
        assert!("sms".parse::<TwoFactor>().is_err());
    }

    #[test]
    fn client_names_count_graphemes() {
        assert!(ClientName::parse("").is_err());
        assert!(ClientName::parse("Ann\tLee").is_err());
        // 200 letters with a combining accent each: 400 chars, 200 graphemes.
        assert!(ClientName::parse(&"e\u{301}".repeat(200)).is_ok());
        assert!(ClientName::parse(&"e\u{301}".repeat(201)).is_err());
        assert_eq!(
            ClientName::parse(" Zoë Lee ").unwrap().sort_key(),
            "zoë lee"
        );
        assert_eq!(
            ClientName::parse(" ZOË   Lee ").unwrap().folded(),
            "zoe lee"
        );
        assert_eq!(fold_name("Ångström\u{a0}Öz"), "angstrom oz");
    }

    #[test]
    fn countries_are_two_known_letters_in_upper_case() {
        assert_eq!(Country::parse(" gb ").unwrap().as_str(), "GB");
        assert_eq!(Country::parse("DE").unwrap().to_string(), "DE");
        for bad in ["", "G", "GBR", "ZZ", "1A", "ÉÉ"] {
            assert!(
                matches!(Country::parse(bad), Err(Error::InvalidCountry { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn phones_are_kept_in_e164_and_shown_internationally() {
        let phone = Phone::parse("+44 20 7946 0958", None).unwrap();
        assert_eq!(phone.as_str(), "+442079460958");
        assert_eq!(phone.display(), "+44 20 7946 0958");
        let gb = Country::parse("GB").unwrap();
        assert_eq!(Phone::parse("020 7946 0958", Some(gb)).unwrap(), phone);
        assert_eq!(Phone::parse("0044 20 7946 0958", Some(gb)).unwrap(), phone);
        assert_eq!(
            Phone::parse("+1 (202) 555-0123", Some(gb))
                .unwrap()
                .as_str(),
            "+12025550123"
        );
        assert!(matches!(
            Phone::parse("020 7946 0958", None),
            Err(Error::InvalidPhone { .. })
        ));
        // Parses, but no such number is allocated in the UK's plan.
        assert!(matches!(
            Phone::parse("+44 1632 960961", None),
            Err(Error::InvalidPhone { .. })
        ));
        for bad in ["", "abc", "+44 12", "+999 123456"] {
            assert!(
                matches!(Phone::parse(bad, Some(gb)), Err(Error::InvalidPhone { .. })),
                "{bad}"
            );
        }
    }

    proptest! {
        #[test]
        fn phone_parsing_never_panics(input in "\\PC{0,40}") {
            let _ = Phone::parse(&input, None);
            let _ = Phone::parse(&input, Country::parse("GB").ok());
        }

        #[test]
        fn generated_plain_addresses_always_parse(
            local in "[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]",
            domain in "[a-z0-9]{1,20}",
            tld in "[a-z]{2,6}",
        ) {
            prop_assume!(!local.contains(".."));
            let input = format!("{local}@{domain}.{tld}");
            let email = Email::parse(&input).unwrap();
            prop_assert_eq!(email.normalized(), input.to_lowercase());
        }

        #[test]
        fn names_of_letters_digits_signs_and_spaces_parse(name in GENERATED_NAME) {
            prop_assume!(!name.trim().is_empty());
            prop_assert!(UserName::parse(&name).is_ok(), "{:?}", name);
            prop_assert!(ClientName::parse(&name).is_ok(), "{:?}", name);
            let group: String = name.chars().take(GroupName::MAX_LEN).collect();
            prop_assume!(!group.trim().is_empty());
            prop_assert!(GroupName::parse(&group).is_ok(), "{:?}", group);
        }

        #[test]
        fn accepted_names_hold_no_invisible_or_stacked_characters(name in "\\PC{0,40}|.{0,40}") {
            let accepted = [
                UserName::parse(&name).map(|n| n.as_str().to_owned()),
                GroupName::parse(&name).map(|n| n.as_str().to_owned()),
                ClientName::parse(&name).map(|n| n.as_str().to_owned()),
            ];
            for text in accepted.into_iter().flatten() {
                prop_assert!(crate::look_alike::check_text(&text, "A name").is_ok());
                prop_assert!(crate::look_alike::check_visible(&text, "A name").is_ok());
            }
            let _ = Description::parse(&name);
        }

        /// Old stores hold `address.to_lowercase()` as the key of every ASCII
        /// address; the new normalisation must give the very same key, or
        /// those users could no longer be found.
        #[test]
        fn ascii_addresses_keep_their_stored_normalised_form(
            local in r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,24}",
            labels in proptest::collection::vec(r"[A-Za-z0-9]([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{0,8}[A-Za-z0-9])?", 2..4),
        ) {
            let input = format!("{local}@{}", labels.join("."));
            let options = email_address::Options::default()
                .with_required_tld()
                .without_domain_literal()
                .without_display_text();
            let accepted_before = email_address::EmailAddress::parse_with_options(&input, options).is_ok();
            prop_assume!(!input.to_ascii_lowercase().contains("@xn--") && !input.to_ascii_lowercase().contains(".xn--"));
            match Email::parse(&input) {
                Ok(email) => {
                    prop_assert!(accepted_before);
                    prop_assert_eq!(email.normalized(), input.to_lowercase());
                    prop_assert_eq!(email.as_str(), input.as_str());
                    prop_assert_eq!(email.for_sending(), input.clone());
                }
                Err(error) => prop_assert!(!accepted_before, "{input} now refused: {error}"),
            }
        }

        /// The mail path (lettre) must be able to address every accepted
        /// address, as typed and in the form it is sent.
        #[test]
        fn lettre_accepts_every_accepted_address(
            local in r"[a-zA-Z0-9._+\-\u{e4}\u{f6}\u{e9}\u{131}\u{430}\u{438}\u{432}\u{43d}\u{3b1}\u{3b2}\u{7528}\u{6237}\u{ff41}\u{200b}\u{202e}\u{301}\u{22}\u{20}]{1,20}",
            domain in r"[a-zA-Z0-9\-\u{e4}\u{f6}\u{e9}\u{430}\u{440}\u{441}\u{43e}\u{3b1}\u{4f8b}\u{5b50}\u{ff21}\u{200d}]{1,20}",
            tld in r"[a-z]{2,4}|\u{440}\u{444}|xn--p1ai",
        ) {
            let input = format!("{local}@{domain}.{tld}");
            if let Ok(email) = Email::parse(&input) {
                prop_assert!(email.as_str().parse::<lettre::Address>().is_ok(), "{:?}", email);
                let sending = email.for_sending();
                prop_assert!(sending.parse::<lettre::Address>().is_ok(), "{}", sending);
                prop_assert!(sending.rsplit_once('@').is_some_and(|(_, d)| d.is_ascii()));
                prop_assert!(!email.as_str().contains('"'));
            }
        }

        #[test]
        fn email_parsing_never_panics(input in "\\PC{0,300}|.{0,300}") {
            if let Ok(email) = Email::parse(&input) {
                prop_assert!(email.as_str().parse::<lettre::Address>().is_ok(), "{:?}", email);
            }
        }
    }

    /// Letters, digits, punctuation, symbols and spaces of any script, less
    /// the few letters and symbols that render blank.
    const GENERATED_NAME: &str =
        r"[[\p{L}\p{N}\p{P}\p{S} ]&&[^\u{115F}\u{1160}\u{3164}\u{FFA0}\u{2800}]]{1,200}";

    #[test]
    fn email_domains_compare_by_their_idna_form() {
        let unicode = Email::parse("ann@exämple.com").unwrap();
        let punycode = Email::parse("ann@xn--exmple-cua.com").unwrap();
        let shouted = Email::parse("ANN@EXÄMPLE.COM").unwrap();
        assert_eq!(unicode.normalized(), "ann@xn--exmple-cua.com");
        assert_eq!(punycode.normalized(), unicode.normalized());
        assert_eq!(shouted.normalized(), unicode.normalized());
        // What was typed is what people see.
        assert_eq!(unicode.as_str(), "ann@exämple.com");
        assert_eq!(shouted.as_str(), "ANN@EXÄMPLE.COM");
        assert_eq!(unicode.for_sending(), "ann@xn--exmple-cua.com");
        assert_eq!(shouted.for_sending(), "ANN@xn--exmple-cua.com");
    }

    #[test]
    fn emails_are_kept_in_nfkc() {
        let full_width = Email::parse("ａｎｎ＠ｅｘａｍｐｌｅ．ｃｏｍ").unwrap();
        assert_eq!(full_width.as_str(), "ann@example.com");
        assert_eq!(full_width.normalized(), "ann@example.com");
        // Decomposed and composed ä are one address.
        let decomposed = Email::parse("ann@exa\u{308}mple.com").unwrap();
        assert_eq!(decomposed.as_str(), "ann@exämple.com");
        assert_eq!(decomposed.normalized(), "ann@xn--exmple-cua.com");
    }

    fn email_refusal(input: &str) -> String {
        match Email::parse(input) {
            Err(Error::InvalidEmail { reason }) => reason,
            other => panic!("{input:?} gave {other:?}"),
        }
    }

    #[test]
    fn quoted_local_parts_are_refused_with_a_clear_reason() {
        for quoted in [
            "\"john smith\"@example.com",
            "\"ann\"@example.com",
            "\"a@b\"@example.com",
        ] {
            assert!(
                email_refusal(quoted).contains("quotation marks"),
                "{quoted}"
            );
        }
    }

    #[test]
    fn mixed_script_addresses_are_refused() {
        // Cyrillic а (U+0430) among Latin letters.
        for mixed in [
            "ann@p\u{430}ypal.com",
            "p\u{430}ypal@example.com",
            "ann@mail.p\u{430}ypal.com",
        ] {
            assert!(email_refusal(mixed).contains("mixes letters"), "{mixed}");
        }
        // The same domain typed in punycode is just as refused.
        let punycode = idna::domain_to_ascii("p\u{430}ypal.com").unwrap();
        assert!(punycode.starts_with("xn--"));
        assert!(email_refusal(&format!("ann@{punycode}")).contains("mixes letters"));
    }

    #[test]
    fn other_scripts_that_look_latin_are_refused() {
        // All Cyrillic, but reads as "pay", "coco", "apple".
        for look_alike in [
            "\u{440}\u{430}\u{443}@example.com",
            "ann@\u{441}\u{43e}\u{441}\u{43e}.com",
            "ann@\u{430}\u{440}\u{440}\u{4cf}\u{435}.com",
        ] {
            assert!(
                email_refusal(look_alike).contains("looks like Latin"),
                "{look_alike}"
            );
        }
    }

    #[test]
    fn single_script_international_addresses_are_accepted() {
        let russian = Email::parse("иван@пример.рф").unwrap();
        assert_eq!(russian.as_str(), "иван@пример.рф");
        assert_eq!(russian.normalized(), "иван@xn--e1afmkfd.xn--p1ai");
        for fine in [
            "Zoë.Lee@exämple.com",
            "yılmaz@örnek.com.tr",
            "用户@例子.广告",
            "αλέξης@παράδειγμα.ελ",
            "ann@xn--e1afmkfd.xn--p1ai",
        ] {
            let email = Email::parse(fine).unwrap_or_else(|e| panic!("{fine}: {e}"));
            assert!(email.as_str().parse::<lettre::Address>().is_ok(), "{fine}");
            assert!(
                email.for_sending().parse::<lettre::Address>().is_ok(),
                "{fine}"
            );
        }
    }

    #[test]
    fn everyday_names_in_other_scripts_are_accepted_as_addresses() {
        for local in [
            "анна",
            "сергей",
            "мария",
            "дмитрий",
            "ольга",
            "ελένη",
            "γιώργος",
            "محمد",
            "דוד",
            "राहुल",
            "たなか",
            "김민준",
            "ნინო",
        ] {
            let address = format!("{local}@example.com");
            assert!(Email::parse(&address).is_ok(), "{address}");
        }
    }

    #[test]
    fn invisible_characters_in_emails_are_refused() {
        for hidden in [
            "ann\u{200b}@example.com",
            "ann@exam\u{200d}ple.com",
            "\u{202e}moc.elpmaxe@nna",
            "\u{feff}ann@example.com",
            "ann\u{2066}@example.com",
        ] {
            assert!(Email::parse(hidden).is_err(), "{hidden:?}");
        }
    }

    #[test]
    fn invalid_international_domains_are_refused() {
        for bad in ["ann@xn--zz.com", "ann@exämple_.com", "ann@ex_ämple.com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    /// Every format character the issue names, and a few more.
    const INVISIBLE: &[char] = &[
        '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{61c}', '\u{200b}', '\u{200c}',
        '\u{200d}', '\u{2060}', '\u{feff}', '\u{ad}', '\u{3164}', '\u{115f}',
    ];

    #[test]
    fn names_refuse_invisible_formatting_characters() {
        for c in INVISIBLE {
            let text = format!("Ann{c}Lee");
            match UserName::parse(&text) {
                Err(Error::InvalidName { reason }) => {
                    assert!(reason.contains("invisible formatting"), "{c:?}: {reason}")
                }
                other => panic!("{c:?} gave {other:?}"),
            }
            assert!(
                matches!(GroupName::parse(&text), Err(Error::InvalidGroupName { .. })),
                "{c:?}"
            );
            assert!(
                matches!(ClientName::parse(&text), Err(Error::InvalidName { .. })),
                "{c:?}"
            );
            assert!(
                matches!(
                    Description::parse(&text),
                    Err(Error::InvalidDescription { .. })
                ),
                "{c:?}"
            );
        }
    }

    #[test]
    fn emoji_sequences_keep_their_joiners_and_tags() {
        for name in [
            "Zoë 👩\u{200d}👩\u{200d}👧 Ångström",
            "👩\u{1f3fd}\u{200d}💻 Desk",
            "❤\u{fe0f}\u{200d}🔥 Fans",
            "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} Office",
        ] {
            assert!(UserName::parse(name).is_ok(), "{name:?}");
            assert!(ClientName::parse(name).is_ok(), "{name:?}");
            assert!(GroupName::parse(name).is_ok(), "{name:?}");
        }
        for hidden in [
            "a\u{200d}b",
            "👩\u{200d}\u{200d}👩",
            "👩\u{200d}a",
            "1\u{200d}2",
            "Ann\u{e0041}",
            "\u{200d}👩",
        ] {
            assert!(UserName::parse(hidden).is_err(), "{hidden:?}");
        }
    }

    #[test]
    fn names_refuse_line_and_paragraph_separators() {
        for c in ['\u{2028}', '\u{2029}'] {
            let text = format!("Ann{c}Lee");
            assert!(UserName::parse(&text).is_err(), "{c:?}");
            assert!(GroupName::parse(&text).is_err(), "{c:?}");
            assert!(ClientName::parse(&text).is_err(), "{c:?}");
            assert!(Description::parse(&text).is_err(), "{c:?}");
        }
    }

    #[test]
    fn names_need_a_visible_character() {
        for blank in ["\u{301}", "\u{301}\u{302}", "\u{2800}", "\u{2800} \u{20dd}"] {
            match UserName::parse(blank) {
                Err(Error::InvalidName { reason }) => {
                    assert!(reason.contains("visible"), "{blank:?}: {reason}")
                }
                other => panic!("{blank:?} gave {other:?}"),
            }
            assert!(GroupName::parse(blank).is_err(), "{blank:?}");
            assert!(ClientName::parse(blank).is_err(), "{blank:?}");
        }
    }

    #[test]
    fn combining_marks_are_capped_per_letter() {
        let four = format!("Ze{}n", "\u{301}\u{302}\u{303}\u{304}");
        let five = format!("Ze{}n", "\u{301}\u{302}\u{303}\u{304}\u{305}");
        assert!(UserName::parse(&four).is_ok());
        match UserName::parse(&five) {
            Err(Error::InvalidName { reason }) => assert!(reason.contains("accents"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert!(GroupName::parse(&five).is_err());
        assert!(ClientName::parse(&five).is_err());
        assert!(Description::parse(&five).is_err());
        let zalgo: String = "Zalgo"
            .chars()
            .flat_map(|c| {
                [
                    c, '\u{336}', '\u{335}', '\u{334}', '\u{337}', '\u{338}', '\u{321}',
                ]
            })
            .collect();
        assert!(UserName::parse(&zalgo).is_err());
        // Real writing stays well under the cap.
        for name in [
            "Nguye\u{302}\u{303}n",
            "Nguyễn Thị Ánh",
            "स्त्री शक्ति",
            "Zoë",
            "Søren",
        ] {
            assert!(UserName::parse(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn group_names_that_look_alike() {
        let group = |name: &str| GroupName::parse(name).unwrap();
        let admins = group("Administrators");
        // Cyrillic А (U+0410) for the Latin A.
        assert!(group("\u{410}dministrators").looks_like(&admins));
        assert!(group("administrators").looks_like(&admins));
        assert!(group("Adm\u{456}n\u{456}strators").looks_like(&admins));
        assert!(group("Sales  Team").looks_like(&group("Sales Team")));
        assert!(group("Cafe\u{301}").looks_like(&group("Café")));
        assert!(group("ＳＡＬＥＳ").looks_like(&group("Sales")));
        assert!(group("lT").looks_like(&group("IT")));
        assert!(!group("Sales").looks_like(&group("Support")));
        assert!(!group("Administrators").looks_like(&group("Administration")));
        assert!(!group("Иван").looks_like(&group("Ivan")));
    }
}
