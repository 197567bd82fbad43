//! Previews of tabular and JSON resources, computed while the upload streams past: the first
//! rows and each column's inferred type. A CSV or TSV file is read to its end on the way
//! (every record must have the header's number of fields and be UTF-8), so a malformed file
//! is refused before it is stored; memory stays bounded whatever the file's size.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::storage::Inspect;

/// Rows a preview shows.
pub const PREVIEW_ROWS: usize = 20;
/// Rows whose values decide the column types.
const INFER_ROWS: u64 = 1_000;
/// Longest record accepted, in bytes (bounds memory on a file without line breaks).
const MAX_RECORD_BYTES: usize = 1024 * 1024;
/// Bytes of a JSON file kept for its preview.
const JSON_HEAD_BYTES: usize = 1024 * 1024;
/// Longest value shown in a preview cell, in characters.
const MAX_CELL_CHARS: usize = 200;

/// A column's type, the narrowest every non-empty sampled value fits.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, async_graphql::Enum,
)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Integer,
    Number,
    Boolean,
    Date,
    Datetime,
    String,
    /// Every sampled value was empty.
    Empty,
}

impl ColumnType {
    fn of(value: &str) -> Self {
        let value = value.trim();
        if value.is_empty() {
            Self::Empty
        } else if value.parse::<i64>().is_ok() {
            Self::Integer
        } else if value.parse::<f64>().is_ok_and(f64::is_finite) {
            Self::Number
        } else if matches!(value.to_ascii_lowercase().as_str(), "true" | "false") {
            Self::Boolean
        } else if chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok() {
            Self::Date
        } else if chrono::DateTime::parse_from_rfc3339(value).is_ok()
            || chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S").is_ok()
            || chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S").is_ok()
        {
            Self::Datetime
        } else {
            Self::String
        }
    }

    fn merge(self, other: Self) -> Self {
        match (self, other) {
            (a, b) if a == b => a,
            (Self::Empty, b) => b,
            (a, Self::Empty) => a,
            (Self::Integer, Self::Number) | (Self::Number, Self::Integer) => Self::Number,
            (Self::Date, Self::Datetime) | (Self::Datetime, Self::Date) => Self::Datetime,
            _ => Self::String,
        }
    }
}

/// One column of a preview.
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, async_graphql::SimpleObject,
)]
#[graphql(name = "PreviewColumn")]
pub struct PreviewColumn {
    pub name: String,
    #[serde(rename = "type")]
    #[graphql(name = "type")]
    pub column_type: ColumnType,
}

/// The first rows of a tabular or JSON resource, with inferred column types.
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, async_graphql::SimpleObject,
)]
#[graphql(name = "ResourcePreview")]
pub struct Preview {
    /// `csv`, `tsv` or `json`.
    pub format: String,
    pub columns: Vec<PreviewColumn>,
    /// Up to 20 rows, each value as text.
    pub rows: Vec<Vec<String>>,
    /// Data rows in the whole file (CSV and TSV), or elements in the previewed part (JSON).
    pub row_count: u64,
    /// Whether the file has more rows than shown.
    pub truncated: bool,
}

fn cell(value: &str) -> String {
    if value.chars().count() > MAX_CELL_CHARS {
        let mut cut: String = value.chars().take(MAX_CELL_CHARS).collect();
        cut.push('…');
        cut
    } else {
        value.to_owned()
    }
}

/// What kind of preview an upload gets, by its media type.
pub fn inspector_for(media_type: &str) -> PreviewInspector {
    match media_type {
        "text/csv" => PreviewInspector::Table(Box::new(TableInspector::new(b',', "csv"))),
        "text/tab-separated-values" => {
            PreviewInspector::Table(Box::new(TableInspector::new(b'\t', "tsv")))
        }
        "application/json" | "application/geo+json" => {
            PreviewInspector::Json(JsonInspector::default())
        }
        _ => PreviewInspector::None,
    }
}

/// The inspector an upload runs through; `preview` after the upload ends.
#[derive(Debug)]
pub enum PreviewInspector {
    Table(Box<TableInspector>),
    Json(JsonInspector),
    None,
}

impl PreviewInspector {
    pub fn preview(self) -> Option<Preview> {
        match self {
            Self::Table(table) => (*table).preview(),
            Self::Json(json) => json.preview(),
            Self::None => None,
        }
    }
}

impl Inspect for PreviewInspector {
    fn chunk(&mut self, bytes: &[u8]) -> Result<(), String> {
        match self {
            Self::Table(table) => table.chunk(bytes),
            Self::Json(json) => json.chunk(bytes),
            Self::None => Ok(()),
        }
    }
    fn end(&mut self) -> Result<(), String> {
        match self {
            Self::Table(table) => table.end(),
            Self::Json(json) => json.end(),
            Self::None => Ok(()),
        }
    }
}

