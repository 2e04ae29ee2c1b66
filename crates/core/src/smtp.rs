//! Sending mail over SMTP with `lettre`: the mail server's settings as the
//! directory keeps them ([`MailSettings`], no password), and the [`Mailer`]
//! that uses them ([`SmtpMailer`]).
//!
//! The password is never in the store: the caller keeps it in the OS keychain
//! under [`MailSettings::keychain_name`] and hands it to [`SmtpMailer::new`].
//! Certificates are always verified (Mozilla's roots through `webpki-roots`);
//! a password is only sent over an encrypted connection, or to a relay on
//! this computer. Every failure becomes a [`MailError`] a person can act on,
//! which never carries the password.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::Email;
use crate::error::{Error, Result};
use crate::mail::{MailError, Mailer, Message};
use crate::secrets::Secrets;

/// How long connecting to the mail server may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole exchange (connect, sign in, send) may take: a server that
/// connects but never answers (TLS expected on a plain port, say) must not
/// hang the caller.
pub const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest sender name accepted.
const SENDER_NAME_MAX_LEN: usize = 100;

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailSecurity {
    /// A plain connection upgraded with STARTTLS before anything is sent
    /// (usually port 587); refused when the server does not offer it.
    #[serde(rename = "starttls")]
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption: only for a relay on this computer or the local network
    /// that needs no password.
    None,
}

impl MailSecurity {
    pub fn as_str(self) -> &'static str {
        match self {
            MailSecurity::StartTls => "starttls",
            MailSecurity::Tls => "tls",
            MailSecurity::None => "none",
        }
    }

    /// The port this kind of connection usually uses.
    pub fn default_port(self) -> u16 {
        match self {
            MailSecurity::StartTls => 587,
            MailSecurity::Tls => 465,
            MailSecurity::None => 25,
        }
    }
}

impl fmt::Display for MailSecurity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for MailSecurity {
    type Err = Error;

    fn from_str(value: &str) -> Result<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "starttls" => Ok(MailSecurity::StartTls),
            "tls" => Ok(MailSecurity::Tls),
            "none" => Ok(MailSecurity::None),
            _ => Err(Error::InvalidMailSetting {
                field: "security",
                reason: format!(
                    "“{}” is not a connection security; choose starttls, tls or none.",
                    value.trim()
                ),
            }),
        }
    }
}

/// The mail server Roster sends through, as every administrator of the
/// directory sees it. Holds no password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettings {
    /// The server's host name (or address).
    pub host: String,
    pub port: u16,
    pub security: MailSecurity,
    /// The account to sign in with; `None` for a relay that needs no sign-in.
    pub user: Option<String>,
    /// The address mail is sent from.
    #[serde(deserialize_with = "deserialize_email")]
    pub sender_address: Email,
    /// The name shown beside the sender address, e.g. "Roster" or the company.
    pub sender_name: String,
}

fn deserialize_email<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Email, D::Error> {
    let text = String::deserialize(deserializer)?;
    Email::parse(&text).map_err(serde::de::Error::custom)
}

