use super::*;
use crate::error::Error;
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
    assert!(GroupName::parse("Sales; Support").is_err());
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
fn names_are_keyed_lowercase_without_accents() {
    for (text, key) in [
        ("José Álvarez", "jose alvarez"),
        ("JOSE\u{301}", "jose"),
        ("Łukasz Żak", "lukasz zak"),
        ("İstanbul Yılmaz", "istanbul yilmaz"),
        ("Søren Đorđe Ħal Ŧ", "soren dorde hal t"),
        ("Nguyễn Thị Ánh", "nguyen thi anh"),
        ("ΆΈ Ёлка Йод", "αε елка иод"),
        // Other scripts' marks are their letters' parts, and stay.
        ("한국어 이름", "한국어 이름"),
        ("किशोर", "किशोर"),
        ("שָׁלוֹם", "שָׁלוֹם"),
        // No compatibility forms: a ligature, a digraph, ß as they are.
        ("ﬁne ǅ ß", "ﬁne ǆ ß"),
        ("\u{301}\u{308}", ""),
    ] {
        assert_eq!(search_key(text), key, "{text}");
    }
    assert_eq!(UserName::parse("Zoë Lee").unwrap().sort_key(), "zoe lee");
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
        "zoe lee"
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
    /// A key keyed again is itself: a search's text keyed as a name is
    /// found in the keys of the names it is part of.
    #[test]
    fn a_search_key_is_its_own_key(input in "\\PC{0,40}") {
        let key = search_key(&input);
        prop_assert_eq!(search_key(&key), key);
    }

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
    fn names_of_letters_digits_signs_and_spaces_parse(name in GENERATED_NAME) {
        prop_assume!(!name.trim().is_empty());
        prop_assert!(UserName::parse(&name).is_ok(), "{:?}", name);
        prop_assert!(ClientName::parse(&name).is_ok(), "{:?}", name);
        let group: String = name.chars().take(GroupName::MAX_LEN).collect();
        prop_assume!(!group.trim().is_empty());
        // A group name never holds `;`, which separates groups in files.
        prop_assert_eq!(GroupName::parse(&group).is_ok(), !group.contains(';'), "{:?}", group);
    }

    #[test]
    fn accepted_names_hold_no_invisible_or_stacked_characters(name in "\\PC{0,40}|.{0,40}") {
        let accepted = [
            UserName::parse(&name).map(|n| n.as_str().to_owned()),
            GroupName::parse(&name).map(|n| n.as_str().to_owned()),
            ClientName::parse(&name).map(|n| n.as_str().to_owned()),
        ];
        for text in accepted.into_iter().flatten() {
            prop_assert!(crate::look_alike::check_text(&text, "A name").is_ok());
            prop_assert!(crate::look_alike::check_visible(&text, "A name").is_ok());
        }
        let _ = Description::parse(&name);
    }

    /// Old stores hold `address.to_lowercase()` as the key of every ASCII
    /// address; the new normalisation must give the very same key, or
    /// those users could no longer be found.
    #[test]
    fn ascii_addresses_keep_their_stored_normalised_form(
        local in r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,24}",
        labels in proptest::collection::vec(r"[A-Za-z0-9]([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{0,8}[A-Za-z0-9])?", 2..4),
    ) {
        let input = format!("{local}@{}", labels.join("."));
        let options = email_address::Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        let accepted_before = email_address::EmailAddress::parse_with_options(&input, options).is_ok();
        prop_assume!(!input.to_ascii_lowercase().contains("@xn--") && !input.to_ascii_lowercase().contains(".xn--"));
        match Email::parse(&input) {
            Ok(email) => {
                prop_assert!(accepted_before);
                prop_assert_eq!(email.normalized(), input.to_lowercase());
                prop_assert_eq!(email.as_str(), input.as_str());
                prop_assert_eq!(email.for_sending(), input.clone());
            }
            Err(error) => prop_assert!(!accepted_before, "{input} now refused: {error}"),
        }
    }

    /// The mail path (lettre) must be able to address every accepted
    /// address, as typed and in the form it is sent.
    #[test]
    fn lettre_accepts_every_accepted_address(
        local in r"[a-zA-Z0-9._+\-\u{e4}\u{f6}\u{e9}\u{131}\u{430}\u{438}\u{432}\u{43d}\u{3b1}\u{3b2}\u{7528}\u{6237}\u{ff41}\u{200b}\u{202e}\u{301}\u{22}\u{20}]{1,20}",
        domain in r"[a-zA-Z0-9\-\u{e4}\u{f6}\u{e9}\u{430}\u{440}\u{441}\u{43e}\u{3b1}\u{4f8b}\u{5b50}\u{ff21}\u{200d}]{1,20}",
        tld in r"[a-z]{2,4}|\u{440}\u{444}|xn--p1ai",
    ) {
        let input = format!("{local}@{domain}.{tld}");
        if let Ok(email) = Email::parse(&input) {
            prop_assert!(email.as_str().parse::<lettre::Address>().is_ok(), "{:?}", email);
            let sending = email.for_sending();
            prop_assert!(sending.parse::<lettre::Address>().is_ok(), "{}", sending);
            prop_assert!(sending.rsplit_once('@').is_some_and(|(_, d)| d.is_ascii()));
            prop_assert!(!email.as_str().contains('"'));
        }
    }

    #[test]
    fn email_parsing_never_panics(input in "\\PC{0,300}|.{0,300}") {
        if let Ok(email) = Email::parse(&input) {
            prop_assert!(email.as_str().parse::<lettre::Address>().is_ok(), "{:?}", email);
        }
    }
}

