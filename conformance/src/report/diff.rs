//! The reports of a differential run: the console text, DIFFERENCES.md (Markdown) and JSON.

use std::fmt::Write as _;

use crate::corpus::encode;
use crate::diff::compare::{is_limit, Class};
use crate::diff::run::{Finding, Outcome};

fn short(class: Class) -> &'static str {
    match class {
        Class::ChainDesync => "CD",
        Class::ProxySmuggling => "PS",
        Class::MessageCount => "MC",
        Class::Interpretation => "IN",
        Class::AcceptRefuse => "AR",
        Class::RefusalStatus => "RS",
        Class::ForbiddenAccepted => "FA",
        Class::Limit => "LM",
        Class::ForwardedRefused => "FR",
        Class::ReadOn => "RO",
    }
}

fn matrix_rows(outcome: &Outcome) -> Vec<(String, String, usize, usize)> {
    outcome
        .matrix
        .iter()
        .map(|(pair, classes)| {
            let cells: Vec<String> = Class::ALL
                .iter()
                .filter_map(|c| classes.get(c).map(|(new, known)| (c, new, known)))
                .map(|(c, new, known)| {
                    if *known > 0 {
                        format!("{} {new} (+{known} known)", short(*c))
                    } else {
                        format!("{} {new}", short(*c))
                    }
                })
                .collect();
            let new: usize = classes.values().map(|v| v.0).sum();
            let known: usize = classes.values().map(|v| v.1).sum();
            (pair.clone(), cells.join(", "), new, known)
        })
        .collect()
}

fn legend() -> String {
    Class::ALL.iter().map(|c| format!("{} = {} ({})", short(*c), c.name(), c.meaning())).collect::<Vec<_>>().join("; ")
}

/// Whether a finding is about where messages end or what they say (reported in full), rather
/// than about who refuses what (reported as a table row).
pub fn is_about_messages(f: &Finding) -> bool {
    matches!(
        f.difference.class,
        Class::ChainDesync | Class::ProxySmuggling | Class::MessageCount | Class::Interpretation
    )
}

/// The other corpus cases that showed a finding, each once, without the mutations applied to
/// them (the JSON report keeps each source whole).
fn others(f: &Finding) -> String {
    let case = |source: &str| source.split(", mutated:").next().unwrap_or(source).to_owned();
    let first = case(&f.source);
    let mut cases: Vec<String> = Vec::new();
    for c in f.sources.iter().skip(1).map(|s| case(s)) {
        if c != first && !cases.contains(&c) {
            cases.push(c);
        }
    }
    if cases.is_empty() {
        String::new()
    } else {
        format!("; also from {}", cases.join(", "))
    }
}

fn finding_row(i: usize, f: &Finding, out: &mut String, markdown: bool) {
    let d = &f.difference;
    if markdown {
        let cell = |s: &str| s.replace('|', "\\|");
        let _ = writeln!(
            out,
            "| F{} | {} | {} | `{}` | {}: {} | {}: {} |",
            i + 1,
            cell(&f.group),
            f.count,
            cell(&encode(&f.stream)),
            d.a.name,
            cell(&d.a.says),
            d.b.name,
            cell(&d.b.says)
        );
    } else {
        let _ = writeln!(out, "F{}: {} ({} streams): {}", i + 1, f.group, f.count, encode(&f.stream));
        let _ = writeln!(out, "    {}: {}", d.a.name, d.a.says);
        let _ = writeln!(out, "    {}: {}", d.b.name, d.b.says);
    }
}

