//! Hashing and verifying passwords with Argon2id (version 0x13).
//!
//! Stored hashes are PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so
//! each one carries the parameters it was made with. That lets a stronger
//! configuration be rolled out gradually: [`Hasher::verify`] still accepts
//! old hashes but answers [`Verification::MatchNeedsRehash`], and the caller
//! stores a fresh hash made with the current parameters.

use std::fmt;
use std::sync::OnceLock;

use argon2::password_hash::{self, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};

use super::{PasswordError, PlainPassword};

/// An Argon2id hash in PHC string form, as kept in the user store.
///
/// Only [`PasswordHash::from_phc`] and [`Hasher::hash`] make one, so a value
/// of this type always parses and is always Argon2id. `Debug` prints
/// `PasswordHash(..)`: a hash is an offline-cracking target and does not
/// belong in logs.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Accepts a PHC string read from storage.
    ///
    /// Fails with [`PasswordError::CorruptHash`] when the string does not
    /// parse, is not Argon2id, names an unknown Argon2 version, has
    /// parameters Argon2 would refuse, or lacks its salt or hash.
    pub fn from_phc(phc: String) -> Result<Self, PasswordError> {
        let parsed =
            password_hash::PasswordHash::new(&phc).map_err(|_| PasswordError::CorruptHash)?;
        if Algorithm::try_from(parsed.algorithm) != Ok(Algorithm::Argon2id) {
            return Err(PasswordError::CorruptHash);
        }
        if let Some(version) = parsed.version {
            Version::try_from(version).map_err(|_| PasswordError::CorruptHash)?;
        }
        Params::try_from(&parsed).map_err(|_| PasswordError::CorruptHash)?;
        if parsed.salt.is_none() || parsed.hash.is_none() {
            return Err(PasswordError::CorruptHash);
        }
        Ok(Self(phc))
    }

    /// The PHC string, for storing.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("PasswordHash(..)")
    }
}

/// Argon2id cost parameters.
///
/// The default is [`HashParams::OWASP_MINIMUM`]; [`Hasher::new`] refuses
/// anything cheaper in any of the three costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashParams {
    /// Memory per hash, in KiB.
    pub memory_kib: u32,
    /// Number of passes over the memory.
    pub iterations: u32,
    /// Degree of parallelism (lanes).
    pub parallelism: u32,
}

impl HashParams {
    /// The OWASP Password Storage Cheat Sheet's minimum for Argon2id:
    /// 19 MiB of memory, 2 iterations, 1 degree of parallelism.
    pub const OWASP_MINIMUM: Self = Self {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };

    /// The deliberately weak parameters of [`Hasher::fast_for_bench_only`].
    const BENCH_ONLY: Self = Self {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };

    /// [`HashParams::BENCH_ONLY`] for Argon2, checked when compiling: an
    /// error here fails the build instead of a benchmark run.
    const BENCH_ONLY_ARGON2: Params = match Params::new(
        Self::BENCH_ONLY.memory_kib,
        Self::BENCH_ONLY.iterations,
        Self::BENCH_ONLY.parallelism,
        None,
    ) {
        Ok(params) => params,
        Err(_) => panic!("the bench-only parameters are valid Argon2 parameters"),
    };

    fn to_argon2(self) -> Result<Params, PasswordError> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None).map_err(|error| {
            PasswordError::InvalidParams {
                reason: format!("Argon2 does not accept them ({error})."),
            }
        })
    }
}

impl Default for HashParams {
    fn default() -> Self {
        Self::OWASP_MINIMUM
    }
}

/// The outcome of checking a password against a stored hash.
#[must_use = "a verification that is not looked at lets every password in"]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// The password is wrong (or the stored hash could not be used).
    Mismatch,
    /// The password is right and the hash uses the current parameters.
    Match,
    /// The password is right but the hash was made with other parameters
    /// (usually weaker ones): hash the password again and store the result.
    MatchNeedsRehash,
}

impl Verification {
    /// Whether the password was right, whatever the state of the hash.
    pub fn is_match(self) -> bool {
        !matches!(self, Self::Mismatch)
    }
}

