//! A small SMTP server on loopback, for tests that send real mail: it speaks
//! enough SMTP for `lettre` (greeting, EHLO, STARTTLS, AUTH PLAIN and LOGIN,
//! MAIL, RCPT, DATA, RSET, NOOP, QUIT) and keeps every message it accepts.
//!
//! It runs on plain threads, so async service tests and the command line's
//! scenario tests (which run the `roster` binary) can both use it; the CLI's
//! tests include this file with `#[path]`. Its TLS certificate is
//! self-signed, made fresh by `rcgen`: a mailer that verifies certificates
//! must refuse it, which is what the TLS tests check.

#![allow(dead_code)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use base64::Engine as _;

/// The only account the sink accepts.
pub const USER: &str = "roster-mailer";
pub const PASSWORD: &str = "Sink-Harbour-Password-71";

/// How the sink answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Accepts the account above and every message.
    Accept,
    /// Refuses every sign-in with 535.
    RefuseAuth,
    /// Refuses every recipient with 550.
    RejectRecipient,
}

/// How connections to the sink are protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    Plain,
    /// Offers STARTTLS, with the self-signed certificate.
    StartTls,
    /// TLS from the first byte, with the self-signed certificate.
    ImplicitTls,
}

/// One accepted message: the envelope and the raw DATA.
#[derive(Debug, Clone)]
pub struct Received {
    /// The MAIL FROM address.
    pub from: String,
    /// The RCPT TO addresses.
    pub to: Vec<String>,
    /// The account that signed in for it, if any.
    pub user: Option<String>,
    /// The message as sent, dot-stuffing undone, lines ending in CRLF.
    pub data: String,
}

impl Received {
    /// A header's value (unfolded), by name ignoring case.
    pub fn header(&self, name: &str) -> Option<String> {
        header_of(head_of(&self.data), name)
    }

    /// The decoded body of the part whose Content-Type starts with `kind`
    /// (`text/plain`, `text/html`), looking inside multipart bodies.
    pub fn part(&self, kind: &str) -> Option<String> {
        find_part(&self.data, kind)
    }
}

struct Shared {
    mode: Mode,
    security: Security,
    tls: Option<Arc<rustls::ServerConfig>>,
    received: Mutex<Vec<Received>>,
    /// Every AUTH attempt's user name (never the password).
    sign_ins: Mutex<Vec<String>>,
    stop: AtomicBool,
}

/// A running sink; it stops when dropped.
pub struct Sink {
    port: u16,
    shared: Arc<Shared>,
}

impl Sink {
    pub fn start(mode: Mode, security: Security) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the SMTP sink");
        let port = listener.local_addr().expect("sink address").port();
        let tls = (security != Security::Plain).then(self_signed_config);
        let shared = Arc::new(Shared {
            mode,
            security,
            tls,
            received: Mutex::new(Vec::new()),
            sign_ins: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let accepting = shared.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = accepting.clone();
                thread::spawn(move || {
                    let _ = serve(&shared, stream);
                });
            }
        });
        Sink { port, shared }
    }

    /// A sink that accepts everything on a plain connection.
    pub fn accepting() -> Sink {
        Sink::start(Mode::Accept, Security::Plain)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message accepted so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// The one message accepted so far.
    pub fn only(&self) -> Received {
        let received = self.received();
        assert_eq!(
            received.len(),
            1,
            "expected exactly one message: {received:#?}"
        );
        received.into_iter().next().unwrap()
    }

    /// The user names of every sign-in attempt.
    pub fn sign_ins(&self) -> Vec<String> {
        self.shared.sign_ins.lock().unwrap().clone()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accepting thread so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// A port nothing listens on: connections to it are refused.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

fn self_signed_config() -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("a self-signed certificate");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)
    .expect("TLS server configuration");
    Arc::new(config)
}

