//! `diplograph eval`: scores extraction against an answer key (format `diplograph-gold/1`)
//! with the matching rules of SPEC.md, and prints a table per document and in total, then
//! what was missed and what was invented.
//!
//! Transcript answer keys list a sample of the transcript's paragraphs, not all of them, so
//! in transcripts only quotations other than whole paragraphs (quotes a speaker quotes) and
//! `not_quotations` count against precision. In reports every unmatched quotation does.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use diplograph_parse::{DocumentKind, Extraction, ParticipantKind, QuotationKind};
use serde_json::Value;

/// Scores of one document or of the whole key.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Scores {
    /// Gold quotations.
    pub q_gold: usize,
    /// Predicted quotations that count for precision.
    pub q_pred: usize,
    /// Gold quotations matched.
    pub q_tp: usize,
    /// Matched quotations with the right speaker.
    pub q_speaker_ok: usize,
    /// Gold persons.
    pub p_gold: usize,
    /// Predicted persons.
    pub p_pred: usize,
    /// Persons right.
    pub p_tp: usize,
    /// `not_persons` produced.
    pub p_forbidden: usize,
    /// Primary meetings in the key.
    pub pm_gold: usize,
    /// Primary meetings right.
    pub pm_ok: usize,
    /// Mentioned meetings in the key.
    pub mm_gold: usize,
    /// Mentioned meetings found.
    pub mm_found: usize,
    /// Claims in the key.
    pub c_gold: usize,
    /// Claims found with the right claimant.
    pub c_found: usize,
    /// Claims whose text was found (any claimant).
    pub c_text: usize,
    /// Topic labels: true positives, predicted, gold (over claims whose text was found).
    pub t_tp: usize,
    /// Topic labels predicted.
    pub t_pred: usize,
    /// Topic labels in the key.
    pub t_gold: usize,
}

impl Scores {
    fn add(&mut self, o: &Scores) {
        self.q_gold += o.q_gold;
        self.q_pred += o.q_pred;
        self.q_tp += o.q_tp;
        self.q_speaker_ok += o.q_speaker_ok;
        self.p_gold += o.p_gold;
        self.p_pred += o.p_pred;
        self.p_tp += o.p_tp;
        self.p_forbidden += o.p_forbidden;
        self.pm_gold += o.pm_gold;
        self.pm_ok += o.pm_ok;
        self.mm_gold += o.mm_gold;
        self.mm_found += o.mm_found;
        self.c_gold += o.c_gold;
        self.c_found += o.c_found;
        self.c_text += o.c_text;
        self.t_tp += o.t_tp;
        self.t_pred += o.t_pred;
        self.t_gold += o.t_gold;
    }

    fn ratio(a: usize, b: usize) -> f64 {
        if b == 0 {
            1.0
        } else {
            a as f64 / b as f64
        }
    }

