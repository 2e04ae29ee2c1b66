//! Look-alike identities (security issue 17) through the services, on every
//! store: addresses that are one mailbox however their domain is written,
//! group names that look like another group's, and the name and address
//! rules on the paths that create and edit users, groups and clients.

mod smtp_sink;
mod support;

use std::sync::Arc;

use roster_core::clients::{ClientChanges, NewClient};
use roster_core::directory::UserChanges;
use roster_core::domain::Email;
use roster_core::smtp::{MailSecurity, MailSettings, SmtpMailer};
use roster_core::store::ADMINISTRATORS;
use roster_core::Error;
use secrecy::SecretString;
use smtp_sink::{Sink, PASSWORD, USER};
use support::*;

every_store!(an_address_is_taken_however_its_domain_is_written);
async fn an_address_is_taken_however_its_domain_is_written(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    let mut ann = new_user("Ann Lee", &[sales.id]);
    ann.email = "ann@exämple.com".into();
    let ann = world
        .directory
        .create_user(&world.admin, ann)
        .await
        .expect("create ann")
        .user;
    assert_eq!(ann.email.as_str(), "ann@exämple.com");
    let before = world.snapshot().await;
    for same in [
        "ann@xn--exmple-cua.com",
        "ANN@EXÄMPLE.COM",
        "ann@exa\u{308}mple.com",
    ] {
        let mut twin = new_user("Ann Twin", &[sales.id]);
        twin.email = same.into();
        let result = world.directory.create_user(&world.admin, twin).await;
        assert!(
            matches!(result, Err(Error::EmailTaken { .. })),
            "{same}: {result:?}"
        );
    }
    // Editing another user onto the punycode form is refused too.
    let bo = world.user_in("Bo Berg", &[sales.id]).await;
    let before_edit = world.snapshot().await;
    let result = world
        .directory
        .update_user(
            &world.admin,
            bo.id,
            UserChanges {
                version: bo.version,
                email: Some("Ann@xn--EXMPLE-cua.com".into()),
                ..UserChanges::default()
            },
        )
        .await;
    assert!(
        matches!(result, Err(Error::EmailTaken { .. })),
        "{result:?}"
    );
    assert_eq!(world.snapshot().await, before_edit);
    assert_eq!(before.users.len() + 1, before_edit.users.len());
    // And the address finds its user in either form.
    for form in ["ann@xn--exmple-cua.com", "Ann@Exämple.com"] {
        let operator = world.directory.act_as(form).await.expect(form);
        assert_eq!(operator.id(), ann.id, "{form}");
    }
}

every_store!(look_alike_and_unsendable_addresses_are_refused_for_users);
async fn look_alike_and_unsendable_addresses_are_refused_for_users(backend: Backend) {
    let world = World::on(backend).await;
    let before = world.snapshot().await;
    for bad in [
        "ann@p\u{430}ypal.com",
        "\u{440}\u{430}\u{443}@example.com",
        "\"john smith\"@example.com",
        "ann\u{200b}@example.com",
    ] {
        let mut user = new_user("Ann Lee", &[ADMINISTRATORS]);
        user.email = bad.into();
        let result = world.directory.create_user(&world.admin, user).await;
        assert!(
            matches!(result, Err(Error::InvalidEmail { .. })),
            "{bad}: {result:?}"
        );
    }
    assert_eq!(world.snapshot().await, before);
}

every_store!(a_group_name_that_looks_like_an_existing_one_is_refused);
async fn a_group_name_that_looks_like_an_existing_one_is_refused(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    let before = world.snapshot().await;
    // Cyrillic А (U+0410) for the Latin A.
    let created = world
        .directory
        .create_group(&world.admin, "\u{410}dministrators", "", Default::default())
        .await;
    match &created {
        Err(error @ Error::GroupNameLookAlike { existing, .. }) => {
            assert_eq!(existing, "Administrators");
            assert_eq!(error.field(), Some("name"));
            assert!(
                error
                    .to_string()
                    .contains("looks the same as the existing group “Administrators”"),
                "{error}"
            );
        }
        other => panic!("{other:?}"),
    }
    let spaced = world
        .directory
        .create_group(&world.admin, "S\u{430}les", "", Default::default())
        .await;
    assert!(
        matches!(spaced, Err(Error::GroupNameLookAlike { .. })),
        "{spaced:?}"
    );
    assert_eq!(world.snapshot().await, before);

    // Renaming another group to a look-alike is refused …
    let team = world.group("Team", &[]).await;
    let before = world.snapshot().await;
    let renamed = world.rename_group(&team, "\u{405}ales").await;
    assert!(
        matches!(renamed, Err(Error::GroupNameLookAlike { .. })),
        "{renamed:?}"
    );
    assert_eq!(world.snapshot().await, before);
    // … while a group may still be renamed to a form of its own name.
    let own = world
        .rename_group(&sales, "SALES")
        .await
        .expect("rename to its own name in capitals");
    assert_eq!(own.name.as_str(), "SALES");
}

