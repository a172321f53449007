//! Prints a compact view of an extraction: `cargo run -p diplograph-parse --example dump FILE`.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_default();
    let opts = diplograph_parse::Options {
        format: diplograph_parse::Format::from_path(&path),
        ..Default::default()
    };
    let x = match diplograph_parse::extract(&bytes, &opts) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let name = |i: Option<usize>| {
        i.and_then(|i| x.participants.get(i))
            .map_or("?".to_string(), |p| p.name.clone())
    };
    let d = &x.document;
    println!(
        "KIND {:?} SOURCE {:?} PUB {:?} PLACE {:?}",
        d.kind,
        d.source,
        d.published.as_ref().map(|p| p.iso()),
        d.place.as_ref().map(|p| &p.name)
    );
    println!("TITLE {}", d.title);
    if let Some(dl) = &d.dateline {
        println!(
            "DATELINE {} {:?} inferred={}",
            dl.text,
            dl.date.iso(),
            dl.date.year_inferred
        );
    }
    for p in &x.participants {
        println!(
            "P {:?} {} | {:?} | {:?} | {:?}",
            p.kind, p.name, p.title, p.country, p.aliases
        );
    }
    for t in &x.turns {
        println!("T {:?} {} -> {}", t.kind, t.label, name(t.speaker));
    }
    for m in &x.meetings {
        let ps: Vec<String> = m.participants.iter().map(|i| name(Some(*i))).collect();
        println!(
            "M primary={} {:?} {:?} {:?} {:?} {:?}",
            m.primary,
            m.kind,
            m.status,
            m.date.as_ref().map(|d| d.iso()),
            m.place.as_ref().map(|p| &p.name),
            ps
        );
    }
    for q in &x.quotations {
        let t: String = q.text.chars().take(70).collect();
        println!(
            "Q {:?} [{}] by {} cue={:?} rep={} | {}",
            q.kind,
            q.speaker_label.clone().unwrap_or_default(),
            name(q.speaker),
            q.cue,
            name(q.reported_by),
            t
        );
    }
    for c in &x.claims {
        let t: String = c.text.chars().take(80).collect();
        println!(
            "C {:?} {} {:?} {:?} | {}",
            c.kind,
            name(c.claimant),
            c.on_behalf_of,
            c.topics,
            t
        );
    }
    for dg in &x.diagnostics {
        println!("D {:?} {} {}", dg.severity, dg.stage, dg.message);
    }
}
