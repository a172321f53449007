//! Stage 9, topics: a taxonomy kept as data (`data/topics.toml`), extendable by users with a
//! file of the same format. A topic applies to a passage when one of its keywords occurs in
//! it on word boundaries (`*` at the end of a keyword matches any word starting with it).

use serde::Deserialize;
use std::sync::OnceLock;

/// One topic of the taxonomy.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Topic {
    /// Stable identifier used in filters (`peace-treaty`).
    pub slug: String,
    /// Label shown to people.
    pub label: String,
    /// Lower-case keywords and phrases.
    #[serde(default)]
    pub keywords: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct File {
    #[serde(default)]
    topic: Vec<Topic>,
}

/// A topic taxonomy.
#[derive(Debug, Clone, PartialEq)]
pub struct Taxonomy {
    /// Topics in file order.
    pub topics: Vec<Topic>,
}

impl Taxonomy {
    /// The built-in taxonomy.
    pub fn builtin() -> &'static Taxonomy {
        static T: OnceLock<Taxonomy> = OnceLock::new();
        T.get_or_init(|| {
            Taxonomy::from_toml(include_str!("data/topics.toml"))
                .unwrap_or(Taxonomy { topics: Vec::new() })
        })
    }

    /// Parses a taxonomy file.
    pub fn from_toml(src: &str) -> Result<Self, String> {
        let f: File = toml::from_str(src).map_err(|e| e.to_string())?;
        Ok(Self { topics: f.topic })
    }

    /// This taxonomy with `other`'s topics added; a topic with the same slug replaces ours.
    pub fn extended(&self, other: &Taxonomy) -> Taxonomy {
        let mut topics: Vec<Topic> = self
            .topics
            .iter()
            .filter(|t| !other.topics.iter().any(|o| o.slug == t.slug))
            .cloned()
            .collect();
        topics.extend(other.topics.iter().cloned());
        Taxonomy { topics }
    }

    /// Slugs of the topics whose keywords occur in `text`.
    pub fn classify(&self, text: &str) -> Vec<String> {
        let words: Vec<String> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '+'))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let mut out = Vec::new();
        for t in &self.topics {
            if t.keywords.iter().any(|k| matches(&words, k)) {
                out.push(t.slug.clone());
            }
        }
        out
    }
}

fn matches(words: &[String], keyword: &str) -> bool {
    let kw: Vec<&str> = keyword.split_whitespace().collect();
    if kw.is_empty() || words.len() < kw.len() {
        return false;
    }
    (0..=words.len() - kw.len()).any(|i| {
        kw.iter().enumerate().all(|(j, k)| {
            let Some(w) = words.get(i + j) else {
                return false;
            };
            match k.strip_suffix('*') {
                Some(prefix) => w.starts_with(prefix),
                None => w == k,
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_taxonomy_has_the_spec_topics() {
        let slugs: Vec<&str> = Taxonomy::builtin()
            .topics
            .iter()
            .map(|t| t.slug.as_str())
            .collect();
        for s in [
            "peace-treaty",
            "territorial-dispute",
            "security",
            "trade-economy",
            "joint-economic-activities",
            "people-exchanges",
            "counter-narcotics-terrorism",
            "north-korea",
            "syria",
            "ukraine",
            "multilateral",
            "bilateral-relations",
        ] {
            assert!(slugs.contains(&s), "{s} missing");
        }
    }

    #[test]
    fn keywords_on_word_boundaries_with_prefixes() {
        let t = Taxonomy::builtin();
        let got = t.classify("Mutual trade grew by 17 per cent.");
        assert!(got.contains(&"trade-economy".to_string()));
        assert!(!t
            .classify("The strategic plan.")
            .contains(&"trade-economy".to_string()));
        assert!(t
            .classify("Terrorists were caught.")
            .contains(&"counter-narcotics-terrorism".to_string()));
    }

    #[test]
    fn users_extend_and_replace() {
        let extra = Taxonomy::from_toml(
            "[[topic]]\nslug = \"arctic\"\nlabel = \"Arctic\"\nkeywords = [\"arctic\"]\n",
        )
        .unwrap_or(Taxonomy { topics: vec![] });
        let t = Taxonomy::builtin().extended(&extra);
        assert_eq!(t.classify("Arctic shipping"), vec!["arctic".to_string()]);
    }
}
