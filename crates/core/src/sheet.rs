//! Spreadsheets in and out: CSV (UTF-8, with or without a byte-order mark,
//! cells separated by `,`, `;` or a tab, detected from the header line as
//! Excel writes them in different locales) and XLSX (the first sheet).
//!
//! Reading streams: a CSV file a record at a time, a workbook a cell at a
//! time (calamine's cell reader; only the workbook's shared strings are held
//! whole). Writing an XLSX file goes row by row to a temporary file
//! (rust_xlsxwriter's constant-memory mode). Every cell written goes through
//! [`csv_cell::neutralise`] and every cell read through
//! [`csv_cell::restore`], in both formats, so no exported cell runs as a
//! formula and export → import gives back every value exactly.
//!
//! Hostile files get a sentence naming the line where there is one: not a
//! spreadsheet, empty, larger than [`MAX_SHEET_BYTES`], NUL bytes or other
//! bytes that are not UTF-8 text, a row with more cells than the header.

use std::io::{BufReader, Read, Seek, SeekFrom, Write};

use serde::{Deserialize, Serialize};

use crate::csv_cell;

/// The largest file read: a users file of that size holds about half a
/// million rows. Larger files are refused before a byte is parsed.
pub const MAX_SHEET_BYTES: u64 = 64 * 1024 * 1024;

/// The most a workbook may hold once decompressed, all parts together, and
/// its shared strings (which are read whole).
const MAX_UNZIPPED_BYTES: u64 = 512 * 1024 * 1024;
const MAX_SHARED_STRINGS_BYTES: u64 = 128 * 1024 * 1024;

/// The most cells a row may have: far more than any file of Roster's.
const MAX_COLUMNS: usize = 1024;

/// How many bytes of the first line decide the CSV separator.
const SNIFF_BYTES: usize = 64 * 1024;

/// A spreadsheet's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SheetFormat {
    #[default]
    Csv,
    Xlsx,
}

impl SheetFormat {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            SheetFormat::Csv => "csv",
            SheetFormat::Xlsx => "xlsx",
        }
    }

    /// The name a file dialog's filter shows.
    pub fn filter_name(self) -> &'static str {
        match self {
            SheetFormat::Csv => "CSV",
            SheetFormat::Xlsx => "Excel workbook",
        }
    }
}

impl std::str::FromStr for SheetFormat {
    type Err = SheetError;

    fn from_str(text: &str) -> Result<Self, SheetError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(SheetFormat::Csv),
            "xlsx" => Ok(SheetFormat::Xlsx),
            _ => Err(SheetError::new(
                None,
                format!("“{text}” is not a spreadsheet format; use csv or xlsx."),
            )),
        }
    }
}

/// Why a file cannot be read or written, with the line when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", match .line { Some(line) => format!("Line {line}: {}", .message), None => .message.clone() })]
pub struct SheetError {
    pub line: Option<u64>,
    pub message: String,
}

