//! Stage 5, coreference: descriptions (`the Russian top diplomat`) to the person they name,
//! each sentence's subject, and pronouns (`he said`) to the subject of the sentence before.
//!
//! A description matches a person of the same country whose title is of the same office
//! class (`top diplomat` and `foreign minister` are one class in `data/titles.txt`); among
//! several, the one mentioned most recently wins. A sentence's subject is the actor next to
//! its cue verb (`X said`) when there is one, else the first actor it names outside quotes.

use crate::lexicon::lexicon;
use crate::mentions::{Actors, Form};
use crate::model::ParticipantKind;
use crate::segment::Sentence;
use crate::text::{sub, tokenize};

/// Pronouns that refer back to a person.
pub const PRONOUNS: &[&str] = &["he", "she", "him", "her"];

/// True when `word` lower-cased is one of [`PRONOUNS`]. Each is ASCII without a `k`, and
/// only an ASCII word lower-cases into such a word, so comparing ASCII case alone tells.
fn is_pronoun(word: &str) -> bool {
    PRONOUNS.iter().any(|p| word.eq_ignore_ascii_case(p))
}

fn class_matches(descriptor: &str, person: &crate::mentions::Actor) -> bool {
    match descriptor {
        "minister" => ["foreign", "deputy-foreign", "defence", "minister"]
            .iter()
            .any(|c| person.has_class(c)),
        "leader" => ["head-state", "head-gov"]
            .iter()
            .any(|c| person.has_class(c)),
        "head-state" => person.has_class("head-state"),
        c => person.has_class(c),
    }
}

/// Resolves descriptions to people, adding a mention and an alias for each.
pub fn resolve_descriptors(text: &str, actors: &mut Actors) {
    let descriptors = std::mem::take(&mut actors.descriptors);
    for d in descriptors {
        let candidates: Vec<usize> = actors
            .list
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                a.kind == ParticipantKind::Person
                    && class_matches(&d.class, a)
                    && (d.country.is_none() || a.country == d.country)
            })
            .map(|(i, _)| i)
            .collect();
        let last_before = |who: usize| {
            actors
                .mentions
                .iter()
                .filter(|m| m.who == who && m.range.end <= d.range.start)
                .map(|m| m.range.end)
                .max()
        };
        let best = candidates
            .iter()
            .copied()
            .max_by_key(|&c| (last_before(c).is_some(), last_before(c)))
            .filter(|_| !candidates.is_empty());
        if let Some(who) = best {
            let written = sub(text, d.range.clone());
            let alias = lower_first(written);
            actors.add_mention(d.range.clone(), who, Form::Descriptor);
            if let Some(a) = actors.list.get_mut(who) {
                if !a.aliases.contains(&alias) && alias != a.name {
                    a.aliases.push(alias);
                }
            }
        }
    }
}

fn lower_first(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(f) if ["The ", "His ", "Her "].iter().any(|p| s.starts_with(p)) => {
            f.to_lowercase().chain(cs).collect()
        }
        _ => s.to_string(),
    }
}

/// Each sentence's subject.
#[derive(Debug, Default)]
pub struct Subjects {
    /// Per sentence (same order as the segmenter's), the actor it is about.
    pub of: Vec<Option<usize>>,
}

impl Subjects {
    /// The actor a pronoun in sentence `s` refers to: the subject of this sentence when the
    /// pronoun is not itself the subject, else of the nearest earlier sentence with one.
    pub fn pronoun(&self, s: usize) -> Option<usize> {
        (0..s)
            .rev()
            .take(4)
            .find_map(|k| self.of.get(k).copied().flatten())
    }
}

