//! Two-factor sign-in with an authenticator app: TOTP after RFC 6238
//! (HMAC-SHA-1, 6 digits, 30-second steps, one step of clock drift either
//! way, each step accepted once), enrolled by a QR code drawn here as SVG,
//! and ten single-use recovery codes of 80 bits, kept only as salted Argon2id
//! hashes.
//!
//! The TOTP secret is shown once, at enrolment, and never again.
//!
//! Email sign-in codes: six random digits, kept salted and hashed, valid for
//! ten minutes, used once, void after five wrong attempts.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use blake2::{Blake2b512, Digest};
use rand::rngs::OsRng;
use rand::Rng;
use serde::Serialize;
use totp_rs::{Builder, Secret, Totp};

use crate::error::Error;

/// The issuer authenticator apps show beside the account.
pub const ISSUER: &str = "Roster";
/// How many recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;
/// Recovery codes use letters and digits that cannot be mistaken for each other.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// What the person needs to add Roster to their authenticator app.
#[derive(Debug, Clone, Serialize)]
pub struct Enrolment {
    /// The key as base32 text, for typing in by hand.
    pub secret: String,
    /// The `otpauth://` URI the QR code holds.
    pub uri: String,
    /// The QR code as an SVG document.
    pub qr_svg: String,
}

/// A new random 160-bit secret from the OS, as base32.
pub fn new_secret() -> String {
    let bytes: [u8; 20] = OsRng.gen();
    Secret::from(bytes).to_base32()
}

fn totp(secret: &str, account: &str) -> Result<Totp, Error> {
    let secret =
        Secret::try_from_base32(secret).map_err(|_| crate::store::StoreError::Corrupt {
            detail: "authenticator secret".into(),
        })?;
    Builder::new()
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account.replace(':', ""))
        .build()
        .map_err(|error| {
            crate::store::StoreError::Internal {
                detail: format!("authenticator set-up: {error}"),
            }
            .into()
        })
}

/// The enrolment details for `secret`, labelled with the account's email.
pub fn enrolment(secret: &str, account: &str) -> Result<Enrolment, Error> {
    let uri =
        totp(secret, account)?
            .to_url()
            .map_err(|error| crate::store::StoreError::Internal {
                detail: format!("authenticator URI: {error}"),
            })?;
    let qr = qrcode::QrCode::new(uri.as_bytes()).map_err(|error| {
        crate::store::StoreError::Internal {
            detail: format!("QR code: {error}"),
        }
    })?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    Ok(Enrolment {
        secret: secret.to_owned(),
        uri,
        qr_svg,
    })
}

/// The time step at which `code` is valid for `secret` around `unix_seconds`,
/// if it is.
pub fn check_code(secret: &str, code: &str, unix_seconds: u64) -> Result<Option<u64>, Error> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    Ok(totp(secret, "")?.check(&code, unix_seconds))
}

/// The current code for `secret` (tests and tools; the app never shows it).
pub fn current_code(secret: &str, unix_seconds: u64) -> Result<String, Error> {
    Ok(totp(secret, "")?.generate(unix_seconds).to_string())
}

/// Characters in a recovery code: 16 from a 32-letter alphabet, 80 random bits.
const RECOVERY_CODE_LENGTH: usize = 16;
/// Recovery codes handed out before they had 80 bits: 8 characters (40
/// bits), kept as an unsalted BLAKE2b digest. Those still stored keep working
/// until used or replaced by a new enrolment.
const LEGACY_RECOVERY_CODE_LENGTH: usize = 8;

