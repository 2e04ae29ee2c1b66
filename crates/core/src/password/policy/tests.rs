use super::*;
use crate::password::{generate, generate_passphrase, GeneratorOptions, PassphraseOptions};
use proptest::prelude::*;

fn nobody() -> PolicyContext<'static> {
    PolicyContext::default()
}

fn ada() -> PolicyContext<'static> {
    PolicyContext {
        name: "Ada King Lovelace",
        email: "a.lovelace@example.org",
        company: None,
    }
}

fn problems(
    policy: &PasswordPolicy,
    password: &str,
    context: &PolicyContext,
) -> Vec<PolicyProblem> {
    policy
        .check(&PlainPassword::new(password), context)
        .problems
}

#[test]
fn every_entry_of_the_old_blocklist_is_still_refused() {
    let text = include_str!("../../../data/common-passwords.txt");
    let lines: Vec<&str> = text.lines().filter(|line| !line.is_empty()).collect();
    assert_eq!(lines.len(), 30_000);
    assert!(lines.iter().all(|line| is_breached(&list_form(line))));
}

#[test]
fn minimum_length_must_be_8_to_64() {
    assert_eq!(PasswordPolicy::default().min_length, 12);
    for valid in [8, 12, 64] {
        assert_eq!(PasswordPolicy::new(valid).map(|p| p.min_length), Ok(valid));
    }
    for invalid in [0, 7, 65, usize::MAX] {
        assert!(matches!(
            PasswordPolicy::new(invalid),
            Err(PasswordError::InvalidPolicy { .. })
        ));
    }
}

#[test]
fn short_passwords_are_refused() {
    let policy = PasswordPolicy::default();
    assert_eq!(
        problems(&policy, "qz7#kfm2vb", &nobody()),
        vec![PolicyProblem::TooShort { min: 12 }]
    );
    assert_eq!(problems(&policy, "qz7#kfm2vb9w", &nobody()), vec![]);
}

#[test]
fn length_counts_characters_not_bytes() {
    let policy = PasswordPolicy::new(8).expect("valid");
    // 8 characters, 12 bytes.
    assert!(!problems(&policy, "žluťoučk", &nobody()).contains(&PolicyProblem::TooShort { min: 8 }));
    assert!(problems(&policy, "žluťouč", &nobody()).contains(&PolicyProblem::TooShort { min: 8 }));
    let long = "ž".repeat(MAX_LENGTH);
    assert!(
        !problems(&policy, &long, &nobody()).contains(&PolicyProblem::TooLong { max: MAX_LENGTH })
    );
}

#[test]
fn up_to_128_characters_are_accepted_and_longer_refused() {
    let policy = PasswordPolicy::default();
    let fitting = "Kx9!mQ2#vL7pR4$w".repeat(8);
    assert_eq!(fitting.chars().count(), 128);
    assert_eq!(problems(&policy, &fitting, &nobody()), vec![]);
    let too_long = format!("{fitting}z");
    assert_eq!(
        problems(&policy, &too_long, &nobody()),
        vec![PolicyProblem::TooLong { max: 128 }]
    );
    let huge = "a".repeat(100_000);
    assert!(problems(&policy, &huge, &nobody()).contains(&PolicyProblem::TooLong { max: 128 }));
}

#[test]
fn no_composition_rules() {
    let policy = PasswordPolicy::default();
    assert_eq!(
        problems(&policy, "purple elephants dance slowly", &nobody()),
        vec![]
    );
    assert_eq!(problems(&policy, "9318274650192837", &nobody()), vec![]);
}

#[test]
fn common_passwords_are_refused_whatever_their_case() {
    let policy = PasswordPolicy::new(8).expect("valid");
    for common in [
        "password", "PassWord", "12345678", "iloveyou", "FOOTBALL", "trustno1",
    ] {
        assert!(
            problems(&policy, common, &nobody()).contains(&PolicyProblem::Common),
            "{common}"
        );
    }
    assert!(!problems(&policy, "quizzical-harbour-7", &nobody()).contains(&PolicyProblem::Common));
}

#[test]
fn email_local_part_is_refused() {
    let policy = PasswordPolicy::default();
    let verdict = problems(&policy, "xxA.LoveLace-2024xx", &ada());
    assert!(verdict.contains(&PolicyProblem::ContainsEmail));
    // The domain alone is not refused.
    assert!(
        !problems(&policy, "example.org!4791zq", &ada()).contains(&PolicyProblem::ContainsEmail)
    );
    // A local part shorter than three characters is ignored.
    let short = PolicyContext {
        name: "",
        email: "jo@example.org",
        company: None,
    };
    assert_eq!(
        problems(&policy, "jovial-quartz-lantern-91", &short),
        vec![]
    );
}

