//! Where a PostgreSQL directory is and how to reach it: the connection URL
//! people type and save, and the TLS set-up it asks for.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// How long opening a connection may take before the server counts as unreachable.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Every session's settings: a writer waits at most 15 s for the writer
/// lock (or a row), and a session left idle inside a transaction (a client
/// that hung) is ended after a minute, freeing its locks. Statements are
/// prepared once per connection, but planned for their actual values: a
/// generic plan cannot tell a rare search text from a common one and scans
/// the table (measured: 69 ms instead of 9 ms for a rare name at 100,000
/// users).
pub(crate) const SESSION_OPTIONS: &str =
    "-c lock_timeout=15s -c idle_in_transaction_session_timeout=60s \
     -c plan_cache_mode=force_custom_plan";

/// The port PostgreSQL listens on unless the URL names another.
pub const DEFAULT_PORT: u16 = 5432;

/// Whether and how the connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    /// Plain TCP.
    Disable,
    /// Encrypted, but any certificate is accepted (libpq's `sslmode=require`):
    /// protects against listening, not against an impostor server.
    Require,
    /// Encrypted, and the certificate must be valid for the host name under
    /// the Mozilla root certificates (webpki-roots).
    VerifyFull,
}

impl TlsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Disable => "disable",
            TlsMode::Require => "require",
            TlsMode::VerifyFull => "verify-full",
        }
    }
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TlsMode {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, StoreError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "disable" => Ok(TlsMode::Disable),
            "require" => Ok(TlsMode::Require),
            "verify-full" | "verify_full" => Ok(TlsMode::VerifyFull),
            _ => Err(bad_url(format!(
                "sslmode “{s}” is not supported; use disable, require or verify-full."
            ))),
        }
    }
}

/// A PostgreSQL directory's address. `schema`, when given, is created if
/// absent and holds all of Roster's tables, so several directories (or
/// Roster and other applications) can share one database.
#[derive(Clone)]
pub struct PgConfig {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub password: Option<SecretString>,
    pub tls: TlsMode,
    pub schema: Option<String>,
}

impl fmt::Debug for PgConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgConfig")
            .field("url", &self.display_url())
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

impl PgConfig {
    /// Parses
    /// `postgres://user[:password]@host[:port]/database?sslmode=disable|require|verify-full[&schema=NAME]`
    /// (`postgresql://` too; user, password and database may be
    /// percent-encoded; an IPv6 host goes in brackets).
    ///
    /// Without `sslmode`, a loopback host (`localhost`, `127.0.0.1`, `::1`)
    /// means `disable` and any other host `verify-full`: a connection that
    /// leaves the machine is never silently unencrypted or unverified.
    pub fn from_url(url: &str) -> Result<PgConfig, StoreError> {
        let url = url.trim();
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or_else(|| {
                bad_url("a PostgreSQL URL starts with postgres:// (for example postgres://roster@db.example.com/roster).".into())
            })?;
        let (rest, query) = match rest.split_once('?') {
            Some((rest, query)) => (rest, Some(query)),
            None => (rest, None),
        };
        if rest.contains('#') || query.is_some_and(|q| q.contains('#')) {
            return Err(bad_url("the URL must not contain “#”.".into()));
        }
        let (authority, database) = rest
            .split_once('/')
            .ok_or_else(|| bad_url("the URL names no database (…/DATABASE at its end).".into()))?;
        let database = decode(database, "database name")?;
        if database.is_empty() {
            return Err(bad_url(
                "the URL names no database (…/DATABASE at its end).".into(),
            ));
        }
        let (credentials, host_port) = authority.rsplit_once('@').ok_or_else(|| {
            bad_url("the URL names no user (postgres://USER@host/database).".into())
        })?;
        let (user, password) = match credentials.split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (credentials, None),
        };
        let user = decode(user, "user name")?;
        if user.is_empty() {
            return Err(bad_url(
                "the URL names no user (postgres://USER@host/database).".into(),
            ));
        }
        let password = password
            .map(|p| decode(p, "password"))
            .transpose()?
            .filter(|p| !p.is_empty())
            .map(SecretString::from);
        let (host, port) = split_host_port(host_port)?;