impl SheetError {
    pub(crate) fn new(line: Option<u64>, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

/// One row as read: its line (the spreadsheet's row number for XLSX, the
/// CSV record's first line) and its cells, restored and trimmed.
#[derive(Debug, Default, Clone)]
pub struct SheetRow {
    pub line: u64,
    pub cells: Vec<String>,
}

/// The format `input` holds, from its first bytes: a ZIP archive is a
/// workbook, anything else is read as CSV. Leaves `input` at its start.
pub fn detect<R: Read + Seek>(input: &mut R) -> Result<SheetFormat, SheetError> {
    let size = input.seek(SeekFrom::End(0)).map_err(unreadable)?;
    if size > MAX_SHEET_BYTES {
        return Err(SheetError::new(
            None,
            format!(
                "The file is larger than {} MB; split it into smaller files.",
                MAX_SHEET_BYTES / 1024 / 1024
            ),
        ));
    }
    if size == 0 {
        return Err(SheetError::new(None, "The file is empty."));
    }
    input.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    let mut magic = [0_u8; 4];
    let read = read_up_to(input, &mut magic)?;
    input.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    Ok(if magic[..read] == *b"PK\x03\x04" {
        SheetFormat::Xlsx
    } else {
        SheetFormat::Csv
    })
}

/// Calls `each` with every row of the file that holds a non-blank cell, in
/// order; the first such row is the header. Stops at the first error of
/// `each` or of the file.
pub fn for_each_row<R, E>(
    mut input: R,
    mut each: impl FnMut(&SheetRow) -> Result<(), E>,
) -> Result<(), E>
where
    R: Read + Seek,
    E: From<SheetError>,
{
    match detect(&mut input)? {
        SheetFormat::Csv => csv_rows(input, &mut each),
        SheetFormat::Xlsx => xlsx_rows(input, &mut each),
    }
}

fn csv_rows<R: Read + Seek, E: From<SheetError>>(
    mut input: R,
    each: &mut impl FnMut(&SheetRow) -> Result<(), E>,
) -> Result<(), E> {
    let mut head = vec![0_u8; SNIFF_BYTES];
    let read = read_up_to(&mut input, &mut head)?;
    head.truncate(read);
    let delimiter = separator(&head);
    input.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        // Records end at `\n`; a `\r` before it is trimmed with the cell.
        // (With CRLF as the terminator, the csv crate's line numbers stop
        // counting after the first `\r\n`.)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(BufReader::new(input));
    let mut record = csv::ByteRecord::new();
    let mut row = SheetRow::default();
    let mut first = true;
    loop {
        let more = reader.read_byte_record(&mut record).map_err(|error| {
            let line = error.position().map(|p| p.line());
            SheetError::new(
                line,
                format!("The file could not be read as CSV ({error})."),
            )
        })?;
        if !more {
            return Ok(());
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() > MAX_COLUMNS {
            return Err(SheetError::new(Some(line), "the row has too many cells.").into());
        }
        row.line = line;
        row.cells.clear();
        for (index, bytes) in record.iter().enumerate() {
            if bytes.contains(&0) {
                return Err(SheetError::new(
                    Some(line),
                    "the file holds a NUL byte: it is not a text spreadsheet.",
                )
                .into());
            }
            let mut text = std::str::from_utf8(bytes).map_err(|_| {
                SheetError::new(
                    Some(line),
                    "the file is not UTF-8 text; save it from the spreadsheet as “CSV UTF-8”.",
                )
            })?;
            if first && index == 0 {
                text = text.strip_prefix('\u{feff}').unwrap_or(text);
            }
            row.cells.push(csv_cell::restore(text.trim()).to_owned());
        }
        if row.cells.iter().all(String::is_empty) {
            continue;
        }
        first = false;
        each(&row)?;
    }
}

/// The separator of the header line: the most frequent of `,` `;` and tab
/// outside quotes (a comma when none is there).
fn separator(head: &[u8]) -> u8 {
    let line = head.split(|byte| *byte == b'\n').next().unwrap_or_default();
    let mut counts = [(b',', 0_usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for byte in line {
        if *byte == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (candidate, count) in &mut counts {
                if byte == candidate {
                    *count += 1;
                }
            }
        }
    }
    counts
        .iter()
        .fold((b',', 0), |best, (candidate, count)| {
            if *count > best.1 {
                (*candidate, *count)
            } else {
                best
            }
        })
        .0
}

fn xlsx_rows<R: Read + Seek, E: From<SheetError>>(
    mut input: R,
    each: &mut impl FnMut(&SheetRow) -> Result<(), E>,
) -> Result<(), E> {
    use calamine::{DataRef, Reader as _, SheetVisible, Xlsx};

    check_workbook(&mut input)?;
    input.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    let mut workbook: Xlsx<_> = Xlsx::new(BufReader::new(input)).map_err(not_a_workbook)?;
    // The first sheet a person sees: a hidden one could hold rows nobody
    // reviewed.
    let Some(first) = workbook
        .sheets_metadata()
        .iter()
        .find(|sheet| sheet.visible == SheetVisible::Visible)
        .map(|sheet| sheet.name.clone())
    else {
        return Err(SheetError::new(None, "The workbook has no visible sheet.").into());
    };
    let mut cells = workbook.worksheet_cells_reader(&first).map_err(|error| {
        SheetError::new(
            None,
            format!("The workbook's first sheet could not be read ({error})."),
        )
    })?;
    let mut row = SheetRow::default();
    let mut current: Option<u32> = None;
    loop {
        let cell = cells.next_cell().map_err(|error| {
            let line = current.map(|r| u64::from(r) + 1);
            SheetError::new(line, format!("The workbook could not be read ({error})."))
        })?;
        let position = cell.as_ref().map(|c| c.get_position());
        if let (Some((next, _)), Some(now)) = (position, current) {
            if next < now {
                return Err(SheetError::new(
                    Some(u64::from(now) + 1),
                    "the workbook's rows are out of order; save it again from the spreadsheet.",
                )
                .into());
            }
        }
        if position.map(|(r, _)| r) != current {
            if current.is_some() && row.cells.iter().any(|c| !c.is_empty()) {
                each(&row)?;
            }
            row.cells.clear();
            current = position.map(|(r, _)| r);
            row.line = current.map_or(0, |r| u64::from(r) + 1);
        }
        let Some(cell) = cell else { return Ok(()) };
        let (_, column) = cell.get_position();
        let column = usize::try_from(column).unwrap_or(usize::MAX);
        if column >= MAX_COLUMNS {
            return Err(SheetError::new(Some(row.line), "the row has too many cells.").into());
        }
        let text = match cell.get_value() {
            DataRef::Empty => String::new(),
            DataRef::String(text) => text.clone(),
            DataRef::SharedString(text) => (*text).to_owned(),
            DataRef::Int(n) => n.to_string(),
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            DataRef::Float(f) => f.to_string(),
            DataRef::Bool(true) => "true".to_owned(),
            DataRef::Bool(false) => "false".to_owned(),
            DataRef::DateTime(value) => value.as_f64().to_string(),
            DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => text.clone(),
            DataRef::Error(error) => {
                return Err(SheetError::new(
                    Some(row.line),
                    format!("a cell holds the spreadsheet error {error}."),
                )
                .into())
            }
        };
        if text.contains('\0') {
            return Err(SheetError::new(Some(row.line), "a cell holds a NUL character.").into());
        }
        if row.cells.len() <= column {
            row.cells.resize(column + 1, String::new());
        }
        row.cells[column] = csv_cell::restore(text.trim()).to_owned();
    }
}

fn not_a_workbook(error: impl std::fmt::Display) -> SheetError {
    SheetError::new(
        None,
        format!("The file is not an Excel workbook (.xlsx) Roster can read ({error})."),
    )
}

/// Decompresses every part of the workbook without keeping it, refusing
/// one that grows past [`MAX_UNZIPPED_BYTES`] (a zip bomb) or whose shared
/// strings are larger than [`MAX_SHARED_STRINGS_BYTES`] or announce more
/// strings than they could hold (calamine reserves room for that count).
fn check_workbook<R: Read + Seek>(input: &mut R) -> Result<(), SheetError> {
    let mut archive = zip::ZipArchive::new(&mut *input).map_err(not_a_workbook)?;
    let mut total = 0_u64;
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).map_err(not_a_workbook)?;
        let shared_strings = part
            .name()
            .map_err(not_a_workbook)?
            .eq_ignore_ascii_case("xl/sharedStrings.xml");
        let limit = if shared_strings {
            MAX_SHARED_STRINGS_BYTES
        } else {
            MAX_UNZIPPED_BYTES
        };
        let mut head = Vec::new();
        let mut counted = 0_u64;
        let mut buffer = [0_u8; 64 * 1024];
        loop {
            let read = match part.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(not_a_workbook(error)),
            };
            if shared_strings && head.len() < 4096 {
                head.extend_from_slice(&buffer[..read.min(4096 - head.len())]);
            }
            counted += read as u64;
            total += read as u64;
            if counted > limit || total > MAX_UNZIPPED_BYTES {
                return Err(SheetError::new(
                    None,
                    "The workbook is far larger once unpacked than its file: Roster does not read it.",
                ));
            }
        }
        if shared_strings {
            // Each string takes at least `<si><t/></si>` (13 bytes).
            let announced = unique_count(&head).unwrap_or(0);
            if announced > counted / 13 + 1 {
                return Err(SheetError::new(
                    None,
                    "The workbook's list of texts announces more texts than it holds: Roster does not read it.",
                ));
            }
        }
    }
    Ok(())
}

/// The `uniqueCount` (else `count`) of a shared-strings part's `<sst>` tag.
fn unique_count(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    let tag_start = text.find("<sst")?;
    let tag = &text[tag_start..tag_start + text[tag_start..].find('>')?];
    ["uniqueCount=\"", " count=\""]
        .iter()
        .filter_map(|attribute| {
            let start = tag.find(attribute)? + attribute.len();
            let end = start + tag[start..].find('"')?;
            tag[start..end].trim().parse::<u64>().ok()
        })
        .max()
}

/// Writes rows, one at a time, as CSV or as a workbook of one sheet.
pub struct SheetWriter<'w> {
    inner: Inner<'w>,
}