impl MailSettings {
    /// Checks every value, so bad settings are never saved; trims the host,
    /// the user and the sender name. Refuses sending a password unencrypted
    /// to anything but this computer.
    pub fn validate(mut self) -> Result<Self> {
        self.host = self.host.trim().to_owned();
        self.sender_name = self.sender_name.trim().to_owned();
        self.user = self
            .user
            .map(|user| user.trim().to_owned())
            .filter(|user| !user.is_empty());
        let invalid = |field: &'static str, reason: &str| Error::InvalidMailSetting {
            field,
            reason: reason.to_owned(),
        };
        if self.host.is_empty() {
            return Err(invalid(
                "host",
                "Enter the mail server's name, e.g. smtp.example.com.",
            ));
        }
        if self.host.len() > 253
            || self
                .host
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "/@:?#".contains(c))
        {
            return Err(invalid(
                "host",
                "The mail server's name cannot contain spaces or any of / @ : ? #; enter only the name, e.g. smtp.example.com.",
            ));
        }
        if self.port == 0 {
            return Err(invalid("port", "The port must be between 1 and 65535."));
        }
        if let Some(user) = &self.user {
            if user.chars().count() > 254 || user.chars().any(char::is_control) {
                return Err(invalid(
                    "user",
                    "The user name cannot contain control characters or more than 254 characters.",
                ));
            }
            if self.security == MailSecurity::None && !self.is_local() {
                return Err(invalid(
                    "security",
                    "A password is only sent over an encrypted connection: choose STARTTLS or TLS, or leave the user empty for a relay that needs no sign-in.",
                ));
            }
        }
        if self.sender_name.chars().count() > SENDER_NAME_MAX_LEN
            || self.sender_name.chars().any(char::is_control)
        {
            return Err(invalid(
                "sender_name",
                &format!("The sender's name can have at most {SENDER_NAME_MAX_LEN} characters and no line breaks."),
            ));
        }
        if self.sender_address.as_str().parse::<Address>().is_err() {
            return Err(invalid(
                "sender_address",
                "This sender address cannot be used for sending mail.",
            ));
        }
        Ok(self)
    }

    /// The host and port, for messages: "smtp.example.com:587".
    pub fn server(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The name the password is kept under in the OS keychain:
    /// `smtp:{user}@{host}:{port}` (the user is empty when there is none, and
    /// then no password is needed).
    pub fn keychain_name(&self) -> String {
        format!(
            "smtp:{}@{}:{}",
            self.user.as_deref().unwrap_or(""),
            self.host,
            self.port
        )
    }

    /// True when the server is this computer.
    fn is_local(&self) -> bool {
        self.host.eq_ignore_ascii_case("localhost")
            || self
                .host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

/// Sends mail through one SMTP server. Each message opens its own
/// connection: a desktop sends a message now and then, and a stale pooled
/// connection would only add failures.
pub struct SmtpMailer {
    settings: MailSettings,
    password: Option<SecretString>,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("settings", &self.settings)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

impl SmtpMailer {
    /// A mailer for `settings` (checked again here) signing in with `user`
    /// and `password` when the settings name a user.
    pub fn new(
        settings: MailSettings,
        password: Option<SecretString>,
    ) -> std::result::Result<Self, MailError> {
        let settings = settings.validate().map_err(|error| MailError::Settings {
            reason: error.to_string(),
        })?;
        if settings.user.is_some() && password.is_none() {
            return Err(MailError::Settings {
                reason: format!(
                    "no password is kept on this computer for {} at {}; enter it in the mail settings.",
                    settings.user.as_deref().unwrap_or_default(),
                    settings.server()
                ),
            });
        }
        Ok(Self { settings, password })
    }

    pub fn settings(&self) -> &MailSettings {
        &self.settings
    }

    fn transport(&self) -> std::result::Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
        let tls = |parameters: std::result::Result<TlsParameters, _>| {
            parameters.map_err(
                |error: lettre::transport::smtp::Error| MailError::Settings {
                    reason: format!("the secure connection cannot be prepared ({error})."),
                },
            )
        };
        let host = self.settings.host.as_str();
        let tls = match self.settings.security {
            MailSecurity::StartTls => Tls::Required(tls(TlsParameters::new(host.to_owned()))?),
            MailSecurity::Tls => Tls::Wrapper(tls(TlsParameters::new(host.to_owned()))?),
            MailSecurity::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(self.settings.port)
            .tls(tls)
            .timeout(Some(CONNECT_TIMEOUT));
        if let (Some(user), Some(password)) = (&self.settings.user, &self.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(builder.build())
    }

    /// Connects, signs in and says goodbye, sending nothing: checks the
    /// settings and the password.
    pub async fn test_connection(&self) -> std::result::Result<(), MailError> {
        let transport = self.transport()?;
        match tokio::time::timeout(EXCHANGE_TIMEOUT, transport.test_connection()).await {
            Err(_) => Err(self.no_answer()),
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err(MailError::Refused {
                server: self.settings.server(),
                detail: "it did not answer a NOOP".into(),
            }),
            Ok(Err(error)) => Err(self.explain(&error)),
        }
    }

    fn email(&self, message: &Message) -> std::result::Result<lettre::Message, MailError> {
        let address = |email: &Email| {
            email
                .for_sending()
                .parse::<Address>()
                .map_err(|error| MailError::Refused {
                    server: self.settings.server(),
                    detail: format!("the address {email} cannot be used ({error})"),
                })
        };
        let name = |text: &str| Some(text.trim().to_owned()).filter(|name| !name.is_empty());
        let from = Mailbox::new(
            name(&self.settings.sender_name),
            address(&self.settings.sender_address)?,
        );
        let to = Mailbox::new(name(&message.to_name), address(&message.to)?);
        lettre::Message::builder()
            .from(from)
            .to(to)
            .subject(message.subject.clone())
            .message_id(None)
            .multipart(MultiPart::alternative_plain_html(
                message.text.clone(),
                message.html.clone(),
            ))
            .map_err(|error| MailError::Refused {
                server: self.settings.server(),
                detail: format!("the message could not be built ({error})"),
            })
    }

    fn no_answer(&self) -> MailError {
        MailError::Unreachable {
            server: self.settings.server(),
            detail: format!(
                "no answer within {} seconds; check the port and the connection security",
                EXCHANGE_TIMEOUT.as_secs()
            ),
        }
    }

    /// Turns lettre's error into one a person can act on.
    fn explain(&self, error: &lettre::transport::smtp::Error) -> MailError {
        classify(&self.settings.server(), self.settings.user.is_some(), error)
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: &Message) -> std::result::Result<(), MailError> {
        let email = self.email(message)?;
        let transport = self.transport()?;
        match tokio::time::timeout(EXCHANGE_TIMEOUT, transport.send(email)).await {
            Err(_) => Err(self.no_answer()),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(self.explain(&error)),
        }
    }
}

/// A mailer for the stored settings that reads the password from `secrets`
/// (the OS keychain) each time it sends, so nothing asks the keychain until
/// a message actually goes out, and a password changed there is used at
/// once. A missing or unreadable password is a [`MailError::Settings`].
pub struct KeychainMailer {
    settings: MailSettings,
    secrets: Arc<dyn Secrets>,
}

impl fmt::Debug for KeychainMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeychainMailer")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl KeychainMailer {
    pub fn new(settings: MailSettings, secrets: Arc<dyn Secrets>) -> Self {
        Self { settings, secrets }
    }

    pub fn settings(&self) -> &MailSettings {
        &self.settings
    }

    /// The SMTP mailer with the password as the keychain holds it now.
    pub fn mailer(&self) -> std::result::Result<SmtpMailer, MailError> {
        let password = match &self.settings.user {
            Some(_) => self
                .secrets
                .get(&self.settings.keychain_name())
                .map_err(|error| MailError::Settings {
                    reason: error.to_string(),
                })?,
            None => None,
        };
        SmtpMailer::new(self.settings.clone(), password)
    }

    pub async fn test_connection(&self) -> std::result::Result<(), MailError> {
        self.mailer()?.test_connection().await
    }
}

#[async_trait]
impl Mailer for KeychainMailer {
    async fn send(&self, message: &Message) -> std::result::Result<(), MailError> {
        self.mailer()?.send(message).await
    }
}

/// The reply codes that mean the user name or password was refused.
const CREDENTIALS_CODES: &[&str] = &["534", "535", "538"];

fn classify(server: &str, signs_in: bool, error: &lettre::transport::smtp::Error) -> MailError {
    let server = server.to_owned();
    if let Some(code) = error.status() {
        let code = code.to_string();
        let text = detail_of(error);
        if CREDENTIALS_CODES.contains(&code.as_str()) || (code == "530" && signs_in) {
            return MailError::Credentials { server };
        }
        let detail = if code == "530" {
            format!("{code} {text}: it wants a user name and password")
        } else {
            format!("{code} {text}").trim().to_owned()
        };
        return MailError::Refused { server, detail };
    }
    if let Some(tls) = tls_error(error) {
        return match tls {
            rustls::Error::InvalidCertificate(reason) => MailError::Certificate {
                server,
                detail: certificate_reason(reason),
            },
            rustls::Error::NoCertificatesPresented => MailError::Certificate {
                server,
                detail: "it presented no certificate".into(),
            },
            other => MailError::Secure {
                server,
                detail: other.to_string(),
            },
        };
    }
    if error.is_timeout() {
        return MailError::Unreachable {
            server,
            detail: "the connection timed out".into(),
        };
    }
    if let Some(io) = io_error(error) {
        use std::io::ErrorKind;
        let detail = match io.kind() {
            ErrorKind::ConnectionRefused => "the connection was refused".to_owned(),
            ErrorKind::TimedOut => "the connection timed out".to_owned(),
            ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::UnexpectedEof => {
                "the server closed the connection; check the port and the connection security"
                    .to_owned()
            }
            _ if io.to_string().contains("lookup") || io.to_string().contains("resolve") => {
                "the name could not be found; check the server's name".to_owned()
            }
            _ => io.to_string(),
        };
        return MailError::Unreachable { server, detail };
    }
    let text = detail_of(error);
    if error.is_client() {
        if text.contains("STARTTLS") {
            return MailError::Settings {
                reason: format!(
                    "{server} does not offer STARTTLS; choose TLS (usually port 465) or ask for the right port."
                ),
            };
        }
        if text.contains("authentication mechanism") {
            return MailError::Settings {
                reason: format!(
                    "{server} offers no way to sign in with a password on this connection; choose STARTTLS or TLS."
                ),
            };
        }
        return MailError::Refused {
            server,
            detail: text,
        };
    }
    if error.is_response() {
        return MailError::Unreachable {
            server,
            detail: format!(
                "it does not answer like a mail server ({text}); check the port and the connection security"
            ),
        };
    }
    MailError::Unreachable {
        server,
        detail: error.to_string(),
    }
}

/// The text of the error's cause (the server's reply, for a refusal).
fn detail_of(error: &lettre::transport::smtp::Error) -> String {
    std::error::Error::source(error)
        .map(|source| source.to_string())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn io_error(error: &lettre::transport::smtp::Error) -> Option<&std::io::Error> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        source = cause.source();
    }
    None
}

/// The TLS library's complaint, wherever it sits in the chain (tokio-rustls
/// wraps it in an I/O error).
fn tls_error(error: &lettre::transport::smtp::Error) -> Option<&rustls::Error> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(tls) = cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(tls);
        }
        source = cause.source();
    }
    None
}

