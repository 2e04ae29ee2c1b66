//! What people type is shown as text, never run as markup.

use crate::steps::NewUser;
use crate::Session;

const MARKUP: &str = "<img src=x onerror=alert(1)>";

#[test]
fn markup_in_a_name_shows_as_text() {
    let s = Session::start();
    s.set_up();

    s.create_user(&NewUser {
        name: MARKUP,
        email: "markup@example.com",
        groups: &["Administrators"],
        password: "pebble-orchard-violet-58",
    });
    // The user's page: heading and message show the characters typed.
    assert_eq!(s.heading(), MARKUP);

    s.go_to_users();
    let table = s.wait_for_row(MARKUP);
    assert_eq!(
        table.cell(MARKUP, "Email").as_deref(),
        Some("markup@example.com")
    );
    let images = s
        .eval("return document.querySelectorAll('img').length;", vec![])
        .expect("counting images");
    assert_eq!(images, 0, "the name must not become an <img> element");

    s.search_users("<img");
    s.wait_for_row(MARKUP);
}
