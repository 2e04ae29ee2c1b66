//! Clients: created and imported by an administrator, then seen by an
//! operator with "Mask client data": masked on screen and in the exported
//! file, whatever the page asks for (the core masks them).

use std::fs;
use std::path::Path;
use std::thread;
use std::time::Duration;

use serde_json::json;

use crate::steps::ADMIN;
use crate::Session;

const MASKED: NewMasked = NewMasked {
    name: "Mona Masked",
    email: "mona.masked@example.com",
    password: "pepper-lagoon-anchor-72",
};

struct NewMasked {
    name: &'static str,
    email: &'static str,
    password: &'static str,
}

/// A client as typed into the form, and the digits of their phone number.
struct Typed {
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    country: &'static str,
}

const JANE: Typed = Typed {
    name: "Jane Smithson",
    email: "jane.smithson@harbourview.co.uk",
    phone: "+44 20 7946 0961",
    country: "GB",
};

const KARL: Typed = Typed {
    name: "Karl Oberhuber",
    email: "karl.oberhuber@beispiel.de",
    phone: "+49 30 90182745",
    country: "DE",
};

/// The real values a masked operator must never see: names, emails, and
/// the phone numbers' middle digits.
fn secrets() -> Vec<&'static str> {
    vec![
        "Jane",
        "Smithson",
        "jane.smithson",
        "harbourview",
        "7946",
        "Karl",
        "Oberhuber",
        "karl.oberhuber",
        "beispiel",
        "90182745",
        "Lena",
        "Lindqvist",
        "lena.lindqvist",
        "exempel",
    ]
}

impl Session {
    fn create_client(&self, client: &Typed) {
        self.go_to_clients();
        self.click_button("New client");
        self.wait_for_heading("New client");
        self.fill("Name", client.name);
        self.fill("Email", client.email);
        self.fill("Phone", client.phone);
        self.fill("Country", client.country);
        self.click_button("Create client");
        self.wait_for_heading(client.name);
        self.wait_for_text(&format!("{} was created.", client.name));
    }
}

/// Whether the input labelled `label` is read-only.
fn read_only(s: &Session, label: &str) -> bool {
    s.eval(
        "const [text] = arguments; \
         const l = [...document.querySelectorAll('label')].find((l) => visible(l) && norm(l.textContent) === text); \
         return l && l.control ? l.control.readOnly : null;",
        vec![json!(label)],
    )
    .expect("the page answers")
    .as_bool()
    .unwrap_or_else(|| panic!("no field {label:?}"))
}

/// Lena's row, and with `broken` a row without a name after it.
fn write_import_file(path: &Path, broken: bool) {
    let mut csv = "name,email,phone,country\n\
                   Lena Lindqvist,lena.lindqvist@exempel.se,+46 8 123 456 78,SE\n"
        .to_owned();
    if broken {
        csv.push_str(",nobody@example.org,,\n");
    }
    fs::write(path, csv).expect("write the CSV");
}

