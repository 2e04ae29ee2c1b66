//! Steps several tests share, written as a person would do them, and the
//! people they create.

use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use totp_rs::{Algorithm, Builder, Secret};

use crate::Session;

/// The first administrator every test sets up.
pub struct Person {
    pub name: &'static str,
    pub email: &'static str,
    pub password: &'static str,
}

pub const ADMIN: Person = Person {
    name: "Ada Admin",
    email: "ada.admin@example.com",
    password: "lantern-harbour-quietly-47",
};

/// What a new user is given in the "New user" form.
pub struct NewUser<'a> {
    pub name: &'a str,
    pub email: &'a str,
    /// Group checkboxes to tick (by group name).
    pub groups: &'a [&'a str],
    pub password: &'a str,
}

/// What setting up the authenticator app handed out.
pub struct Enrolled {
    /// The key shown beside the QR code (base32).
    pub secret: String,
    /// The 30-second step whose code confirmed the set-up (a step's code is
    /// accepted once).
    pub step: u64,
    /// The recovery codes shown after the set-up.
    pub recovery_codes: Vec<String>,
}

/// The current 30-second step of the authenticator app's clock.
pub fn current_step() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
        / 30
}

/// The code an authenticator app shows for `secret` during `step`
/// (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps).
pub fn authenticator_code(secret: &str, step: u64) -> String {
    let secret = Secret::try_from_base32(secret.trim()).expect("the key is base32");
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build()
        .expect("a valid authenticator set-up")
        .generate(step * 30)
        .to_string()
}

/// The current code for `secret`, from a step later than `after` (waiting
/// for the next step if need be, since each step's code is accepted once),
/// and its step.
pub fn fresh_code(secret: &str, after: u64) -> (String, u64) {
    loop {
        let step = current_step();
        if step > after {
            return (authenticator_code(secret, step), step);
        }
        thread::sleep(Duration::from_millis(250));
    }
}

/// A six-digit code the app does not show for `secret` now (nor one step
/// before or after).
pub fn wrong_code(secret: &str) -> String {
    let step = current_step();
    let near: Vec<String> = (step - 1..=step + 1)
        .map(|s| authenticator_code(secret, s))
        .collect();
    (0..10)
        .map(|digit| digit.to_string().repeat(6))
        .find(|code| !near.contains(code))
        .expect("three codes cannot cover ten")
}

impl Session {
    /// The first-run wizard: the local store (the default) and `admin` as
    /// the first administrator, who then sets up their authenticator app;
    /// ends on the Users screen. Returns what the set-up handed out (for
    /// signing in as them again).
    pub fn set_up_with(&self, admin: &Person) -> Enrolled {
        self.wait_for_heading("Set up Roster");
        self.check("Local — on this computer");
        self.fill("Name", admin.name);
        self.fill("Email", admin.email);
        self.fill("Password", admin.password);
        self.fill("Confirm password", admin.password);
        // The policy's verdict arrives as one types; wait for it, as a
        // person would, before the layout settles and the button is clicked.
        self.wait_for_text("This password meets the policy.");
        self.click_button("Create administrator");
        let enrolled = self.enrol_authenticator();
        self.wait_for_heading("Users");
        enrolled
    }

    /// [`Session::set_up_with`] the usual [`ADMIN`].
    pub fn set_up(&self) -> Enrolled {
        self.set_up_with(&ADMIN)
    }

    /// Signs in as someone whose authenticator app is set up: the password,
    /// then on "Two-step verification" one of their recovery codes (used
    /// up here: each works once, and unlike the app's codes none waits for
    /// the next 30-second step). Ends where the sign-in leads.
    pub fn sign_in_with_second_factor(&self, email: &str, password: &str, enrolled: &mut Enrolled) {
        self.try_sign_in(email, password);
        self.wait_for_heading("Two-step verification");
        assert!(
            !enrolled.recovery_codes.is_empty(),
            "no recovery code left to sign in with"
        );
        let code = enrolled.recovery_codes.remove(0);
        self.fill("Code", &code);
        self.click_button("Verify");
    }

    pub fn sign_out(&self) {
        self.click_button("Sign out");
        self.wait_for_heading("Sign in to Roster");
    }

    /// Fills the sign-in form and presses "Sign in" (the outcome is the
    /// caller's to check).
    pub fn try_sign_in(&self, email: &str, password: &str) {
        self.wait_for_heading("Sign in to Roster");
        self.fill("Email", email);
        self.fill("Password", password);
        self.click_button("Sign in");
    }