#[test]
fn name_words_and_whole_name_are_refused() {
    let policy = PasswordPolicy::default();
    for password in [
        "ilovelovelace99",
        "KING-of-the-hill-7",
        "my name is ADA KING LOVELACE",
    ] {
        assert!(
            problems(&policy, password, &ada()).contains(&PolicyProblem::ContainsName),
            "{password}"
        );
    }
    let short_words = PolicyContext {
        name: "Al Li",
        email: "",
        company: None,
    };
    assert!(
        problems(&policy, "quietALLIgatorz9", &short_words).contains(&PolicyProblem::ContainsName)
    );
    assert!(problems(&policy, "quiet al li gatorz9", &short_words)
        .contains(&PolicyProblem::ContainsName));
    assert!(!problems(&policy, "quiet al gator li z9", &short_words)
        .contains(&PolicyProblem::ContainsName));
}

#[test]
fn empty_context_refuses_nothing_personal() {
    let policy = PasswordPolicy::default();
    let empty = PolicyContext {
        name: "  ",
        email: "",
        company: None,
    };
    assert_eq!(problems(&policy, "any long password 42", &empty), vec![]);
}

#[test]
fn several_problems_are_all_reported() {
    let policy = PasswordPolicy::default();
    let context = PolicyContext {
        name: "Dragon",
        email: "dragon@example.org",
        company: None,
    };
    assert_eq!(
        problems(&policy, "Dragon", &context),
        vec![
            PolicyProblem::TooShort { min: 12 },
            PolicyProblem::Common,
            PolicyProblem::ContainsEmail,
            PolicyProblem::ContainsName,
        ]
    );
}

#[test]
fn enforce_returns_the_problems_as_an_error() {
    let policy = PasswordPolicy::default();
    let password = PlainPassword::new("password");
    let error = policy
        .enforce(&password, &nobody())
        .expect_err("must be refused");
    assert_eq!(
        error,
        PasswordError::Policy(vec![
            PolicyProblem::TooShort { min: 12 },
            PolicyProblem::Common
        ])
    );
    assert_eq!(
        error.to_string(),
        "Use at least 12 characters. This password is on the list of commonly used passwords."
    );
    assert!(!format!("{error:?}").contains("password\""));
    assert_eq!(
        policy.enforce(&PlainPassword::new("vivid-otter-juggles-42"), &nobody()),
        Ok(())
    );
}

#[test]
fn problem_messages() {
    assert_eq!(
        PolicyProblem::TooShort { min: 12 }.to_string(),
        "Use at least 12 characters."
    );
    assert_eq!(
        PolicyProblem::TooLong { max: 128 }.to_string(),
        "Use at most 128 characters."
    );
    assert_eq!(
        PolicyProblem::Common.to_string(),
        "This password is on the list of commonly used passwords."
    );
    assert_eq!(
        PolicyProblem::ContainsEmail.to_string(),
        "The password must not contain the email address."
    );
    assert_eq!(
        PolicyProblem::ContainsName.to_string(),
        "The password must not contain the user's name."
    );
}

#[test]
fn strength_reflects_zxcvbn() {
    let policy = PasswordPolicy::default();
    let weak = policy
        .check(&PlainPassword::new("password"), &nobody())
        .strength;
    assert_eq!((weak.score, weak.label), (0, "Very weak"));
    assert!(weak.warning.is_some());
    assert!(!weak.crack_time.is_empty());

    let strong = policy
        .check(
            &PlainPassword::new("correct-zebra-quartz-lantern-91"),
            &nobody(),
        )
        .strength;
    assert_eq!((strong.score, strong.label), (4, "Very strong"));
    assert_eq!(strong.warning, None);

    let empty = policy.check(&PlainPassword::new(""), &nobody()).strength;
    assert_eq!(empty.score, 0);
}

#[test]
fn strength_knows_the_users_own_details() {
    let policy = PasswordPolicy::new(8).expect("valid");
    let context = PolicyContext {
        name: "Zebulon Quixotic",
        email: "zquixotic@example.org",
        company: None,
    };
    let without = policy
        .check(&PlainPassword::new("quixoticzebulon"), &nobody())
        .strength;
    let with = policy
        .check(&PlainPassword::new("quixoticzebulon"), &context)
        .strength;
    assert!(with.score < without.score, "{with:?} vs {without:?}");
}