/// Hashes and verifies passwords with Argon2id v0x13 at fixed cost
/// parameters.
///
/// Make one at start-up and share it; it is cheap to clone, but each clone
/// computes its own dummy hash for [`Hasher::verify_dummy`].
#[derive(Clone)]
pub struct Hasher {
    params: HashParams,
    argon2: Argon2<'static>,
    dummy_hash: OnceLock<Option<PasswordHash>>,
}

impl Hasher {
    /// A hasher with the given costs.
    ///
    /// Fails with [`PasswordError::InvalidParams`] when any cost is below
    /// [`HashParams::OWASP_MINIMUM`] or Argon2 rejects the combination (for
    /// example, memory smaller than 8 KiB per lane).
    pub fn new(params: HashParams) -> Result<Self, PasswordError> {
        let minimum = HashParams::OWASP_MINIMUM;
        if params.memory_kib < minimum.memory_kib {
            return Err(PasswordError::InvalidParams {
                reason: format!(
                    "The memory cost must be at least {} KiB.",
                    minimum.memory_kib
                ),
            });
        }
        if params.iterations < minimum.iterations {
            return Err(PasswordError::InvalidParams {
                reason: format!(
                    "The number of iterations must be at least {}.",
                    minimum.iterations
                ),
            });
        }
        if params.parallelism < minimum.parallelism {
            return Err(PasswordError::InvalidParams {
                reason: format!(
                    "The degree of parallelism must be at least {}.",
                    minimum.parallelism
                ),
            });
        }
        Self::with_params(params)
    }

    /// **FOR SEEDING BENCHMARK AND TEST STORES ONLY. NEVER USE FOR REAL
    /// ACCOUNTS.**
    ///
    /// Argon2id with m=8 KiB, t=1, p=1: thousands of times cheaper than the
    /// OWASP minimum, so that a benchmark can create many users quickly. It
    /// skips the minimum check that [`Hasher::new`] enforces. Hashes it makes
    /// are still valid Argon2id, and a hasher with real parameters answers
    /// [`Verification::MatchNeedsRehash`] for them, so any such user who
    /// signs in gets upgraded to a proper hash.
    pub fn fast_for_bench_only() -> Self {
        Self {
            params: HashParams::BENCH_ONLY,
            argon2: Argon2::new(
                Algorithm::Argon2id,
                Version::V0x13,
                HashParams::BENCH_ONLY_ARGON2,
            ),
            dummy_hash: OnceLock::new(),
        }
    }

    fn with_params(params: HashParams) -> Result<Self, PasswordError> {
        Ok(Self {
            params,
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params.to_argon2()?),
            dummy_hash: OnceLock::new(),
        })
    }

    /// The cost parameters new hashes are made with.
    pub fn params(&self) -> HashParams {
        self.params
    }

    /// Hashes a password, in its NFKC form ([`PlainPassword::normalized`]),
    /// with a fresh random salt from the operating system's generator.
    pub fn hash(&self, password: &PlainPassword) -> Result<PasswordHash, PasswordError> {
        let salt = SaltString::generate(&mut OsRng);
        let normalized = password.normalized();
        let hash = self
            .argon2
            .hash_password(normalized.as_bytes(), &salt)
            .map_err(PasswordError::Hashing)?;
        Ok(PasswordHash(hash.to_string()))
    }

    /// Checks a password against a stored hash, using the parameters recorded
    /// in the hash, and says whether the hash should be replaced because it
    /// was made with another algorithm, version or cost than this hasher's.
    ///
    /// The password is tried in its NFKC form, the form [`Hasher::hash`]
    /// uses. Hashes made before passwords were normalised hold the text as
    /// typed, so when that differs from the NFKC form it is tried too, and a
    /// match that way answers [`Verification::MatchNeedsRehash`] so the hash
    /// moves to the normalised form.
    ///
    /// The comparison of hash outputs is constant-time.
    pub fn verify(&self, password: &PlainPassword, stored: &PasswordHash) -> Verification {
        let Ok(parsed) = password_hash::PasswordHash::new(stored.as_str()) else {
            return Verification::Mismatch;
        };
        let normalized = password.normalized();
        let matches = |text: &str| {
            self.argon2
                .verify_password(text.as_bytes(), &parsed)
                .is_ok()
        };
        if matches(&normalized) {
            if self.is_current(&parsed) {
                Verification::Match
            } else {
                Verification::MatchNeedsRehash
            }
        } else if password.expose() != normalized.as_str() && matches(password.expose()) {
            Verification::MatchNeedsRehash
        } else {
            Verification::Mismatch
        }
    }

    /// Does the work of a verification against a dummy hash and ignores the
    /// result.
    ///
    /// Call it when a sign-in names an email address that has no account, so
    /// that the answer takes about as long as for a real account and does
    /// not reveal which addresses exist. The dummy hash is made with this
    /// hasher's parameters on first use and kept; that first call therefore
    /// takes about twice as long as later ones.
    pub fn verify_dummy(&self, password: &PlainPassword) {
        let dummy = self.dummy_hash.get_or_init(|| {
            self.hash(&PlainPassword::new("roster-dummy-password-for-timing"))
                .ok()
        });
        if let Some(dummy) = dummy {
            let _ = self.verify(password, dummy);
        }
    }

    fn is_current(&self, parsed: &password_hash::PasswordHash<'_>) -> bool {
        let same_algorithm = Algorithm::try_from(parsed.algorithm) == Ok(Algorithm::Argon2id);
        let same_version = parsed
            .version
            .is_some_and(|version| Version::try_from(version) == Ok(Version::V0x13));
        let same_costs = Params::try_from(parsed).is_ok_and(|stored| {
            stored.m_cost() == self.params.memory_kib
                && stored.t_cost() == self.params.iterations
                && stored.p_cost() == self.params.parallelism
                && stored.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)
                    == Params::DEFAULT_OUTPUT_LEN
        });
        same_algorithm && same_version && same_costs
    }
}

