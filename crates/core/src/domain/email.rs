//! Email addresses: parsed, NFKC, single-script parts, kept as typed plus
//! the form that decides uniqueness.

use std::fmt;

use serde::{Serialize, Serializer};
use unicode_normalization::UnicodeNormalization;

use crate::error::Error;

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