enum RowsKept {
    InTemporaryFile,
    InMemory,
}

enum Inner<'w> {
    Csv(Box<csv::Writer<&'w mut (dyn Write + Send)>>),
    Xlsx {
        workbook: Box<rust_xlsxwriter::Workbook>,
        row: u32,
        out: &'w mut (dyn Write + Send),
    },
}

impl<'w> SheetWriter<'w> {
    /// A writer to `out`; an XLSX sheet is called `sheet_name` and its rows
    /// wait in a temporary file until [`Self::finish`].
    pub fn new(
        format: SheetFormat,
        sheet_name: &str,
        out: &'w mut (dyn Write + Send),
    ) -> Result<Self, SheetError> {
        Self::with_rows_kept(format, sheet_name, out, RowsKept::InTemporaryFile)
    }

    /// [`Self::new`] keeping an XLSX sheet's rows in memory: for secrets
    /// (a credentials sheet), which must not reach a temporary file.
    pub fn in_memory(
        format: SheetFormat,
        sheet_name: &str,
        out: &'w mut (dyn Write + Send),
    ) -> Result<Self, SheetError> {
        Self::with_rows_kept(format, sheet_name, out, RowsKept::InMemory)
    }

    fn with_rows_kept(
        format: SheetFormat,
        sheet_name: &str,
        out: &'w mut (dyn Write + Send),
        kept: RowsKept,
    ) -> Result<Self, SheetError> {
        let inner = match format {
            SheetFormat::Csv => Inner::Csv(Box::new(csv::Writer::from_writer(out))),
            SheetFormat::Xlsx => {
                let mut workbook = Box::new(rust_xlsxwriter::Workbook::new());
                let sheet = match kept {
                    RowsKept::InTemporaryFile => workbook.add_worksheet_with_constant_memory(),
                    RowsKept::InMemory => Ok(workbook.add_worksheet()),
                };
                sheet
                    .and_then(|sheet| sheet.set_name(sheet_name))
                    .map_err(write_failed)?;
                Inner::Xlsx {
                    workbook,
                    row: 0,
                    out,
                }
            }
        };
        Ok(Self { inner })
    }