/// Validates a CSV or TSV stream record by record (csv-core's incremental parser) and keeps
/// the header, the first rows and the column types.
pub struct TableInspector {
    reader: csv_core::Reader,
    format: &'static str,
    output: Vec<u8>,
    ends: Vec<usize>,
    out_len: usize,
    ends_len: usize,
    header: Option<Vec<String>>,
    types: Vec<ColumnType>,
    rows: Vec<Vec<String>>,
    row_count: u64,
}

impl std::fmt::Debug for TableInspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableInspector")
            .field("format", &self.format)
            .field("row_count", &self.row_count)
            .finish_non_exhaustive()
    }
}

impl TableInspector {
    pub fn new(delimiter: u8, format: &'static str) -> Self {
        Self {
            reader: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            format,
            output: vec![0; 4096],
            ends: vec![0; 64],
            out_len: 0,
            ends_len: 0,
            header: None,
            types: Vec::new(),
            rows: Vec::new(),
            row_count: 0,
        }
    }

    /// Feeds `input` (empty at the end of the file); returns when it is consumed.
    fn feed(&mut self, mut input: &[u8]) -> Result<(), String> {
        use csv_core::ReadRecordResult as R;
        let at_end = input.is_empty();
        loop {
            let (result, read, written, ended) = self.reader.read_record(
                input,
                &mut self.output[self.out_len..],
                &mut self.ends[self.ends_len..],
            );
            input = &input[read..];
            self.out_len += written;
            self.ends_len += ended;
            match result {
                R::InputEmpty => {
                    if !at_end {
                        return Ok(());
                    }
                }
                R::OutputFull => {
                    if self.output.len() >= MAX_RECORD_BYTES {
                        return Err(format!(
                            "line {}: a record is longer than {} bytes",
                            self.reader.line(),
                            MAX_RECORD_BYTES
                        ));
                    }
                    let grown = self.output.len() * 2;
                    self.output.resize(grown, 0);
                }
                R::OutputEndsFull => {
                    if self.ends.len() >= 100_000 {
                        return Err("a record has more than 100000 fields".into());
                    }
                    let grown = self.ends.len() * 2;
                    self.ends.resize(grown, 0);
                }
                R::Record => {
                    self.record()?;
                    self.out_len = 0;
                    self.ends_len = 0;
                }
                R::End => return Ok(()),
            }
        }
    }

    fn record(&mut self) -> Result<(), String> {
        // csv-core counts the line after the record's terminator.
        let line = self.reader.line().saturating_sub(1).max(1);
        // Each field is checked on its own: csv-core drops the delimiters, so two fields
        // holding the two halves of one character would join into valid UTF-8 whose field
        // boundary falls inside that character.
        let mut fields = Vec::with_capacity(self.ends_len);
        let mut start = 0;
        for &end in &self.ends[..self.ends_len] {
            let field = self
                .output
                .get(start..end)
                .and_then(|bytes| std::str::from_utf8(bytes).ok())
                .ok_or_else(|| format!("line {line}: not UTF-8 text"))?;
            fields.push(field);
            start = end;
        }
        let Some(header) = &self.header else {
            if fields.iter().all(|f| f.trim().is_empty()) {
                return Err(format!("line {line}: the header row is empty"));
            }
            self.types = vec![ColumnType::Empty; fields.len()];
            self.header = Some(fields.iter().map(|f| cell(f.trim())).collect());
            return Ok(());
        };
        if fields.len() != header.len() {
            return Err(format!(
                "line {line}: {} fields where the header has {}",
                fields.len(),
                header.len()
            ));
        }
        self.row_count += 1;
        if self.row_count <= INFER_ROWS {
            for (column, value) in self.types.iter_mut().zip(&fields) {
                *column = column.merge(ColumnType::of(value));
            }
        }
        if self.rows.len() < PREVIEW_ROWS {
            self.rows.push(fields.iter().map(|f| cell(f)).collect());
        }
        Ok(())
    }

    fn preview(self) -> Option<Preview> {
        let header = self.header?;
        Some(Preview {
            format: self.format.to_owned(),
            columns: header
                .into_iter()
                .zip(self.types)
                .map(|(name, column_type)| PreviewColumn { name, column_type })
                .collect(),
            truncated: self.row_count > self.rows.len() as u64,
            rows: self.rows,
            row_count: self.row_count,
        })
    }
}