fn serve(shared: &Shared, tcp: TcpStream) -> io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(20)))?;
    if shared.stop.load(Ordering::SeqCst) {
        return Ok(());
    }
    match (shared.security, &shared.tls) {
        (Security::ImplicitTls, Some(config)) => {
            let connection =
                rustls::ServerConnection::new(config.clone()).map_err(io::Error::other)?;
            let stream = rustls::StreamOwned::new(connection, tcp);
            session(shared, stream, true, false).map(drop)
        }
        _ => {
            let offer_starttls = shared.security == Security::StartTls;
            if let Some(tcp) = session(shared, tcp, true, offer_starttls)? {
                let config = shared.tls.clone().expect("a TLS configuration");
                let connection = rustls::ServerConnection::new(config).map_err(io::Error::other)?;
                let stream = rustls::StreamOwned::new(connection, tcp);
                session(shared, stream, false, false)?;
            }
            Ok(())
        }
    }
}

/// One SMTP conversation. Returns the stream when the client asked for
/// STARTTLS, to go on over TLS.
fn session<S: Read + Write>(
    shared: &Shared,
    stream: S,
    greet: bool,
    offer_starttls: bool,
) -> io::Result<Option<S>> {
    let mut reader = BufReader::new(stream);
    if greet {
        say(&mut reader, "220 sink.test ESMTP ready")?;
    }
    let mut user: Option<String> = None;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    loop {
        let Some(line) = read_line(&mut reader)? else {
            return Ok(None);
        };
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            let mut lines = vec!["250-sink.test".to_owned()];
            if offer_starttls {
                lines.push("250-STARTTLS".into());
            }
            lines.push("250-AUTH PLAIN LOGIN".into());
            lines.push("250-8BITMIME".into());
            lines.push("250 SMTPUTF8".into());
            say(&mut reader, &lines.join("\r\n"))?;
        } else if upper.starts_with("HELO") {
            say(&mut reader, "250 sink.test")?;
        } else if upper == "STARTTLS" && offer_starttls {
            say(&mut reader, "220 2.0.0 Ready to start TLS")?;
            return Ok(Some(reader.into_inner()));
        } else if upper.starts_with("AUTH PLAIN") {
            let initial = line
                .get("AUTH PLAIN".len()..)
                .unwrap_or("")
                .trim()
                .to_owned();
            let encoded = if initial.is_empty() {
                say(&mut reader, "334 ")?;
                read_line(&mut reader)?.unwrap_or_default()
            } else {
                initial
            };
            let decoded = decode(&encoded);
            let mut fields = decoded.split('\0').skip(1);
            let name = fields.next().unwrap_or_default().to_owned();
            let password = fields.next().unwrap_or_default().to_owned();
            user = sign_in(shared, &mut reader, name, &password)?;
        } else if upper.starts_with("AUTH LOGIN") {
            say(&mut reader, "334 VXNlcm5hbWU6")?;
            let name = decode(&read_line(&mut reader)?.unwrap_or_default());
            say(&mut reader, "334 UGFzc3dvcmQ6")?;
            let password = decode(&read_line(&mut reader)?.unwrap_or_default());
            user = sign_in(shared, &mut reader, name, &password)?;
        } else if upper.starts_with("MAIL FROM:") {
            from = Some(path_of(&line["MAIL FROM:".len()..]));
            to.clear();
            say(&mut reader, "250 2.1.0 Ok")?;
        } else if upper.starts_with("RCPT TO:") {
            let address = path_of(&line["RCPT TO:".len()..]);
            if shared.mode == Mode::RejectRecipient {
                say(
                    &mut reader,
                    &format!("550 5.1.1 <{address}>: Recipient address rejected: User unknown"),
                )?;
            } else {
                to.push(address);
                say(&mut reader, "250 2.1.5 Ok")?;
            }
        } else if upper == "DATA" {
            if from.is_none() || to.is_empty() {
                say(&mut reader, "503 5.5.1 Need MAIL and RCPT first")?;
                continue;
            }
            say(&mut reader, "354 End data with <CR><LF>.<CR><LF>")?;
            let mut data = String::new();
            loop {
                let Some(line) = read_line(&mut reader)? else {
                    return Ok(None);
                };
                if line == "." {
                    break;
                }
                let line = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(line);
                data.push_str("\r\n");
            }
            shared.received.lock().unwrap().push(Received {
                from: from.take().unwrap_or_default(),
                to: std::mem::take(&mut to),
                user: user.clone(),
                data,
            });
            say(&mut reader, "250 2.0.0 Ok: queued")?;
        } else if upper == "RSET" {
            from = None;
            to.clear();
            say(&mut reader, "250 2.0.0 Ok")?;
        } else if upper == "NOOP" {
            say(&mut reader, "250 2.0.0 Ok")?;
        } else if upper == "QUIT" {
            say(&mut reader, "221 2.0.0 Bye")?;
            return Ok(None);
        } else {
            say(&mut reader, "502 5.5.2 Command not recognised")?;
        }
    }
}

