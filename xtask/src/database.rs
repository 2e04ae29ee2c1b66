//! Is the PostgreSQL server the tests need reachable?
//!
//! The remote-store tests run against a real PostgreSQL. A missing server
//! must fail the run loudly rather than let those tests skip and CI go green
//! without them, so `cargo xtask test` checks it before running anything.
//! Only the address is looked at (a TCP connect, or the Unix socket file);
//! the URL's credentials are never printed.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use anyhow::{bail, Result};

/// Where the tests find their database (a libpq-style URL or key=value list).
pub const DATABASE_URL_ENV: &str = "ROSTER_TEST_DATABASE_URL";

const DEFAULT_HOST: &str = "127.0.0.1";
const DEFAULT_PORT: u16 = 5432;
const TIMEOUT: Duration = Duration::from_secs(3);

/// One place a server may listen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Tcp {
        host: String,
        port: u16,
    },
    /// A Unix socket directory (a host starting with `/`), as libpq has it.
    Socket {
        dir: String,
        port: u16,
    },
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Endpoint::Tcp { host, port } => write!(f, "{host}:{port}"),
            Endpoint::Socket { dir, port } => write!(f, "{dir}/.s.PGSQL.{port}"),
        }
    }
}

/// Succeeds when any endpoint of `$ROSTER_TEST_DATABASE_URL` (default
/// 127.0.0.1:5432) accepts a connection; returns the one that did.
pub fn check_reachable() -> Result<Endpoint> {
    let url = std::env::var(DATABASE_URL_ENV)
        .ok()
        .filter(|url| !url.trim().is_empty());
    let endpoints = match &url {
        Some(url) => endpoints(url)?,
        None => vec![Endpoint::Tcp {
            host: DEFAULT_HOST.into(),
            port: DEFAULT_PORT,
        }],
    };
    let mut failures = Vec::new();
    for endpoint in &endpoints {
        match connect(endpoint) {
            Ok(()) => return Ok(endpoint.clone()),
            Err(reason) => failures.push(format!("{endpoint}: {reason}")),
        }
    }
    let source = if url.is_some() {
        format!("from {DATABASE_URL_ENV}")
    } else {
        format!("the default; {DATABASE_URL_ENV} is not set")
    };
    bail!(
        "PostgreSQL is not reachable ({source}):\n    {}\n\
         The tests need a running PostgreSQL server; they are not skipped without one.\n\
         Start one (e.g. `apt-get install postgresql`, or \
         `docker run -d -p 5432:5432 -e POSTGRES_PASSWORD=... postgres:16`) and set\n\
         {DATABASE_URL_ENV}=postgres://USER:PASSWORD@HOST:PORT/DATABASE if it is not at {DEFAULT_HOST}:{DEFAULT_PORT}.",
        failures.join("\n    ")
    )
}

/// Succeeds when any endpoint of `url` accepts a connection (the URL is
/// never printed: it may hold a password); returns the one that did.
pub fn check_url_reachable(url: &str, source: &str) -> Result<Endpoint> {
    let endpoints = endpoints(url)?;
    let mut failures = Vec::new();
    for endpoint in &endpoints {
        match connect(endpoint) {
            Ok(()) => return Ok(endpoint.clone()),
            Err(reason) => failures.push(format!("{endpoint}: {reason}")),
        }
    }
    bail!(
        "PostgreSQL is not reachable ({source}):\n    {}",
        failures.join("\n    ")
    )
}

/// Splits the password out of a `postgres://user:password@…` URL, so it can
/// be handed over in `PGPASSWORD` instead of on a command line: the URL
/// without it, and the password percent-decoded. Anything else comes back
/// unchanged.
pub fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((credentials, hosts)) = authority.rsplit_once('@') else {
        return (url.to_owned(), None);
    };
    let Some((user, password)) = credentials.split_once(':') else {
        return (url.to_owned(), None);
    };
    (
        format!("{scheme}://{user}@{hosts}{tail}"),
        Some(percent_decode(password)).filter(|p| !p.is_empty()),
    )
}

fn connect(endpoint: &Endpoint) -> Result<(), String> {
    match endpoint {
        Endpoint::Tcp { host, port } => {
            let addrs = (host.as_str(), *port)
                .to_socket_addrs()
                .map_err(|error| format!("cannot resolve host ({error})"))?;
            let mut last = String::from("no address");
            for addr in addrs {
                match TcpStream::connect_timeout(&addr, TIMEOUT) {
                    Ok(_) => return Ok(()),
                    Err(error) => last = error.to_string(),
                }
            }
            Err(last)
        }
        #[cfg(unix)]
        Endpoint::Socket { .. } => std::os::unix::net::UnixStream::connect(endpoint.to_string())
            .map(drop)
            .map_err(|error| error.to_string()),
        #[cfg(not(unix))]
        Endpoint::Socket { .. } => Err("Unix sockets are not supported here".into()),
    }
}