impl Inspect for TableInspector {
    fn chunk(&mut self, bytes: &[u8]) -> Result<(), String> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.feed(bytes)
    }
    fn end(&mut self) -> Result<(), String> {
        self.feed(&[])?;
        if self.header.is_none() {
            return Err("the file is empty: a header row is required".into());
        }
        Ok(())
    }
}

/// Keeps the first megabyte of a JSON file: a file that fits is checked whole; a longer one
/// is previewed from the leading elements of its top-level array. Columns are the objects'
/// keys, each object's in alphabetical order, new keys of later objects after them.
#[derive(Debug, Default)]
pub struct JsonInspector {
    head: Vec<u8>,
    total: u64,
}

impl Inspect for JsonInspector {
    fn chunk(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.total += bytes.len() as u64;
        let room = JSON_HEAD_BYTES.saturating_sub(self.head.len());
        self.head.extend_from_slice(&bytes[..bytes.len().min(room)]);
        Ok(())
    }
    fn end(&mut self) -> Result<(), String> {
        if self.total <= JSON_HEAD_BYTES as u64 {
            serde_json::from_slice::<serde_json::Value>(&self.head)
                .map(drop)
                .map_err(|e| format!("not valid JSON: {e}"))?;
        }
        Ok(())
    }
}

impl JsonInspector {
    fn preview(self) -> Option<Preview> {
        let elements = leading_elements(&self.head, PREVIEW_ROWS + 1);
        let mut columns: Vec<String> = Vec::new();
        for element in &elements {
            if let serde_json::Value::Object(map) = element {
                for key in map.keys() {
                    if !columns.contains(key) {
                        columns.push(key.clone());
                    }
                }
            }
        }
        if columns.is_empty() {
            return None;
        }
        let text = |value: Option<&serde_json::Value>| match value {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => cell(s),
            Some(other) => cell(&other.to_string()),
        };
        let mut types = vec![ColumnType::Empty; columns.len()];
        let mut rows = Vec::new();
        for element in elements.iter().take(PREVIEW_ROWS) {
            let row: Vec<String> = columns.iter().map(|c| text(element.get(c))).collect();
            for (column, value) in types.iter_mut().zip(&row) {
                *column = column.merge(ColumnType::of(value));
            }
            rows.push(row);
        }
        Some(Preview {
            format: "json".into(),
            columns: columns
                .into_iter()
                .zip(types)
                .map(|(name, column_type)| PreviewColumn { name, column_type })
                .collect(),
            row_count: rows.len() as u64,
            truncated: elements.len() > PREVIEW_ROWS,
            rows,
        })
    }
}

