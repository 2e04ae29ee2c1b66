//! Sealing secrets the store must keep but that a copy of the store file
//! must not give away: the authenticator (TOTP) secrets of a local SQLite
//! directory. Whoever holds a backup or a stolen copy of the file then
//! still lacks the second factor of every account.
//!
//! A secret is sealed with XChaCha20-Poly1305 (RustCrypto's
//! `chacha20poly1305`, a random 192-bit nonce per value) under a 256-bit key
//! that lives only in the OS keychain of the computer, filed under
//! `totp-key:<store id>`; the store id is a random name kept in the store's
//! settings. The user's id is bound in as associated data, so a sealed
//! secret copied onto another user's row does not open. A sealed value
//! reads `sealed:v1:<base64 of nonce and ciphertext>`; anything else is an
//! older, unsealed secret, still read as it is.
//!
//! A shared PostgreSQL directory does not seal: each administrator's
//! computer would need the same key, and whoever holds the server's
//! password can already rewrite every account (see SECURITY.md). The
//! server's own access control and encryption protect those secrets.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::rngs::OsRng;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::error::StoreError;
use crate::secrets::{Secrets, SecretsError};

const PREFIX: &str = "sealed:v1:";
const NONCE_LENGTH: usize = 24;

/// The keychain entry of a store's sealing key.
pub fn keychain_name(store_id: &str) -> String {
    format!("totp-key:{store_id}")
}

/// A 256-bit key; zeroed when dropped, never printed.
pub struct SealingKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(..)")
    }
}

impl SealingKey {
    /// A new key from the OS's random source.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(key.as_mut());
        Self(key)
    }

    /// The store's key from the keychain, made and saved there on first use
    /// when `create` is set; `None` when there is none and none may be made.
    pub fn from_keychain(
        secrets: &dyn Secrets,
        store_id: &str,
        create: bool,
    ) -> Result<Option<Self>, SecretsError> {
        let name = keychain_name(store_id);
        if let Some(saved) = secrets.get(&name)? {
            if let Some(key) = Self::decode(&saved) {
                return Ok(Some(key));
            }
        }
        if !create {
            return Ok(None);
        }
        let key = Self::generate();
        secrets.set(&name, &key.encode())?;
        Ok(Some(key))
    }

    fn encode(&self) -> SecretString {
        SecretString::from(STANDARD.encode(self.0.as_ref()))
    }

    fn decode(text: &SecretString) -> Option<Self> {
        let bytes = Zeroizing::new(STANDARD.decode(text.expose_secret()).ok()?);
        let mut key = Zeroizing::new([0u8; 32]);
        if bytes.len() != key.len() {
            return None;
        }
        key.copy_from_slice(&bytes);
        Some(Self(key))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_ref().into())
    }

    /// Seals `plaintext` for the row named by `context` (e.g. the user's id).
    pub fn seal(&self, context: &str, plaintext: &str) -> Result<String, StoreError> {
        let mut nonce = [0u8; NONCE_LENGTH];
        OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Internal {
                detail: "a secret could not be sealed".into(),
            })?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        Ok(format!("{PREFIX}{}", STANDARD.encode(sealed)))
    }

    /// Opens a value [`SealingKey::seal`] made for `context`.
    pub fn open(&self, context: &str, sealed: &str) -> Result<Zeroizing<String>, StoreError> {
        let unreadable = || StoreError::Corrupt {
            detail: "a sealed authenticator secret does not open with this computer's key".into(),
        };
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|body| STANDARD.decode(body).ok())
            .filter(|bytes| bytes.len() > NONCE_LENGTH)
            .ok_or_else(unreadable)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_LENGTH);
        let plaintext = self
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| unreadable())?;
        String::from_utf8(plaintext)
            .map(Zeroizing::new)
            .map_err(|_| unreadable())
    }
}

/// How a local store seals authenticator secrets: the keychain that keeps
/// the key, and the key once read (or made) from it.
pub struct StoreSealing {
    secrets: std::sync::Arc<dyn Secrets>,
    key: std::sync::Mutex<Option<std::sync::Arc<SealingKey>>>,
    /// Set once the keychain turned out to be absent: not asked again.
    unavailable: std::sync::atomic::AtomicBool,
}

