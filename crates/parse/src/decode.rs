//! Stage 1, decode: bytes (plain text, an HTML page or the JSON envelope) to text, plus
//! whatever metadata the container carries (url, source, publication date).
//!
//! Encodings: UTF-8 (with or without BOM), UTF-16 with a BOM, and Windows-1252 as the
//! fallback for bytes that are not UTF-8. Binary content is refused.

use crate::model::{Diagnostic, Severity};
use crate::ParseError;

/// How to read the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Guess from the content.
    #[default]
    Auto,
    /// Plain text as scraped.
    Text,
    /// An HTML page.
    Html,
    /// The JSON envelope `{text|html, url, source, published}`.
    Json,
}

impl Format {
    /// The format a file name's extension implies (`.html`, `.htm`, `.json`, else text).
    pub fn from_path(path: &str) -> Self {
        let lower = path.to_lowercase();
        if lower.ends_with(".html") || lower.ends_with(".htm") {
            Self::Html
        } else if lower.ends_with(".json") {
            Self::Json
        } else if lower.ends_with(".txt") {
            Self::Text
        } else {
            Self::Auto
        }
    }
}

/// Decoded input.
#[derive(Debug, Default)]
pub struct Decoded {
    /// The document's text, with one paragraph per line.
    pub text: String,
    /// Address from the envelope or the page's canonical link.
    pub url: Option<String>,
    /// Publisher from the envelope.
    pub source: Option<String>,
    /// Publication date from the envelope (`2019-01-14` or `2019-01-14T15:47`).
    pub published: Option<String>,
    /// Title from the HTML `<title>` or `<h1>`.
    pub title: Option<String>,
}

/// Bytes to a Rust string: BOMs honoured, Windows-1252 as the fallback.
pub fn decode_bytes(bytes: &[u8], diags: &mut Vec<Diagnostic>) -> Result<String, ParseError> {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        diags.push(info("decode", "decoded UTF-16 (little-endian) text"));
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        diags.push(info("decode", "decoded UTF-16 (big-endian) text"));
        utf16(rest, u16::from_be_bytes)
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => {
                diags.push(info(
                    "decode",
                    "input is not valid UTF-8; decoded as Windows-1252",
                ));
                bytes.iter().map(|&b| cp1252(b)).collect()
            }
        }
    };
    // Most text has no control character but the line feed: nothing below would change it.
    // C0 controls are tested 64 bytes at a time without branching (which vectorises); C1
    // controls (U+0080..U+009F, `C2 80`..`C2 9F` in UTF-8) only where a `C2` byte is.
    let bytes = text.as_bytes();
    let c0 = |b: &u8| (*b < 0x20) & (*b != b'\n') | (*b == 0x7F);
    let any_c0 = bytes
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |acc, b| acc | c0(b)));
    let any_c1 = memchr::memchr_iter(0xC2, bytes)
        .any(|i| bytes.get(i + 1).is_some_and(|b| (0x80..=0x9F).contains(b)));
    if !any_c0 && !any_c1 {
        return Ok(text);
    }
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    let total = text.chars().count();
    if total > 0 && controls * 10 > total {
        return Err(ParseError::NotText);
    }
    if controls > 0 {
        diags.push(Diagnostic {
            severity: Severity::Warning,
            stage: "decode".into(),
            message: format!("removed {controls} control characters"),
        });
    }
    Ok(text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect())
}

