//! Outgoing mail, as the services see it: a [`Message`] (plain text and
//! HTML) handed to a [`Mailer`]. The services send only after their change
//! has committed, so a failed send never undoes a change; they say what could
//! not be sent instead.
//!
//! An installation without a mail server has no mailer, and the services then
//! offer nothing that needs one (email sign-in codes, sending credentials).

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::domain::{Email, TwoFactor};
use crate::password::PlainPassword;

/// The product name mail is signed with.
pub const PRODUCT: &str = "Roster";

/// One message to one person. Its Debug output leaves out the body, which
/// may hold a password or a code.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    pub to: Email,
    /// The recipient's name, for the To header.
    pub to_name: String,
    /// Never holds a password or a code.
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("to", &self.to)
            .field("to_name", &self.to_name)
            .field("subject", &self.subject)
            .field("text", &format_args!("<{} bytes>", self.text.len()))
            .field("html", &format_args!("<{} bytes>", self.html.len()))
            .finish()
    }
}

/// What became of a message a service was asked to send, once its change
/// had committed: the desktop offers the hand-over panel unless it was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Delivery {
    /// Nobody asked for it to be sent.
    NotRequested,
    /// The mail server accepted it.
    Sent,
    /// It could not be sent; `reason` is a [`MailError`]'s sentence.
    Failed { reason: String },
}

impl Delivery {
    pub fn is_sent(&self) -> bool {
        matches!(self, Delivery::Sent)
    }
}

/// Why a message could not be sent, for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("The mail server {server} refused the connection or could not be reached ({detail}).")]
    Unreachable { server: String, detail: String },
    #[error("The mail server {server} presented a certificate that cannot be trusted ({detail}).")]
    Certificate { server: String, detail: String },
    #[error("The mail server {server} could not set up a secure connection ({detail}); check the port and the connection security.")]
    Secure { server: String, detail: String },
    #[error("The mail server {server} did not accept the user name and password.")]
    Credentials { server: String },
    #[error("The mail server {server} refused the message ({detail}).")]
    Refused { server: String, detail: String },
    #[error("The mail settings are not usable: {reason}")]
    Settings { reason: String },
}

/// Something that delivers messages: SMTP in the app, a recorder in tests.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: &Message) -> Result<(), MailError>;
}

/// Escapes text for the HTML part of a message.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The email carrying a sign-in code. The code is in the body only, never in
/// the subject, which lock screens and mail lists show.
pub fn sign_in_code(to: &Email, to_name: &str, code: &str, minutes: i64) -> Message {
    let text = format!(
        "Hello {to_name},\n\n\
         Your {PRODUCT} sign-in code is:\n\n    {code}\n\n\
         Enter it in {PRODUCT} to finish signing in. It works once, for {minutes} minutes.\n\n\
         If you did not just sign in to {PRODUCT}, someone knows your password: \
         change it and tell your administrator.\n"
    );
    let html = format!(
        "<!doctype html><html><body style=\"font-family: sans-serif\">\
         <p>Hello {name},</p>\
         <p>Your {PRODUCT} sign-in code is:</p>\
         <p style=\"font-size: 1.6em; font-family: monospace; letter-spacing: 0.2em\"><strong>{code}</strong></p>\
         <p>Enter it in {PRODUCT} to finish signing in. It works once, for {minutes} minutes.</p>\
         <p>If you did not just sign in to {PRODUCT}, someone knows your password: \
         change it and tell your administrator.</p></body></html>",
        name = escape_html(to_name),
        code = escape_html(code),
    );
    Message {
        to: to.clone(),
        to_name: to_name.to_owned(),
        subject: format!("Your {PRODUCT} sign-in code"),
        text,
        html,
    }
}

/// Why an account's credentials are being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsOccasion {
    NewAccount,
    PasswordReset,
}