impl Default for Hasher {
    /// A hasher at [`HashParams::OWASP_MINIMUM`], which cannot fail.
    fn default() -> Self {
        Self {
            params: HashParams::OWASP_MINIMUM,
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT),
            dummy_hash: OnceLock::new(),
        }
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Hasher")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> Hasher {
        Hasher::new(HashParams::default()).expect("the default parameters are valid")
    }

    fn hash_with(
        algorithm: Algorithm,
        version: Version,
        params: HashParams,
        password: &str,
    ) -> PasswordHash {
        let argon2 = Argon2::new(
            algorithm,
            version,
            params.to_argon2().expect("test parameters are valid"),
        );
        let salt = SaltString::generate(&mut OsRng);
        let phc = argon2
            .hash_password(password.as_bytes(), &salt)
            .expect("hashing succeeds")
            .to_string();
        PasswordHash(phc)
    }

    #[test]
    fn default_params_are_the_owasp_minimum() {
        assert_eq!(
            HashParams::default(),
            HashParams {
                memory_kib: 19_456,
                iterations: 2,
                parallelism: 1
            }
        );
    }

    #[test]
    fn default_hasher_uses_the_owasp_minimum() {
        let default = Hasher::default();
        assert_eq!(default.params(), HashParams::OWASP_MINIMUM);
        let params = default.argon2.params();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (19_456, 2, 1)
        );
        let hash = default
            .hash(&PlainPassword::new("default hasher"))
            .expect("hashing succeeds");
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(
            hasher().verify(&PlainPassword::new("default hasher"), &hash),
            Verification::Match
        );
    }

    #[test]
    fn params_below_the_minimum_are_rejected() {
        let minimum = HashParams::OWASP_MINIMUM;
        for weaker in [
            HashParams {
                memory_kib: 19_455,
                ..minimum
            },
            HashParams {
                iterations: 1,
                ..minimum
            },
            HashParams {
                parallelism: 0,
                ..minimum
            },
            HashParams {
                memory_kib: 8,
                iterations: 1,
                parallelism: 1,
            },
        ] {
            let error = Hasher::new(weaker).expect_err("weaker parameters must be refused");
            assert!(matches!(error, PasswordError::InvalidParams { .. }));
            assert!(error.to_string().ends_with('.'));
        }
    }

    #[test]
    fn params_argon2_refuses_are_rejected() {
        // 19456 KiB is less than 8 KiB for each of 4096 lanes.
        let error = Hasher::new(HashParams {
            parallelism: 4096,
            ..HashParams::OWASP_MINIMUM
        })
        .expect_err("argon2 refuses these");
        assert!(matches!(error, PasswordError::InvalidParams { .. }));
    }

    #[test]
    fn stronger_params_are_accepted() {
        let params = HashParams {
            memory_kib: 24_576,
            iterations: 3,
            parallelism: 2,
        };
        assert_eq!(Hasher::new(params).map(|h| h.params()), Ok(params));
    }

    #[test]
    fn hash_is_argon2id_v19_with_current_params() {
        let hash = hasher()
            .hash(&PlainPassword::new("a long and winding road"))
            .expect("hashing succeeds");
        assert!(
            hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.as_str()
        );
        assert_eq!(PasswordHash::from_phc(hash.as_str().to_owned()), Ok(hash));
    }

    #[test]
    fn same_password_hashes_differently_each_time() {
        let hasher = hasher();
        let password = PlainPassword::new("same password twice");
        let first = hasher.hash(&password).expect("hashing succeeds");
        let second = hasher.hash(&password).expect("hashing succeeds");
        assert_ne!(first, second, "salts must differ");
    }

    #[test]
    fn verify_matches_the_right_password_only() {
        let hasher = hasher();
        let hash = hasher
            .hash(&PlainPassword::new("Tr0ub4dor&3"))
            .expect("hashing succeeds");
        assert_eq!(
            hasher.verify(&PlainPassword::new("Tr0ub4dor&3"), &hash),
            Verification::Match
        );
        assert_eq!(
            hasher.verify(&PlainPassword::new("tr0ub4dor&3"), &hash),
            Verification::Mismatch
        );
        assert_eq!(
            hasher.verify(&PlainPassword::new(""), &hash),
            Verification::Mismatch
        );
        assert!(Verification::Match.is_match());
        assert!(Verification::MatchNeedsRehash.is_match());
        assert!(!Verification::Mismatch.is_match());
    }

    #[test]
    fn bench_hashes_need_rehash_under_default_params() {
        let bench = Hasher::fast_for_bench_only();
        let password = PlainPassword::new("seeded user password");
        let hash = bench.hash(&password).expect("hashing succeeds");
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
        assert_eq!(bench.verify(&password, &hash), Verification::Match);
        assert_eq!(
            hasher().verify(&password, &hash),
            Verification::MatchNeedsRehash
        );
        assert_eq!(
            hasher().verify(&PlainPassword::new("wrong"), &hash),
            Verification::Mismatch
        );
    }

    #[test]
    fn hashes_with_other_costs_need_rehash() {
        let password = "upgrade me please";
        let stronger = HashParams {
            memory_kib: 19_456,
            iterations: 3,
            parallelism: 1,
        };
        let hash = hash_with(Algorithm::Argon2id, Version::V0x13, stronger, password);
        assert_eq!(
            hasher().verify(&PlainPassword::new(password), &hash),
            Verification::MatchNeedsRehash
        );
        let current = Hasher::new(stronger).expect("valid");
        assert_eq!(
            current.verify(&PlainPassword::new(password), &hash),
            Verification::Match
        );
    }

    #[test]
    fn hashes_with_the_old_version_need_rehash() {
        let password = "version sixteen";
        let hash = hash_with(
            Algorithm::Argon2id,
            Version::V0x10,
            HashParams::OWASP_MINIMUM,
            password,
        );
        assert!(hash.as_str().starts_with("$argon2id$v=16$"));
        let hash = PasswordHash::from_phc(hash.as_str().to_owned()).expect("v=16 is readable");
        assert_eq!(
            hasher().verify(&PlainPassword::new(password), &hash),
            Verification::MatchNeedsRehash
        );
    }

    #[test]
    fn from_phc_rejects_other_algorithms_and_garbage() {
        let argon2i = hash_with(
            Algorithm::Argon2i,
            Version::V0x13,
            HashParams::BENCH_ONLY,
            "x",
        );
        let bcrypt = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";
        let valid = Hasher::fast_for_bench_only()
            .hash(&PlainPassword::new("x"))
            .expect("hashing succeeds");
        let without_hash = valid
            .as_str()
            .rsplit_once('$')
            .map(|(head, _)| head.to_owned())
            .expect("has a hash part");
        for bad in [
            argon2i.as_str().to_owned(),
            bcrypt.to_owned(),
            String::new(),
            "plaintext".to_owned(),
            "$argon2id$v=19$m=19456,t=2,p=1$".to_owned(),
            "$argon2id$v=99$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".to_owned(),
            "$argon2id$v=19$m=1,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".to_owned(),
            without_hash,
        ] {
            assert_eq!(
                PasswordHash::from_phc(bad.clone()),
                Err(PasswordError::CorruptHash),
                "{bad}"
            );
        }
    }

    #[test]
    fn debug_output_reveals_nothing() {
        let hash = Hasher::fast_for_bench_only()
            .hash(&PlainPassword::new("do not print"))
            .expect("hashing succeeds");
        assert_eq!(format!("{hash:?}"), "PasswordHash(..)");
        let hasher = Hasher::fast_for_bench_only();
        hasher.verify_dummy(&PlainPassword::new("do not print"));
        let debug = format!("{hasher:?}");
        assert!(!debug.contains("argon2id"), "{debug}");
        assert!(!debug.contains("do not print"), "{debug}");
    }

    #[test]
    fn equivalent_unicode_forms_verify_against_each_others_hash() {
        let hasher = hasher();
        // Fullwidth letters and digits, as an East Asian input method types
        // them, and the ASCII ones.
        let fullwidth = PlainPassword::new("ｇｌａｃｉｅｒ－ｍｅａｄｏｗ－７４");
        let ascii = PlainPassword::new("glacier-meadow-74");
        let hash = hasher.hash(&fullwidth).expect("hashing succeeds");
        assert_eq!(hasher.verify(&ascii, &hash), Verification::Match);
        let hash = hasher.hash(&ascii).expect("hashing succeeds");
        assert_eq!(hasher.verify(&fullwidth, &hash), Verification::Match);

        // A composed é (one code point) and e + combining acute (two).
        let composed = PlainPassword::new("caf\u{e9} au lait sur le quai");
        let decomposed = PlainPassword::new("cafe\u{301} au lait sur le quai");
        let hash = hasher.hash(&decomposed).expect("hashing succeeds");
        assert_eq!(hasher.verify(&composed, &hash), Verification::Match);
        let hash = hasher.hash(&composed).expect("hashing succeeds");
        assert_eq!(hasher.verify(&decomposed, &hash), Verification::Match);
        assert_eq!(
            hasher.verify(&PlainPassword::new("cafe au lait sur le quai"), &hash),
            Verification::Mismatch
        );
    }

    #[test]
    fn hashes_of_unnormalised_text_still_verify_and_ask_for_a_rehash() {
        // A hash made before normalisation: of the bytes as typed.
        let typed = "cafe\u{301} ｇｌａｃｉｅｒ 74";
        let old_hash = hash_with(
            Algorithm::Argon2id,
            Version::V0x13,
            HashParams::OWASP_MINIMUM,
            typed,
        );
        let hasher = hasher();
        let password = PlainPassword::new(typed);
        assert_eq!(
            hasher.verify(&password, &old_hash),
            Verification::MatchNeedsRehash
        );
        // The rehash is of the normalised form, which then matches plainly,
        // also when typed the other way.
        let new_hash = hasher.hash(&password).expect("hashing succeeds");
        assert_eq!(hasher.verify(&password, &new_hash), Verification::Match);
        assert_eq!(
            hasher.verify(&PlainPassword::new("caf\u{e9} glacier 74"), &new_hash),
            Verification::Match
        );
        assert_eq!(
            hasher.verify(&PlainPassword::new("cafe glacier 74"), &old_hash),
            Verification::Mismatch
        );
    }

    #[test]
    fn verify_dummy_uses_current_params_and_is_reused() {
        let hasher = hasher();
        hasher.verify_dummy(&PlainPassword::new("no such user"));
        let first = hasher
            .dummy_hash
            .get()
            .cloned()
            .flatten()
            .expect("dummy hash computed");
        assert!(first
            .as_str()
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        hasher.verify_dummy(&PlainPassword::new("another"));
        assert_eq!(hasher.dummy_hash.get().cloned().flatten(), Some(first));
    }
}
