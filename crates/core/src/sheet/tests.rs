use std::io::Cursor;

use super::*;

fn rows(bytes: &[u8]) -> Result<Vec<(u64, Vec<String>)>, SheetError> {
    let mut out = Vec::new();
    for_each_row(
        Cursor::new(bytes),
        |row: &SheetRow| -> Result<(), SheetError> {
            out.push((row.line, row.cells.clone()));
            Ok(())
        },
    )?;
    Ok(out)
}

fn cells(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| (*c).to_owned()).collect()
}

#[test]
fn the_separator_is_found_from_the_header() {
    for text in [
        "name,email\nAnn,ann@example.com\n",
        "name;email\r\nAnn;ann@example.com\r\n",
        "name\temail\nAnn\tann@example.com",
        "\u{feff}name;email\nAnn;ann@example.com\n",
    ] {
        let read = rows(text.as_bytes()).unwrap();
        assert_eq!(read.len(), 2, "{text:?}");
        assert_eq!(read[0].1, cells(&["name", "email"]), "{text:?}");
        assert_eq!(read[1], (2, cells(&["Ann", "ann@example.com"])), "{text:?}");
    }
    // Commas inside quotes do not count.
    let read = rows(b"\"a,b,c\";email\nx;y\n").unwrap();
    assert_eq!(read[0].1, cells(&["a,b,c", "email"]));
}

#[test]
fn blank_rows_are_skipped_and_lines_are_the_files() {
    let read = rows(b"name,email\n\n,\nAnn,a@example.com\r\nBo,b@example.com\n").unwrap();
    assert_eq!(read.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1, 4, 5]);
}

#[test]
fn hostile_files_are_refused_with_a_sentence() {
    assert_eq!(rows(b"").unwrap_err().message, "The file is empty.");
    let nul = rows(b"name,email\nAnn\0,a@example.com\n").unwrap_err();
    assert_eq!(nul.line, Some(2));
    assert!(nul.message.contains("NUL"), "{nul}");
    let latin1 = rows(b"name,email\nJos\xe9,j@example.com\n").unwrap_err();
    assert_eq!(latin1.line, Some(2));
    assert!(latin1.message.contains("UTF-8"), "{latin1}");
    let garbage: Vec<u8> = (0..4096_u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert!(rows(&garbage).is_err());
    let not_a_workbook = rows(b"PK\x03\x04 this is no zip at all").unwrap_err();
    assert!(not_a_workbook.message.contains("Excel"), "{not_a_workbook}");
}

#[test]
fn a_file_over_the_limit_is_refused_before_it_is_read() {
    let file = tempfile::tempfile().unwrap();
    file.set_len(MAX_SHEET_BYTES + 1).unwrap();
    let error = for_each_row(file, |_: &SheetRow| -> Result<(), SheetError> {
        panic!("no row may be read")
    })
    .unwrap_err();
    assert!(error.message.contains("larger than 64 MB"), "{error}");
}

#[test]
fn cells_round_trip_through_both_formats_without_running_as_formulas() {
    let values = [
        "=HYPERLINK(\"http://x\")",
        "+44 20",
        "-1",
        "@SUM(A1)",
        "'tis",
        "plain",
        "Zoë; Ólafur",
    ];
    for format in [SheetFormat::Csv, SheetFormat::Xlsx] {
        let mut bytes = Vec::new();
        let mut writer = SheetWriter::new(format, "Test", &mut bytes).unwrap();
        writer.row(&["value"]).unwrap();
        for value in values {
            writer.row(&[value]).unwrap();
        }
        writer.finish().unwrap();
        if format == SheetFormat::Csv {
            let text = String::from_utf8(bytes.clone()).unwrap();
            assert!(text.contains("'=HYPERLINK"), "{text}");
        }
        let read = rows(&bytes).unwrap();
        let back: Vec<&str> = read[1..].iter().map(|r| r.1[0].as_str()).collect();
        assert_eq!(back, values, "{format:?}");
    }
}

#[test]
fn formats_parse_from_their_names() {
    assert_eq!("XLSX".parse::<SheetFormat>().unwrap(), SheetFormat::Xlsx);
    assert!("ods".parse::<SheetFormat>().is_err());
}

fn zip_with(parts: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write as _;
    let mut bytes = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(Cursor::new(&mut bytes));
        for (name, content) in parts {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(content).unwrap();
        }
        zip.finish().unwrap();
    }
    bytes
}

#[test]
fn a_workbook_announcing_more_texts_than_it_holds_is_refused() {
    // calamine would reserve room for a trillion strings and abort.
    let file = zip_with(&[(
        "xl/sharedStrings.xml",
        br#"<?xml version="1.0"?><sst xmlns="x" count="1" uniqueCount="1000000000000"><si><t>a</t></si></sst>"#,
    )]);
    let error = rows(&file).unwrap_err();
    assert!(error.message.contains("announces more texts"), "{error}");
}

#[test]
fn a_workbook_that_unpacks_past_the_limit_is_refused() {
    let zeros = vec![b' '; (MAX_SHARED_STRINGS_BYTES + 1) as usize];
    let file = zip_with(&[("xl/sharedStrings.xml", &zeros)]);
    assert!((file.len() as u64) < MAX_SHEET_BYTES);
    let error = rows(&file).unwrap_err();
    assert!(
        error.message.contains("far larger once unpacked"),
        "{error}"
    );
}