fn finding_text(i: usize, f: &Finding, out: &mut String, markdown: bool) {
    let d = &f.difference;
    let part = d.part.map(|p| format!(" ({})", p.name())).unwrap_or_default();
    let title = if f.partition.is_empty() {
        format!("F{}: {}{} between {} and {}", i + 1, d.class.name(), part, d.a.name, d.b.name)
    } else {
        let groups: Vec<String> = f.partition.iter().map(|g| format!("{{{}}}", g.join(", "))).collect();
        format!("F{}: {}{}: {}", i + 1, d.class.name(), part, groups.join(" vs "))
    };
    let features = if f.features.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = f.features.iter().map(|x| x.name()).collect();
        format!(" Features: {}.", names.join(", "))
    };
    // What the harness itself added to what the peers read, said where it shows.
    let mut added = Vec::new();
    if f.stream.ends_with(crate::canary::DIFF) {
        added.push("the last request (`GET /h1spec-canary`) is h1spec's canary, not part of the case");
    }
    if matches!(d.class, Class::ProxySmuggling | Class::ForwardedRefused) {
        added.push("the parsers read the proxy's forwarded bytes as an origin is asked to, with `Connection` renamed `Xonnection` and an HTTP/1.0 request given `Connection: keep-alive`, so that the canary after them is read");
    }
    let added = if added.is_empty() { String::new() } else { format!(" Added by the harness: {}.", added.join("; ")) };
    let mut size = if f.minimised {
        format!("{} B, minimised from {} B", f.stream.len(), f.original_len)
    } else {
        format!("{} B, not minimised", f.stream.len())
    };
    if !f.reproduced {
        size.push_str("; NOT reproduced when read again: timing-dependent");
    }
    if markdown {
        let _ = writeln!(out, "### {title}\n");
        let _ = writeln!(
            out,
            "Seen in {} stream(s); first from `{}`{}.{features}{added} Stream ({size}):\n",
            f.count,
            f.source,
            others(f)
        );
        let _ = writeln!(out, "```\n{}\n```\n", encode(&f.stream));
        let _ = writeln!(out, "- **{}**: {}", d.a.name, d.a.says);
        let _ = writeln!(out, "- **{}**: {}\n", d.b.name, d.b.says);
        let readings: Vec<String> =
            f.readings.iter().map(|(peer, reading)| format!("**{peer}**: {}", html(reading))).collect();
        let _ = writeln!(
            out,
            "<details><summary>Every peer's reading of this stream</summary>{}</details>\n",
            readings.join("<br>")
        );
    } else {
        let _ = writeln!(out, "{title}");
        let _ = writeln!(
            out,
            "  seen in {} stream(s), first from {}{};{features} stream ({size}):",
            f.count,
            f.source,
            others(f)
        );
        let _ = writeln!(out, "    {}", encode(&f.stream));
        let _ = writeln!(out, "  {}: {}", d.a.name, d.a.says);
        let _ = writeln!(out, "  {}: {}", d.b.name, d.b.says);
        for (peer, reading) in &f.readings {
            let _ = writeln!(out, "    {peer:>16}: {reading}");
        }
    }
}

/// Each chain's verdict, as `(chain, streams, verdict)`: a desync with the findings that show it,
/// or none found in so many streams.
fn chain_rows(outcome: &Outcome) -> Vec<(String, usize, String)> {
    outcome
        .chains
        .iter()
        .map(|c| {
            let shown: Vec<(usize, &crate::diff::run::Finding)> = outcome
                .findings
                .iter()
                .enumerate()
                .filter(|(_, f)| f.difference.class == Class::ChainDesync && f.difference.involves(&c.name))
                .collect();
            let list = |only_reproduced: bool| {
                let ids: Vec<String> = shown
                    .iter()
                    .filter(|(_, f)| f.reproduced == only_reproduced)
                    .map(|(i, _)| format!("F{}", i + 1))
                    .collect();
                ids.join(", ")
            };
            let verdict = if c.desync_streams == 0 {
                format!("no desync found in {} streams", c.streams)
            } else if shown.iter().any(|(_, f)| f.reproduced) {
                format!(
                    "DESYNC: the origin read other messages than the proxy meant on {} of {} streams ({})",
                    c.desync_streams,
                    c.streams,
                    list(true)
                )
            } else {
                format!(
                    "no confirmed desync in {} streams: {} showed one that did not show again when read again ({})",
                    c.streams,
                    c.desync_streams,
                    list(false)
                )
            };
            (c.name.clone(), c.streams, verdict)
        })
        .collect()
}