/// The email carrying a user's credentials: where and how to sign in, and
/// the password. The password is in the body only, never in the subject.
pub fn credentials(
    to: &Email,
    to_name: &str,
    password: &PlainPassword,
    must_change_password: bool,
    two_factor: TwoFactor,
    occasion: CredentialsOccasion,
) -> Message {
    let (subject, opening) = match occasion {
        CredentialsOccasion::NewAccount => (
            format!("Your {PRODUCT} account"),
            format!("An account was created for you in {PRODUCT}."),
        ),
        CredentialsOccasion::PasswordReset => (
            format!("Your new {PRODUCT} password"),
            format!("An administrator set a new password for your {PRODUCT} account."),
        ),
    };
    let mut after = Vec::new();
    if must_change_password {
        after.push("When you sign in, you will be asked to choose a new password.".to_owned());
    }
    match two_factor {
        TwoFactor::Totp => after.push(format!(
            "{PRODUCT} also asks for a code from an authenticator app; \
             the first time, it shows you how to set one up."
        )),
        TwoFactor::EmailCode => after.push(format!(
            "Each time you sign in, {PRODUCT} also emails you a code to enter."
        )),
        TwoFactor::Off => {}
    }
    let closing = match occasion {
        CredentialsOccasion::NewAccount => {
            "Keep this message private, and delete it once you have signed in."
        }
        CredentialsOccasion::PasswordReset => {
            "Keep this message private, and delete it once you have signed in. \
             If you did not expect a new password, tell your administrator."
        }
    };
    let text = format!(
        "Hello {to_name},\n\n{opening}\n\nSign in with:\n\n    \
         Email address: {email}\n    Password: {password}\n\n{after}{closing}\n",
        email = to.as_str(),
        password = password.expose(),
        after = after
            .iter()
            .map(|line| format!("{line}\n\n"))
            .collect::<String>(),
    );
    let html = format!(
        "<!doctype html><html><body style=\"font-family: sans-serif\">\
         <p>Hello {name},</p><p>{opening}</p><p>Sign in with:</p>\
         <table style=\"margin-left: 1.5em\">\
         <tr><td>Email address:</td><td><strong>{email}</strong></td></tr>\
         <tr><td>Password:</td><td style=\"font-family: monospace; font-size: 1.2em\"><strong>{password}</strong></td></tr>\
         </table>{after}<p>{closing}</p></body></html>",
        name = escape_html(to_name),
        opening = escape_html(&opening),
        email = escape_html(to.as_str()),
        password = escape_html(password.expose()),
        after = after
            .iter()
            .map(|line| format!("<p>{}</p>", escape_html(line)))
            .collect::<String>(),
        closing = escape_html(closing),
    );
    Message {
        to: to.clone(),
        to_name: to_name.to_owned(),
        subject,
        text,
        html,
    }
}

/// A notice about someone's own account, with no secret in it.
fn notice(to: &Email, to_name: &str, subject: String, paragraphs: &[String]) -> Message {
    let greeting = if to_name.trim().is_empty() {
        "Hello,".to_owned()
    } else {
        format!("Hello {to_name},")
    };
    let text = format!(
        "{greeting}\n\n{}",
        paragraphs
            .iter()
            .map(|p| format!("{p}\n\n"))
            .collect::<String>()
            .trim_end()
    ) + "\n";
    let html = format!(
        "<!doctype html><html><body style=\"font-family: sans-serif\"><p>{}</p>{}</body></html>",
        escape_html(&greeting),
        paragraphs
            .iter()
            .map(|p| format!("<p>{}</p>", escape_html(p)))
            .collect::<String>()
    );
    Message {
        to: to.clone(),
        to_name: to_name.to_owned(),
        subject,
        text,
        html,
    }
}

/// Tells a user their account was disabled.
pub fn account_disabled(to: &Email, to_name: &str) -> Message {
    notice(
        to,
        to_name,
        format!("Your {PRODUCT} account was disabled"),
        &[
            format!(
                "An administrator disabled your {PRODUCT} account ({to}), so you can no longer sign in."
            ),
            "If you think this is a mistake, contact your administrator.".to_owned(),
        ],
    )
}

/// Tells a user their two-factor sign-in was reset.
pub fn two_factor_reset(to: &Email, to_name: &str, method: TwoFactor) -> Message {
    let next = match method {
        TwoFactor::Totp => format!(
            "At your next sign-in, {PRODUCT} shows you how to set up your authenticator app again; \
             your old recovery codes no longer work."
        ),
        TwoFactor::EmailCode => {
            "Any sign-in code emailed to you before now no longer works.".to_owned()
        }
        TwoFactor::Off => "Nothing else changes when you sign in.".to_owned(),
    };
    notice(
        to,
        to_name,
        format!("Your {PRODUCT} two-factor sign-in was reset"),
        &[
            format!(
                "An administrator reset the two-factor sign-in of your {PRODUCT} account ({to})."
            ),
            next,
            "If you did not ask for this, tell your administrator.".to_owned(),
        ],
    )
}