#[test]
fn a_masked_operator_sees_and_exports_clients_masked() {
    let s = Session::start();
    s.set_up();

    // The administrator creates two clients, and imports a third.
    s.go_to_clients();
    s.wait_for_text("No clients yet.");
    s.create_client(&JANE);
    s.wait_for_fact("Email", JANE.email);
    s.create_client(&KARL);

    let csv = s
        .data_dir()
        .parent()
        .expect("the data folder has a parent")
        .join("clients-in.csv");
    // A dry run first: a line in error means nothing can be imported.
    write_import_file(&csv, true);
    s.go_to_clients();
    s.click_button("Import CSV…");
    s.save_in_native_dialog("Import clients", &csv);
    s.wait_for_heading("Import clients");
    s.wait_for_text("2 rows, 1 error");
    let errors = s.list_items("Import errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("Line 3: "), "{errors:?}");
    assert!(!s.has_button("Import 2 clients"));
    s.settle();
    s.screenshot("clients-import-errors");
    // Fixed, chosen again, checked, then imported.
    write_import_file(&csv, false);
    s.click_button("Choose another file…");
    s.save_in_native_dialog("Import clients", &csv);
    s.wait_for_text("1 row, 0 errors");
    s.click_button("Import 1 client");
    s.wait_for_text("Imported 1 client.");
    s.wait_for_text_gone("Import clients");

    let table = s.wait_for_row("Lena Lindqvist");
    assert_eq!(
        table.headers,
        [
            "Name",
            "Email",
            "Phone",
            "Country",
            "Account manager",
            "Created"
        ]
    );
    s.wait_for_row(JANE.name);
    let table = s.wait_for_row(KARL.name);
    assert_eq!(table.cell(JANE.name, "Email").as_deref(), Some(JANE.email));
    assert_eq!(
        table.cell(JANE.name, "Country").as_deref(),
        Some(JANE.country)
    );
    s.settle();
    s.screenshot("clients-unmasked");

    // A group that may view and manage clients, and a masked member.
    s.go_to_groups();
    s.click_button("New group");
    s.wait_for_heading("New group");
    s.fill("Name", "Client desk");
    s.check("view clients");
    s.check("create, edit and import clients");
    s.click_button("Save group");
    s.wait_for_text("Client desk was created.");

    s.go_to_users();
    s.click_button("New user");
    s.wait_for_heading("New user");
    s.fill("Name", MASKED.name);
    s.fill("Email", MASKED.email);
    s.check("Client desk");
    s.fill("Password", MASKED.password);
    s.fill("Confirm password", MASKED.password);
    s.select("Two-factor method", "Off");
    s.check("Mask client data");
    s.wait_for_text("This password meets the policy.");
    s.click_button("Create user");
    s.close_handover();
    s.wait_for_heading(MASKED.name);
    s.wait_for_fact("Mask client data", "Yes");

    // Mona sees asterisks, and is offered no way to add clients.
    s.sign_out();
    s.try_sign_in(MASKED.email, MASKED.password);
    s.wait_for_heading("Clients");
    s.wait_for_text("Client personal data is masked for you.");
    let table = s.eventually("waiting for three clients", || {
        let table = s.tables_now().into_iter().next().ok_or("no table")?;
        if table.rows.len() == 3 {
            Ok(table)
        } else {
            Err(format!("the table shows {:?}", table.rows))
        }
    });
    for name in table.column("Name") {
        assert!(name.contains('*'), "a masked name: {name:?}");
    }
    for email in table.column("Email") {
        assert!(email.contains('*') && email.contains('@'), "{email:?}");
    }
    for phone in table.column("Phone") {
        assert!(phone.contains('*'), "a masked phone: {phone:?}");
    }
    let text = s.visible_text_now();
    for secret in secrets() {
        assert!(!text.contains(secret), "{secret:?} is on screen:\n{text}");
    }
    assert!(
        !s.has_button("New client"),
        "a masked operator creates none"
    );
    assert!(
        !s.has_button("Import CSV…"),
        "a masked operator imports none"
    );
    s.settle();
    s.screenshot("clients-masked");

    // Their search runs on Enter (each one is audited), not as they type:
    // a whole address finds its one client, still masked; emptied, every
    // client again at once.
    s.fill("Search clients", KARL.email);
    thread::sleep(Duration::from_millis(500));
    let before = s
        .tables_now()
        .into_iter()
        .next()
        .map(|table| table.rows.len());
    assert_eq!(before, Some(3), "typing alone searched");
    s.press("\u{E007}");
    s.eventually("waiting for the search by a whole address", || {
        let table = s.tables_now().into_iter().next().ok_or("no table")?;
        match table.rows.as_slice() {
            [row]
                if row
                    .iter()
                    .any(|cell| cell.contains('*') && cell.contains('@')) =>
            {
                Ok(())
            }
            rows => Err(format!("the table shows {rows:?}")),
        }
    });
    let text = s.visible_text_now();
    for secret in ["Karl", "Oberhuber", "90182745"] {
        assert!(!text.contains(secret), "{secret:?} is on screen:\n{text}");
    }
    // Emptied with Backspace as a person would: the last one searches.
    s.type_into("Search clients", &"\u{E003}".repeat(KARL.email.len()));
    s.eventually("waiting for every client again", || {
        let table = s.tables_now().into_iter().next().ok_or("no table")?;
        if table.rows.len() == 3 {
            Ok(())
        } else {
            Err(format!("the table shows {:?}", table.rows))
        }
    });

    // The detail and the edit form stay masked; only the country and the
    // account manager (a user, not client data) are editable.
    let first = table.rows[0][0].clone();
    s.click_row(&first);
    s.wait_for_heading(&first);
    s.click_button("Edit");
    s.wait_for_heading("Edit client");
    s.wait_for_text("Client personal data is masked for you.");
    for label in ["Name", "Email", "Phone"] {
        assert!(read_only(&s, label), "{label:?} is read-only");
    }
    assert!(!read_only(&s, "Country"), "the country may be changed");
    assert!(
        !read_only(&s, "Account manager") && s.is_enabled("Account manager"),
        "the account manager may be changed"
    );
    assert_eq!(s.value_of("Name"), first);
    let text = s.visible_text_now();
    for secret in secrets() {
        assert!(!text.contains(secret), "{secret:?} is in the form");
    }
    s.settle();
    s.screenshot("client-form-masked");
    s.click_button("Cancel");
    s.wait_for_heading(&first);

    // The export holds masked values only.
    s.go_to_clients();
    let out = s
        .data_dir()
        .parent()
        .expect("the data folder has a parent")
        .join("clients-out.csv");
    s.click_button("Export CSV…");
    s.save_in_native_dialog("Export clients", &out);
    s.wait_for_text(&format!("Exported to {}.", out.display()));
    let exported = fs::read_to_string(&out).expect("the export was written");
    assert!(exported.lines().count() >= 4, "{exported}");
    assert!(exported.contains('*'), "{exported}");
    for secret in secrets() {
        assert!(
            !exported.contains(secret),
            "{secret:?} is in the export:\n{exported}"
        );
    }
}

#[test]
fn the_clients_pages_in_the_dark_theme() {
    let s = Session::start_dark();
    s.set_up();
    s.create_client(&JANE);
    s.wait_for_fact("Phone", JANE.phone);
    let country = s.fact("Country");
    assert!(
        country.ends_with("GB") || country.ends_with("(GB)"),
        "{country:?}"
    );
    s.settle();
    s.screenshot("client-detail-dark");
    s.wait_for_fact("Account manager", "None");
    s.click_button("Edit");
    s.wait_for_heading("Edit client");
    s.choose_suggestion("Account manager", "Ada", ADMIN.name);
    s.fill("Phone", "12");
    s.click_button("Save changes");
    s.wait_for_field_message("Phone", "is not");
    s.settle();
    s.screenshot("client-form-dark");
    s.go_to_clients();
    s.wait_for_row(JANE.name);
    let text = s.visible_text_now();
    assert!(
        !text.contains("null"),
        "a left-out note shows as text:\n{text}"
    );
    s.settle();
    s.screenshot("clients-dark");
}