#[test]
fn labels_cover_every_score() {
    let labels: Vec<&str> = (0..=4u8).map(Strength::label).collect();
    assert_eq!(
        labels,
        ["Very weak", "Weak", "Fair", "Strong", "Very strong"]
    );
}

#[test]
fn verdict_serializes_with_codes_and_messages() {
    let policy = PasswordPolicy::default();
    let verdict = policy.check(&PlainPassword::new("password"), &nobody());
    assert!(!verdict.is_acceptable());
    let json = serde_json::to_value(&verdict).expect("serializable");
    assert_eq!(
        json["problems"],
        serde_json::json!([
            {"code": "too_short", "message": "Use at least 12 characters."},
            {"code": "common", "message": "This password is on the list of commonly used passwords."},
        ])
    );
    assert_eq!(json["strength"]["score"], 0);
    assert_eq!(json["strength"]["label"], "Very weak");
    assert!(json["strength"]["crack_time"].is_string());
    assert!(json["strength"]["suggestions"].is_array());
    assert!(!json.to_string().contains("\"password\""));
}

fn acme() -> PolicyContext<'static> {
    PolicyContext {
        name: "Kemi Oyelaran",
        email: "k.oyelaran@globex.example",
        company: Some("Globex Corporation"),
    }
}

/// The first guessability problem of a password, for a policy of 8.
fn judged(password: &str) -> Vec<PolicyProblem> {
    problems(&PasswordPolicy::new(8).expect("valid"), password, &nobody())
}

#[test]
fn the_examples_of_issue_17_are_refused() {
    let policy = PasswordPolicy::default();
    for password in [
        "123456789012",
        "111111111111",
        "password123456",
        "qwertyqwerty",
        "administrator",
        "international",
    ] {
        assert_eq!(
            problems(&policy, password, &nobody()),
            vec![PolicyProblem::Common],
            "{password}"
        );
    }
    // Were they not on the list, other rules would still refuse them.
    assert_eq!(
        guessability_without_the_list("123456789012"),
        Some(PolicyProblem::Sequential)
    );
    assert_eq!(
        guessability_without_the_list("111111111111"),
        Some(PolicyProblem::Repetitive)
    );
    assert_eq!(
        guessability_without_the_list("qwertyqwerty"),
        Some(PolicyProblem::KeyboardPattern)
    );
    assert_eq!(
        guessability_without_the_list("password123456"),
        Some(PolicyProblem::DictionaryWord)
    );
    assert_eq!(
        guessability_without_the_list("administrator"),
        Some(PolicyProblem::DictionaryWord)
    );
    assert_eq!(
        guessability_without_the_list("international"),
        Some(PolicyProblem::DictionaryWord)
    );
}

fn guessability_without_the_list(text: &str) -> Option<PolicyProblem> {
    guessability_against(text, |_| false)
}

#[test]
fn repetitive_passwords_are_refused() {
    for password in [
        "zzzzzzzzzzzzzzzzzzzzzz",
        "ÄÄÄÄÄÄÄÄÄÄÄÄ",
        "abababababababab",
        "xK9#xK9#xK9#xK9#",
        "sunflowersunflower",
    ] {
        assert_eq!(
            judged(password),
            vec![PolicyProblem::Repetitive],
            "{password}"
        );
    }
}

#[test]
fn sequential_passwords_are_refused() {
    for password in [
        "zyxwvutsrqponm",
        "13579bdfhjlnprt",
        "1234abcd5678efgh",
        "aaaa1234bbbb5678",
        "2468024680246",
        "ＺＹＸＷＶＵＴＳＲＱＰＯＮＭ",
    ] {
        assert_eq!(
            judged(password),
            vec![PolicyProblem::Sequential],
            "{password}"
        );
    }
}

#[test]
fn keyboard_walks_are_refused() {
    for password in [
        "zxcvbnm,./asdfgh",
        "ujmnhytgbvfr",
        "!QAZ@WSX#EDC$RFV",
        "qwertzuiopü+",
        "ölkjhgfdsayxcv",
        "147258369147258369147",
    ] {
        assert_eq!(
            judged(password),
            vec![PolicyProblem::KeyboardPattern],
            "{password}"
        );
    }
}

