//! Extraction quality on the seed answer key (a copy of the shared key lives in
//! `tests/fixtures/seeds.gold.json`), scored by `diplograph eval` itself.

use std::process::Command;

use crate::support::{bin, corpus, root};

#[test]
fn seed_answer_key_targets() {
    let out = Command::new(bin())
        .args(["eval", "--json", "--gold"])
        .arg(root().join("tests/fixtures/seeds.gold.json"))
        .arg("--docs")
        .arg(corpus())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = |path: &[&str]| {
        path.iter()
            .fold(&v, |acc, k| &acc[*k])
            .as_f64()
            .unwrap_or(-1.0)
    };
    assert!(f(&["quotations", "f1"]) >= 0.95, "{v}");
    assert!(f(&["quotations", "speaker_accuracy"]) >= 0.95, "{v}");
    assert!(f(&["persons", "f1"]) >= 0.95, "{v}");
    assert_eq!(v["persons"]["not_persons_produced"], 0, "{v}");
    assert_eq!(v["primary_meetings"]["right"], 5, "{v}");
    assert!(f(&["mentioned_meetings", "recall"]) >= 0.8, "{v}");
    assert!(f(&["claims", "recall"]) >= 0.85, "{v}");
    assert!(f(&["claims", "claimant_accuracy"]) >= 0.85, "{v}");
}
