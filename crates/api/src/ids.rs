//! Opaque global ids: `base64url("Type:123")`, so clients treat them as strings and the
//! type travels with the id for `node(id:)`.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes bytes as unpadded base64url.
pub fn b64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let idx = usize::try_from((n >> (18 - 6 * i)) & 63).unwrap_or(0);
            out.push(char::from(ALPHABET.get(idx).copied().unwrap_or(b'A')));
        }
    }
    out
}

/// Decodes unpadded base64url; `None` on any invalid character.
pub fn unb64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let vals: Option<Vec<u32>> = s
        .trim_end_matches('=')
        .bytes()
        .map(|c| {
            ALPHABET
                .iter()
                .position(|&a| a == c)
                .and_then(|p| u32::try_from(p).ok())
        })
        .collect();
    let vals = vals?;
    for chunk in vals.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, v) in chunk.iter().enumerate() {
            n |= v << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(bytes.get(..chunk.len() - 1)?);
    }
    Some(out)
}

/// The global id of a node of type `kind` with database id `id`.
pub fn encode(kind: &str, id: i32) -> String {
    b64(format!("{kind}:{id}").as_bytes())
}

/// `(type, database id)` of a global id.
pub fn decode(gid: &str) -> Option<(String, i32)> {
    let raw = String::from_utf8(unb64(gid)?).ok()?;
    let (kind, id) = raw.split_once(':')?;
    Some((kind.to_string(), id.parse().ok()?))
}

/// Decodes a global id that must be of type `kind`.
pub fn decode_as(gid: &str, kind: &str) -> Option<i32> {
    decode(gid).filter(|(k, _)| k == kind).map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for (k, i) in [("Meeting", 1), ("Document", 12345), ("Participant", 7)] {
            assert_eq!(decode(&encode(k, i)), Some((k.to_string(), i)));
        }
        assert_eq!(decode("!!"), None);
        assert_eq!(decode_as(&encode("Meeting", 3), "Document"), None);
        assert_eq!(b64(b"Man"), "TWFu");
    }
}