#[test]
fn repeated_keyboard_walks_are_refused() {
    for password in [
        "qwertyqwertyqwertyqwerty",
        "1q2w3e4r1q2w3e4r1q2w3e4r",
        "zaq1xsw2cde3zaq1xsw2cde3",
        "asdf;lkjasdf;lkj",
    ] {
        assert_eq!(
            judged(password),
            vec![PolicyProblem::KeyboardPattern],
            "{password}"
        );
    }
}

#[test]
fn single_dictionary_words_of_several_languages_are_refused() {
    for password in [
        "typewriters",
        "krankenhaus",
        "Handschuhe",
        "papillons",
        "parapluie",
        "contraseñas",
        "administración",
        "farfalle",
        "borboletas",
        "vlinders",
    ] {
        assert_eq!(
            judged(password),
            vec![PolicyProblem::DictionaryWord],
            "{password}"
        );
    }
}

#[test]
fn a_dictionary_word_with_a_few_digits_or_symbols_is_refused() {
    for password in [
        "administrator2024",
        "Schmetterling!!",
        "1987borboletas",
        "administrator654321",
        "#contraseñas#",
        "krankenhaus2024",
    ] {
        assert_eq!(
            judged(password),
            vec![PolicyProblem::DictionaryWord],
            "{password}"
        );
    }
    // Enough unguessable characters besides the word make it acceptable.
    assert_eq!(judged("administrator-7Qz!k9Xw"), vec![]);
}

#[test]
fn roster_the_company_and_email_parts_are_refused() {
    let policy = PasswordPolicy::default();
    for password in [
        "my-ROSTER-login-4471",
        "globex-sunrise-4471",
        "GlobexCorporation#88",
    ] {
        assert_eq!(
            problems(&policy, password, &acme()),
            vec![PolicyProblem::ContainsContextWord],
            "{password}"
        );
    }
    assert_eq!(
        problems(&policy, "my-ROSTER-login-4471", &nobody()),
        vec![PolicyProblem::ContainsContextWord]
    );
    // Without a company name, its words are not refused.
    assert_eq!(problems(&policy, "globex-sunrise-4471", &nobody()), vec![]);
    // A piece of the email's local part, not only the whole of it.
    assert_eq!(
        problems(&policy, "oyelaran-tundra-88!", &acme()),
        vec![PolicyProblem::ContainsEmail, PolicyProblem::ContainsName]
    );
    let email_only = PolicyContext {
        email: "k.oyelaran@globex.example",
        ..PolicyContext::default()
    };
    assert_eq!(
        problems(&policy, "oyelaran-tundra-88!", &email_only),
        vec![PolicyProblem::ContainsEmail]
    );
}

#[test]
fn breached_passwords_are_refused_including_those_only_on_the_new_list() {
    for password in [
        // On the old 30,000-entry list too.
        "password1234",
        // Only on the new list.
        "01tairon1987",
        "!benjamin98!",
    ] {
        assert_eq!(judged(password), vec![PolicyProblem::Common], "{password}");
    }
}

#[test]
fn passwords_zxcvbn_rates_below_strong_are_refused() {
    for password in ["johnsmith1985", "jojojojojojojo!7Q"] {
        let verdict = PasswordPolicy::default().check(&PlainPassword::new(password), &nobody());
        assert!(
            verdict.strength.score < MIN_SCORE,
            "{password}: {verdict:?}"
        );
        assert_eq!(verdict.problems, vec![PolicyProblem::TooWeak], "{password}");
    }
}

#[test]
fn control_and_invisible_characters_are_refused() {
    let policy = PasswordPolicy::default();
    for password in [
        "glacier\0meadow-7Qz",
        "glacier\tmeadow-7Qz",
        "glacier\nmeadow-7Qz",
        "glacier\u{7f}meadow-7Qz",
        "glacier\u{200b}meadow-7Qz",
        "\u{feff}glacier-meadow-7Qz",
        "glacier\u{202e}meadow-7Qz",
    ] {
        assert_eq!(
            problems(&policy, password, &nobody()),
            vec![PolicyProblem::ForbiddenCharacters],
            "{password:?}"
        );
    }
    assert_eq!(
        PolicyProblem::ForbiddenCharacters.to_string(),
        "The password must not contain control characters, such as tabs or line breaks, or invisible formatting characters."
    );
    // Visible non-ASCII text is fine.
    assert_eq!(
        problems(&policy, "Grüße aus Köln 🌧 nach Zürich", &nobody()),
        vec![]
    );
}

