//! The word and password lists shipped in the binary, in compact forms that
//! need no parsing at start-up:
//!
//! - known breached and common passwords, as a Bloom filter
//!   ([`BloomFilter`], `data/breached-passwords.bloom`): about 1.8 million
//!   entries at a false-positive rate of 1 in 100,000;
//! - dictionary words of seven languages, as an FST set
//!   (`data/dictionary-words.fst`).
//!
//! Both hold entries in [`list_form`] (NFKC, then lowercase), and both are
//! made by `examples/password_lists.rs` from the sources named in
//! `data/README.md`; nothing is generated at build time.

use std::sync::LazyLock;

use blake2::digest::consts::U16;
use blake2::{Blake2b, Digest};
use unicode_normalization::UnicodeNormalization;

/// The breached-password Bloom filter, as shipped.
static BREACHED_BYTES: &[u8] = include_bytes!("../../data/breached-passwords.bloom");

/// The dictionary-word FST set, as shipped.
static DICTIONARY_BYTES: &[u8] = include_bytes!("../../data/dictionary-words.fst");

/// The shipped breached-password filter. `None` only if the file in `data/`
/// were damaged, which a unit test rules out.
static BREACHED: LazyLock<Option<BloomFilter<'static>>> =
    LazyLock::new(|| BloomFilter::from_bytes(BREACHED_BYTES));

/// The shipped dictionary. `None` only if the file in `data/` were damaged,
/// which a unit test rules out.
static DICTIONARY: LazyLock<Option<fst::Set<&'static [u8]>>> =
    LazyLock::new(|| fst::Set::new(DICTIONARY_BYTES).ok());

/// The form every list entry is kept in, and that text is put in before
/// being looked up: Unicode NFKC, then lowercase.
pub fn list_form(text: &str) -> String {
    text.nfkc().collect::<String>().to_lowercase()
}

/// Whether `text` (in [`list_form`]) is a known breached or common password.
/// About one password in 100,000 that is not on the list is reported as if
/// it were (the filter's false-positive rate); none on it is ever missed.
pub(crate) fn is_breached(text: &str) -> bool {
    BREACHED
        .as_ref()
        .is_some_and(|filter| filter.contains(text))
}

/// Whether `word` (in [`list_form`]) is a dictionary word of one of the
/// shipped languages.
pub(crate) fn is_dictionary_word(word: &str) -> bool {
    DICTIONARY
        .as_ref()
        .is_some_and(|dictionary| dictionary.contains(word))
}

/// A Bloom filter over strings, readable straight from bytes.
///
/// Layout: the magic `RSTRBLM1`, then little-endian `k` (u32, hashes per
/// entry), `m` (u64, bits) and `n` (u64, entries when built), then the `m`
/// bits, rounded up to whole bytes (bit `i` is bit `i % 8` of byte `i / 8`).
/// An entry's bit positions are `h1 + i·h2 mod m` for `i` in `0..k`, where
/// `h1` and `h2` are the two little-endian halves of the entry's 128-bit
/// BLAKE2b hash (`h2` made odd). The hash is fixed, so a filter built on one
/// machine reads the same on every other.
#[derive(Debug, Clone, Copy)]
pub struct BloomFilter<'a> {
    hashes: u32,
    bits: u64,
    entries: u64,
    array: &'a [u8],
}

const MAGIC: &[u8; 8] = b"RSTRBLM1";
const HEADER_LEN: usize = 28;

impl<'a> BloomFilter<'a> {
    /// Reads a filter written by [`BloomFilter::build`]; `None` if the bytes
    /// are not one.
    pub fn from_bytes(bytes: &'a [u8]) -> Option<Self> {
        let header = bytes.get(..HEADER_LEN)?;
        if &header[..8] != MAGIC {
            return None;
        }
        let hashes = u32::from_le_bytes(header[8..12].try_into().ok()?);
        let bits = u64::from_le_bytes(header[12..20].try_into().ok()?);
        let entries = u64::from_le_bytes(header[20..28].try_into().ok()?);
        let array = &bytes[HEADER_LEN..];
        let expected_len = usize::try_from(bits.div_ceil(8)).ok()?;
        if hashes == 0 || bits == 0 || array.len() != expected_len {
            return None;
        }
        Some(Self {
            hashes,
            bits,
            entries,
            array,
        })
    }

