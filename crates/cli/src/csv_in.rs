//! Reading a CSV file (RFC 4180: commas, double quotes, quotes doubled inside quotes) while
//! keeping where everything is: the line each record and each field starts on, and the line
//! a quoted value opens on. General CSV readers report a quote that never closes where the
//! file (or the record) ends, hundreds of lines after the mistake; this one reports the line
//! where the quote opens, and checks each value is UTF-8 text, naming its line and column.

/// A record of the file after the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line the record starts on (the header is line 1).
    pub line: u64,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The header's cells, trimmed, without a byte-order mark.
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// Something that keeps the file from being read: its line, and column (0-based, counting
/// the header's columns) when it is within one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadProblem {
    pub line: u64,
    pub column: Option<usize>,
    /// The column's name in the header, when the header could be read.
    pub column_name: Option<String>,
    pub message: String,
}

impl ReadProblem {
    fn at(line: u64, column: Option<usize>, message: impl Into<String>) -> Self {
        ReadProblem {
            line,
            column,
            column_name: None,
            message: message.into(),
        }
    }
}

/// One value as read: its text (or where it stops being UTF-8), and where it is.
struct Field {
    text: Result<String, ReadProblem>,
    line: u64,
    /// The line its opening quote is on, when quoted.
    quoted_from: Option<u64>,
    /// The line it ends on (later than `line` when a quoted value holds line breaks).
    end_line: u64,
}

struct Record {
    line: u64,
    fields: Vec<Field>,
}

impl Record {
    fn is_blank(&self) -> bool {
        self.fields.len() == 1
            && self.fields[0].quoted_from.is_none()
            && self.fields[0]
                .text
                .as_ref()
                .is_ok_and(|t| t.trim().is_empty())
    }
}

/// The value as text, or where it stops being UTF-8 (`line` is where the value starts).
fn decode(bytes: &[u8], line: u64, column: usize) -> Result<String, ReadProblem> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => {
            let at = e.valid_up_to();
            let line = line + bytes[..at].iter().filter(|b| **b == b'\n').count() as u64;
            Err(ReadProblem::at(
                line,
                Some(column),
                format!(
                    "not UTF-8 text (byte 0x{:02X}): save the file as UTF-8 (in Excel, \"CSV UTF-8\")",
                    bytes[at]
                ),
            ))
        }
    }
}

/// Reads records one after another, each value straight into its text.
struct Records<'a> {
    bytes: &'a [u8],
    i: usize,
    line: u64,
}

/// A line ends at `\n`, `\r\n` or a lone `\r`: how many bytes the end at `i` takes, if any.
fn line_end(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i) {
        Some(b'\n') => Some(1),
        Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => Some(2),
        Some(b'\r') => Some(1),
        _ => None,
    }
}

impl Records<'_> {
    /// The next record, or a quote that never closes (with the record's values before it).
    fn next_record(&mut self) -> Option<Result<Record, (Record, ReadProblem)>> {
        if self.i >= self.bytes.len() {
            return None;
        }
        let bytes = self.bytes;
        let mut record = Record {
            line: self.line,
            fields: Vec::new(),
        };
        loop {
            let column = record.fields.len();
            let start_line = self.line;
            let field = if bytes.get(self.i) == Some(&b'"') {
                let opened = self.line;
                self.i += 1;
                let mut value: Vec<u8> = Vec::new();
                loop {
                    let rest = &bytes[self.i..];
                    let Some(q) = rest.iter().position(|b| *b == b'"') else {
                        let problem = ReadProblem::at(
                            opened,
                            Some(column),
                            "a quoted value opens here and is never closed: add the closing quote (\")",
                        );
                        self.i = bytes.len();
                        return Some(Err((record, problem)));
                    };
                    self.line += line_breaks(&rest[..q]);
                    value.extend_from_slice(&rest[..q]);
                    self.i += q + 1;
                    if bytes.get(self.i) == Some(&b'"') {
                        value.push(b'"');
                        self.i += 1;
                    } else {
                        break;
                    }
                }
                // Text after the closing quote is kept as written, as spreadsheets read it.
                let end = self.value_end();
                value.extend_from_slice(&bytes[self.i..end]);
                self.i = end;
                Field {
                    text: decode(&value, start_line, column),
                    line: start_line,
                    quoted_from: Some(opened),
                    end_line: self.line,
                }
            } else {
                let end = self.value_end();
                let text = decode(&bytes[self.i..end], start_line, column);
                self.i = end;
                Field {
                    text,
                    line: start_line,
                    quoted_from: None,
                    end_line: start_line,
                }
            };
            record.fields.push(field);
            match bytes.get(self.i) {
                Some(b',') => self.i += 1,
                None => return Some(Ok(record)),
                Some(_) => {
                    self.i += line_end(bytes, self.i).unwrap_or(1);
                    self.line += 1;
                    return Some(Ok(record));
                }
            }
        }
    }

    /// Where the value starting at `self.i` ends: the next comma or line end.
    fn value_end(&self) -> usize {
        self.bytes[self.i..]
            .iter()
            .position(|b| matches!(b, b',' | b'\n' | b'\r'))
            .map_or(self.bytes.len(), |p| self.i + p)
    }
}