    /// On "Set up your authenticator app" (after signing in): reads the key,
    /// confirms with the code an app would show, reads the recovery codes,
    /// ticks "I have saved these codes" and continues into the app.
    pub fn enrol_authenticator(&self) -> Enrolled {
        self.wait_for_heading("Set up your authenticator app");
        let secret = self.fact("Key");
        let step = current_step();
        self.fill("Code", &authenticator_code(&secret, step));
        self.click_button("Confirm");
        self.wait_for_heading("Save your recovery codes");
        let recovery_codes = self.list_items("Recovery codes");
        assert!(
            !self.button_enabled("Continue"),
            "Continue waits for the codes to be saved"
        );
        self.check("I have saved these codes");
        self.click_button("Continue");
        self.wait_for_text_gone("Save your recovery codes");
        Enrolled {
            secret,
            step,
            recovery_codes,
        }
    }

    /// Waits until the "Code" field, or the form's alert, shows an error;
    /// returns it.
    pub fn code_error(&self) -> String {
        self.eventually("waiting for the code to be refused", || {
            let beside = self.description_of("Code");
            if !beside.is_empty() {
                return Ok(beside);
            }
            self.alerts_now()
                .into_iter()
                .find(|a| !a.is_empty())
                .ok_or_else(|| "no error yet".to_string())
        })
    }

    /// Opens the "New user" form from the Users screen, fills the basics,
    /// creates the user (two-factor Off, so tests can sign in as them) and
    /// waits for their page.
    pub fn create_user(&self, user: &NewUser<'_>) {
        self.create_user_with(user, Some("Off"), None);
    }

    /// [`Session::create_user`] with a supervisor, chosen by name in the
    /// supervisor picker.
    pub fn create_user_under(&self, user: &NewUser<'_>, supervisor: &str) {
        self.create_user_with(user, Some("Off"), Some(supervisor));
    }

    /// [`Session::create_user`] with the two-factor method
    /// "Authenticator app (TOTP)": the user sets up the app at their first sign-in.
    pub fn create_totp_user(&self, user: &NewUser<'_>) {
        self.create_user_with(user, Some("Authenticator app (TOTP)"), None);
    }

    fn create_user_with(
        &self,
        user: &NewUser<'_>,
        two_factor: Option<&str>,
        supervisor: Option<&str>,
    ) {
        self.go_to_users();
        self.click_button("New user");
        self.wait_for_heading("New user");
        self.fill("Name", user.name);
        self.fill("Email", user.email);
        for group in user.groups {
            self.check(group);
        }
        if let Some(supervisor) = supervisor {
            self.choose_suggestion("Supervisor", supervisor, supervisor);
            assert_eq!(self.value_of("Supervisor"), supervisor);
        }
        self.fill("Password", user.password);
        self.fill("Confirm password", user.password);
        if let Some(method) = two_factor {
            self.select("Two-factor method", method);
        }
        self.wait_for_text("This password meets the policy.");
        self.click_button("Create user");
        self.close_handover();
        self.wait_for_heading(user.name);
        self.wait_for_text(&format!("{} was created.", user.name));
    }

    /// Closes the hand-over panel that follows a new user or a password
    /// reset whose credentials were not emailed ("Done").
    pub fn close_handover(&self) {
        self.wait_for_heading("Hand over the credentials");
        self.click_button("Done");
        self.wait_for_text_gone("Hand over the credentials");
    }

    /// The Users screen, through the main navigation.
    pub fn go_to_users(&self) {
        self.navigate("Users");
        self.wait_for_heading("Users");
    }

    /// The Groups screen, through the main navigation.
    pub fn go_to_groups(&self) {
        self.navigate("Groups");
        self.wait_for_heading("Groups");
    }

    /// The Clients screen, through the main navigation.
    pub fn go_to_clients(&self) {
        self.navigate("Clients");
        self.wait_for_heading("Clients");
    }

    /// Types into "Search users" and waits until the table shows only rows
    /// matching (or "No users match.").
    pub fn search_users(&self, text: &str) {
        self.fill("Search users", text);
        // The overview asks for a page at each keystroke, one at a time:
        // until the last one's page is shown, an earlier one's may all
        // match, and a click on its rows would be undone when the last
        // page replaces them.
        thread::sleep(Duration::from_millis(300));
        let wanted = text.to_lowercase();
        self.eventually(&format!("waiting for the search {text:?}"), || {
            if self.visible_text_now().contains("No users match.") {
                return Ok(());
            }
            let table = self.tables_now().into_iter().next().ok_or("no table")?;
            let all_match = !table.rows.is_empty()
                && table.rows.iter().all(|row| {
                    // Name and email: the first two cells with text (a
                    // row's checkbox cell has none).
                    row.iter()
                        .filter(|cell| !cell.is_empty())
                        .take(2)
                        .any(|cell| cell.to_lowercase().contains(&wanted))
                });
            if all_match {
                Ok(())
            } else {
                Err(format!("the table shows {:?}", table.rows))
            }
        });
        self.settle();
    }
}