/// The message "send test email" sends.
pub fn test_message(to: &Email, sent_by: &str) -> Message {
    notice(
        to,
        "",
        format!("{PRODUCT} test message"),
        &[
            format!(
                "This is a test message from {PRODUCT}, sent by {sent_by}. \
                 If you can read it, {PRODUCT} can send mail with these settings."
            ),
            "You need not do anything.".to_owned(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_in_the_body_and_never_in_the_subject() {
        let to = Email::parse("ann@example.com").unwrap();
        let message = sign_in_code(&to, "Ann <Lee>", "123456", 10);
        assert!(!message.subject.contains("123456"));
        assert!(message.text.contains("123456"));
        assert!(message.html.contains("123456"));
        assert!(message.html.contains("Ann &lt;Lee&gt;"));
        assert!(message.text.contains("10 minutes"));
    }

    const PASSWORD: &str = "Secret-Tulip-Quartz-58";

    fn every_credentials_message() -> Vec<Message> {
        let to = Email::parse("ann@example.com").unwrap();
        let mut all = Vec::new();
        for occasion in [
            CredentialsOccasion::NewAccount,
            CredentialsOccasion::PasswordReset,
        ] {
            for must_change in [false, true] {
                for method in [TwoFactor::Off, TwoFactor::EmailCode, TwoFactor::Totp] {
                    all.push(credentials(
                        &to,
                        "Ann <Lee> & Co",
                        &PlainPassword::new(PASSWORD),
                        must_change,
                        method,
                        occasion,
                    ));
                }
            }
        }
        all
    }

    #[test]
    fn the_password_is_in_the_body_and_never_in_the_subject() {
        for message in every_credentials_message() {
            assert!(!message.subject.contains(PASSWORD), "{}", message.subject);
            assert!(message.text.contains(PASSWORD));
            assert!(message.html.contains(PASSWORD));
            assert!(message.text.contains("Email address: ann@example.com"));
            let debug = format!("{message:?}");
            assert!(!debug.contains(PASSWORD), "{debug}");
        }
    }

    #[test]
    fn names_are_escaped_in_html() {
        for message in every_credentials_message() {
            assert!(
                message.html.contains("Ann &lt;Lee&gt; &amp; Co"),
                "{}",
                message.html
            );
            assert!(!message.html.contains("<Lee>"));
            assert!(message.text.contains("Hello Ann <Lee> & Co,"));
        }
        let to = Email::parse("ann@example.com").unwrap();
        for message in [
            account_disabled(&to, "<b>Ann</b>"),
            two_factor_reset(&to, "<b>Ann</b>", TwoFactor::Totp),
        ] {
            assert!(
                message.html.contains("&lt;b&gt;Ann&lt;/b&gt;"),
                "{}",
                message.html
            );
            assert!(!message.html.contains("<b>Ann"));
        }
    }

    #[test]
    fn a_forced_change_is_announced() {
        let to = Email::parse("ann@example.com").unwrap();
        let password = PlainPassword::new(PASSWORD);
        let forced = credentials(
            &to,
            "Ann",
            &password,
            true,
            TwoFactor::Off,
            CredentialsOccasion::NewAccount,
        );
        let kept = credentials(
            &to,
            "Ann",
            &password,
            false,
            TwoFactor::Off,
            CredentialsOccasion::NewAccount,
        );
        assert!(forced.text.contains("asked to choose a new password"));
        assert!(!kept.text.contains("asked to choose a new password"));
    }

    #[test]
    fn notices_name_the_account_and_carry_no_secret() {
        let to = Email::parse("ann@example.com").unwrap();
        let disabled = account_disabled(&to, "Ann");
        assert!(disabled.subject.contains("disabled"));
        assert!(disabled.text.contains("ann@example.com"));
        let reset = two_factor_reset(&to, "Ann", TwoFactor::Totp);
        assert!(reset.text.contains("authenticator app"));
        let test = test_message(&to, "ada@example.com");
        assert!(test.text.contains("ada@example.com"));
        assert_eq!(test.to_name, "");
    }

    #[test]
    fn a_delivery_serialises_with_its_status() {
        assert_eq!(
            serde_json::to_value(Delivery::Failed {
                reason: "down".into()
            })
            .unwrap(),
            serde_json::json!({"status": "failed", "reason": "down"})
        );
        assert_eq!(
            serde_json::to_value(Delivery::NotRequested).unwrap(),
            serde_json::json!({"status": "not_requested"})
        );
    }
}