/// The console report: each chain's verdict, the peers, the matrix by pair and class, and each
/// finding.
pub fn console(outcome: &Outcome) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "h1spec diff: {} peers, {} corpus streams, {} mutated, {:.0} s",
        outcome.peers.len(),
        outcome.corpus_streams,
        outcome.mutated_streams,
        outcome.seconds
    );
    for p in &outcome.peers {
        let _ = writeln!(out, "  {:<16} {:<11} {}", p.name, format!("{:?}", p.role).to_lowercase(), p.version);
    }
    for (name, why) in &outcome.not_run {
        let _ = writeln!(out, "  {name:<16} not run: {why}");
    }
    if !outcome.chains.is_empty() {
        let _ = writeln!(out, "\nChains (a real proxy in front of a real origin):");
        for (name, _, verdict) in chain_rows(outcome) {
            let _ = writeln!(out, "  {name:<28} {verdict}");
        }
    }
    let _ = writeln!(out, "\nDifferences by pair (streams; {}):", legend());
    for (pair, cells, _, _) in matrix_rows(outcome) {
        let _ = writeln!(out, "  {pair:<36} {cells}");
    }
    let _ =
        writeln!(out, "\n{} findings, {} known differences (quirks)\n", outcome.findings.len(), outcome.known.len());
    for (i, f) in outcome.findings.iter().enumerate() {
        if is_about_messages(f) {
            finding_text(i, f, &mut out, false);
            out.push('\n');
        } else {
            finding_row(i, f, &mut out, false);
        }
    }
    if !outcome.failures.is_empty() {
        let _ = writeln!(
            out,
            "{} reads failed (not differences), for example: {}",
            outcome.failures.len(),
            outcome.failures[0]
        );
    }
    let _ = writeln!(out, "{} findings", outcome.findings.len());
    out
}

/// How many findings of a section are written in full in DIFFERENCES.md; the rest are rows.
const IN_FULL: usize = 4;

/// How many rows a section lists; the rest are in the JSON report.
const ROWS: usize = 15;

/// Text for inline HTML in Markdown.
fn html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('|', "&#124;")
}

/// Which section of DIFFERENCES.md a finding goes in, most urgent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// Desync confirmed on a real proxy → origin chain.
    Chain,
    /// Framing the RFC refuses, or that an origin reads otherwise, that a proxy forwards.
    Forwarded,
    /// Where messages end: message count.
    Boundaries,
    /// Servers that read on after a refusal that must close the connection.
    ConnectionClose,
    /// What a message says: method, target, version, fields, body.
    Interpretation,
    /// Who refuses what, and with which status.
    Strictness,
    /// Who refuses for a size limit (SHOULD-level).
    Limits,
    /// Not shown again when read again: timing, or the harness.
    NotReproduced,
}

fn rank(f: &Finding, proxies: &[&str]) -> Rank {
    // Any proxy on either side: the difference shown, or the finding's groups.
    let by_proxy = proxies.iter().any(|p| {
        f.difference.a.name == *p || f.difference.b.name == *p || f.partition.iter().flatten().any(|n| n == p)
    });
    match f.difference.class {
        _ if !f.reproduced => Rank::NotReproduced,
        Class::ChainDesync => Rank::Chain,
        Class::ProxySmuggling => Rank::Forwarded,
        // What a parser refuses of a proxy's forwarded bytes for its own size limit says nothing
        // about the proxy.
        Class::ForwardedRefused if is_limit(&f.difference.b) => Rank::Limits,
        Class::ForwardedRefused => Rank::Forwarded,
        Class::ForbiddenAccepted if by_proxy => Rank::Forwarded,
        Class::MessageCount => Rank::Boundaries,
        Class::ReadOn => Rank::ConnectionClose,
        Class::Interpretation => Rank::Interpretation,
        Class::AcceptRefuse | Class::RefusalStatus | Class::ForbiddenAccepted => Rank::Strictness,
        Class::Limit => Rank::Limits,
    }
}

