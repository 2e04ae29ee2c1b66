//! Team scope: rights on users granted for "Their team" reach only the
//! member and the people who report to them, directly or through others;
//! rights on clients reach only the clients one of them looks after.

use crate::steps::{NewUser, ADMIN};
use crate::Session;

const LEAD: NewUser = NewUser {
    name: "Lena Lead",
    email: "lena.lead@example.com",
    groups: &["Team leads"],
    password: "harbour-violet-pebble-64",
};

const REPORT: NewUser = NewUser {
    name: "Rory Report",
    email: "rory.report@example.com",
    groups: &["Staff"],
    password: "saddle-copper-orchard-38",
};

const OUTSIDER: NewUser = NewUser {
    name: "Oscar Outsider",
    email: "oscar.outsider@example.com",
    groups: &["Staff"],
    password: "meadow-granite-lantern-52",
};

#[test]
fn a_team_lead_sees_only_themselves_and_their_reports() {
    let s = Session::start();
    s.set_up();

    // The built-in group reaches everyone, and says so without a choice.
    s.go_to_groups();
    s.click_row("Administrators Built-in");
    s.wait_for_heading("Administrators Built-in");
    assert_eq!(s.selected_option("Applies to (view users)"), "Everyone");
    assert!(!s.is_enabled("Applies to (view users)"));

    // "Team leads" may view and edit their team only.
    s.go_to_groups();
    create_team_leads(&s, &["view users", "edit users"]);
    s.wait_for_text(
        "Their team: the member and the people who report to them, directly or through others.",
    );
    s.screenshot("team-scope-group");
    create_staff_and_people(&s);

    // Signed in as the lead: the team, and nobody else.
    s.sign_out();
    s.try_sign_in(LEAD.email, LEAD.password);
    s.wait_for_heading("Users");
    s.wait_for_text("Showing your team: you and the people who report to you.");
    s.wait_for_row(REPORT.name);
    let mut names = s.table().column("Name");
    names.sort();
    assert_eq!(names, [LEAD.name, REPORT.name]);
    s.screenshot("team-scope-overview");

    s.search_users("Oscar");
    s.wait_for_text("No users match.");
    s.search_users(ADMIN.name);
    s.wait_for_text("No users match.");
}

#[test]
fn a_team_lead_sees_only_the_clients_their_team_looks_after() {
    let s = Session::start();
    s.set_up();

    s.go_to_groups();
    create_team_leads(
        &s,
        &[
            "view users",
            "view clients",
            "create, edit and import clients",
        ],
    );
    s.wait_for_text(
        "Their team: the clients whose account manager is the member or someone who reports to them, directly or through others.",
    );
    create_staff_and_people(&s);

    // One client looked after by Lena's report, one by someone outside her team.
    create_client_managed_by(&s, "Harbour Bakery", REPORT.name);
    s.wait_for_fact(
        "Account manager",
        &format!("{} {}", REPORT.name, REPORT.email),
    );
    create_client_managed_by(&s, "Quarry Florist", OUTSIDER.name);
    s.go_to_clients();
    let table = s.wait_for_row("Quarry Florist");
    assert_eq!(
        table.cell("Harbour Bakery", "Account manager").as_deref(),
        Some(REPORT.name)
    );

    // Signed in as the lead: only the client her team looks after.
    s.sign_out();
    s.try_sign_in(LEAD.email, LEAD.password);
    s.wait_for_heading("Users");
    s.go_to_clients();
    s.wait_for_text(
        "Showing your team's clients: those you or the people who report to you look after.",
    );
    let table = s.wait_for_row("Harbour Bakery");
    assert_eq!(table.column("Name"), ["Harbour Bakery"]);
    assert_eq!(table.column("Account manager"), [REPORT.name]);
    assert!(
        !s.has_button("Import CSV…"),
        "an imported file names no account manager"
    );
    s.settle();
    s.screenshot("team-scope-clients");

    // A client she adds stays in her team: she looks after it to begin with.
    s.click_button("New client");
    s.wait_for_heading("New client");
    assert_eq!(s.value_of("Account manager"), LEAD.name);
    s.wait_for_field_message(
        "Account manager",
        "Clients you add stay with your team: choose yourself or someone in your team.",
    );
    s.settle();
    s.screenshot("team-scope-new-client");
    s.click_button("Cancel");
    s.wait_for_heading("Clients");

    s.click_row("Harbour Bakery");
    s.wait_for_heading("Harbour Bakery");
    s.wait_for_fact(
        "Account manager",
        &format!("{} {}", REPORT.name, REPORT.email),
    );
    s.settle();
    s.screenshot("team-scope-client-detail");
}

/// Creates the group "Team leads" holding `rights` (their labels) for
/// "Their team", from the Groups screen, and checks it was saved so.
fn create_team_leads(s: &Session, rights: &[&str]) {
    s.click_button("New group");
    s.wait_for_heading("New group");
    s.fill("Name", "Team leads");
    for right in rights {
        s.check(right);
    }
    for right in rights {
        s.select(&format!("Applies to ({right})"), "Their team");
    }
    s.click_button("Save group");
    s.wait_for_text("Team leads was created.");
    s.wait_for_heading("Team leads");
    for right in rights {
        assert_eq!(
            s.selected_option(&format!("Applies to ({right})")),
            "Their team"
        );
    }
}

/// "Staff", who may only view clients; Lena, who leads Rory; and Oscar,
/// who is in no one's team.
fn create_staff_and_people(s: &Session) {
    s.click_button("New group");
    s.wait_for_heading("New group");
    s.fill("Name", "Staff");
    s.check("view clients");
    s.click_button("Save group");
    s.wait_for_text("Staff was created.");

    s.create_user(&LEAD);
    s.create_user_under(&REPORT, LEAD.name);
    s.create_user(&OUTSIDER);
}

/// Creates a client through the form, with `manager` (a user's name)
/// chosen as account manager, and waits for the client's page.
fn create_client_managed_by(s: &Session, name: &str, manager: &str) {
    s.go_to_clients();
    s.click_button("New client");
    s.wait_for_heading("New client");
    s.fill("Name", name);
    s.choose_suggestion("Account manager", manager, manager);
    assert_eq!(s.value_of("Account manager"), manager);
    s.click_button("Create client");
    s.wait_for_heading(name);
    s.wait_for_text(&format!("{name} was created."));
}