fn certificate_reason(reason: &rustls::CertificateError) -> String {
    use rustls::CertificateError as E;
    match reason {
        E::UnknownIssuer => "it is self-signed or signed by an unknown authority".into(),
        E::Expired | E::ExpiredContext { .. } => "it has expired".into(),
        E::NotValidYet | E::NotValidYetContext { .. } => "it is not valid yet".into(),
        E::NotValidForName | E::NotValidForNameContext { .. } => {
            "it was issued for another name".into()
        }
        E::Revoked => "it was revoked".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> MailSettings {
        MailSettings {
            host: "smtp.example.com".into(),
            port: 587,
            security: MailSecurity::StartTls,
            user: Some("roster@example.com".into()),
            sender_address: Email::parse("roster@example.com").unwrap(),
            sender_name: "Roster".into(),
        }
    }

    fn field_of(settings: MailSettings) -> Option<&'static str> {
        settings.validate().err().and_then(|error| error.field())
    }

    #[test]
    fn good_settings_are_trimmed_and_kept() {
        let valid = MailSettings {
            host: "  smtp.example.com ".into(),
            user: Some("  ".into()),
            sender_name: " Front Desk ".into(),
            ..settings()
        }
        .validate()
        .unwrap();
        assert_eq!(valid.host, "smtp.example.com");
        assert_eq!(valid.user, None);
        assert_eq!(valid.sender_name, "Front Desk");
    }

    #[test]
    fn each_bad_value_is_refused_beside_its_field() {
        let host = |host: &str| MailSettings {
            host: host.into(),
            ..settings()
        };
        assert_eq!(field_of(host("")), Some("host"));
        assert_eq!(field_of(host("smtp example.com")), Some("host"));
        assert_eq!(field_of(host("smtp://example.com")), Some("host"));
        assert_eq!(
            field_of(MailSettings {
                port: 0,
                ..settings()
            }),
            Some("port")
        );
        assert_eq!(
            field_of(MailSettings {
                sender_name: "Roster\r\nBcc: everyone@example.com".into(),
                ..settings()
            }),
            Some("sender_name")
        );
    }

    #[test]
    fn a_password_never_travels_unencrypted_except_to_this_computer() {
        let plain = |host: &str| MailSettings {
            host: host.into(),
            security: MailSecurity::None,
            ..settings()
        };
        assert_eq!(field_of(plain("smtp.example.com")), Some("security"));
        assert!(plain("127.0.0.1").validate().is_ok());
        assert!(plain("localhost").validate().is_ok());
        let relay = MailSettings {
            user: None,
            ..plain("relay.example.com")
        };
        assert!(relay.validate().is_ok());
    }

    #[test]
    fn security_reads_and_writes_the_same_words() {
        for security in [
            MailSecurity::StartTls,
            MailSecurity::Tls,
            MailSecurity::None,
        ] {
            assert_eq!(security.as_str().parse::<MailSecurity>().unwrap(), security);
            assert_eq!(
                serde_json::to_value(security).unwrap(),
                serde_json::json!(security.as_str())
            );
        }
        assert!("ssl".parse::<MailSecurity>().is_err());
    }

    #[test]
    fn the_keychain_name_names_user_server_and_port() {
        assert_eq!(
            settings().keychain_name(),
            "smtp:roster@example.com@smtp.example.com:587"
        );
    }

    #[test]
    fn a_mailer_needs_the_password_of_its_user_and_never_shows_it() {
        let missing = SmtpMailer::new(settings(), None);
        assert!(matches!(missing, Err(MailError::Settings { .. })));
        let mailer = SmtpMailer::new(
            settings(),
            Some(SecretString::from("hunter2-very-secret".to_owned())),
        )
        .unwrap();
        let debug = format!("{mailer:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    /// A keychain holding at most one password, under any name.
    struct OnePassword(Option<&'static str>);

    impl Secrets for OnePassword {
        fn get(
            &self,
            _: &str,
        ) -> std::result::Result<Option<SecretString>, crate::secrets::SecretsError> {
            Ok(self.0.map(|p| SecretString::from(p.to_owned())))
        }
        fn set(
            &self,
            _: &str,
            _: &SecretString,
        ) -> std::result::Result<(), crate::secrets::SecretsError> {
            Ok(())
        }
        fn delete(&self, _: &str) -> std::result::Result<(), crate::secrets::SecretsError> {
            Ok(())
        }
    }

    #[test]
    fn a_keychain_mailer_reads_the_password_when_it_sends() {
        let missing = KeychainMailer::new(settings(), Arc::new(OnePassword(None)));
        let error = missing.mailer().unwrap_err();
        assert!(matches!(error, MailError::Settings { .. }), "{error:?}");
        assert!(error.to_string().contains("no password is kept"), "{error}");
        let kept = KeychainMailer::new(settings(), Arc::new(OnePassword(Some("pw-123"))));
        assert!(kept.mailer().is_ok());
        let relay = KeychainMailer::new(
            MailSettings {
                user: None,
                ..settings()
            },
            Arc::new(OnePassword(None)),
        );
        assert!(relay.mailer().is_ok(), "a relay needs no password");
    }

    #[test]
    fn settings_round_trip_through_json() {
        let json = serde_json::to_value(settings()).unwrap();
        assert_eq!(json["security"], "starttls");
        assert_eq!(json["sender_address"], "roster@example.com");
        let back: MailSettings = serde_json::from_value(json).unwrap();
        assert_eq!(back, settings());
    }
}