/// Finds the subject of every sentence. `quoted` are byte ranges inside quotation marks.
pub fn subjects(
    text: &str,
    actors: &Actors,
    sentences: &[Sentence],
    quoted: &crate::text::RangeSet,
) -> Subjects {
    let lex = lexicon();
    let mut out = Subjects::default();
    for (si, s) in sentences.iter().enumerate() {
        let all_toks = tokenize(text, s.range.clone());
        let toks: &[crate::text::Tok] = &all_toks;
        let mut subject = None;
        // Cue verb with an actor or pronoun just before it.
        for (i, t) in toks.iter().enumerate() {
            if !t.word
                || !lex.reported_heads.may_start_bytes(t.bytes(text))
                || quoted.contains(t.start)
            {
                continue;
            }
            let w = crate::text::lower(t.text(text));
            let cue = lex.reported_cues.contains(w.as_ref())
                || (lex.reported_cue_firsts.contains(w.as_ref())
                    && toks.get(i + 1).filter(|n| n.word).is_some_and(|n| {
                        let n = crate::text::lower(n.text(text));
                        lex.reported_cues.contains(&format!("{w} {n}"))
                    }));
            if !cue {
                continue;
            }
            // Look back up to six tokens for a mention or a pronoun.
            let from = i.saturating_sub(6);
            for k in (from..i).rev() {
                let Some(tk) = toks.get(k) else { continue };
                if !tk.word {
                    if matches!(tk.text(text), "\"" | "”" | "“" | "," | ";") && k + 1 < i {
                        break;
                    }
                    continue;
                }
                if let Some(m) = actors.mention_in(&(tk.start..tk.end)) {
                    subject = Some(m.who);
                    break;
                }
                if is_pronoun(tk.text(text)) {
                    subject = out.pronoun(si);
                    break;
                }
            }
            if subject.is_some() {
                break;
            }
        }
        if subject.is_none()
            && toks
                .iter()
                .find(|t| t.word)
                .is_some_and(|t| is_pronoun(t.text(text)))
        {
            subject = out.pronoun(si);
        }
        if subject.is_none() {
            subject = actors
                .mentions_within(&s.range)
                .find(|m| !quoted.contains(m.range.start))
                .map(|m| m.who);
        }
        out.of.push(subject);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mentions::find;

    #[test]
    fn pronouns_are_told_by_ascii_case_as_by_lower_casing() {
        // Every word of up to three of these chars, among them chars outside ASCII that
        // lower-case into ASCII (the Kelvin sign) or into more than one char (`İ`).
        let alphabet = [
            'h', 'H', 'e', 'E', 's', 'S', 'i', 'm', 'r', 'İ', '\u{212A}', 'é',
        ];
        let words = crate::text::every_sequence(&alphabet, 3);
        for w in &words {
            let want = PRONOUNS.contains(&w.to_lowercase().as_str());
            assert_eq!(is_pronoun(w), want, "{w:?}");
        }
        assert!(words.len() > 1_000);
        assert!(PRONOUNS.iter().all(|p| p.is_ascii() && !p.contains('k')));
    }

    #[test]
    fn descriptions_resolve_by_country_and_office() {
        let t = "Italian Foreign Minister Carla Neri met German Chancellor Max Vogel. The Italian top diplomat said more.";
        let mut a = find(t, std::slice::from_ref(&(0..t.len())), &[]);
        resolve_descriptors(t, &mut a);
        let carla = a.list.iter().position(|x| x.name == "Carla Neri");
        let d = a
            .mentions
            .iter()
            .find(|m| m.form == Form::Descriptor)
            .map(|m| m.who);
        assert_eq!(d, carla);
        assert!(a
            .list
            .iter()
            .any(|x| x.aliases.contains(&"the Italian top diplomat".to_string())));
    }

    #[test]
    fn pronoun_follows_the_previous_subject_not_the_object() {
        let t = "Carla Neri said she had met the Spanish foreign minister Luis Soto. Then he said nothing.";
        let mut a = find(t, std::slice::from_ref(&(0..t.len())), &[]);
        resolve_descriptors(t, &mut a);
        let sents = crate::text::sentences(t, 0..t.len());
        let ss: Vec<Sentence> = sents
            .into_iter()
            .map(|range| Sentence { range, line: 0 })
            .collect();
        let subj = subjects(t, &a, &ss, &crate::text::RangeSet::default());
        let carla = a.list.iter().position(|x| x.name == "Carla Neri");
        assert_eq!(subj.of.first().copied().flatten(), carla);
        assert_eq!(subj.of.get(1).copied().flatten(), carla);
    }
}