/// Letters, digits, punctuation, symbols and spaces of any script, less
/// the few letters and symbols that render blank.
const GENERATED_NAME: &str =
    r"[[\p{L}\p{N}\p{P}\p{S} ]&&[^\u{115F}\u{1160}\u{3164}\u{FFA0}\u{2800}]]{1,200}";

#[test]
fn email_domains_compare_by_their_idna_form() {
    let unicode = Email::parse("ann@exämple.com").unwrap();
    let punycode = Email::parse("ann@xn--exmple-cua.com").unwrap();
    let shouted = Email::parse("ANN@EXÄMPLE.COM").unwrap();
    assert_eq!(unicode.normalized(), "ann@xn--exmple-cua.com");
    assert_eq!(punycode.normalized(), unicode.normalized());
    assert_eq!(shouted.normalized(), unicode.normalized());
    // What was typed is what people see.
    assert_eq!(unicode.as_str(), "ann@exämple.com");
    assert_eq!(shouted.as_str(), "ANN@EXÄMPLE.COM");
    assert_eq!(unicode.for_sending(), "ann@xn--exmple-cua.com");
    assert_eq!(shouted.for_sending(), "ANN@xn--exmple-cua.com");
}

#[test]
fn emails_are_kept_in_nfkc() {
    let full_width = Email::parse("ａｎｎ＠ｅｘａｍｐｌｅ．ｃｏｍ").unwrap();
    assert_eq!(full_width.as_str(), "ann@example.com");
    assert_eq!(full_width.normalized(), "ann@example.com");
    // Decomposed and composed ä are one address.
    let decomposed = Email::parse("ann@exa\u{308}mple.com").unwrap();
    assert_eq!(decomposed.as_str(), "ann@exämple.com");
    assert_eq!(decomposed.normalized(), "ann@xn--exmple-cua.com");
}

fn email_refusal(input: &str) -> String {
    match Email::parse(input) {
        Err(Error::InvalidEmail { reason }) => reason,
        other => panic!("{input:?} gave {other:?}"),
    }
}

#[test]
fn quoted_local_parts_are_refused_with_a_clear_reason() {
    for quoted in [
        "\"john smith\"@example.com",
        "\"ann\"@example.com",
        "\"a@b\"@example.com",
    ] {
        assert!(
            email_refusal(quoted).contains("quotation marks"),
            "{quoted}"
        );
    }
}