/// Up to `max` complete elements at the start of a top-level JSON array in `head` (which may
/// be cut anywhere): scans bracket depth outside strings to find element boundaries.
fn leading_elements(head: &[u8], max: usize) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let Some(open) = text.iter().position(|b| !b.is_ascii_whitespace()) else {
        return out;
    };
    if text[open] != b'[' {
        return out;
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut start = open + 1;
    for (i, &byte) in text.iter().enumerate().skip(open + 1) {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' if depth > 0 => depth -= 1,
            b',' | b']' if depth == 0 => {
                match serde_json::from_slice(&text[start..i]) {
                    Ok(value) => out.push(value),
                    Err(_) => return out,
                }
                if out.len() >= max || byte == b']' {
                    return out;
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(inspector: &mut dyn Inspect, data: &[u8], chunk: usize) -> Result<(), String> {
        for piece in data.chunks(chunk) {
            inspector.chunk(piece)?;
        }
        inspector.end()
    }

    #[test]
    fn csv_previews_infer_types_across_chunk_boundaries() {
        let data = "region,year,population,share,census_date,note\n\
                    Toshkent,2024,3040000,0.08,2024-01-01,\"capital, city\"\n\
                    Samarqand,2024,4100000,0.11,2024-01-01,\n\
                    Бухоро,2023,1990000,5,2023-01-01,областной центр\n";
        for chunk in [1, 3, 7, 4096] {
            let mut table = TableInspector::new(b',', "csv");
            run(&mut table, data.as_bytes(), chunk).unwrap();
            let preview = table.preview().unwrap();
            let types: Vec<ColumnType> = preview.columns.iter().map(|c| c.column_type).collect();
            assert_eq!(
                types,
                vec![
                    ColumnType::String,
                    ColumnType::Integer,
                    ColumnType::Integer,
                    ColumnType::Number,
                    ColumnType::Date,
                    ColumnType::String
                ],
                "chunk {chunk}"
            );
            assert_eq!(preview.row_count, 3);
            assert_eq!(preview.rows[0][5], "capital, city");
            assert_eq!(preview.rows[2][0], "Бухоро");
            assert!(!preview.truncated);
        }
    }

    #[test]
    fn malformed_tables_are_refused_with_the_line() {
        let mut ragged = TableInspector::new(b',', "csv");
        let error = run(&mut ragged, b"a,b\n1,2\n3\n4,5\n", 5).unwrap_err();
        assert!(error.contains("line 3"), "{error}");
        let mut last_line = TableInspector::new(b',', "csv");
        assert!(run(&mut last_line, b"a,b\n1,2\n3,4,5", 64).is_err());
        let mut binary = TableInspector::new(b',', "csv");
        assert!(run(&mut binary, b"a,b\n\xff\xfe,1\n", 64).is_err());
        let mut empty = TableInspector::new(b',', "csv");
        assert!(run(&mut empty, b"", 64).is_err());
        let mut tsv = TableInspector::new(b'\t', "tsv");
        run(&mut tsv, b"a\tb\n1\t2\n", 3).unwrap();
        assert_eq!(tsv.preview().unwrap().columns.len(), 2);
    }

    proptest::proptest! {
        #![proptest_config(crate::fuzzing::config())]

        /// Fuzz target: any bytes in any chunking are a preview or a refusal, for CSV, TSV
        /// and JSON alike; what is accepted has rows of the header's width.
        #[test]
        fn fuzz_previews(
            data in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b"a,\t\"\r\n1.x{}[]:\xd0\x90\xff".to_vec()),
                    proptest::num::u8::ANY,
                ],
                0..2000,
            ),
            chunk in 1usize..700,
        ) {
            for media_type in ["text/csv", "text/tab-separated-values", "application/json"] {
                let mut inspector = inspector_for(media_type);
                if run(&mut inspector, &data, chunk).is_ok()
                    && let Some(preview) = inspector.preview()
                {
                    for row in &preview.rows {
                        proptest::prop_assert_eq!(row.len(), preview.columns.len());
                    }
                }
            }
            let _ = leading_elements(&data, 5);
        }
    }

    #[test]
    fn a_character_split_across_two_fields_is_refused_not_a_panic() {
        // `\xD0,\x90`: each field holds half of "А"; joined without the comma they are valid
        // UTF-8, so only a per-field check sees the broken text (this panicked before).
        let mut data = String::from("a,b\n").into_bytes();
        while data.len() < 600 {
            data.extend_from_slice(b"x,y\n");
        }
        data.extend_from_slice(b"\xD0,\x90\n");
        for chunk in [1, 7, 512, 4096] {
            let mut table = TableInspector::new(b',', "csv");
            let error = run(&mut table, &data, chunk).unwrap_err();
            assert!(error.contains("not UTF-8"), "chunk {chunk}: {error}");
        }
    }

    #[test]
    fn many_rows_are_counted_but_only_twenty_kept() {
        let mut data = String::from("n\n");
        for i in 0..5_000 {
            data.push_str(&format!("{i}\n"));
        }
        let mut table = TableInspector::new(b',', "csv");
        run(&mut table, data.as_bytes(), 1000).unwrap();
        let preview = table.preview().unwrap();
        assert_eq!(preview.row_count, 5_000);
        assert_eq!(preview.rows.len(), PREVIEW_ROWS);
        assert!(preview.truncated);
    }

    #[test]
    fn json_arrays_of_objects_preview_and_invalid_json_is_refused() {
        let data = br#"[{"id": 1, "name": "Ganja", "area": 110.5}, {"id": 2, "name": "Shaki", "extra": true}]"#;
        let mut json = JsonInspector::default();
        run(&mut json, data, 10).unwrap();
        let preview = json.preview().unwrap();
        let names: Vec<&str> = preview.columns.iter().map(|c| c.name.as_str()).collect();
        // Keys in order, as serde_json's map keeps them.
        assert_eq!(names, vec!["area", "id", "name", "extra"]);
        assert_eq!(preview.columns[1].column_type, ColumnType::Integer);
        assert_eq!(preview.columns[0].column_type, ColumnType::Number);
        assert_eq!(preview.rows[1], vec!["", "2", "Shaki", "true"]);
        let mut broken = JsonInspector::default();
        assert!(run(&mut broken, b"[{\"id\": 1,", 4).is_err());
    }

    #[test]
    fn leading_elements_stop_at_a_cut() {
        let head = br#"[{"a": "x,]"}, {"a": [1, 2]}, {"a": "cut"#;
        let found = leading_elements(head, 10);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0]["a"], "x,]");
    }
}
