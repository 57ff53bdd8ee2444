//! The one error every ballot-file parser returns, so callers (the CLI, the web upload form)
//! can point a person at the exact place in their file without knowing which format it was.

/// A malformed input file, located by 1-based line and column (columns count characters,
/// not bytes, so they match what an editor shows).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ParseError {
    pub fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        ParseError {
            line,
            column,
            message: message.into(),
        }
    }

    /// Locates a byte offset in `text`; parsers that track offsets rather than lines use this
    /// so that every format reports positions the same way.
    pub fn at_offset(text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_column(text, offset);
        ParseError::new(line, column, message)
    }
}

/// 1-based line and character column of byte `offset` in `text` (clamped to the text).
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}
