//! HTML to text, part of the decode stage: the article's text with one paragraph per line,
//! navigation, scripts and page chrome left out.
//!
//! A single forward scan over tags with no recursion, so deeply nested or broken markup
//! costs linear time and cannot overflow the stack. The article is taken from `<article>`,
//! else `<main>`, else `<body>`.

use crate::decode::Decoded;

const SKIP: &[&str] = &[
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "svg",
    "template",
    "iframe",
    "select",
    "figcaption",
    "menu",
];
const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "article",
    "section",
    "blockquote",
    "tr",
    "table",
    "main",
    "body",
    "figure",
    "dd",
    "dt",
    "hr",
    "pre",
    "time",
];

fn tag_name(tag: &str) -> (bool, String) {
    let t = tag.trim_start_matches('<').trim_start();
    let closing = t.starts_with('/');
    let name: String = t
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    (closing, name)
}

/// Returns the byte range of the inner content of the first `<name ...>...</name>`.
fn inner_of(lower: &str, name: &str) -> Option<(usize, usize)> {
    let open = lower.find(&format!("<{name}"))?;
    let after = open + lower.get(open..)?.find('>')? + 1;
    let close = lower.rfind(&format!("</{name}"))?;
    (close > after).then_some((after, close))
}

/// Decodes HTML character references.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(rest.get(..p).unwrap_or(""));
        let tail = rest.get(p..).unwrap_or("");
        let end = tail.get(..12.min(tail.len())).and_then(|t| t.find(';'));
        let decoded = end.and_then(|e| {
            let ent = tail.get(1..e)?;
            let c = match ent {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                "rsquo" => '’',
                "lsquo" => '‘',
                "ldquo" => '“',
                "rdquo" => '”',
                "laquo" => '«',
                "raquo" => '»',
                "mdash" => '—',
                "ndash" => '–',
                "hellip" => '…',
                "copy" => '©',
                _ => {
                    let num = ent.strip_prefix('#')?;
                    let n = if let Some(h) = num.strip_prefix('x').or_else(|| num.strip_prefix('X'))
                    {
                        u32::from_str_radix(h, 16).ok()?
                    } else {
                        num.parse().ok()?
                    };
                    char::from_u32(n)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = tail.get(len..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

fn text_of(fragment: &str) -> String {
    let mut out = String::new();
    let mut skip_depth: usize = 0;
    let mut rest = fragment;
    while !rest.is_empty() {
        match rest.find('<') {
            Some(p) => {
                if skip_depth == 0 {
                    out.push_str(rest.get(..p).unwrap_or(""));
                }
                let tail = rest.get(p..).unwrap_or("");
                if tail.starts_with("<!--") {
                    let end = tail.find("-->").map_or(tail.len(), |e| e + 3);
                    rest = tail.get(end..).unwrap_or("");
                    continue;
                }
                let end = tail.find('>').map_or(tail.len(), |e| e + 1);
                let tag = tail.get(..end).unwrap_or("");
                let (closing, name) = tag_name(tag);
                let self_closing = tag.ends_with("/>");
                if SKIP.contains(&name.as_str()) && !self_closing {
                    if closing {
                        skip_depth = skip_depth.saturating_sub(1);
                    } else {
                        skip_depth += 1;
                    }
                }
                if skip_depth == 0 && BLOCK.contains(&name.as_str()) {
                    out.push('\n');
                }
                rest = tail.get(end..).unwrap_or("");
            }
            None => {
                if skip_depth == 0 {
                    out.push_str(rest);
                }
                rest = "";
            }
        }
    }
    let decoded = decode_entities(&out);
    decoded
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Converts an HTML page to [`Decoded`] text.
pub fn html_to_text(html: &str) -> Decoded {
    let lower = html.to_ascii_lowercase();
    let title = inner_of(&lower, "h1")
        .or_else(|| inner_of(&lower, "title"))
        .map(|(a, b)| text_of(html.get(a..b).unwrap_or("")))
        .filter(|t| !t.is_empty());
    let url = lower.find("rel=\"canonical\"").and_then(|p| {
        let start = lower.get(..p)?.rfind('<')?;
        let tag_end = start + lower.get(start..)?.find('>')?;
        let tag = html.get(start..tag_end)?;
        let h = tag.find("href=\"")? + 6;
        let e = h + tag.get(h..)?.find('"')?;
        tag.get(h..e).map(str::to_string)
    });
    let body = inner_of(&lower, "article")
        .or_else(|| inner_of(&lower, "main"))
        .or_else(|| inner_of(&lower, "body"))
        .unwrap_or((0, html.len()));
    let mut text = text_of(html.get(body.0..body.1).unwrap_or(""));
    if let Some(t) = &title {
        if !text.starts_with(t.as_str()) {
            text = format!("{t}\n\n{text}");
        }
    }
    Decoded {
        text,
        url,
        title,
        ..Decoded::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_text_without_navigation() {
        let page = r#"<html><head><title>Site</title><link rel="canonical" href="https://x.test/a"></head>
        <body><nav><a href="/">Home</a> <a>News</a></nav>
        <article><h1>Talks held</h1><p>MOSCOW, May 1. /TASS/. The ministers met &amp; talked.</p>
        <script>var x = "<p>no</p>";</script><p>&ldquo;We agree,&rdquo; he said.</p></article>
        <footer>Contact us</footer></body></html>"#;
        let d = html_to_text(page);
        assert_eq!(
            d.text,
            "Talks held\n\nMOSCOW, May 1. /TASS/. The ministers met & talked.\n\n“We agree,” he said."
        );
        assert_eq!(d.url.as_deref(), Some("https://x.test/a"));
    }

    #[test]
    fn deep_nesting_is_linear() {
        let page = format!(
            "<body>{}text{}</body>",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        assert_eq!(html_to_text(&page).text, "text");
    }
}
