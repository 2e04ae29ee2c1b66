//! Steps several tests share, written as a person would do them, and the
//! people they create.

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

impl Session {
    /// The first-run wizard: the local store (the default) and `admin` as
    /// the first administrator; ends on the Users screen.
    pub fn set_up_with(&self, admin: &Person) {
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
        self.wait_for_heading("Users");
    }

    /// [`Session::set_up_with`] the usual [`ADMIN`].
    pub fn set_up(&self) {
        self.set_up_with(&ADMIN);
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

    /// Opens the "New user" form from the Users screen, fills the basics,
    /// creates the user and waits for their page.
    pub fn create_user(&self, user: &NewUser<'_>) {
        self.go_to_users();
        self.click_button("New user");
        self.wait_for_heading("New user");
        self.fill("Name", user.name);
        self.fill("Email", user.email);
        for group in user.groups {
            self.check(group);
        }
        self.fill("Password", user.password);
        self.fill("Confirm password", user.password);
        self.wait_for_text("This password meets the policy.");
        self.click_button("Create user");
        self.wait_for_heading(user.name);
        self.wait_for_text(&format!("{} was created.", user.name));
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

    /// Types into "Search users" and waits until the table shows only rows
    /// matching (or "No users match.").
    pub fn search_users(&self, text: &str) {
        self.fill("Search users", text);
        let wanted = text.to_lowercase();
        self.eventually(&format!("waiting for the search {text:?}"), || {
            if self.visible_text_now().contains("No users match.") {
                return Ok(());
            }
            let table = self.tables_now().into_iter().next().ok_or("no table")?;
            let all_match = !table.rows.is_empty()
                && table.rows.iter().all(|row| {
                    row.iter()
                        .take(2)
                        .any(|cell| cell.to_lowercase().contains(&wanted))
                });
            if all_match {
                Ok(())
            } else {
                Err(format!("the table shows {:?}", table.rows))
            }
        });
    }
}