every_store!(invisible_characters_are_refused_in_group_user_and_client_names);
async fn invisible_characters_are_refused_in_group_user_and_client_names(backend: Backend) {
    let world = World::on(backend).await;
    let before = world.snapshot().await;
    let group = world
        .directory
        .create_group(&world.admin, "Sales\u{202e}", "", Default::default())
        .await;
    assert!(
        matches!(group, Err(Error::InvalidGroupName { .. })),
        "{group:?}"
    );
    let mut hidden = new_user("Ann Lee", &[ADMINISTRATORS]);
    hidden.name = "Ann\u{200b}Lee".into();
    let user = world.directory.create_user(&world.admin, hidden).await;
    assert!(matches!(user, Err(Error::InvalidName { .. })), "{user:?}");
    let client = world
        .directory
        .create_client(
            &world.admin,
            NewClient {
                name: "\u{2066}Acme\u{2069}".into(),
                email: None,
                phone: None,
                country: None,
                account_manager: None,
            },
        )
        .await;
    assert!(
        matches!(client, Err(Error::InvalidName { .. })),
        "{client:?}"
    );
    assert_eq!(world.snapshot().await, before);
}

every_store!(client_emails_follow_the_same_rules);
async fn client_emails_follow_the_same_rules(backend: Backend) {
    let world = World::on(backend).await;
    let client = world
        .directory
        .create_client(
            &world.admin,
            NewClient {
                name: "Acme".into(),
                email: Some("orders@exämple.com".into()),
                phone: None,
                country: None,
                account_manager: None,
            },
        )
        .await
        .expect("an international domain is fine");
    assert_eq!(client.email.as_deref(), Some("orders@exämple.com"));
    for bad in ["orders@p\u{430}ypal.com", "\"orders desk\"@example.com"] {
        let result = world
            .directory
            .update_client(
                &world.admin,
                client.id,
                ClientChanges {
                    version: client.version,
                    email: Some(Some(bad.into())),
                    ..ClientChanges::default()
                },
            )
            .await;
        assert!(
            matches!(result, Err(Error::InvalidEmail { .. })),
            "{bad}: {result:?}"
        );
    }
}

/// The mail server is handed an international domain in punycode, so the
/// address needs no SMTPUTF8; what the user typed is kept for people.
#[tokio::test]
async fn mail_to_an_international_domain_goes_to_its_punycode_form() {
    let sink = Sink::accepting();
    let world = World::new().await;
    let settings = MailSettings {
        host: "127.0.0.1".into(),
        port: sink.port(),
        security: MailSecurity::None,
        user: Some(USER.into()),
        sender_address: Email::parse("roster@exämple.com").expect("sender"),
        sender_name: "Roster".into(),
    };
    let saved = world
        .directory
        .update_mail_settings(&world.admin, Some(settings))
        .await
        .expect("mail settings saved")
        .expect("settings");
    let mailer =
        SmtpMailer::new(saved, Some(SecretString::from(PASSWORD.to_owned()))).expect("a mailer");
    world.directory.set_mailer(Some(Arc::new(mailer)));
    world
        .directory
        .send_test_email(&world.admin, "Ann@EXÄMPLE.com")
        .await
        .expect("sent");
    let message = sink.only();
    assert_eq!(message.to, vec!["Ann@xn--exmple-cua.com".to_owned()]);
    assert_eq!(message.from, "roster@xn--exmple-cua.com");
}
