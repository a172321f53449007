//! HTML to text, part of the decode stage: the article's text with one paragraph per line,
//! navigation, scripts and page chrome left out.
//!
//! The page is parsed with a real HTML5 parser (`scraper`, built on html5ever), so broken
//! markup is repaired the way browsers do it. The article is taken from `<article>`, else
//! `<main>`, else an element marked `itemprop="articleBody"`, else `<body>`. The tree is
//! walked iteratively, so deeply nested markup cannot overflow the stack.

use ego_tree::iter::Edge;
use scraper::{Html, Node, Selector};

use crate::decode::Decoded;

/// Elements whose content is never article text.
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
    "head",
];
/// Elements that end a paragraph.
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

fn first_text(doc: &Html, selector: &str) -> Option<String> {
    let sel = Selector::parse(selector).ok()?;
    let el = doc.select(&sel).next()?;
    let t = el.text().collect::<Vec<_>>().join(" ");
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

/// Nesting deeper than this is not a real article: such input is read with a linear tag
/// stripper instead of the tree builder, whose cost grows with depth squared.
pub const MAX_DEPTH: usize = 512;

/// The deepest element nesting in `html`, estimated by counting open and close tags.
fn nesting_depth(html: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let b = html.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'<' {
            match b.get(i + 1) {
                Some(b'/') => depth = depth.saturating_sub(1),
                Some(n) if n.is_ascii_alphabetic() => {
                    depth += 1;
                    max = max.max(depth);
                }
                _ => {}
            }
        } else if c == b'>' && i > 0 && b.get(i - 1) == Some(&b'/') {
            depth = depth.saturating_sub(1);
        }
    }
    max
}

/// Converts an HTML page to [`Decoded`] text.
pub fn html_to_text(html: &str) -> Decoded {
    if nesting_depth(html) > MAX_DEPTH {
        let text = text_of(html);
        return Decoded {
            text,
            ..Decoded::default()
        };
    }
    let doc = Html::parse_document(html);
    let title = first_text(&doc, "h1").or_else(|| first_text(&doc, "title"));
    let url = Selector::parse("link[rel=canonical]").ok().and_then(|s| {
        doc.select(&s)
            .next()
            .and_then(|e| e.value().attr("href").map(str::to_string))
    });
    let root = ["article", "main", "[itemprop=articleBody]", "body"]
        .iter()
        .filter_map(|s| Selector::parse(s).ok())
        .find_map(|s| doc.select(&s).next());
    let mut out = String::new();
    if let Some(root) = root {
        let mut skip = 0usize;
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Element(e) => {
                        let name = e.name();
                        if SKIP.contains(&name) {
                            skip += 1;
                        } else if skip == 0 && BLOCK.contains(&name) {
                            out.push('\n');
                        }
                    }
                    Node::Text(t) if skip == 0 => out.push_str(t),
                    _ => {}
                },
                Edge::Close(node) => {
                    if let Node::Element(e) = node.value() {
                        let name = e.name();
                        if SKIP.contains(&name) {
                            skip = skip.saturating_sub(1);
                        } else if skip == 0 && BLOCK.contains(&name) {
                            out.push('\n');
                        }
                    }
                }
            }
        }
    }
    let mut text = out
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
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

/// Text of markup by a linear scan: used only for pathologically nested input.
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
    fn broken_markup_is_repaired() {
        let d = html_to_text("<body><p>First <b>bold<p>Second</body>");
        assert_eq!(d.text, "First bold\n\nSecond");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let page = format!(
            "<body>{}text{}</body>",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        assert_eq!(html_to_text(&page).text, "text");
    }
}
