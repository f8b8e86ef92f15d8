//! `h1spec diff` and `h1spec save-finding`: the arguments, then [`h1spec::diff::session`] or
//! [`h1spec::diff::save`], then a report.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use h1spec::diff::run::Outcome;
use h1spec::diff::{peers, session};
use h1spec::pipeline::Selection;
use h1spec::report::diff as diff_report;

/// Options of a differential run.
#[derive(Args, Clone, Debug)]
pub struct DiffArgs {
    /// The peers, comma-separated (default: every peer installed here). `--list` names them.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub peers: Vec<String>,
    /// Render the JSON report of an earlier run (`--save-json`) instead of running: the same
    /// report in another format, or written again by this version of h1spec.
    #[arg(long, value_name = "REPORT.json", conflicts_with_all = ["peers", "list", "section", "case", "streams"])]
    pub from: Option<PathBuf>,
    /// List the peers h1spec knows, whether each can run here, and exit.
    #[arg(long)]
    pub list: bool,
    /// Only corpus cases citing this section.
    #[arg(long, value_name = "N.N")]
    pub section: Option<String>,
    /// Only this corpus case.
    #[arg(long, value_name = "ID")]
    pub case: Option<String>,
    /// Read the bytes of this file as one stream, exactly (no canary is added), in place of the
    /// corpus; repeat for more. `\r`, `\n`, `\t`, `\\` and `\xHH` in the file stand for those
    /// bytes, as a report prints them, unless the file holds a raw CR. Add `--mutations 0` to
    /// read only these.
    #[arg(long = "stream", value_name = "FILE", conflicts_with_all = ["section", "case"])]
    pub streams: Vec<PathBuf>,
    /// The most mutated streams.
    #[arg(long, default_value_t = 1000)]
    pub mutations: usize,
    /// The most seconds the mutation loop may take.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub mutation_time: u64,
    /// The most seconds minimisation may take, over all findings.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub minimise_time: u64,
    /// The mutation loop's seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Streams read in parallel.
    #[arg(short = 'j', long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub jobs: u16,
    /// Report format.
    #[arg(long, value_enum, default_value = "console")]
    pub format: DiffFormat,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the JSON report here (the input of `h1spec save-finding`).
    #[arg(long, value_name = "FILE")]
    pub save_json: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// The matrix and each finding, as text.
    Console,
    /// DIFFERENCES.md.
    Markdown,
    /// One JSON object.
    Json,
}

/// Runs the diff (or lists its peers) and writes its report.
pub fn run(args: DiffArgs) -> ExitCode {
    if args.list {
        for spec in peers::ALL {
            let state =
                peers::missing(spec.name).map_or_else(|| "ready".to_owned(), |why| format!("{why} ({})", spec.install));
            println!("{:<16} {:<11} {:<44} {state}", spec.name, format!("{:?}", spec.role).to_lowercase(), spec.about);
        }
        return ExitCode::SUCCESS;
    }
    let command =
        std::env::args().map(|a| if a.contains(' ') { format!("'{a}'") } else { a }).collect::<Vec<_>>().join(" ");
    let outcome = match &args.from {
        Some(path) => {
            let read = std::fs::read_to_string(path).map_err(|e| e.to_string());
            match read.and_then(|text| serde_json::from_str::<Outcome>(&text).map_err(|e| e.to_string())) {
                Ok(outcome) => outcome,
                Err(e) => {
                    eprintln!("h1spec: {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
        }
        None => match fresh(&args) {
            Ok(mut outcome) => {
                outcome.command = command;
                outcome
            }
            Err(e) => {
                eprintln!("h1spec: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let text = match args.format {
        DiffFormat::Console => diff_report::console(&outcome),
        DiffFormat::Markdown => diff_report::markdown(&outcome),
        DiffFormat::Json => diff_report::json(&outcome) + "\n",
    };
    write(&args, &text, &outcome)
}

/// A run as the arguments say.
fn fresh(args: &DiffArgs) -> Result<Outcome, String> {
    let mut streams = Vec::new();
    for path in &args.streams {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let bytes = if bytes.contains(&b'\r') { bytes } else { unescape(&bytes) };
        streams.push((path.display().to_string(), bytes));
    }
    let plan = session::Plan {
        streams,
        peers: args.peers.clone(),
        selection: Selection { strict: true, section: args.section.clone(), case: args.case.clone() },
        settings: h1spec::diff::run::Settings {
            mutations: args.mutations,
            mutation_time: Duration::from_secs(args.mutation_time),
            minimise_time: Duration::from_secs(args.minimise_time),
            seed: args.seed,
            jobs: usize::from(args.jobs),
            ..h1spec::diff::run::Settings::default()
        },
    };
    session::run(&plan, &|what| eprintln!("h1spec diff: {what}"))
}

/// The bytes a stream printed as a report prints it (Rust's `escape_ascii`) stands for: `\r`,
/// `\n`, `\t`, `\\`, `\'`, `\"` and `\xHH`; anything else as it is. A trailing newline (an editor's) is dropped.
fn unescape(text: &[u8]) -> Vec<u8> {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let hex = |j: usize| text.get(j..j + 2).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        let (byte, used) = match (text[i], text.get(i + 1)) {
            (b'\\', Some(b'r')) => (b'\r', 2),
            (b'\\', Some(b'n')) => (b'\n', 2),
            (b'\\', Some(b't')) => (b'\t', 2),
            (b'\\', Some(&b @ (b'\\' | b'\'' | b'"'))) => (b, 2),
            (b'\\', Some(b'x')) if hex(i + 2).is_some() => (hex(i + 2).unwrap_or_default(), 4),
            (b, _) => (b, 1),
        };
        out.push(byte);
        i += used;
    }
    out
}

/// Writes the report where the arguments say, and the JSON beside it when asked.
fn write(args: &DiffArgs, text: &str, outcome: &Outcome) -> ExitCode {
    let written = match &args.output {
        Some(path) => std::fs::write(path, text),
        None => std::io::stdout().write_all(text.as_bytes()),
    }
    .and_then(|()| match &args.save_json {
        Some(path) => std::fs::write(path, diff_report::json(outcome) + "\n"),
        None => Ok(()),
    });
    if let Err(e) = written {
        eprintln!("h1spec: cannot write the report: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// Appends finding `number` of a JSON report to a corpus file.
pub fn save_finding(report: &std::path::Path, number: usize, id: Option<String>, to: &std::path::Path) -> ExitCode {
    match h1spec::diff::save::save_finding(report, number, id, to) {
        Ok(id) => {
            println!("saved case {id} to {}", to.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("h1spec: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stream_as_a_report_prints_it_reads_back_as_its_bytes() {
        let bytes = b"GET /\x00'\" HTTP/1.1\r\nHost: a\tb\\\xff\r\n\r\n".to_vec();
        let printed = format!("{}\n", bytes.escape_ascii());
        assert_eq!(super::unescape(printed.as_bytes()), bytes);
        assert_eq!(super::unescape(b"\\x4"), b"\\x4", "an escape cut short stays as it is");
    }
}