#[test]
fn passwords_are_judged_in_their_nfkc_form() {
    let policy = PasswordPolicy::default();
    // Fullwidth "PASSWORD1234", a common password once normalised.
    assert_eq!(
        problems(&policy, "ＰＡＳＳＷＯＲＤ１２３４", &nobody()),
        vec![PolicyProblem::Common]
    );
    // Fullwidth digits, "123456789012" once normalised.
    assert_eq!(
        problems(&policy, "１２３４５６７８９０１２", &nobody()),
        vec![PolicyProblem::Common]
    );
    // Fullwidth letters in sequence.
    assert_eq!(
        problems(&policy, "ｚｙｘｗｖｕｔｓｒｑｐｏｎｍ", &nobody()),
        vec![PolicyProblem::Sequential]
    );
    // A letter and its combining accent count as one character once
    // composed: 10 characters here, not 12.
    assert!(problems(&policy, "Cafe\u{301}-Mu\u{308}nch", &nobody())
        .contains(&PolicyProblem::TooShort { min: 12 }));
}

#[test]
fn strong_passwords_and_passphrases_are_accepted() {
    let policy = PasswordPolicy::default();
    for password in [
        "orbit velvet canyon lantern",
        "purple elephants dance slowly",
        "vivid-otter-juggles-42",
        "Kx9!mQ2#vL7pR4$w",
        "Grüße aus Köln 🌧 nach Zürich",
    ] {
        assert_eq!(problems(&policy, password, &acme()), vec![], "{password}");
    }
}

#[test]
fn new_problem_messages_are_sentences_with_codes() {
    for (problem, code) in [
        (PolicyProblem::ForbiddenCharacters, "forbidden_characters"),
        (PolicyProblem::Repetitive, "repetitive"),
        (PolicyProblem::Sequential, "sequential"),
        (PolicyProblem::KeyboardPattern, "keyboard_pattern"),
        (PolicyProblem::DictionaryWord, "dictionary_word"),
        (PolicyProblem::TooWeak, "too_weak"),
        (PolicyProblem::ContainsContextWord, "contains_context_word"),
    ] {
        assert_eq!(problem.code(), code);
        let message = problem.to_string();
        assert!(message.ends_with('.'), "{message}");
        assert!(message.chars().next().is_some_and(char::is_uppercase));
    }
}

proptest! {
    #[test]
    fn generated_passwords_of_16_or_more_characters_always_pass(
        length in 16..=MAX_LENGTH,
        classes in any::<[bool; 4]>()
            .prop_filter("at least one class", |classes| classes.iter().any(|c| *c)),
        exclude_ambiguous in any::<bool>(),
    ) {
        let options = GeneratorOptions {
            length,
            lowercase: classes[0],
            uppercase: classes[1],
            digits: classes[2],
            symbols: classes[3],
            exclude_ambiguous,
        };
        let password = generate(&options)
            .map_err(|error| TestCaseError::fail(error.to_string()))?;
        let verdict = PasswordPolicy::default().check(&password, &nobody());
        prop_assert_eq!(verdict.problems, vec![]);
    }

    #[test]
    fn generated_passphrases_of_four_or_more_words_always_pass(
        words in 4..=10usize,
        separator in "[ ._+=-]",
        capitalize in any::<bool>(),
    ) {
        let options = PassphraseOptions { words, separator, capitalize };
        let passphrase = generate_passphrase(&options)
            .map_err(|error| TestCaseError::fail(error.to_string()))?;
        let verdict = PasswordPolicy::default().check(&passphrase, &nobody());
        prop_assert_eq!(verdict.problems, vec![]);
    }
}

#[test]
fn the_generator_draws_again_for_whatever_the_policy_finds_guessable() {
    // Not on the breached list, but runs, sequences and walks end to end.
    for guessable in [
        "9876543298765432",
        "2345678923456789234",
        "345678987654345678",
    ] {
        assert!(
            refused_for_everyone(&PlainPassword::new(guessable)),
            "{guessable}"
        );
    }
    for ordinary in ["qz7#kfm2vb9w", "kx9!mq2#vl7pr4$w", "vivid-otter-juggles-42"] {
        assert!(
            !refused_for_everyone(&PlainPassword::new(ordinary)),
            "{ordinary}"
        );
    }
}
