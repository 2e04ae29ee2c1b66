use std::io::Cursor;

use super::*;
use crate::sheet::{for_each_row, SheetError};

fn sheet_rows(text: &str) -> Vec<SheetRow> {
    let mut out = Vec::new();
    for_each_row(
        Cursor::new(text.as_bytes()),
        |row: &SheetRow| -> Result<(), SheetError> {
            out.push(SheetRow {
                line: row.line,
                cells: row.cells.clone(),
            });
            Ok(())
        },
    )
    .unwrap();
    out
}

#[test]
fn headers_are_found_in_any_order_case_and_spelling() {
    let rows = sheet_rows("EMAIL;Must_Change-Password;Name\nann@example.com;no;Ann\n");
    let header = Header::read(&rows[0]).unwrap();
    let mut errors = Vec::new();
    let row = read_row(&header, &rows[1], &mut errors).unwrap();
    assert!(errors.is_empty());
    assert_eq!(row.name.as_str(), "Ann");
    assert_eq!(row.email.as_str(), "ann@example.com");
    assert_eq!(row.must_change_password, Some(false));
    assert_eq!(row.status, Status::Enabled);
}

#[test]
fn unknown_duplicate_and_missing_columns_are_named() {
    let unknown = Header::read(&sheet_rows("name,email,salary,shoe size\n")[0]).unwrap_err();
    assert!(
        unknown.to_string().contains("“salary”, “shoe size”"),
        "{unknown}"
    );
    let twice = Header::read(&sheet_rows("name,email,Email\n")[0]).unwrap_err();
    assert!(
        twice.to_string().contains("“Email” is there twice"),
        "{twice}"
    );
    let missing = Header::read(&sheet_rows("name,groups\n")[0]).unwrap_err();
    assert!(
        missing.to_string().contains("“email” column is missing"),
        "{missing}"
    );
    // A file without a header: its first row is taken as one, and refused.
    let data = Header::read(&sheet_rows("Ann,ann@example.com\n")[0]).unwrap_err();
    assert!(data.to_string().contains("unknown columns"), "{data}");
}

#[test]
fn every_bad_cell_of_a_row_is_reported_with_its_column() {
    let rows = sheet_rows(
        "name,email,status,two-factor method,mask client data,supervisor\n\
         ,not-an-email,sleeping,sms,perhaps,boss@\n",
    );
    let header = Header::read(&rows[0]).unwrap();
    let mut errors = Vec::new();
    assert!(read_row(&header, &rows[1], &mut errors).is_none());
    let columns: Vec<&str> = errors.iter().filter_map(|e| e.column.as_deref()).collect();
    assert_eq!(
        columns,
        vec![
            "name",
            "email",
            "supervisor",
            "status",
            "mask client data",
            "two-factor method"
        ]
    );
    assert!(errors.iter().all(|e| e.line == 2));
    assert!(
        errors[3].to_string().starts_with("Line 2, column status: "),
        "{}",
        errors[3]
    );
}

#[test]
fn the_valid_until_column_is_optional_and_a_bad_date_is_named() {
    let rows = sheet_rows(
        "name,email,Valid Until\nAnn,ann@example.com,2027-03-31\nBo,bo@example.com,\n\
         Cy,cy@example.com,31.03.2027\n",
    );
    let header = Header::read(&rows[0]).unwrap();
    let mut errors = Vec::new();
    let ann = read_row(&header, &rows[1], &mut errors).unwrap();
    assert_eq!(
        ann.valid_until.map(ValidUntil::as_string).as_deref(),
        Some("2027-03-31")
    );
    let bo = read_row(&header, &rows[2], &mut errors).unwrap();
    assert_eq!(bo.valid_until, None);
    assert!(errors.is_empty());
    assert!(read_row(&header, &rows[3], &mut errors).is_none());
    assert_eq!(
        errors[0].to_string(),
        "Line 4, column valid until: “31.03.2027” is not a date; write it as YYYY-MM-DD, for example 2026-12-31."
    );
}

#[test]
fn a_row_with_more_cells_than_the_header_is_refused() {
    let rows = sheet_rows("name,email\nAnn,ann@example.com,extra\n");
    let header = Header::read(&rows[0]).unwrap();
    let mut errors = Vec::new();
    assert!(read_row(&header, &rows[1], &mut errors).is_none());
    assert_eq!(
        errors[0].to_string(),
        "Line 2: the row has 3 cells, but the header names 2 columns."
    );
}

#[test]
fn the_template_reads_back_as_a_valid_row_in_both_formats() {
    for format in [SheetFormat::Csv, SheetFormat::Xlsx] {
        let bytes = users_template(format).unwrap();
        let mut read = Vec::new();
        for_each_row(
            Cursor::new(&bytes),
            |row: &SheetRow| -> Result<(), SheetError> {
                read.push(SheetRow {
                    line: row.line,
                    cells: row.cells.clone(),
                });
                Ok(())
            },
        )
        .unwrap();
        let header = Header::read(&read[0]).unwrap();
        let mut errors = Vec::new();
        let row = read_row(&header, &read[1], &mut errors).unwrap();
        assert_eq!(row.groups, vec!["Staff", "Sales"], "{format:?}");
    }
}

#[test]
fn the_credentials_sheet_holds_each_password() {
    let issued = vec![IssuedCredentials {
        name: "Ann".into(),
        email: "ann@example.com".into(),
        password: PlainPassword::new("=secret-Pass-1".to_owned()),
    }];
    let sheet = credentials_sheet(&issued, SheetFormat::Csv).unwrap();
    let text = std::str::from_utf8(&sheet).unwrap();
    assert_eq!(
        text,
        "name,email,password\nAnn,ann@example.com,'=secret-Pass-1\n"
    );
    assert!(!format!("{:?}", issued[0]).contains("secret"));
}