/// The endpoints named by a `postgres://` / `postgresql://` URL (several
/// comma-separated hosts allowed, `?host=`/`?port=` override) or by a
/// `host=... port=...` key/value string.
pub fn endpoints(url: &str) -> Result<Vec<Endpoint>> {
    let url = url.trim();
    let (hosts, ports) = if let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    {
        from_url(rest)
    } else if url.contains('=') {
        from_key_values(url)
    } else {
        // Not printed: it may hold a password.
        bail!("{DATABASE_URL_ENV} is neither a postgres:// URL nor a key=value list");
    };
    let hosts = if hosts.is_empty() {
        vec![DEFAULT_HOST.to_string()]
    } else {
        hosts
    };
    let mut result = Vec::new();
    for (index, host) in hosts.into_iter().enumerate() {
        let port = match ports.get(index).or(ports.first()) {
            // The value is not echoed: a malformed URL may put part of the
            // password where the port should be.
            Some(port) if !port.is_empty() => port
                .parse()
                .map_err(|_| anyhow::anyhow!("{DATABASE_URL_ENV} has an invalid port"))?,
            _ => DEFAULT_PORT,
        };
        let host = if host.is_empty() {
            DEFAULT_HOST.to_string()
        } else {
            host
        };
        result.push(if host.starts_with('/') {
            Endpoint::Socket { dir: host, port }
        } else {
            Endpoint::Tcp { host, port }
        });
    }
    Ok(result)
}

/// Splits `user:pass@host1:5432,[::1]:5433/db?port=…&host=…` into hosts and ports.
fn from_url(rest: &str) -> (Vec<String>, Vec<String>) {
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let authority = before_query.split(['/', '#']).next().unwrap_or("");
    let hostlist = authority
        .rsplit_once('@')
        .map_or(authority, |(_, hosts)| hosts);
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    for spec in hostlist.split(',').filter(|spec| !spec.is_empty()) {
        let (host, port) = if let Some(bracketed) = spec.strip_prefix('[') {
            let (host, after) = bracketed.split_once(']').unwrap_or((bracketed, ""));
            (host, after.strip_prefix(':').unwrap_or(""))
        } else {
            spec.split_once(':').unwrap_or((spec, ""))
        };
        hosts.push(percent_decode(host));
        ports.push(port.to_string());
    }
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("host", value)) => hosts = split_list(&percent_decode(value)),
            Some(("port", value)) => ports = split_list(value),
            _ => {}
        }
    }
    (hosts, ports)
}

/// Reads `host=` and `port=` from `host=db port=5433 user=…` (unquoted values).
fn from_key_values(text: &str) -> (Vec<String>, Vec<String>) {
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    for pair in text.split_whitespace() {
        match pair.split_once('=') {
            Some(("host" | "hostaddr", value)) => hosts = split_list(value.trim_matches('\'')),
            Some(("port", value)) => ports = split_list(value.trim_matches('\'')),
            _ => {}
        }
    }
    (hosts, ports)
}

fn split_list(value: &str) -> Vec<String> {
    value.split(',').map(str::to_string).collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        });
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(host: &str, port: u16) -> Endpoint {
        Endpoint::Tcp {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn plain_url() {
        assert_eq!(
            endpoints("postgres://roster:secret@db.example:6543/roster").unwrap(),
            vec![tcp("db.example", 6543)]
        );
    }

    #[test]
    fn defaults_when_host_or_port_is_missing() {
        assert_eq!(
            endpoints("postgresql:///roster").unwrap(),
            vec![tcp("127.0.0.1", 5432)]
        );
        assert_eq!(
            endpoints("postgres://u@localhost/db").unwrap(),
            vec![tcp("localhost", 5432)]
        );
    }

    #[test]
    fn several_hosts_and_ipv6() {
        assert_eq!(
            endpoints("postgres://u:p@a:5001,[::1]:5002,b/db").unwrap(),
            vec![tcp("a", 5001), tcp("::1", 5002), tcp("b", 5432)]
        );
        assert_eq!(tcp("::1", 5002).to_string(), "[::1]:5002");
    }

    #[test]
    fn query_overrides_and_unix_sockets() {
        assert_eq!(
            endpoints("postgres:///db?host=%2Fvar%2Frun%2Fpostgresql&port=5433").unwrap(),
            vec![Endpoint::Socket {
                dir: "/var/run/postgresql".into(),
                port: 5433
            }]
        );
    }

    #[test]
    fn key_value_strings() {
        assert_eq!(
            endpoints("host=db port=5555 user=roster password=x").unwrap(),
            vec![tcp("db", 5555)]
        );
    }

    #[test]
    fn passwords_are_split_out_of_urls() {
        assert_eq!(
            split_password("postgres://roster:s%40cret@db:5432/roster?schema=x"),
            (
                "postgres://roster@db:5432/roster?schema=x".to_owned(),
                Some("s@cret".to_owned())
            )
        );
        for url in [
            "postgres://roster@db/roster",
            "postgres://db/roster",
            "host=db password=x",
        ] {
            assert_eq!(split_password(url), (url.to_owned(), None), "{url}");
        }
    }

    #[test]
    fn garbage_is_an_error_that_does_not_echo_the_url() {
        let error = endpoints("not a url with s3cret").unwrap_err().to_string();
        assert!(!error.contains("s3cret"));
        assert!(endpoints("postgres://h:notaport/db").is_err());
    }
}