#[test]
fn mixed_script_addresses_are_refused() {
    // Cyrillic а (U+0430) among Latin letters.
    for mixed in [
        "ann@p\u{430}ypal.com",
        "p\u{430}ypal@example.com",
        "ann@mail.p\u{430}ypal.com",
    ] {
        assert!(email_refusal(mixed).contains("mixes letters"), "{mixed}");
    }
    // The same domain typed in punycode is just as refused.
    let punycode = idna::domain_to_ascii("p\u{430}ypal.com").unwrap();
    assert!(punycode.starts_with("xn--"));
    assert!(email_refusal(&format!("ann@{punycode}")).contains("mixes letters"));
}

#[test]
fn other_scripts_that_look_latin_are_refused() {
    // All Cyrillic, but reads as "pay", "coco", "apple".
    for look_alike in [
        "\u{440}\u{430}\u{443}@example.com",
        "ann@\u{441}\u{43e}\u{441}\u{43e}.com",
        "ann@\u{430}\u{440}\u{440}\u{4cf}\u{435}.com",
    ] {
        assert!(
            email_refusal(look_alike).contains("looks like Latin"),
            "{look_alike}"
        );
    }
}

#[test]
fn single_script_international_addresses_are_accepted() {
    let russian = Email::parse("иван@пример.рф").unwrap();
    assert_eq!(russian.as_str(), "иван@пример.рф");
    assert_eq!(russian.normalized(), "иван@xn--e1afmkfd.xn--p1ai");
    for fine in [
        "Zoë.Lee@exämple.com",
        "yılmaz@örnek.com.tr",
        "用户@例子.广告",
        "αλέξης@παράδειγμα.ελ",
        "ann@xn--e1afmkfd.xn--p1ai",
    ] {
        let email = Email::parse(fine).unwrap_or_else(|e| panic!("{fine}: {e}"));
        assert!(email.as_str().parse::<lettre::Address>().is_ok(), "{fine}");
        assert!(
            email.for_sending().parse::<lettre::Address>().is_ok(),
            "{fine}"
        );
    }
}

#[test]
fn everyday_names_in_other_scripts_are_accepted_as_addresses() {
    for local in [
        "анна",
        "сергей",
        "мария",
        "дмитрий",
        "ольга",
        "ελένη",
        "γιώργος",
        "محمد",
        "דוד",
        "राहुल",
        "たなか",
        "김민준",
        "ნინო",
    ] {
        let address = format!("{local}@example.com");
        assert!(Email::parse(&address).is_ok(), "{address}");
    }
}

#[test]
fn invisible_characters_in_emails_are_refused() {
    for hidden in [
        "ann\u{200b}@example.com",
        "ann@exam\u{200d}ple.com",
        "\u{202e}moc.elpmaxe@nna",
        "\u{feff}ann@example.com",
        "ann\u{2066}@example.com",
    ] {
        assert!(Email::parse(hidden).is_err(), "{hidden:?}");
    }
}

#[test]
fn invalid_international_domains_are_refused() {
    for bad in ["ann@xn--zz.com", "ann@exämple_.com", "ann@ex_ämple.com"] {
        assert!(Email::parse(bad).is_err(), "{bad}");
    }
}

/// Every format character the issue names, and a few more.
const INVISIBLE: &[char] = &[
    '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200e}', '\u{200f}', '\u{61c}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}',
    '\u{feff}', '\u{ad}', '\u{3164}', '\u{115f}',
];

#[test]
fn names_refuse_invisible_formatting_characters() {
    for c in INVISIBLE {
        let text = format!("Ann{c}Lee");
        match UserName::parse(&text) {
            Err(Error::InvalidName { reason }) => {
                assert!(reason.contains("invisible formatting"), "{c:?}: {reason}")
            }
            other => panic!("{c:?} gave {other:?}"),
        }
        assert!(
            matches!(GroupName::parse(&text), Err(Error::InvalidGroupName { .. })),
            "{c:?}"
        );
        assert!(
            matches!(ClientName::parse(&text), Err(Error::InvalidName { .. })),
            "{c:?}"
        );
        assert!(
            matches!(
                Description::parse(&text),
                Err(Error::InvalidDescription { .. })
            ),
            "{c:?}"
        );
    }
}