        let mut tls = None;
        let mut schema = None;
        for pair in query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value, key)?;
            match key {
                "sslmode" => tls = Some(value.parse::<TlsMode>()?),
                "schema" => schema = Some(check_schema(&value)?),
                other => {
                    return Err(bad_url(format!(
                        "the URL option “{other}” is not supported; use sslmode and schema."
                    )))
                }
            }
        }
        let tls = tls.unwrap_or(if is_loopback(&host) {
            TlsMode::Disable
        } else {
            TlsMode::VerifyFull
        });
        Ok(PgConfig {
            host,
            port,
            database,
            user,
            password,
            tls,
            schema,
        })
    }

    /// The same URL without the password, for display and for saving. It
    /// always names `sslmode`, so a saved URL means the same thing later.
    pub fn display_url(&self) -> String {
        let mut url = format!(
            "postgres://{}@{}/{}?sslmode={}",
            encode(&self.user),
            self.server(),
            encode(&self.database),
            self.tls
        );
        if let Some(schema) = &self.schema {
            url.push_str("&schema=");
            url.push_str(&encode(schema));
        }
        url
    }

    /// "host:port", for messages.
    pub fn server(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The driver's configuration: short timeouts so a lost server is
    /// reported quickly, keepalives so a silently dropped connection is
    /// noticed, and the session settings every connection starts with.
    pub(super) fn driver_config(&self) -> Result<tokio_postgres::Config, StoreError> {
        if let Some(schema) = &self.schema {
            check_schema(schema)?;
        }
        let mut config = tokio_postgres::Config::new();
        config
            .host(&self.host)
            .port(self.port)
            .dbname(&self.database)
            .user(&self.user)
            .application_name("roster")
            .connect_timeout(CONNECT_TIMEOUT)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30))
            .ssl_mode(match self.tls {
                TlsMode::Disable => tokio_postgres::config::SslMode::Disable,
                TlsMode::Require | TlsMode::VerifyFull => tokio_postgres::config::SslMode::Require,
            });
        #[cfg(target_os = "linux")]
        config.tcp_user_timeout(Duration::from_secs(20));
        if let Some(password) = &self.password {
            config.password(password.expose_secret().as_bytes());
        }
        // Checked names need no quoting inside the startup options.
        let mut options = SESSION_OPTIONS.to_owned();
        if let Some(schema) = &self.schema {
            options.push_str(&format!(" -c search_path={schema}"));
        }
        config.options(options);
        Ok(config)
    }

    /// The TLS connector `tls` asks for, if any.
    pub(super) fn tls_connector(&self) -> Option<tokio_postgres_rustls::MakeRustlsConnect> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("the ring provider supports the default TLS versions");
        let config = match self.tls {
            TlsMode::Disable => return None,
            TlsMode::Require => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyCertificate { provider }))
                .with_no_client_auth(),
            TlsMode::VerifyFull => {
                let roots = rustls::RootCertStore {
                    roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
                };
                builder.with_root_certificates(roots).with_no_client_auth()
            }
        };
        Some(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }
}

/// `sslmode=require`: any certificate is accepted, as libpq does; the
/// handshake's signatures are still checked, so the session is encrypted to
/// whoever holds the certificate's key.
#[derive(Debug)]
struct AnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

fn bad_url(reason: String) -> StoreError {
    StoreError::Open {
        reason: format!("the PostgreSQL URL is not valid: {reason}"),
    }
}

/// Schema names are plain lowercase identifiers, so they need no quoting in
/// SQL or in the connection's startup options; PostgreSQL's own schemas
/// (`information_schema`, `pg_*`) are never Roster's.
fn check_schema(schema: &str) -> Result<String, StoreError> {
    if schema == "information_schema" || schema.starts_with("pg_") {
        return Err(bad_url(format!(
            "the schema “{schema}” belongs to PostgreSQL itself; name a schema of your own."
        )));
    }
    let valid = !schema.is_empty()
        && schema.len() <= 63
        && schema
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && schema
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(schema.to_owned())
    } else {
        Err(bad_url(format!(
            "the schema “{schema}” is not usable; use lowercase letters, digits and \
             underscores (at most 63, not starting with a digit)."
        )))
    }
}

fn split_host_port(host_port: &str) -> Result<(String, u16), StoreError> {
    let (host, port) =
        if let Some(bracketed) = host_port.strip_prefix('[') {
            let (host, after) = bracketed
                .split_once(']')
                .ok_or_else(|| bad_url("an IPv6 host needs its closing “]”.".into()))?;
            match after {
                "" => (host, None),
                _ => (
                    host,
                    Some(after.strip_prefix(':').ok_or_else(|| {
                        bad_url(format!("“{after}” after the host is not a port."))
                    })?),
                ),
            }
        } else {
            match host_port.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (host_port, None),
            }
        };
    if host.is_empty() {
        return Err(bad_url(
            "the URL names no host (postgres://user@HOST/database).".into(),
        ));
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(port) => port
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| {
                bad_url(format!(
                    "the port “{port}” is not a number from 1 to 65535."
                ))
            })?,
    };
    Ok((decode(host, "host")?, port))
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Percent-decodes one URL part.
fn decode(part: &str, what: &str) -> Result<String, StoreError> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let byte = part
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| bad_url(format!("the {what} has a broken %-escape.")))?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad_url(format!("the {what} is not valid UTF-8.")))
}