/// Writes one reply line.
fn say<S: Write>(reader: &mut BufReader<S>, text: &str) -> io::Result<()> {
    let stream = reader.get_mut();
    stream.write_all(text.as_bytes())?;
    stream.write_all(b"\r\n")?;
    stream.flush()
}

fn sign_in<S: Write>(
    shared: &Shared,
    reader: &mut BufReader<S>,
    name: String,
    password: &str,
) -> io::Result<Option<String>> {
    shared.sign_ins.lock().unwrap().push(name.clone());
    if shared.mode != Mode::RefuseAuth && name == USER && password == PASSWORD {
        say(reader, "235 2.7.0 Authentication successful")?;
        Ok(Some(name))
    } else {
        say(reader, "535 5.7.8 Authentication credentials invalid")?;
        Ok(None)
    }
}

/// One line without its ending; `None` at the end of the stream.
fn read_line<R: BufRead>(reader: &mut R) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    if reader.read_until(b'\n', &mut line)? == 0 {
        return Ok(None);
    }
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

/// The address in `<…>` and any parameters after it.
fn path_of(rest: &str) -> String {
    let rest = rest.trim();
    match (rest.find('<'), rest.find('>')) {
        (Some(open), Some(close)) if open < close => rest[open + 1..close].to_owned(),
        _ => rest
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

fn decode(text: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

// --- reading what was received -------------------------------------------------

/// The header block of a message or part.
fn head_of(message: &str) -> &str {
    match message.find("\r\n\r\n") {
        Some(end) => &message[..end],
        None => message,
    }
}

fn body_of(message: &str) -> &str {
    match message.find("\r\n\r\n") {
        Some(end) => &message[end + 4..],
        None => "",
    }
}

fn header_of(head: &str, name: &str) -> Option<String> {
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.split("\r\n").find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

fn find_part(entity: &str, kind: &str) -> Option<String> {
    let head = head_of(entity);
    let content_type = header_of(head, "Content-Type").unwrap_or_else(|| "text/plain".into());
    let body = body_of(entity);
    if content_type.to_ascii_lowercase().starts_with("multipart/") {
        let boundary = content_type
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))?
            .trim_matches('"')
            .to_owned();
        let delimiter = format!("--{boundary}");
        return body
            .split(&delimiter)
            .skip(1)
            .take_while(|part| !part.starts_with("--"))
            .find_map(|part| find_part(part.trim_start_matches("\r\n"), kind));
    }
    if !content_type.to_ascii_lowercase().starts_with(kind) {
        return None;
    }
    let encoding = header_of(head, "Content-Transfer-Encoding")
        .unwrap_or_else(|| "7bit".into())
        .to_ascii_lowercase();
    Some(match encoding.as_str() {
        "base64" => decode(&body.replace("\r\n", "")),
        "quoted-printable" => decode_quoted_printable(body),
        _ => body.to_owned(),
    })
}

fn decode_quoted_printable(text: &str) -> String {
    let mut bytes = Vec::with_capacity(text.len());
    let raw = text.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'=' if raw.get(i + 1) == Some(&b'\r') && raw.get(i + 2) == Some(&b'\n') => i += 3,
            b'=' if i + 2 < raw.len() => {
                let hex = std::str::from_utf8(&raw[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        bytes.push(byte);
                        i += 3;
                    }
                    Err(_) => {
                        bytes.push(b'=');
                        i += 1;
                    }
                }
            }
            byte => {
                bytes.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