impl StoreSealing {
    pub fn new(secrets: std::sync::Arc<dyn Secrets>) -> Self {
        Self {
            secrets,
            key: std::sync::Mutex::new(None),
            unavailable: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The key to seal with: the store's key, made and saved in the
    /// keychain on first use. `None` when this computer has no keychain to
    /// keep it in (a Linux session without a Secret Service): the secret is
    /// then kept as before, unsealed, rather than making the authenticator
    /// app unusable here.
    pub fn key_to_seal(
        &self,
        store_id: &str,
    ) -> Result<Option<std::sync::Arc<SealingKey>>, StoreError> {
        match self.key(store_id, true) {
            Ok(key) => Ok(Some(key)),
            Err(KeyError::Unavailable) => Ok(None),
            Err(KeyError::Store(error)) => Err(error),
        }
    }

    /// The key to open sealed secrets with, which must exist.
    pub fn key_to_open(&self, store_id: &str) -> Result<std::sync::Arc<SealingKey>, StoreError> {
        self.key(store_id, false).map_err(|error| match error {
            KeyError::Unavailable => StoreError::Sealing {
                reason: "this computer's keychain cannot be reached".into(),
            },
            KeyError::Store(error) => error,
        })
    }

    fn key(&self, store_id: &str, create: bool) -> Result<std::sync::Arc<SealingKey>, KeyError> {
        let mut cached = self
            .key
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(key) = cached.as_ref() {
            return Ok(key.clone());
        }
        if self.unavailable.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(KeyError::Unavailable);
        }
        let key = match self.ask_keychain(store_id, create) {
            Ok(Some(key)) => key,
            Ok(None) => {
                return Err(KeyError::Store(StoreError::Sealing {
                    reason: "this computer's keychain has no key for this store".into(),
                }))
            }
            Err(SecretsError::Unavailable { .. }) => {
                self.unavailable
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                return Err(KeyError::Unavailable);
            }
            Err(error) => {
                return Err(KeyError::Store(StoreError::Sealing {
                    reason: error.to_string(),
                }))
            }
        };
        let key = std::sync::Arc::new(key);
        *cached = Some(key.clone());
        Ok(key)
    }
}

impl StoreSealing {
    /// Asks the keychain on a thread of its own and waits at most
    /// [`KEYCHAIN_WAIT`]: a session without a Secret Service can leave a
    /// D-Bus call hanging for half a minute, and a sign-in must not.
    fn ask_keychain(
        &self,
        store_id: &str,
        create: bool,
    ) -> Result<Option<SealingKey>, SecretsError> {
        let (sender, receiver) = std::sync::mpsc::channel();
        let secrets = self.secrets.clone();
        let store_id = store_id.to_owned();
        std::thread::spawn(move || {
            let _ = sender.send(SealingKey::from_keychain(&*secrets, &store_id, create));
        });
        receiver.recv_timeout(KEYCHAIN_WAIT).unwrap_or_else(|_| {
            Err(SecretsError::Unavailable {
                detail: "the keychain did not answer".into(),
            })
        })
    }
}

/// How long a seal or an open waits for the keychain before treating it as
/// absent.
const KEYCHAIN_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

enum KeyError {
    /// No keychain on this computer.
    Unavailable,
    Store(StoreError),
}

/// The associated data that binds a user's sealed secret to their row.
pub fn user_context(user_id: i64) -> String {
    format!("totp:user:{user_id}")
}

/// Whether a stored value was sealed (rather than kept as it was typed).
pub fn is_sealed(value: &str) -> bool {
    value.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_context() {
        let key = SealingKey::generate();
        let sealed = key.seal("user:7", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            key.open("user:7", &sealed).unwrap().as_str(),
            "JBSWY3DPEHPK3PXP"
        );
        assert!(key.open("user:8", &sealed).is_err(), "bound to its row");
        assert!(SealingKey::generate().open("user:7", &sealed).is_err());
        assert_ne!(sealed, key.seal("user:7", "JBSWY3DPEHPK3PXP").unwrap());
        assert!(key.open("user:7", "sealed:v1:AAAA").is_err());
        assert!(key.open("user:7", "JBSWY3DPEHPK3PXP").is_err());
    }

    #[test]
    fn the_key_is_kept_in_the_keychain_and_found_again() {
        let secrets = crate::secrets::Keychain::mock();
        assert!(SealingKey::from_keychain(&secrets, "abc", false)
            .unwrap()
            .is_none());
        let made = SealingKey::from_keychain(&secrets, "abc", true)
            .unwrap()
            .unwrap();
        let found = SealingKey::from_keychain(&secrets, "abc", false)
            .unwrap()
            .unwrap();
        let sealed = made.seal("user:1", "secret").unwrap();
        assert_eq!(found.open("user:1", &sealed).unwrap().as_str(), "secret");
    }
}
