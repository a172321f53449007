//! `diplograph gen-corpus`: a deterministic corpus for scale tests, derived from the
//! documents in `corpus/` by varying names, places, dates and sentences.
//!
//! Each generated document starts from a seed document. The people and places the
//! extractor finds in it are replaced by ones drawn from pools built from those same
//! documents (first names and surnames recombined, cities from the extractor's list), so the
//! same people recur across many meetings, as in real coverage. Years shift, days move, and
//! some paragraphs are dropped or repeated. For scale only: quality is measured on real
//! documents.

use std::path::Path;

use anyhow::{Context, Result};

/// A small deterministic random number generator (xorshift64*), so a seed always gives the
/// same corpus.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> Option<&'a T> {
        let i = self.below(v.len());
        v.get(i)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::try_from(self.next() % (n as u64)).unwrap_or(0)
        }
    }
}

struct Seed {
    text: String,
    people: Vec<String>,
    places: Vec<String>,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Writes `n` documents derived from the `.txt` files of `from` into `out`.
pub fn run(from: &Path, out: &Path, n: usize, seed: u64) -> Result<()> {
    let mut seeds = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .with_context(|| format!("cannot read {}", from.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    entries.sort();
    for p in entries {
        let bytes = std::fs::read(&p)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let x = diplograph_parse::extract(&bytes, &Default::default())?;
        let people: Vec<String> = x
            .participants
            .iter()
            .filter(|p| p.kind == diplograph_parse::ParticipantKind::Person && p.name.contains(' '))
            .map(|p| p.name.clone())
            .collect();
        let mut places: Vec<String> = x
            .meetings
            .iter()
            .filter_map(|m| m.place.as_ref().map(|p| p.name.clone()))
            .filter(|p| {
                diplograph_parse::lexicon::lexicon()
                    .cities
                    .contains_key(&p.to_lowercase())
            })
            .collect();
        places.sort();
        places.dedup();
        seeds.push(Seed {
            text,
            people,
            places,
        });
    }
    anyhow::ensure!(!seeds.is_empty(), "no .txt documents in {}", from.display());
    // Pools: first names and surnames recombined into 200 people; the city list.
    let firsts: Vec<String> = seeds
        .iter()
        .flat_map(|s| {
            s.people
                .iter()
                .filter_map(|p| p.split(' ').next().map(str::to_string))
        })
        .collect();
    let lasts: Vec<String> = seeds
        .iter()
        .flat_map(|s| {
            s.people
                .iter()
                .filter_map(|p| p.split(' ').next_back().map(str::to_string))
        })
        .collect();
    let mut rng = Rng::new(seed);
    let mut pool: Vec<String> = Vec::new();
    let suffixes = ["", "ov", "a", "in", "er", "son", "i", "o"];
    while pool.len() < 200 && !firsts.is_empty() && !lasts.is_empty() {
        let (Some(f), Some(l), Some(x)) =
            (rng.pick(&firsts), rng.pick(&lasts), rng.pick(&suffixes))
        else {
            break;
        };
        let name = format!("{f} {l}{x}");
        if !pool.contains(&name) {
            pool.push(name);
        }
    }
    let cities: Vec<String> = diplograph_parse::lexicon::lexicon()
        .cities
        .values()
        .map(|(c, _)| c.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    std::fs::create_dir_all(out)?;
    for i in 0..n {
        let Some(s) = rng.pick(&seeds) else { break };
        let mut text = s.text.clone();
        // People: a consistent replacement within the document, surnames too.
        for p in &s.people {
            let Some(new) = rng.pick(&pool) else { continue };
            let (old_last, new_last) = (
                p.split(' ').next_back().unwrap_or(p),
                new.split(' ').next_back().unwrap_or(new),
            );
            text = text.replace(p.as_str(), new).replace(old_last, new_last);
        }
        for p in &s.places {
            let Some(new) = rng.pick(&cities) else {
                continue;
            };
            text = text
                .replace(p.as_str(), new)
                .replace(&p.to_uppercase(), &new.to_uppercase());
        }
        // Dates: every four-digit year shifts by the same offset; months rotate.
        let shift = i32::try_from(rng.below(12)).unwrap_or(0) - 6;
        let mut shifted = String::with_capacity(text.len());
        let mut digits = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_digit() {
                digits.push(c);
                continue;
            }
            if digits.len() == 4 {
                match digits.parse::<i32>() {
                    Ok(y) if (1950..=2100).contains(&y) => {
                        shifted.push_str(&(y + shift).to_string())
                    }
                    _ => shifted.push_str(&digits),
                }
            } else {
                shifted.push_str(&digits);
            }
            digits.clear();
            shifted.push(c);
        }
        shifted.pop();
        let rot = rng.below(12);
        let mut text = shifted;
        for (k, m) in MONTHS.iter().enumerate() {
            text = text.replace(m, &format!("\u{1}{}\u{1}", (k + rot) % 12));
        }
        for (k, m) in MONTHS.iter().enumerate() {
            text = text.replace(&format!("\u{1}{k}\u{1}"), m);
        }
        // Sentences: drop some body paragraphs, repeat others.
        let paras: Vec<&str> = text.split("\n\n").collect();
        let mut kept = Vec::with_capacity(paras.len());
        for (k, p) in paras.iter().enumerate() {
            let roll = rng.below(10);
            if k > 3 && roll == 0 {
                continue;
            }
            kept.push(*p);
            if k > 3 && roll == 9 {
                kept.push(*p);
            }
        }
        let doc = format!("{}\n\nReference {i}-{seed}.\n", kept.join("\n\n"));
        std::fs::write(out.join(format!("gen{i:06}.txt")), doc)?;
    }
    Ok(())
}
