//! Groups: a group's permissions decide what its members are offered.

use crate::steps::{NewUser, ADMIN};
use crate::Session;

const VIEWER_PASSWORD: &str = "window-meadow-copper-93";

#[test]
fn groups_are_created_and_their_permissions_honoured() {
    let s = Session::start();
    s.set_up();

    // The built-in group is there from the start.
    s.go_to_groups();
    let table = s.wait_for_row("Administrators Built-in");
    assert_eq!(table.headers, ["Name", "Description", "Members"]);
    assert_eq!(
        table.cell("Administrators Built-in", "Members").as_deref(),
        Some("1")
    );

    // "Viewers" may only view users.
    s.click_button("New group");
    s.wait_for_heading("New group");
    s.fill("Name", "Viewers");
    s.fill("Description", "May look, not touch");
    s.check("view users");
    s.click_button("Save group");
    s.wait_for_text("Viewers was created.");
    s.wait_for_heading("Viewers");
    assert!(s.is_checked("view users"));
    for other in [
        "create users",
        "edit users",
        "enable and disable users",
        "delete users",
        "reset passwords and two-factor, unlock users",
        "manage groups and their permissions",
        "view clients",
        "create, edit and import clients",
        "view the audit log",
        "change settings",
    ] {
        assert!(!s.is_checked(other), "{other:?} was not granted");
    }
    s.wait_for_row("Viewers");

    s.create_user(&NewUser {
        name: "Vera Viewer",
        email: "vera.viewer@example.com",
        groups: &["Viewers"],
        password: VIEWER_PASSWORD,
    });
    assert_eq!(s.fact("Groups"), "Viewers");

    // The group lists its member.
    s.go_to_groups();
    s.click_row("Viewers");
    s.wait_for_heading("Members");
    s.wait_for_text("Vera Viewer");
    assert_eq!(
        s.wait_for_row("Viewers")
            .cell("Viewers", "Members")
            .as_deref(),
        Some("1")
    );

    // Signed in as Vera: users can be seen, nothing more is offered.
    s.sign_out();
    s.try_sign_in("vera.viewer@example.com", VIEWER_PASSWORD);
    s.wait_for_heading("Users");
    s.wait_for_row(ADMIN.name);
    s.wait_for_row("Vera Viewer");
    assert!(s.has_nav("Users"));
    assert!(!s.has_nav("Groups"), "no Groups without groups.manage");
    assert!(
        !s.has_button("New user"),
        "no New user without users.create"
    );

    s.click_row(ADMIN.name);
    s.wait_for_heading(ADMIN.name);
    s.wait_for_fact("Email", ADMIN.email);
    for action in ["Edit", "Disable", "Enable", "Reset password", "Delete"] {
        assert!(
            !s.has_button(action),
            "{action:?} is not offered to a viewer"
        );
    }
    assert!(
        !s.headings_now().iter().any(|h| h == "History"),
        "no history without audit.view"
    );
}
