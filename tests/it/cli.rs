//! The command line: help on every command, `parse` and `schema` without a database.

use std::process::Command;

use crate::support::{bin, corpus, root};

#[test]
fn every_command_has_help() {
    for cmd in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["ingest", "--help"],
        vec!["parse", "--help"],
        vec!["schema", "--help"],
        vec!["eval", "--help"],
    ] {
        let out = Command::new(bin()).args(&cmd).output().unwrap();
        assert!(out.status.success(), "{cmd:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage:"), "{cmd:?}: {text}");
    }
    let out = Command::new(bin())
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for var in [
        "DATABASE_URL",
        "DIPLOGRAPH_BIND",
        "DIPLOGRAPH_CORPUS",
        "DIPLOGRAPH_ADMIN_TOKEN",
    ] {
        assert!(text.contains(var), "serve --help names {var}");
    }
}

#[test]
fn parse_prints_the_extraction_as_json() {
    let out = Command::new(bin())
        .arg("parse")
        .arg(corpus().join("003_4880c129a00f1001.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["document"]["kind"], "NEWS_REPORT");
    assert!(v["quotations"].as_array().is_some_and(|q| !q.is_empty()));
}

#[test]
fn parse_refuses_binary_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("junk.txt");
    std::fs::write(&p, (0u8..=255).cycle().take(4096).collect::<Vec<u8>>()).unwrap();
    let out = Command::new(bin()).arg("parse").arg(&p).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not text"));
}

#[test]
fn schema_command_prints_the_committed_sdl() {
    let out = Command::new(bin()).arg("schema").output().unwrap();
    let committed = std::fs::read_to_string(root().join("schema.graphql")).unwrap_or_default();
    assert_eq!(String::from_utf8_lossy(&out.stdout), committed);
}

#[test]
fn users_extend_the_topic_taxonomy() {
    let dir = tempfile::tempdir().unwrap();
    let topics = dir.path().join("topics.toml");
    std::fs::write(
        &topics,
        "[[topic]]\nslug = \"culture\"\nlabel = \"Culture\"\nkeywords = [\"cultural\"]\n",
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["parse", "--topics"])
        .arg(&topics)
        .arg(corpus().join("003_4880c129a00f1001.txt"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tagged = v["quotations"].as_array().unwrap().iter().any(|q| {
        q["topics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "culture")
    });
    assert!(
        tagged,
        "a quotation about cultural ties carries the user's topic"
    );
    std::fs::write(&topics, "not toml [[").unwrap();
    let out = Command::new(bin())
        .args(["parse", "--topics"])
        .arg(&topics)
        .arg(corpus().join("003_4880c129a00f1001.txt"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid"));
}

#[test]
fn logs_can_be_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("log.db").display());
    let out = Command::new(bin())
        .args(["--log-format", "json", "ingest", "--database-url", &db])
        .arg(corpus())
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with('{')).collect();
    assert!(lines.len() >= 5, "{stderr}");
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v["level"].is_string() && v["fields"].is_object(), "{l}");
    }
}