    fn f1(p: f64, r: f64) -> f64 {
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Quotation precision.
    pub fn q_precision(&self) -> f64 {
        Self::ratio(self.q_tp.min(self.q_pred), self.q_pred)
    }
    /// Quotation recall.
    pub fn q_recall(&self) -> f64 {
        Self::ratio(self.q_tp, self.q_gold)
    }
    /// Quotation F1.
    pub fn q_f1(&self) -> f64 {
        Self::f1(self.q_precision(), self.q_recall())
    }
    /// Speaker accuracy over matched quotations.
    pub fn speaker_accuracy(&self) -> f64 {
        Self::ratio(self.q_speaker_ok, self.q_tp)
    }
    /// Person precision.
    pub fn p_precision(&self) -> f64 {
        Self::ratio(self.p_tp, self.p_pred)
    }
    /// Person recall.
    pub fn p_recall(&self) -> f64 {
        Self::ratio(self.p_tp, self.p_gold)
    }
    /// Person F1.
    pub fn p_f1(&self) -> f64 {
        Self::f1(self.p_precision(), self.p_recall())
    }
    /// Mentioned-meeting recall.
    pub fn mm_recall(&self) -> f64 {
        Self::ratio(self.mm_found, self.mm_gold)
    }
    /// Claim recall with the right claimant.
    pub fn c_recall(&self) -> f64 {
        Self::ratio(self.c_found, self.c_gold)
    }
    /// Claimant accuracy over claims whose text was found.
    pub fn claimant_accuracy(&self) -> f64 {
        Self::ratio(self.c_found, self.c_text)
    }
    /// Topic F1.
    pub fn topic_f1(&self) -> f64 {
        Self::f1(
            Self::ratio(self.t_tp, self.t_pred),
            Self::ratio(self.t_tp, self.t_gold),
        )
    }
}

fn words(s: &str) -> HashSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The SPEC rule: overlap of at least 80% of the gold's words and 50% of the predicted's.
pub fn quote_matches(gold: &str, pred: &str) -> bool {
    let g = words(gold);
    let p = words(pred);
    if g.is_empty() || p.is_empty() {
        return false;
    }
    let inter = g.intersection(&p).count();
    inter * 10 >= g.len() * 8 && inter * 2 >= p.len()
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn arr<'a>(v: &'a Value, k: &str) -> Vec<&'a Value> {
    v.get(k)
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn strs(v: &Value, k: &str) -> Vec<String> {
    arr(v, k)
        .into_iter()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

fn norm_text(s: &str) -> String {
    s.replace('’', "'").replace(['“', '”'], "\"").to_lowercase()
}

fn speaker_name(x: &Extraction, i: Option<usize>) -> String {
    match i.and_then(|i| x.participants.get(i)) {
        Some(p) if p.kind == ParticipantKind::Journalist => "QUESTION".into(),
        Some(p) => p.name.clone(),
        None => "(none)".into(),
    }
}

fn meeting_matches(x: &Extraction, m: &diplograph_parse::Meeting, g: &Value) -> bool {
    if s(g, "kind") != Some(m.kind.as_str()) || s(g, "status") != Some(m.status.as_str()) {
        return false;
    }
    if let Some(d) = s(g, "date") {
        let iso = m
            .date
            .as_ref()
            .map(diplograph_parse::PartialDate::iso)
            .unwrap_or_default();
        if !iso.starts_with(d) {
            return false;
        }
    }
    if let Some(p) = s(g, "place") {
        if m.place.as_ref().is_none_or(|mp| mp.name != p) {
            return false;
        }
    }
    let names: Vec<String> = m
        .participants
        .iter()
        .map(|i| speaker_name(x, Some(*i)))
        .collect();
    strs(g, "participants").iter().all(|p| names.contains(p))
}

fn describe_meeting(x: &Extraction, m: &diplograph_parse::Meeting) -> String {
    let names: Vec<String> = m
        .participants
        .iter()
        .map(|i| speaker_name(x, Some(*i)))
        .collect();
    format!(
        "{} {} {} {} [{}]",
        m.kind.as_str(),
        m.status.as_str(),
        m.date
            .as_ref()
            .map(diplograph_parse::PartialDate::iso)
            .unwrap_or_else(|| "-".into()),
        m.place.as_ref().map_or("-", |p| p.name.as_str()),
        names.join(", ")
    )
}

/// Scores one document against its key entry, writing misses and inventions to `notes`.
pub fn score(x: &Extraction, g: &Value, notes: &mut String) -> Scores {
    let mut sc = Scores::default();
    let transcript = x.document.kind == DocumentKind::Transcript;
    // Quotations.
    let gold_q = arr(g, "quotations");
    let not_q = strs(g, "not_quotations");
    sc.q_gold = gold_q.len();
    let mut used = vec![false; x.quotations.len()];
    for gq in &gold_q {
        let text = s(gq, "text").unwrap_or("");
        let found =
            x.quotations.iter().enumerate().find(|(i, q)| {
                !used.get(*i).copied().unwrap_or(true) && quote_matches(text, &q.text)
            });
        match found {
            Some((i, q)) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                sc.q_tp += 1;
                let got = speaker_name(x, q.speaker);
                let mut ok: Vec<String> = vec![s(gq, "speaker").unwrap_or("").to_string()];
                ok.extend(strs(gq, "also_accept"));
                if ok.contains(&got) {
                    sc.q_speaker_ok += 1;
                } else {
                    let _ = writeln!(
                        notes,
                        "  wrong speaker: {got} for {:?} (key: {})",
                        short(text),
                        ok.join(" / ")
                    );
                }
            }
            None => {
                let _ = writeln!(notes, "  missed quotation: {:?}", short(text));
            }
        }
    }
    for (i, q) in x.quotations.iter().enumerate() {
        let counts = !transcript || q.kind != QuotationKind::Transcript;
        let forbidden = not_q.iter().any(|n| quote_matches(n, &q.text));
        if counts || forbidden {
            sc.q_pred += 1;
        }
        if forbidden {
            let _ = writeln!(
                notes,
                "  invented quotation (not a quotation): {:?}",
                short(&q.text)
            );
        } else if counts && !used.get(i).copied().unwrap_or(false) {
            let _ = writeln!(
                notes,
                "  invented quotation: {:?} by {}",
                short(&q.text),
                speaker_name(x, q.speaker)
            );
        }
    }
    // Persons.
    let gold_p: Vec<String> = arr(g, "persons")
        .iter()
        .filter_map(|p| s(p, "name").map(str::to_string))
        .collect();
    let not_p = strs(g, "not_persons");
    let pred_p: Vec<&str> = x
        .participants
        .iter()
        .filter(|p| p.kind == ParticipantKind::Person)
        .map(|p| p.name.as_str())
        .collect();
    sc.p_gold = gold_p.len();
    sc.p_pred = pred_p.len();
    for p in &gold_p {
        if pred_p.contains(&p.as_str()) {
            sc.p_tp += 1;
        } else {
            let _ = writeln!(notes, "  missed person: {p}");
        }
    }
    for p in &pred_p {
        if not_p.iter().any(|n| n == p) {
            sc.p_forbidden += 1;
            let _ = writeln!(notes, "  invented person (listed as not a person): {p}");
        } else if !gold_p.iter().any(|g| g == p) {
            let _ = writeln!(notes, "  invented person: {p}");
        }
    }
    // Meetings.
    for gm in arr(g, "meetings") {
        let primary = gm.get("primary").and_then(Value::as_bool).unwrap_or(false);
        if primary {
            sc.pm_gold += 1;
            match x.primary_meeting() {
                Some(m) if meeting_matches(x, m, gm) => sc.pm_ok += 1,
                Some(m) => {
                    let _ = writeln!(
                        notes,
                        "  wrong primary meeting: {} (key: {})",
                        describe_meeting(x, m),
                        gm
                    );
                }
                None => {
                    let _ = writeln!(notes, "  no primary meeting (key: {gm})");
                }
            }
        } else {
            sc.mm_gold += 1;
            if x.meetings.iter().any(|m| meeting_matches(x, m, gm)) {
                sc.mm_found += 1;
            } else {
                let _ = writeln!(notes, "  missed meeting: {}", gm);
            }
        }
    }
    // Claims.
    for gc in arr(g, "claims") {
        sc.c_gold += 1;
        let want = norm_text(s(gc, "contains").unwrap_or(""));
        let claimant = s(gc, "claimant").unwrap_or("");
        let with_text: Vec<&diplograph_parse::Claim> = x
            .claims
            .iter()
            .filter(|c| norm_text(&c.text).contains(&want))
            .collect();
        if with_text.is_empty() {
            let _ = writeln!(notes, "  missed claim: {:?} by {claimant}", short(&want));
            continue;
        }
        sc.c_text += 1;
        let right = with_text
            .iter()
            .find(|c| speaker_name(x, c.claimant) == claimant);
        match right {
            Some(c) => {
                sc.c_found += 1;
                let gold_t: HashSet<String> = strs(gc, "topics").into_iter().collect();
                let pred_t: HashSet<String> = c.topics.iter().cloned().collect();
                sc.t_gold += gold_t.len();
                sc.t_pred += pred_t.len();
                sc.t_tp += gold_t.intersection(&pred_t).count();
            }
            None => {
                let got: Vec<String> = with_text
                    .iter()
                    .map(|c| speaker_name(x, c.claimant))
                    .collect();
                let _ = writeln!(
                    notes,
                    "  wrong claimant: {} for {:?} (key: {claimant})",
                    got.join("/"),
                    short(&want)
                );
            }
        }
    }
    sc
}

fn short(s: &str) -> String {
    let t: String = s.chars().take(70).collect();
    if t.len() < s.len() {
        format!("{t}…")
    } else {
        t
    }
}

/// Per-document scores, the totals, and the notes on misses and inventions.
type Evaluation = (Vec<(String, Scores)>, Scores, String);

/// Scores every document of the key.
pub fn evaluate(gold: &Path, docs: &Path) -> Result<Evaluation> {
    let key: Value = serde_json::from_slice(
        &std::fs::read(gold).with_context(|| format!("cannot read {}", gold.display()))?,
    )
    .with_context(|| format!("{} is not JSON", gold.display()))?;
    let mut rows = Vec::new();
    let mut total = Scores::default();
    let mut notes = String::new();
    for g in arr(&key, "documents") {
        let file = s(g, "file").unwrap_or("");
        let path = docs.join(file);
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let opts = diplograph_parse::Options {
            format: diplograph_parse::Format::from_path(file),
            ..Default::default()
        };
        let x = diplograph_parse::extract(&bytes, &opts)
            .with_context(|| format!("cannot extract {}", path.display()))?;
        let mut n = String::new();
        let sc = score(&x, g, &mut n);
        if !n.is_empty() {
            let _ = writeln!(notes, "{file}:\n{n}");
        }
        total.add(&sc);
        rows.push((file.to_string(), sc));
    }
    Ok((rows, total, notes))
}

fn line(name: &str, s: &Scores) -> String {
    format!(
        "{:<28} {:>5.2} {:>5.2} {:>5.2} {:>6.2} | {:>5.2} {:>5.2} {:>5.2} | {:>3}/{:<3} | {:>5.2} | {:>5.2} {:>5.2} | {:>5.2}",
        name,
        s.q_precision(),
        s.q_recall(),
        s.q_f1(),
        s.speaker_accuracy(),
        s.p_precision(),
        s.p_recall(),
        s.p_f1(),
        s.pm_ok,
        s.pm_gold,
        s.mm_recall(),
        s.c_recall(),
        s.claimant_accuracy(),
        s.topic_f1()
    )
}

/// The `eval` command.
pub fn run(gold: &Path, docs: &Path, verbose: bool, json: bool) -> Result<()> {
    let (rows, total, notes) = evaluate(gold, docs)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "quotations": {"precision": total.q_precision(), "recall": total.q_recall(), "f1": total.q_f1(), "speaker_accuracy": total.speaker_accuracy()},
                "persons": {"precision": total.p_precision(), "recall": total.p_recall(), "f1": total.p_f1(), "not_persons_produced": total.p_forbidden},
                "primary_meetings": {"right": total.pm_ok, "of": total.pm_gold},
                "mentioned_meetings": {"recall": total.mm_recall()},
                "claims": {"recall": total.c_recall(), "claimant_accuracy": total.claimant_accuracy()},
                "topics": {"f1": total.topic_f1()},
                "counts": total,
            }))?
        );
        return Ok(());
    }
    println!(
        "{:<28} {:>5} {:>5} {:>5} {:>6} | {:>5} {:>5} {:>5} | {:>7} | {:>5} | {:>5} {:>5} | {:>5}",
        "document",
        "Q-P",
        "Q-R",
        "Q-F1",
        "spkr",
        "P-P",
        "P-R",
        "P-F1",
        "primary",
        "mtg-R",
        "C-R",
        "clmnt",
        "topF1"
    );
    for (name, s) in &rows {
        println!("{}", line(name, s));
    }
    println!("{}", line("TOTAL", &total));
    if total.p_forbidden > 0 {
        println!("not_persons produced: {}", total.p_forbidden);
    }
    if verbose || !notes.is_empty() {
        println!("\nmissed and invented:\n{notes}");
    }
    Ok(())
}