/// DIFFERENCES.md, ranked for someone deciding what to fix: each chain's verdict; desync on
/// real chains; what proxies forward that an origin reads otherwise; the MUST-refuse cases every
/// proxy refused; where readers put message boundaries; how they interpret messages; then who
/// refuses what, collapsed to one row each, the known differences, and what did not show again.
/// The pair matrix and every finding in full are in the JSON report.
pub fn markdown(outcome: &Outcome) -> String {
    let command = &outcome.command;
    let mut out = String::new();
    let _ = writeln!(out, "# Differences between HTTP/1.1 implementations\n");
    let _ = writeln!(
        out,
        "Written by `h1spec diff` from one real run; do not edit by hand. Reproduce with:\n\n```\n{command}\n```\n"
    );
    let _ = writeln!(
        out,
        "{} corpus streams (each request case of `corpus/cases/`, then a canary request) and {} mutated streams (seed {}), in {:.0} s. {} findings, {} differences explained by quirk files. The pair matrix and every finding in full are in the JSON report (`--save-json`).\n",
        outcome.corpus_streams,
        outcome.mutated_streams,
        outcome.seed,
        outcome.seconds,
        outcome.findings.len(),
        outcome.known.len()
    );
    if !outcome.chains.is_empty() {
        let _ = writeln!(out, "## Chains\n\nEach proxy in front of each origin, through a tap that keeps what reaches the origin. A desync is a stream on which the origin read other messages (another number, or another method, target or body) than the proxy meant to forward, as its recording origin kept them; it counts when it shows again on reading the stream again.\n\n| chain | streams | verdict |\n|---|---:|---|");
        for (name, streams, verdict) in chain_rows(outcome) {
            let _ = writeln!(out, "| {name} | {streams} | {verdict} |");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Peers\n\n| peer | role | version |\n|---|---|---|");
    for p in outcome.peers.iter().filter(|p| p.role != crate::diff::Role::Chain) {
        let _ = writeln!(out, "| {} | {} | {} |", p.name, format!("{:?}", p.role).to_lowercase(), p.version);
    }
    for (name, why) in &outcome.not_run {
        let _ = writeln!(out, "| {name} | not run | {why} |");
    }
    let proxies: Vec<&str> =
        outcome.peers.iter().filter(|p| p.role == crate::diff::Role::Proxy).map(|p| p.name.as_str()).collect();
    let ranked = |r: Rank| -> Vec<(usize, &Finding)> {
        outcome.findings.iter().enumerate().filter(|(_, f)| rank(f, &proxies) == r).collect()
    };
    section(
        &mut out,
        "1. Desync on real chains",
        "The origin read other messages than the proxy in front of it meant.",
        &ranked(Rank::Chain),
    );
    // What a proxy forwards, the most serious first: bytes an origin reads as other messages,
    // then what the RFC says MUST be refused read by a proxy (a chunk line ended by a bare LF,
    // CVE-2025-22871), then what a strict origin refuses of what it forwards.
    let mut forwarded = ranked(Rank::Forwarded);
    forwarded.sort_by_key(|(_, f)| match f.difference.class {
        Class::ProxySmuggling => 0,
        Class::ForbiddenAccepted => 1,
        _ => 2,
    });
    section(&mut out, "2. What proxies forward that others read otherwise", "A proxy forwards bytes an origin reads as another number of messages (proxy-smuggling), forwards what a strict origin refuses (forwarded-refused: the proxy passes on, or makes, what the RFC forbids), or reads as a message what the RFC says MUST be refused (forbidden-accepted).", &forwarded);
    if !proxies.is_empty() {
        defence(&mut out, outcome, &proxies);
    }
    section(&mut out, "4. Where messages end", "Readers that put message boundaries in different places, grouped by how they split: the readers in one group read the stream alike.", &ranked(Rank::Boundaries));
    section(
        &mut out,
        "5. Connection close",
        "Servers that refused a message after which the RFC requires the connection closed, or read one the RFC lets them read only if they close after it (Transfer-Encoding with Content-Length), then answered what followed it.",
        &ranked(Rank::ConnectionClose),
    );
    section(
        &mut out,
        "6. What messages say",
        "Readers that agree on the boundaries but not on the method, target, version, fields or body.",
        &ranked(Rank::Interpretation),
    );
    let strict = ranked(Rank::Strictness);
    let _ = writeln!(out, "\n## 7. Strictness and refusal statuses\n\n{} findings where one refuses what another reads, both refuse with different statuses, or a non-proxy reads what the RFC says MUST be refused, collapsed to one row per class and refusal.\n", strict.len());
    collapsed(&mut out, &strict);
    let limits = ranked(Rank::Limits);
    let _ = writeln!(out, "\n## 8. Size limits\n\n{} findings where one refuses for a size limit (a 413, 414 or 431, or a limit rule): RFC 9110 and 9112 let each implementation set these (SHOULD-level), so they are reported apart from the rules every reader must keep.\n", limits.len());
    collapsed(&mut out, &limits);
    let _ = writeln!(out, "\n## Known differences\n\nDifferences a quirk file in `peers/quirks/` explains, one row per quirk (the signatures are in the JSON report).\n\n| quirk of | signatures | streams | reason |\n|---|---:|---:|---|");
    let mut quirks: Vec<(&str, &str, usize, usize)> = Vec::new();
    for k in &outcome.known {
        match quirks.iter_mut().find(|q| q.0 == k.peer && q.1 == k.reason) {
            Some(q) => {
                q.2 += 1;
                q.3 += k.count;
            }
            None => quirks.push((&k.peer, &k.reason, 1, k.count)),
        }
    }
    for (peer, reason, signatures, streams) in quirks {
        let _ = writeln!(out, "| {peer} | {signatures} | {streams} | {reason} |");
    }
    let gone = ranked(Rank::NotReproduced);
    if !gone.is_empty() {
        let _ = writeln!(out, "\n## Appendix: not shown again\n\n{} findings did not show again when their stream was read again by every peer: timing on a busy machine, or the harness. Kept here so that nothing is hidden.\n", gone.len());
        rows(&mut out, &gone);
    }
    if !outcome.failures.is_empty() {
        let _ = writeln!(out, "\n## Reads that failed\n\n{} reads failed (a shim or server did not answer in time); they count as no reading, not as differences. The first:\n", outcome.failures.len());
        for f in outcome.failures.iter().take(5) {
            let _ = writeln!(out, "- {}", f.replace('\n', " "));
        }
    }
    out
}

/// Section 3: the corpus cases the RFC says MUST be refused, one row per smuggling shape (the
/// corpus's desync class; the cases with none last): how many every proxy refused, and which
/// proxies read the others as messages.
fn defence(out: &mut String, outcome: &Outcome, proxies: &[&str]) {
    let _ = writeln!(
        out,
        "\n## 3. Refused by every proxy\n\nThe {} corpus cases the RFC says MUST be refused, by smuggling shape: those every proxy ({}) refused are defence in depth whatever the origin does; the proxies that read the others as a message are named (their findings are in section 2).\n\n| shape | cases | refused by every proxy | read as a message by |\n|---|---:|---:|---|",
        outcome.forbidden.len(),
        proxies.join(", ")
    );
    let shapes = crate::corpus::DesyncClass::ALL.iter().map(|c| Some(*c)).chain([None]);
    for shape in shapes {
        let cases: Vec<&Vec<String>> = outcome
            .forbidden
            .iter()
            .filter(|(case, _)| outcome.shapes.get(*case).copied() == shape)
            .map(|(_, accepted)| accepted)
            .collect();
        if cases.is_empty() {
            continue;
        }
        let through = |p: &str| cases.iter().filter(|accepted| accepted.iter().any(|a| a == p)).count();
        let every = cases.iter().filter(|accepted| !accepted.iter().any(|a| proxies.contains(&a.as_str()))).count();
        let by: Vec<String> = proxies
            .iter()
            .map(|p| (p, through(p)))
            .filter(|(_, n)| *n > 0)
            .map(|(p, n)| format!("{p} ({n})"))
            .collect();
        let name = shape.map_or("no smuggling shape (other MUST rules)", |c| c.name());
        let by = if by.is_empty() { "none".to_owned() } else { by.join(", ") };
        let _ = writeln!(out, "| {name} | {} | {every} | {by} |", cases.len());
    }
}

/// A section of findings: the first [`IN_FULL`] in full, the rest as rows.
fn section(out: &mut String, title: &str, intro: &str, all: &[(usize, &Finding)]) {
    let _ = writeln!(out, "\n## {title}\n\n{} findings. {intro}\n", all.len());
    for (i, f) in all.iter().take(IN_FULL) {
        finding_text(*i, f, out, true);
    }
    if all.len() > IN_FULL {
        rows(out, &all[IN_FULL..]);
    }
}

/// Findings as table rows, at most [`ROWS`].
fn rows(out: &mut String, findings: &[(usize, &Finding)]) {
    let _ = writeln!(out, "| # | finding | streams | stream | one side | other side |\n|---|---|---:|---|---|---|");
    for (i, f) in findings.iter().take(ROWS) {
        finding_row(*i, f, out, true);
    }
    if findings.len() > ROWS {
        let _ = writeln!(out, "\n… and {} more, in the JSON report.", findings.len() - ROWS);
    }
}

/// Findings collapsed to one row per class and refusal (the rule or status a refusing side
/// gives): who refuses what, whatever else the partitions say.
fn collapsed(out: &mut String, findings: &[(usize, &Finding)]) {
    let mut groups: Vec<(String, String, Vec<usize>, usize, &Finding)> = Vec::new();
    for (i, f) in findings {
        let d = &f.difference;
        let side = [&d.a, &d.b].into_iter().find(|s| s.rule.is_some() || s.status.is_some());
        let refusal = match side {
            Some(s) => match (&s.rule, s.status) {
                (Some(rule), Some(status)) => format!("{rule} ({status})"),
                (Some(rule), None) => rule.clone(),
                (None, Some(status)) => status.to_string(),
                (None, None) => String::new(),
            },
            None => "—".to_owned(),
        };
        let class = d.class.name().to_owned();
        match groups.iter_mut().find(|g| g.0 == class && g.1 == refusal) {
            Some(g) => {
                g.2.push(*i);
                g.3 += f.count;
            }
            None => groups.push((class, refusal, vec![*i], f.count, f)),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.3));
    let _ = writeln!(out, "| class | refusal | findings | streams | e.g. | its stream |\n|---|---|---:|---:|---|---|");
    for (class, refusal, ids, streams, f) in groups.iter().take(ROWS) {
        let _ = writeln!(
            out,
            "| {class} | `{}` | {} | {streams} | F{} {} | `{}` |",
            refusal.replace('|', "\\|"),
            ids.len(),
            ids[0] + 1,
            f.group.replace('|', "\\|"),
            encode(&f.stream).chars().take(120).collect::<String>().replace('|', "\\|")
        );
    }
    if groups.len() > ROWS {
        let _ = writeln!(out, "\n… and {} more, in the JSON report.", groups.len() - ROWS);
    }
}

/// The outcome as one JSON object.
pub fn json(outcome: &Outcome) -> String {
    serde_json::to_string_pretty(outcome).expect("an outcome always serializes")
}