/// Ten new recovery codes, `XXXX-XXXX-XXXX-XXXX`, from the OS's random source.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let letters: Vec<char> = (0..RECOVERY_CODE_LENGTH)
                .map(|_| char::from(CODE_ALPHABET[OsRng.gen_range(0..CODE_ALPHABET.len())]))
                .collect();
            letters
                .chunks(4)
                .map(|chunk| chunk.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// True when `input` has the shape of a recovery code (any case, with or
/// without hyphens and spaces), today's or a legacy one.
pub fn looks_like_recovery_code(input: &str) -> bool {
    let normalized = normalize_recovery_code(input);
    (normalized.len() == RECOVERY_CODE_LENGTH || normalized.len() == LEGACY_RECOVERY_CODE_LENGTH)
        && normalized.bytes().all(|b| CODE_ALPHABET.contains(&b))
}

fn normalize_recovery_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Argon2id at a low cost for recovery codes: they carry 80 random bits, so
/// the salt and a few milliseconds per guess are what matters, not memory.
fn recovery_code_argon2() -> Result<Argon2<'static>, Error> {
    let params =
        Params::new(4 * 1024, 1, 1, None).map_err(|error| crate::store::StoreError::Internal {
            detail: format!("recovery code hashing: {error}"),
        })?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The stored form of a recovery code: an Argon2id PHC string with a salt of
/// its own, so equal codes never have equal hashes and a stolen store gives
/// no fast way to test guesses.
pub fn hash_recovery_code(code: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = recovery_code_argon2()?
        .hash_password(normalize_recovery_code(code).as_bytes(), &salt)
        .map_err(|error| crate::store::StoreError::Internal {
            detail: format!("recovery code hashing: {error}"),
        })?;
    Ok(hash.to_string())
}

/// True when `code` is the recovery code `stored` was made from. Reads
/// today's Argon2id hashes and the legacy unsalted BLAKE2b ones.
pub fn recovery_code_matches(stored: &str, code: &str) -> bool {
    let code = normalize_recovery_code(code);
    if stored.starts_with("$argon2id$") {
        let Ok(parsed) = argon2::password_hash::PasswordHash::new(stored) else {
            return false;
        };
        return code.len() == RECOVERY_CODE_LENGTH
            && recovery_code_argon2()
                .is_ok_and(|argon2| argon2.verify_password(code.as_bytes(), &parsed).is_ok());
    }
    code.len() == LEGACY_RECOVERY_CODE_LENGTH
        && constant_time_equal(&hex(&Blake2b512::digest(code.as_bytes())), stored)
}

/// Compares without an early exit, so the time does not tell how much matched.
fn constant_time_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// How long an emailed sign-in code works.
pub const EMAIL_CODE_MINUTES: i64 = 10;
/// Wrong attempts one emailed code survives; the next wrong one voids it.
pub const EMAIL_CODE_ATTEMPTS: u32 = 5;
/// The least time between two emailed codes for one sign-in.
pub const EMAIL_CODE_RESEND_SECONDS: i64 = 30;

/// A new six-digit sign-in code from the OS's random source.
pub fn new_email_code() -> String {
    format!("{:06}", OsRng.gen_range(0..1_000_000u32))
}

/// The stored form of an emailed code: a random salt and the BLAKE2b digest
/// of salt and code, as `salt$digest`. The code is short-lived, single use and
/// limited to a few attempts, so a fast hash suffices; the salt keeps equal
/// codes from having equal hashes.
pub fn hash_email_code(code: &str) -> String {
    let salt: [u8; 16] = OsRng.gen();
    let salt = hex(&salt);
    let digest = email_code_digest(&salt, code);
    format!("{salt}${digest}")
}

/// True when `code` (spaces ignored) is the code `stored` was made from.
pub fn email_code_matches(stored: &str, code: &str) -> bool {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Some((salt, digest)) = stored.split_once('$') else {
        return false;
    };
    constant_time_equal(&email_code_digest(salt, &code), digest)
}

fn email_code_digest(salt: &str, code: &str) -> String {
    let mut hasher = Blake2b512::new();
    hasher.update(salt.as_bytes());
    hasher.update(b"$");
    hasher.update(code.as_bytes());
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_accepted_in_its_step_and_one_step_either_side() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = current_code(&secret, now).unwrap();
        assert_eq!(check_code(&secret, &code, now).unwrap(), Some(now / 30));
        assert!(check_code(&secret, &code, now + 30).unwrap().is_some());
        assert!(check_code(&secret, &code, now - 30).unwrap().is_some());
        assert_eq!(check_code(&secret, &code, now + 90).unwrap(), None);
        assert_eq!(check_code(&secret, "12345", now).unwrap(), None);
        assert_eq!(check_code(&secret, "abcdef", now).unwrap(), None);
    }

    #[test]
    fn email_codes_are_six_digits_and_only_their_own_hash_matches() {
        let code = new_email_code();
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        let stored = hash_email_code(&code);
        assert!(!stored.contains(&code));
        assert!(email_code_matches(&stored, &code));
        assert!(email_code_matches(
            &stored,
            &format!(" {} {} ", &code[..3], &code[3..])
        ));
        let other = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert!(!email_code_matches(&stored, &other));
        assert!(!email_code_matches(&stored, "12345"));
        assert!(!email_code_matches("garbage", &code));
        assert_ne!(hash_email_code(&code), stored, "salted");
    }

    #[test]
    fn rfc_6238_test_vector_matches() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); the last six.
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        assert_eq!(current_code(&secret, 59).unwrap(), "287082");
    }

    #[test]
    fn enrolment_gives_an_otpauth_uri_and_an_svg_qr_code() {
        let secret = new_secret();
        let enrolment = enrolment(&secret, "ann@example.com").unwrap();
        assert!(
            enrolment
                .uri
                .starts_with("otpauth://totp/Roster:ann%40example.com?"),
            "{}",
            enrolment.uri
        );
        assert!(enrolment.uri.contains(&format!("secret={secret}")));
        assert!(enrolment.qr_svg.contains("<svg"));
        assert_eq!(enrolment.secret, secret);
    }

    #[test]
    fn recovery_codes_are_ten_distinct_unambiguous_codes_of_80_bits() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
        // 16 letters from an alphabet of 32 = 16 × 5 = 80 bits.
        assert_eq!(CODE_ALPHABET.len(), 32);
        for code in &codes {
            assert_eq!(code.len(), 19, "{code}");
            assert_eq!(normalize_recovery_code(code).len(), 16);
            assert!(looks_like_recovery_code(code));
            assert!(!code.contains(['0', 'O', '1', 'I']));
        }
        assert!(!looks_like_recovery_code("123456"));
    }

    #[test]
    fn recovery_codes_are_kept_as_salted_argon2id_hashes() {
        let code = &new_recovery_codes()[0];
        let first = hash_recovery_code(code).unwrap();
        let second = hash_recovery_code(code).unwrap();
        assert!(first.starts_with("$argon2id$"), "{first}");
        assert_ne!(first, second, "each hash has a salt of its own");
        assert!(recovery_code_matches(&first, code));
        assert!(recovery_code_matches(
            &second,
            &code.to_lowercase().replace('-', " ")
        ));
        assert!(!recovery_code_matches(&first, &new_recovery_codes()[0]));
        assert!(!recovery_code_matches(&first, "not a code"));
    }

    #[test]
    fn legacy_recovery_codes_still_match_their_stored_digest() {
        let legacy = hex(&Blake2b512::digest(b"ABCD2345"));
        assert!(recovery_code_matches(&legacy, "abcd-2345"));
        assert!(!recovery_code_matches(&legacy, "ABCD-2346"));
        assert!(looks_like_recovery_code("ABCD-2345"));
    }
}
