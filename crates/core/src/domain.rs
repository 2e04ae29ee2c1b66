//! Domain values that cannot hold bad data.
//!
//! Each type has a private field and one parsing constructor: once a service
//! holds an `Email` or a `UserName`, it is valid, and no other layer checks it
//! again. Values read back from a store use `from_stored`, which trusts what
//! the parsing constructor once wrote.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

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

/// An email address as the user typed it, plus the normalised form that
/// decides uniqueness: `Ann@Example.com` and `ann@example.com` are one account.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email {
    display: String,
    normalized: String,
}

/// The longest address SMTP can carry (RFC 5321's path limit less the brackets).
const EMAIL_MAX_LEN: usize = 254;

impl Email {
    /// Trims surrounding space and checks the address with the `email_address`
    /// crate: one plain address (no display name, no `[1.2.3.4]` literal), and
    /// a domain with a dot, since `ann@example` is nearly always a typo here.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(Error::InvalidEmail {
                reason: "Enter an email address.".into(),
            });
        }
        if trimmed.chars().count() > EMAIL_MAX_LEN {
            return Err(Error::InvalidEmail {
                reason: format!("An email address can have at most {EMAIL_MAX_LEN} characters."),
            });
        }
        let options = email_address::Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        email_address::EmailAddress::parse_with_options(trimmed, options).map_err(|error| {
            Error::InvalidEmail {
                reason: describe_email_error(&error).into(),
            }
        })?;
        Ok(Self {
            display: trimmed.to_owned(),
            normalized: trimmed.to_lowercase(),
        })
    }

    /// Rebuilds an address a store wrote from `parse`'s output.
    pub fn from_stored(display: String, normalized: String) -> Self {
        Self {
            display,
            normalized,
        }
    }

    /// The address as typed (trimmed).
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// The lowercased form used for uniqueness and look-ups.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// The part before the `@`, as typed.
    pub fn local_part(&self) -> &str {
        self.display
            .rsplit_once('@')
            .map_or(self.display.as_str(), |(local, _)| local)
    }
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

/// Trims `input` and checks that it has `1..=max` characters and no control
/// characters. Shared by the short free-text names of the domain.
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
    Ok(trimmed.to_owned())
}

/// A client's name: 1..=200 graphemes (what a reader counts as
/// characters: a letter with its accents, an emoji), no control characters.
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

/// A person's display name: 1..=200 characters, no control characters.
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

/// A group's name: 1..=100 characters, unique ignoring case.
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

/// A group's free-text description: up to 1,000 characters; line breaks allowed.
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
        fn names_without_control_characters_parse(name in "[^\\p{Cc}]{1,200}") {
            prop_assume!(!name.trim().is_empty());
            prop_assert!(UserName::parse(&name).is_ok());
        }
    }
}
