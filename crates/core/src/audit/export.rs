//! The audit exports: the audit page's view as CSV or XLSX, written one
//! event at a time (no whole log in memory), every cell formula-safe.
//!
//! CSV cells go through [`csv_cell::neutralise`]. XLSX cells are all
//! written as text (never a formula or a number), with
//! `rust_xlsxwriter`'s constant-memory worksheets, which keep each finished
//! row in a temporary file; past a worksheet's 1,048,576 rows the export
//! goes on in another worksheet.

use std::borrow::Cow;
use std::io::Write;

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde_json::Value;

use crate::csv_cell;
use crate::error::Error;
use crate::model::AuditEvent;

/// The columns of both exports.
pub const COLUMNS: [&str; 8] = [
    "id",
    "time_utc",
    "operator",
    "action",
    "target_kind",
    "target",
    "target_id",
    "changes",
];

/// The longest text an XLSX cell holds (Excel's limit is 32,767 characters).
const XLSX_CELL_CHARS: usize = 32_000;
/// Rows per worksheet, the header included (Excel's limit).
const XLSX_SHEET_ROWS: u32 = 1_048_576;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl std::str::FromStr for ExportFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            _ => Err(Error::InvalidChoice {
                field: "format",
                reason: format!(
                    "“{}” is not an export format; use csv or xlsx.",
                    s.chars().take(20).collect::<String>()
                ),
            }),
        }
    }
}

/// One event's cells, in [`COLUMNS`] order (its texts borrowed: an export
/// writes a million of them).
pub fn cells(event: &AuditEvent) -> [Cow<'_, str>; 8] {
    [
        Cow::Owned(event.id.to_string()),
        Cow::Owned(time_cell(event.at)),
        Cow::Borrowed(event.operator_label.as_str()),
        Cow::Borrowed(event.action.as_str()),
        Cow::Borrowed(event.target_kind.as_str()),
        Cow::Borrowed(event.target_label.as_str()),
        Cow::Owned(event.target_id.map(|id| id.to_string()).unwrap_or_default()),
        Cow::Owned(summary(event)),
    ]
}

/// `at` as `YYYY-MM-DD hh:mm:ss` (UTC), written from its parts: parsing a
/// format string per event was a good part of an export's time.
fn time_cell(at: DateTime<Utc>) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// The changes as one line: `field: before → after; …` (values as JSON).
pub fn summary(event: &AuditEvent) -> String {
    event
        .changes
        .iter()
        .map(|c| match (&c.before, &c.after) {
            (Value::Null, after) => format!("{}: {after}", c.field),
            (before, Value::Null) => format!("{}: {before} → (none)", c.field),
            (before, after) => format!("{}: {before} → {after}", c.field),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn file_error(error: impl std::fmt::Display) -> Error {
    Error::AuditFile {
        reason: format!("The export could not be written ({error})."),
    }
}

/// Writes events as CSV to a writer as they come.
pub struct CsvExport<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> CsvExport<W> {
    pub fn new(out: W) -> Result<Self, Error> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(COLUMNS).map_err(file_error)?;
        Ok(Self { writer })
    }

    pub fn event(&mut self, event: &AuditEvent) -> Result<(), Error> {
        for cell in cells(event) {
            self.writer
                .write_field(csv_cell::neutralise(&cell).as_bytes())
                .map_err(file_error)?;
        }
        // An empty record after the fields ends the line.
        self.writer.write_record(None::<&[u8]>).map_err(file_error)
    }

    pub fn finish(self) -> Result<W, Error> {
        self.writer.into_inner().map_err(file_error)
    }
}

/// Writes events into an XLSX workbook, a row at a time, every cell text.
pub struct XlsxExport {
    workbook: rust_xlsxwriter::Workbook,
    /// The next row of the current worksheet.
    row: u32,
    sheets: usize,
}

impl XlsxExport {
    pub fn new() -> Result<Self, Error> {
        let mut export = Self {
            workbook: rust_xlsxwriter::Workbook::new(),
            row: 0,
            sheets: 0,
        };
        export.next_sheet()?;
        Ok(export)
    }

    fn next_sheet(&mut self) -> Result<(), Error> {
        self.sheets += 1;
        let name = if self.sheets == 1 {
            "Audit".to_owned()
        } else {
            format!("Audit {}", self.sheets)
        };
        let sheet = self
            .workbook
            .add_worksheet_with_constant_memory()
            .map_err(file_error)?;
        sheet.set_name(name).map_err(file_error)?;
        for (column, title) in (0u16..).zip(COLUMNS) {
            sheet.write_string(0, column, title).map_err(file_error)?;
        }
        self.row = 1;
        Ok(())
    }

    pub fn event(&mut self, event: &AuditEvent) -> Result<(), Error> {
        if self.row >= XLSX_SHEET_ROWS {
            self.next_sheet()?;
        }
        let row = self.row;
        let sheet = self
            .workbook
            .worksheets_mut()
            .last_mut()
            .ok_or_else(|| file_error("no worksheet"))?;
        for (column, cell) in (0u16..).zip(cells(event)) {
            let text: String = if cell.chars().count() > XLSX_CELL_CHARS {
                cell.chars()
                    .take(XLSX_CELL_CHARS - 1)
                    .chain(['…'])
                    .collect()
            } else {
                cell.into_owned()
            };
            sheet.write_string(row, column, text).map_err(file_error)?;
        }
        self.row += 1;
        Ok(())
    }

    /// Writes the finished workbook to `out`.
    pub fn finish<W: Write + std::io::Seek + Send>(mut self, out: W) -> Result<(), Error> {
        self.workbook.save_to_writer(out).map_err(file_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FieldChange, TargetKind};
    use chrono::TimeZone;

    fn event(label: &str) -> AuditEvent {
        AuditEvent {
            id: 7,
            at: chrono::Utc.timestamp_millis_opt(1_700_000_000_000).unwrap(),
            operator: None,
            operator_label: "ada@example.com".into(),
            action: "client.update".into(),
            target_kind: TargetKind::Client,
            target_id: Some(3),
            target_label: label.into(),
            changes: vec![FieldChange {
                field: "name".into(),
                before: Value::String("=1+1".into()),
                after: Value::String(label.into()),
            }],
        }
    }

    #[test]
    fn csv_cells_never_run_as_formulas() {
        let mut export = CsvExport::new(Vec::new()).unwrap();
        export.event(&event("=HYPERLINK(\"http://x\")")).unwrap();
        let text = String::from_utf8(export.finish().unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("id,time_utc,operator,action,target_kind,target,target_id,changes")
        );
        let row = lines.next().unwrap();
        assert!(row.contains("'=HYPERLINK"), "{row}");
        assert!(!row.contains(",=HYPERLINK"), "{row}");
    }

    #[test]
    fn xlsx_writes_every_cell_as_text() {
        let mut export = XlsxExport::new().unwrap();
        export.event(&event("=1+2")).unwrap();
        let mut out = std::io::Cursor::new(Vec::new());
        export.finish(&mut out).unwrap();
        let bytes = out.into_inner();
        assert!(bytes.starts_with(b"PK"), "a zip file");
    }

    #[test]
    fn unknown_formats_are_refused() {
        assert!("pdf"
            .parse::<ExportFormat>()
            .unwrap_err()
            .to_string()
            .contains("csv or xlsx"));
        assert_eq!(
            "XLSX".parse::<ExportFormat>().ok(),
            Some(ExportFormat::Xlsx)
        );
    }
}