fn utf16(bytes: &[u8], f: fn([u8; 2]) -> u16) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| {
            f([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
        .collect();
    String::from_utf16_lossy(&units)
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    if (0x80..0xA0).contains(&b) {
        HIGH.get(usize::from(b - 0x80))
            .copied()
            .unwrap_or('\u{FFFD}')
    } else {
        char::from(b)
    }
}

fn info(stage: &str, msg: &str) -> Diagnostic {
    Diagnostic {
        severity: Severity::Info,
        stage: stage.into(),
        message: msg.into(),
    }
}

/// Decodes the input in the given format.
pub fn decode(
    bytes: &[u8],
    format: Format,
    diags: &mut Vec<Diagnostic>,
) -> Result<Decoded, ParseError> {
    let text = decode_bytes(bytes, diags)?;
    let format = match format {
        Format::Auto => sniff(&text),
        f => f,
    };
    match format {
        Format::Json => envelope(&text, diags),
        Format::Html => Ok(crate::html::html_to_text(&text)),
        Format::Text | Format::Auto => Ok(Decoded {
            text,
            ..Decoded::default()
        }),
    }
}

fn sniff(text: &str) -> Format {
    let t = text.trim_start();
    if t.starts_with('{') {
        Format::Json
    } else {
        let head: String = t.chars().take(512).collect::<String>().to_lowercase();
        if head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<body")
        {
            Format::Html
        } else {
            Format::Text
        }
    }
}

fn envelope(text: &str, diags: &mut Vec<Diagnostic>) -> Result<Decoded, ParseError> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ParseError::Envelope(e.to_string()))?;
    let obj = v
        .as_object()
        .ok_or_else(|| ParseError::Envelope("expected a JSON object".into()))?;
    let s = |k: &str| obj.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let mut d = if let Some(t) = s("text") {
        Decoded {
            text: t,
            ..Decoded::default()
        }
    } else if let Some(h) = s("html") {
        crate::html::html_to_text(&h)
    } else {
        return Err(ParseError::Envelope(
            "the envelope needs a \"text\" or an \"html\" field".into(),
        ));
    };
    d.url = s("url").or(d.url);
    d.source = s("source");
    d.published = s("published");
    if d.published.is_none() {
        diags.push(info("decode", "the envelope has no \"published\" date"));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_curly_quotes() {
        let mut d = vec![];
        let s = decode_bytes(b"\x93Yes,\x94 he said", &mut d);
        assert_eq!(s.ok().as_deref(), Some("“Yes,” he said"));
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn control_characters_go_tabs_become_spaces_and_plain_text_stays() {
        let mut d = vec![];
        let s = decode_bytes(
            "The\tministers\r\nmet\u{85} in\u{7f} Paris é\n".as_bytes(),
            &mut d,
        );
        assert_eq!(s.ok().as_deref(), Some("The ministers\nmet in Paris é\n"));
        assert_eq!(d.len(), 1, "{d:?}");
        let mut d = vec![];
        let plain = "Talks “held” — in Paris.\n\nNext.";
        assert_eq!(
            decode_bytes(plain.as_bytes(), &mut d).ok().as_deref(),
            Some(plain)
        );
        assert!(d.is_empty());
    }

    #[test]
    fn a_lone_control_is_found_anywhere() {
        let long = "Talks in Paris, “held” — again. ".repeat(5);
        for control in ["\u{85}", "\u{9f}", "\u{1}", "\r", "\u{7f}"] {
            for at in [0, 63, 64, 100, long.len()] {
                let at = (at..long.len())
                    .find(|&i| long.is_char_boundary(i))
                    .unwrap_or(long.len());
                let mut text = long.clone();
                text.insert_str(at, control);
                let mut d = vec![];
                let got = decode_bytes(text.as_bytes(), &mut d);
                assert_eq!(
                    got.ok().as_deref(),
                    Some(long.as_str()),
                    "{control:?} at {at}"
                );
            }
        }
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "Hi “x”".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let mut d = vec![];
        assert_eq!(decode_bytes(&bytes, &mut d).ok().as_deref(), Some("Hi “x”"));
    }

    #[test]
    fn binary_is_refused() {
        let mut d = vec![];
        let junk: Vec<u8> = (0u8..=255).cycle().take(4096).collect();
        assert!(matches!(
            decode_bytes(&junk, &mut d),
            Err(ParseError::NotText)
        ));
    }

    #[test]
    fn envelope_fields() {
        let mut d = vec![];
        let got = decode(
            br#"{"text":"Hello.","url":"https://x.test/a","source":"Agency","published":"2020-02-03"}"#,
            Format::Auto,
            &mut d,
        );
        let got = got.ok();
        assert_eq!(got.as_ref().map(|g| g.text.as_str()), Some("Hello."));
        assert_eq!(
            got.as_ref().and_then(|g| g.source.as_deref()),
            Some("Agency")
        );
        assert_eq!(
            got.and_then(|g| g.published),
            Some("2020-02-03".to_string())
        );
    }
}