    /// Writes one row; every cell through [`csv_cell::neutralise`].
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        match &mut self.inner {
            Inner::Csv(writer) => writer
                .write_record(
                    cells
                        .iter()
                        .map(|cell| csv_cell::neutralise(cell.as_ref()).into_owned()),
                )
                .map_err(write_failed),
            Inner::Xlsx { workbook, row, .. } => {
                let sheet = workbook.worksheet_from_index(0).map_err(write_failed)?;
                for (column, cell) in cells.iter().enumerate() {
                    let column = u16::try_from(column)
                        .map_err(|_| SheetError::new(None, "Too many columns to write."))?;
                    sheet
                        .write_string(*row, column, csv_cell::neutralise(cell.as_ref()))
                        .map_err(write_failed)?;
                }
                *row += 1;
                Ok(())
            }
        }
    }

    /// Finishes the file (a workbook is assembled and written here).
    pub fn finish(self) -> Result<(), SheetError> {
        match self.inner {
            Inner::Csv(mut writer) => writer.flush().map_err(write_failed),
            Inner::Xlsx {
                mut workbook, out, ..
            } => workbook.save_to_writer(out).map_err(write_failed),
        }
    }
}

fn write_failed(error: impl std::fmt::Display) -> SheetError {
    SheetError::new(None, format!("The file could not be written ({error})."))
}

fn unreadable(error: std::io::Error) -> SheetError {
    SheetError::new(None, format!("The file could not be read ({error})."))
}

fn read_up_to<R: Read>(input: &mut R, buffer: &mut [u8]) -> Result<usize, SheetError> {
    let mut filled = 0;
    while filled < buffer.len() {
        match input.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(unreadable(error)),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests;