/// Line breaks inside a quoted value (`\r\n` counts once).
fn line_breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            n += 1;
        }
    }
    n
}

/// Reads a whole CSV file: the header, then every record, or every problem that keeps it
/// from being read.
pub fn read(bytes: &[u8]) -> Result<Table, Vec<ReadProblem>> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(vec![ReadProblem::at(
            1,
            None,
            "the file is UTF-16 text: save it as UTF-8 (in Excel, \"CSV UTF-8\")",
        )]);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count() as u64;
        return Err(vec![ReadProblem::at(
            line,
            None,
            "the file holds binary data (a NUL byte), not CSV text",
        )]);
    }
    let mut records = Records {
        bytes,
        i: 0,
        line: 1,
    };
    let mut problems = Vec::new();
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    while let Some(next) = records.next_record() {
        let record = match next {
            Ok(r) => r,
            Err((_, unclosed)) => {
                problems.push(unclosed);
                break;
            }
        };
        if record.is_blank() {
            continue;
        }
        let Some(width) = header.as_ref().map(Vec::len) else {
            header = Some(
                record
                    .fields
                    .into_iter()
                    .map(|f| match f.text {
                        Ok(s) => s.trim().to_string(),
                        Err(p) => {
                            problems.push(p);
                            String::new()
                        }
                    })
                    .collect(),
            );
            continue;
        };
        // A quoted value that runs over several lines and leaves the row the wrong width is
        // most likely a closing quote missing where it opens.
        if record.fields.len() != width
            && let Some((column, f)) = record
                .fields
                .iter()
                .enumerate()
                .find(|(_, f)| f.quoted_from.is_some() && f.end_line > f.line)
        {
            problems.push(ReadProblem::at(
                f.quoted_from.unwrap_or(f.line),
                Some(column),
                format!(
                    "a quoted value opens here and runs to line {}, leaving the row with {} values where the header names {width} columns: is a closing quote (\") missing?",
                    f.end_line,
                    record.fields.len()
                ),
            ));
            continue;
        }
        if record.fields.len() > width
            && record.fields[width..]
                .iter()
                .any(|f| !f.text.as_ref().is_ok_and(String::is_empty))
        {
            problems.push(ReadProblem::at(
                record.line,
                None,
                format!(
                    "the row has {} values but the header names {width} columns",
                    record.fields.len()
                ),
            ));
            continue;
        }
        let mut cells = Vec::with_capacity(width);
        let mut ok = true;
        for f in record.fields.into_iter().take(width) {
            match f.text {
                Ok(s) => cells.push(s),
                Err(p) => {
                    problems.push(p);
                    ok = false;
                }
            }
        }
        if ok {
            rows.push(Row {
                line: record.line,
                cells,
            });
        }
    }
    let Some(header) = header else {
        return Err(if problems.is_empty() {
            vec![ReadProblem::at(
                1,
                None,
                "the file is empty: its first line names the columns",
            )]
        } else {
            problems
        });
    };
    if problems.is_empty() {
        Ok(Table { header, rows })
    } else {
        for p in &mut problems {
            p.column_name = p.column.and_then(|c| header.get(c)).cloned();
        }
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &[u8]) -> Table {
        read(text).unwrap_or_else(|p| panic!("{p:?}"))
    }

    fn problems(text: &[u8]) -> Vec<(u64, Option<usize>, String)> {
        read(text)
            .unwrap_err()
            .into_iter()
            .map(|p| (p.line, p.column, p.message))
            .collect()
    }

    #[test]
    fn quoted_values_hold_commas_quotes_and_line_breaks() {
        let t = ok(b"a,b,c\r\n1,\"x, \"\"y\"\"\",3\r\n\"multi\nline\",,\n4,5,6");
        assert_eq!(t.header, ["a", "b", "c"]);
        assert_eq!(
            t.rows[0],
            Row {
                line: 2,
                cells: vec!["1".into(), "x, \"y\"".into(), "3".into()]
            }
        );
        assert_eq!(t.rows[1].line, 3);
        assert_eq!(t.rows[1].cells[0], "multi\nline");
        assert_eq!(t.rows[2].line, 5, "lines inside a quoted value are counted");
        assert_eq!(t.rows[2].cells, ["4", "5", "6"]);
    }

    #[test]
    fn a_byte_order_mark_blank_lines_and_short_rows_are_fine() {
        let t = ok(b"\xEF\xBB\xBFemail,name\n\nann@example.org\n\n");
        assert_eq!(t.header, ["email", "name"]);
        assert_eq!(
            t.rows,
            [Row {
                line: 3,
                cells: vec!["ann@example.org".into()]
            }]
        );
    }

    #[test]
    fn an_unclosed_quote_is_reported_where_it_opens() {
        let text = b"first,last,email\nAda,Lovelace,ada@example.org\nBob,\"Smith, J,bob@example.org\nCy,Twombly,cy@example.org\n";
        assert_eq!(
            problems(text),
            [(
                3,
                Some(1),
                "a quoted value opens here and is never closed: add the closing quote (\")".into()
            )]
        );
    }

    #[test]
    fn a_quote_closed_lines_later_is_reported_where_it_opens() {
        // The stray quote on line 5 closes the one opened on line 3: a general reader would
        // take lines 3 to 5 as one record and complain at line 5, or not at all.
        let text = b"a,b,c\n1,2,3\n4,\"5,6\n7,8,9\n10\",11,12\n13,14,15\n";
        let p = problems(text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].0, p[0].1), (3, Some(1)));
        assert!(p[0].2.contains("runs to line 5"), "{}", p[0].2);
        assert!(p[0].2.contains("closing quote"), "{}", p[0].2);
    }

    #[test]
    fn text_that_is_not_utf8_is_reported_with_its_line_and_column() {
        let text = b"first,last\nAda,Lovelace\nRen\xE9e,Dupont\nZo\xEB,L\xF6we\n";
        let p = problems(text);
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!((p[0].0, p[0].1), (3, Some(0)));
        assert!(p[0].2.contains("not UTF-8 text (byte 0xE9)"), "{}", p[0].2);
        assert_eq!((p[1].0, p[1].1), (4, Some(0)));
        assert_eq!((p[2].0, p[2].1), (4, Some(1)));
        // Inside a value that runs over lines, the line of the byte itself.
        let p = problems(b"a,b\n\"one\ntw\xE9\",x\n");
        assert_eq!((p[0].0, p[0].1), (3, Some(0)));
    }

    #[test]
    fn utf16_binary_empty_and_overlong_rows_are_refused() {
        assert!(problems(b"\xFF\xFEa\0,\0")[0].2.contains("UTF-16"));
        let p = problems(b"a,b\n1,2\n3\x004\n");
        assert_eq!(p[0].0, 3);
        assert!(p[0].2.contains("binary data"));
        assert!(problems(b"")[0].2.contains("empty"));
        assert!(problems(b"\n\n")[0].2.contains("empty"));
        let p = problems(b"a,b\n1,2,3\n4,5,\n");
        assert_eq!(
            p,
            [(
                2,
                None,
                "the row has 3 values but the header names 2 columns".into()
            )]
        );
    }
}
