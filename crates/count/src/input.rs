//! Reading a ballot file of any supported format, chosen by extension and, when that is not
//! conclusive (`.json`, `.txt`, none), by looking at the content.

use std::path::{Path, PathBuf};

use crate::error::ParseError;
use crate::model::Election;
use crate::{blt, irish, json_ballots, preflib};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum InputFormat {
    Blt,
    /// Charter's JSON ballot format (see `json_ballots`).
    Json,
    /// The Irish 2002 electronic-voting JSON.
    Irish,
    /// PrefLib `.soi` / `.toc`.
    Preflib,
}

impl InputFormat {
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Blt => "BLT",
            InputFormat::Json => "JSON ballots",
            InputFormat::Irish => "Irish 2002 JSON",
            InputFormat::Preflib => "PrefLib",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not valid UTF-8 text", path.display())]
    NotText { path: PathBuf },
    #[error("{} ({}): {source}", path.display(), format.name())]
    Parse {
        path: PathBuf,
        format: InputFormat,
        source: ParseError,
    },
}

/// The format of `text`, read from `path`.
pub fn detect(path: &Path, text: &str) -> InputFormat {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("blt") => return InputFormat::Blt,
        Some("soi" | "toc" | "soc" | "toi") => return InputFormat::Preflib,
        _ => {}
    }
    detect_content(text)
}

pub fn detect_content(text: &str) -> InputFormat {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text).trim_start();
    if body.starts_with('{') {
        // The Irish files are recognised by their distinctive keys.
        if body.contains("\"Number of Seats\"") || body.contains("\"Ballot\"") {
            InputFormat::Irish
        } else {
            InputFormat::Json
        }
    } else if body.starts_with("# FILE NAME")
        || body.starts_with("# DATA TYPE")
        || body.starts_with("# TITLE")
        || body.starts_with("# NUMBER ALTERNATIVES")
        || text.lines().any(|l| l.starts_with("# ALTERNATIVE NAME"))
    {
        InputFormat::Preflib
    } else {
        InputFormat::Blt
    }
}

pub fn parse(format: InputFormat, text: &str) -> Result<Election, ParseError> {
    match format {
        InputFormat::Blt => blt::parse(text),
        InputFormat::Json => json_ballots::parse(text),
        InputFormat::Irish => irish::parse(text),
        InputFormat::Preflib => preflib::parse(text),
    }
}

/// Reads and parses `path`, detecting its format unless `format` is given.
pub fn load(path: &Path, format: Option<InputFormat>) -> Result<Election, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|_| LoadError::NotText {
        path: path.to_path_buf(),
    })?;
    let format = format.unwrap_or_else(|| detect(path, &text));
    parse(format, &text).map_err(|source| LoadError::Parse {
        path: path.to_path_buf(),
        format,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_extension_then_content() {
        let p = Path::new;
        assert_eq!(detect(p("a.blt"), "{"), InputFormat::Blt);
        assert_eq!(detect(p("a.toc"), ""), InputFormat::Preflib);
        assert_eq!(
            detect(p("a.json"), "{\"Number of Seats\": 1}"),
            InputFormat::Irish
        );
        assert_eq!(
            detect(p("a.json"), " {\"candidates\": []}"),
            InputFormat::Json
        );
        assert_eq!(detect(p("a"), "# FILE NAME: x\n"), InputFormat::Preflib);
        assert_eq!(detect(p("a.txt"), "3 1\n"), InputFormat::Blt);
    }
}