/// Percent-encodes everything but unreserved characters.
fn encode(part: &str) -> String {
    part.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(result: Result<PgConfig, StoreError>) -> String {
        match result {
            Err(StoreError::Open { reason }) => reason,
            other => panic!("expected an Open error, got {other:?}"),
        }
    }

    #[test]
    fn a_full_url_parses_into_every_field() {
        let config = PgConfig::from_url(
            "postgres://roster:s%40cret:x@db.example.com:6432/directory?sslmode=require&schema=roster",
        )
        .unwrap();
        assert_eq!(config.host, "db.example.com");
        assert_eq!(config.port, 6432);
        assert_eq!(config.database, "directory");
        assert_eq!(config.user, "roster");
        assert_eq!(
            config
                .password
                .as_ref()
                .map(|p| p.expose_secret().to_owned()),
            Some("s@cret:x".to_owned())
        );
        assert_eq!(config.tls, TlsMode::Require);
        assert_eq!(config.schema.as_deref(), Some("roster"));
    }

    #[test]
    fn defaults_are_port_5432_no_schema_and_tls_unless_loopback() {
        let local = PgConfig::from_url("postgresql://postgres@127.0.0.1/test").unwrap();
        assert_eq!(local.port, DEFAULT_PORT);
        assert_eq!(local.tls, TlsMode::Disable);
        assert!(local.password.is_none());
        assert!(local.schema.is_none());
        let named = PgConfig::from_url("postgres://postgres@localhost/test").unwrap();
        assert_eq!(named.tls, TlsMode::Disable);
        let remote = PgConfig::from_url("postgres://roster@db.example.com/roster").unwrap();
        assert_eq!(remote.tls, TlsMode::VerifyFull);
    }

    #[test]
    fn ipv6_hosts_go_in_brackets() {
        let config = PgConfig::from_url("postgres://u@[::1]:5433/d").unwrap();
        assert_eq!(config.host, "::1");
        assert_eq!(config.port, 5433);
        assert_eq!(config.tls, TlsMode::Disable);
        assert_eq!(config.server(), "[::1]:5433");
        assert_eq!(
            config.display_url(),
            "postgres://u@[::1]:5433/d?sslmode=disable"
        );
    }

    #[test]
    fn the_display_url_leaves_the_password_out_and_parses_back() {
        let url = "postgres://ro%20ster:pw@db.example.com/dir?sslmode=verify-full&schema=team_a";
        let config = PgConfig::from_url(url).unwrap();
        let shown = config.display_url();
        assert_eq!(
            shown,
            "postgres://ro%20ster@db.example.com:5432/dir?sslmode=verify-full&schema=team_a"
        );
        assert!(!shown.contains("pw"));
        assert!(!format!("{config:?}").contains("pw"));
        let again = PgConfig::from_url(&shown).unwrap();
        assert_eq!(again.user, "ro ster");
        assert_eq!(again.display_url(), shown);
        assert!(again.password.is_none());
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        for (url, expected) in [
            ("mysql://u@h/d", "starts with postgres://"),
            ("postgres://h/d", "names no user"),
            ("postgres://u@h", "names no database"),
            ("postgres://u@h/", "names no database"),
            ("postgres://u@/d", "names no host"),
            ("postgres://u@h:99999/d", "port “99999”"),
            ("postgres://u@h:abc/d", "port “abc”"),
            ("postgres://u@h/d?sslmode=prefer", "sslmode “prefer”"),
            ("postgres://u@h/d?timeout=3", "option “timeout”"),
            ("postgres://u@h/d?schema=Roster", "schema “Roster”"),
            ("postgres://u@h/d?schema=pg_roster", "schema “pg_roster”"),
            (
                "postgres://u@h/d?schema=pg_catalog",
                "belongs to PostgreSQL itself",
            ),
            (
                "postgres://u@h/d?schema=information_schema",
                "belongs to PostgreSQL itself",
            ),
            ("postgres://u@h/d?schema=a;drop", "schema “a;drop”"),
            ("postgres://u%zz@h/d", "broken %-escape"),
            ("postgres://u@[::1/d", "closing “]”"),
        ] {
            let reason = reason(PgConfig::from_url(url));
            assert!(
                reason.contains(expected),
                "{url}: “{reason}” does not mention “{expected}”"
            );
        }
    }

    #[test]
    fn tls_modes_parse_print_and_serialise_alike() {
        for mode in [TlsMode::Disable, TlsMode::Require, TlsMode::VerifyFull] {
            assert_eq!(mode.as_str().parse::<TlsMode>().unwrap(), mode);
            assert_eq!(
                serde_json::to_string(&mode).unwrap(),
                format!("\"{}\"", mode.as_str())
            );
            assert_eq!(
                serde_json::from_str::<TlsMode>(&format!("\"{mode}\"")).unwrap(),
                mode
            );
        }
        assert!("prefer".parse::<TlsMode>().is_err());
    }

    #[test]
    fn every_tls_mode_builds_its_connector() {
        let mut config = PgConfig::from_url("postgres://u@h/d").unwrap();
        for (mode, connector) in [
            (TlsMode::Disable, false),
            (TlsMode::Require, true),
            (TlsMode::VerifyFull, true),
        ] {
            config.tls = mode;
            assert_eq!(config.tls_connector().is_some(), connector, "{mode}");
        }
    }
}