    /// Builds a filter holding `entries` (taken as given: put them in
    /// [`list_form`] first) with the given false-positive rate, sized by the
    /// usual formulas `m = -n·ln p / (ln 2)²` and `k = m/n · ln 2`.
    pub fn build(entries: &[&str], false_positive_rate: f64) -> Vec<u8> {
        let count = entries.len().max(1) as f64;
        let ln2 = std::f64::consts::LN_2;
        let bits = (-count * false_positive_rate.ln() / (ln2 * ln2))
            .ceil()
            .max(8.0) as u64;
        let hashes = ((bits as f64 / count) * ln2).round().max(1.0) as u32;
        let mut bytes = Vec::with_capacity(HEADER_LEN + bits.div_ceil(8) as usize);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&hashes.to_le_bytes());
        bytes.extend_from_slice(&bits.to_le_bytes());
        bytes.extend_from_slice(&(entries.len() as u64).to_le_bytes());
        bytes.resize(HEADER_LEN + bits.div_ceil(8) as usize, 0);
        let array = &mut bytes[HEADER_LEN..];
        for entry in entries {
            for position in positions(entry, hashes, bits) {
                array[(position / 8) as usize] |= 1 << (position % 8);
            }
        }
        bytes
    }

    /// Whether `entry` may be in the set: always true for an entry that was
    /// added, and true with the false-positive rate for any other.
    pub fn contains(&self, entry: &str) -> bool {
        positions(entry, self.hashes, self.bits).all(|position| {
            self.array
                .get((position / 8) as usize)
                .is_some_and(|byte| byte & (1 << (position % 8)) != 0)
        })
    }

    /// How many entries the filter was built from.
    pub fn len(&self) -> u64 {
        self.entries
    }

    /// Whether the filter was built from no entry.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// The false-positive rate this filter gives for its entry count:
    /// `(1 - e^(-k·n/m))^k`.
    pub fn false_positive_rate(&self) -> f64 {
        let k = f64::from(self.hashes);
        (1.0 - (-k * self.entries as f64 / self.bits as f64).exp()).powf(k)
    }
}

/// The bit positions of `entry` in a filter of `bits` bits with `hashes`
/// hashes (Kirsch–Mitzenmacher double hashing).
fn positions(entry: &str, hashes: u32, bits: u64) -> impl Iterator<Item = u64> {
    let digest = Blake2b::<U16>::digest(entry.as_bytes());
    let mut first = [0u8; 8];
    let mut second = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    second.copy_from_slice(&digest[8..]);
    let first = u64::from_le_bytes(first);
    let second = u64::from_le_bytes(second) | 1;
    (0..u64::from(hashes)).map(move |i| first.wrapping_add(i.wrapping_mul(second)) % bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_form_is_nfkc_then_lowercase() {
        assert_eq!(list_form("ＰＡＳＳ"), "pass");
        assert_eq!(list_form("Cafe\u{301}"), "café");
        assert_eq!(list_form("ﬁsh"), "fish");
        assert_eq!(list_form("STRASSE"), "strasse");
    }

    #[test]
    fn a_built_filter_contains_its_entries_and_few_others() {
        let entries: Vec<String> = (0..20_000).map(|i| format!("entry-{i}")).collect();
        let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
        let bytes = BloomFilter::build(&refs, 0.001);
        let filter = BloomFilter::from_bytes(&bytes).expect("a filter just built reads back");
        assert_eq!(filter.len(), 20_000);
        assert!(refs.iter().all(|entry| filter.contains(entry)));
        let false_positives = (0..20_000)
            .filter(|i| filter.contains(&format!("other-{i}")))
            .count();
        // 0.1% of 20,000 is 20; allow for chance.
        assert!(false_positives < 60, "{false_positives} false positives");
        assert!((filter.false_positive_rate() - 0.001).abs() < 0.0005);
    }

    #[test]
    fn damaged_filters_are_refused() {
        let bytes = BloomFilter::build(&["a", "b"], 0.01);
        assert!(BloomFilter::from_bytes(&bytes).is_some());
        assert!(BloomFilter::from_bytes(&bytes[..bytes.len() - 1]).is_none());
        assert!(BloomFilter::from_bytes(&bytes[..10]).is_none());
        let mut wrong_magic = bytes.clone();
        wrong_magic[0] = b'X';
        assert!(BloomFilter::from_bytes(&wrong_magic).is_none());
        assert!(BloomFilter::from_bytes(&[]).is_none());
    }

    #[test]
    fn the_shipped_breached_list_has_over_a_million_entries() {
        let filter = BREACHED.as_ref().expect("the shipped filter reads");
        assert!(filter.len() >= 1_000_000, "{} entries", filter.len());
        assert!(filter.false_positive_rate() <= 1.1e-5);
        // From the old 30,000-entry list and from the new sources.
        for known in [
            "password",
            "123456789012",
            "qwertyqwerty",
            "administrator",
            "password123456",
            "!benjamin98!",
        ] {
            assert!(is_breached(known), "{known}");
        }
    }

    #[test]
    fn the_shipped_dictionary_covers_seven_languages() {
        let dictionary = DICTIONARY.as_ref().expect("the shipped FST reads");
        assert!(dictionary.len() > 250_000, "{} words", dictionary.len());
        for word in [
            "international",
            "administrator",
            "schmetterling",
            "bonjour",
            "contraseña",
            "ciao",
            "obrigado",
            "fiets",
        ] {
            assert!(is_dictionary_word(word), "{word}");
        }
        assert!(!is_dictionary_word("qz7kfmvbw"));
    }

    #[test]
    fn shipped_entries_are_in_list_form() {
        use fst::Streamer;
        let dictionary = DICTIONARY.as_ref().expect("the shipped FST reads");
        let mut stream = dictionary.stream();
        let mut checked = 0;
        while let Some(word) = stream.next() {
            let word = std::str::from_utf8(word).expect("entries are UTF-8");
            assert_eq!(list_form(word), word);
            checked += 1;
        }
        assert_eq!(checked, dictionary.len());
    }
}
