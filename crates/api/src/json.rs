//! A GraphQL response written as JSON, byte for byte as `serde_json` writes it, with its
//! strings scanned eight bytes at a time.
//!
//! `serde_json` looks up every byte of every string in its escape table. A nested query's
//! response is mostly quotation text (17 KB of strings in 19 KB), and that loop was 4.8% of
//! the server's instructions per request (callgrind, `examples/graphql_in_process.rs`).
//! Here a string's bytes are tested eight at a time for the three kinds JSON escapes
//! (control characters, `"` and `\`), and copied in runs. Numbers, binary values and the
//! response's errors and extensions, which are rare or short, are still written by
//! `serde_json`. The tests compare the output with `serde_json`'s on every ASCII byte,
//! escapes at every offset of an eight-byte word, non-ASCII text and real responses.

use async_graphql::{Name, Response, Value};

/// `resp` as `serde_json::to_vec` writes it: `data`, then `extensions` and `errors` when
/// there are any.
pub fn response_bytes(resp: &Response) -> Result<Vec<u8>, serde_json::Error> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Sized from the last response written (up to a cap): a client's requests are mostly
    // alike, and a 19 KB response grown from 4 KB was copied three times on the way.
    static LAST: AtomicUsize = AtomicUsize::new(4096);
    const MAX_HINT: usize = 256 * 1024;
    let mut out = Vec::with_capacity(LAST.load(Ordering::Relaxed).clamp(4096, MAX_HINT));
    out.extend_from_slice(b"{\"data\":");
    value(&mut out, &resp.data)?;
    if !resp.extensions.is_empty() {
        out.extend_from_slice(b",\"extensions\":");
        serde_json::to_writer(&mut out, &resp.extensions)?;
    }
    if !resp.errors.is_empty() {
        out.extend_from_slice(b",\"errors\":");
        serde_json::to_writer(&mut out, &resp.errors)?;
    }
    out.push(b'}');
    LAST.store(out.len() + out.len() / 8, Ordering::Relaxed);
    Ok(out)
}

/// The key `async_graphql` uses for a raw JSON value (its `raw_value` feature), which
/// `serde_json` writes as it is: left to `serde_json`.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

fn is_raw(map: &async_graphql::indexmap::IndexMap<Name, Value>) -> bool {
    map.len() == 1 && map.keys().next().is_some_and(|k| k.as_str() == RAW_VALUE)
}

fn value(out: &mut Vec<u8>, v: &Value) -> Result<(), serde_json::Error> {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Boolean(true) => out.extend_from_slice(b"true"),
        Value::Boolean(false) => out.extend_from_slice(b"false"),
        Value::String(s) => string(out, s),
        Value::Enum(name) => string(out, name.as_str()),
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                value(out, item)?;
            }
            out.push(b']');
        }
        Value::Object(map) if !is_raw(map) => {
            out.push(b'{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                string(out, k.as_str());
                out.push(b':');
                value(out, item)?;
            }
            out.push(b'}');
        }
        other => serde_json::to_writer(&mut *out, other)?,
    }
    Ok(())
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// True when one of the eight bytes of `w` is a control character, `"` or `\`.
fn needs_escape(w: u64) -> bool {
    // A byte below 0x20: subtracting 0x20 borrows into its high bit, which it did not have.
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    // A zero byte in either: the same test against 1.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    control | zero(quote) | zero(backslash) != 0
}

/// How many bytes at the start of `bytes` need no escaping.
fn plain_run(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut words = bytes.chunks_exact(8);
    for chunk in &mut words {
        // Always eight bytes; a zero word (eight control characters) would only send the
        // scan to the byte-by-byte test below.
        let w = chunk.try_into().map(u64::from_le_bytes).unwrap_or(0);
        if needs_escape(w) {
            break;
        }
        n += 8;
    }
    n + bytes
        .get(n..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| b >= 0x20 && b != b'"' && b != b'\\')
        .count()
}

/// `s` as a JSON string, escaped as `serde_json` escapes it.
fn string(out: &mut Vec<u8>, s: &str) {
    let hex = |n: u8| if n < 10 { b'0' + n } else { b'a' + n - 10 };
    out.push(b'"');
    let mut rest = s.as_bytes();
    loop {
        let (plain, tail) = rest.split_at(plain_run(rest).min(rest.len()));
        out.extend_from_slice(plain);
        let Some((&b, tail)) = tail.split_first() else {
            break;
        };
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                out.extend_from_slice(b"\\u00");
                out.push(hex(b >> 4));
                out.push(hex(b & 0xf));
            }
        }
        rest = tail;
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::indexmap::IndexMap;

    fn same(v: &Value) {
        let resp = Response::new(v.clone());
        let ours = response_bytes(&resp).unwrap();
        let theirs = serde_json::to_vec(&resp).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
    }

    #[test]
    fn every_ascii_byte_is_written_as_serde_json_writes_it() {
        for b in 0u8..=0x7f {
            let c = char::from(b);
            same(&Value::String(c.to_string()));
            same(&Value::String(format!("ab{c}cd")));
        }
    }

    #[test]
    fn escapes_at_every_offset_of_a_word() {
        for special in [
            "\"", "\\", "\n", "\u{1}", "\u{1f}", "é", "日本", "🙂", "\u{7f}",
        ] {
            for at in 0..20 {
                for len in [at, at + 1, at + 7, at + 8, at + 9, 40] {
                    let mut s = "x".repeat(at);
                    s.push_str(special);
                    s.push_str(&"y".repeat(len.saturating_sub(at)));
                    same(&Value::String(s));
                }
            }
        }
        // Bytes just around the ones that are escaped.
        let edges: String = [0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7f]
            .iter()
            .map(|&b| char::from(b as u8))
            .collect();
        same(&Value::String(edges.repeat(5)));
    }

    #[test]
    fn every_kind_of_value_is_written_as_serde_json_writes_it() {
        let mut inner = IndexMap::new();
        inner.insert(Name::new("n"), Value::from(-12));
        inner.insert(Name::new("f"), Value::from(1.5));
        inner.insert(Name::new("big"), Value::from(u64::MAX));
        inner.insert(Name::new("t"), Value::Boolean(true));
        inner.insert(Name::new("f2"), Value::Boolean(false));
        inner.insert(Name::new("nothing"), Value::Null);
        inner.insert(Name::new("e"), Value::Enum(Name::new("DIRECT")));
        inner.insert(
            Name::new("bytes"),
            Value::Binary(axum::body::Bytes::from_static(b"\x00\x01")),
        );
        inner.insert(Name::new("empty"), Value::List(Vec::new()));
        inner.insert(Name::new("none"), Value::Object(IndexMap::new()));
        let list = Value::List(vec![
            Value::Object(inner.clone()),
            Value::String("a \"quoted\" line\n".into()),
            Value::List(vec![Value::Null, Value::from(0)]),
        ]);
        let mut top = IndexMap::new();
        top.insert(Name::new("items"), list);
        top.insert(Name::new("one"), Value::Object(inner));
        same(&Value::Object(top));
        same(&Value::Null);
    }

    #[test]
    fn errors_and_extensions_follow_the_data_as_serde_json_writes_them() {
        let mut resp = Response::new(Value::String("x".into()));
        resp.errors.push(async_graphql::ServerError::new(
            "bad \"thing\"",
            Some(async_graphql::Pos { line: 1, column: 2 }),
        ));
        resp.extensions.insert("cost".into(), Value::from(3));
        let ours = response_bytes(&resp).unwrap();
        let theirs = serde_json::to_vec(&resp).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
        assert!(String::from_utf8_lossy(&ours).contains("\"errors\""));
    }
}