#[test]
fn emoji_sequences_keep_their_joiners_and_tags() {
    for name in [
        "Zoë 👩\u{200d}👩\u{200d}👧 Ångström",
        "👩\u{1f3fd}\u{200d}💻 Desk",
        "❤\u{fe0f}\u{200d}🔥 Fans",
        "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} Office",
    ] {
        assert!(UserName::parse(name).is_ok(), "{name:?}");
        assert!(ClientName::parse(name).is_ok(), "{name:?}");
        assert!(GroupName::parse(name).is_ok(), "{name:?}");
    }
    for hidden in [
        "a\u{200d}b",
        "👩\u{200d}\u{200d}👩",
        "👩\u{200d}a",
        "1\u{200d}2",
        "Ann\u{e0041}",
        "\u{200d}👩",
    ] {
        assert!(UserName::parse(hidden).is_err(), "{hidden:?}");
    }
}

#[test]
fn names_refuse_line_and_paragraph_separators() {
    for c in ['\u{2028}', '\u{2029}'] {
        let text = format!("Ann{c}Lee");
        assert!(UserName::parse(&text).is_err(), "{c:?}");
        assert!(GroupName::parse(&text).is_err(), "{c:?}");
        assert!(ClientName::parse(&text).is_err(), "{c:?}");
        assert!(Description::parse(&text).is_err(), "{c:?}");
    }
}

#[test]
fn names_need_a_visible_character() {
    for blank in ["\u{301}", "\u{301}\u{302}", "\u{2800}", "\u{2800} \u{20dd}"] {
        match UserName::parse(blank) {
            Err(Error::InvalidName { reason }) => {
                assert!(reason.contains("visible"), "{blank:?}: {reason}")
            }
            other => panic!("{blank:?} gave {other:?}"),
        }
        assert!(GroupName::parse(blank).is_err(), "{blank:?}");
        assert!(ClientName::parse(blank).is_err(), "{blank:?}");
    }
}

#[test]
fn combining_marks_are_capped_per_letter() {
    let four = format!("Ze{}n", "\u{301}\u{302}\u{303}\u{304}");
    let five = format!("Ze{}n", "\u{301}\u{302}\u{303}\u{304}\u{305}");
    assert!(UserName::parse(&four).is_ok());
    match UserName::parse(&five) {
        Err(Error::InvalidName { reason }) => assert!(reason.contains("accents"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(GroupName::parse(&five).is_err());
    assert!(ClientName::parse(&five).is_err());
    assert!(Description::parse(&five).is_err());
    let zalgo: String = "Zalgo"
        .chars()
        .flat_map(|c| {
            [
                c, '\u{336}', '\u{335}', '\u{334}', '\u{337}', '\u{338}', '\u{321}',
            ]
        })
        .collect();
    assert!(UserName::parse(&zalgo).is_err());
    // Real writing stays well under the cap.
    for name in [
        "Nguye\u{302}\u{303}n",
        "Nguyễn Thị Ánh",
        "स्त्री शक्ति",
        "Zoë",
        "Søren",
    ] {
        assert!(UserName::parse(name).is_ok(), "{name}");
    }
}

#[test]
fn group_names_that_look_alike() {
    let group = |name: &str| GroupName::parse(name).unwrap();
    let admins = group("Administrators");
    // Cyrillic А (U+0410) for the Latin A.
    assert!(group("\u{410}dministrators").looks_like(&admins));
    assert!(group("administrators").looks_like(&admins));
    assert!(group("Adm\u{456}n\u{456}strators").looks_like(&admins));
    assert!(group("Sales  Team").looks_like(&group("Sales Team")));
    assert!(group("Cafe\u{301}").looks_like(&group("Café")));
    assert!(group("ＳＡＬＥＳ").looks_like(&group("Sales")));
    assert!(group("lT").looks_like(&group("IT")));
    assert!(!group("Sales").looks_like(&group("Support")));
    assert!(!group("Administrators").looks_like(&group("Administration")));
    assert!(!group("Иван").looks_like(&group("Ivan")));
}
